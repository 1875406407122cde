"""SLA Report: CRM data -> dbt SLA marts -> a generated MkDocs Material site."""

__version__ = "0.1.0"
