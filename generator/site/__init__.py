"""The site: page contexts, charts, agreement texts, the Jinja environment and
its filters, the page templates, and MkDocs.

Reaches the report only as plain objects (generator.report): it never
imports generator.dbt or generator.inputs (tests/test_layout.py).
"""
