"""What a build reads before dbt runs: the raw files and their contract, the CRM
sources (their tables, the org's settings, header matching), report exports,
the reference seeds' pre-checks, and the pull from a CRM's API.

Imports settings only, never a later stage (tests/test_layout.py).
"""
