"""The Great Expectations suites, one JSON file per dataset (package data, read with importlib.resources).

``meta.rule`` on each expectation is the rule name stewards see in quarantine and e-mails;
``transforms.ingest.validate`` loads every ``*.json`` here.
"""
