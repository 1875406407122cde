"""The work behind each `sla-report` command: build, serve, load, agreement, demo-data,
notify and pull.

A command module may import every stage (settings, inputs, dbt, report,
site); no stage imports a command (tests/test_layout.py checks it).
"""
