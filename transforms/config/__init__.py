"""Configuration: what Samla is told, checked before anything runs.

In: the SAMLA_* environment (``settings``), the sources file (``sources``).
Out: a frozen ``Settings``, typed ``Source`` entries, and the canonical datasets
of exports.md (``schema``) that every later layer shares.
"""
