"""Sample deliveries for the demo and the tests: never imported by the production layers.

In: the sources file. Out: landing files in every format the contract allows,
with planted faults, for a synthetic population.
"""
