"""The build's settings: the project folder, the typed build configuration, the
as-of rules, the site's language and the dbt profile targets.

The first stage: it imports no other stage (tests/test_layout.py).
"""
