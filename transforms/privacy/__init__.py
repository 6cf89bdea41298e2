"""Privacy: personnummer in, pseudonyms out.

``personnummer`` parses and masks numbers, ``pseudonym`` keys them with HMAC.
Deleting what is kept too long and changing the key are upkeep
(``transforms.upkeep``): they use ingestion, which uses this package.
"""
