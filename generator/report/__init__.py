"""The report as plain objects: the rpt_ rows read once, the KPI definitions, the
KPI views pages and summary.json share, the record of closed periods, term
changes, the input's quality, and summary.json.

Reads what dbt built (through generator.dbt); never imports inputs or site
(tests/test_layout.py).
"""
