"""Everything that runs or reads dbt: the runner, what to rebuild, the manifest's
lineage, and the warehouse reader (the only code that talks to the warehouse).

Imports settings only, never inputs, report or site (tests/test_layout.py).
"""
