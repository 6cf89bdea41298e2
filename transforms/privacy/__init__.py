"""Privacy: personnummer in, pseudonyms out, and nothing identifying kept too long.

``personnummer`` parses and masks numbers, ``pseudonym`` keys them with HMAC,
``retention`` deletes raw deliveries past their retention period.
"""
