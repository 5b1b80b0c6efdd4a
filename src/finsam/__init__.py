"""finsam: a dbt + DuckDB warehouse of Finsam coordination associations' annual reports."""

__version__ = "0.1.0"
