"""Validate every input before anything is built: the seeds, and a report collection folder (CSV or Parquet).

One validator, whichever way the data came in. Readers turn a file into a table of text values with the
line of each row (CSV: the physical line; Parquet: the row number) in one in-memory DuckDB: CSV text row
by row in Python (Swedish number formats as typed by people), Parquet numbers in SQL. The row rules then
run once, as SQL, over seeds and collection together: declared keys (a duplicate with other values is an
error naming both rows, an identical one a note), references (lines, units, organisations, member
types), years and printed labels. Every problem names file, line, column, the value and what to
do; all problems of a run are reported together. Unambiguous forms (a UTF-8 byte-order mark, a Unicode
minus, spaces between thousands) are read and noted; ambiguous ones refuse the file.

The expected columns and types of every table come from the seed YAML (and dbt_project.yml), so each
layout is declared once; a collection file has the layout of the seed named in COLLECTION_LAYOUTS.

layouts (what each input holds) → readers (files into rows of text) → store (one in-memory DuckDB) →
rules (the row rules) → validate (the run of them all, and the load of what passed).
"""

from finsam.inputs.findings import Finding
from finsam.inputs.layouts import COLLECTION_LAYOUTS, ID, load_schemas
from finsam.inputs.validate import ValidationResult, validate_inputs

__all__ = ["COLLECTION_LAYOUTS", "ID", "Finding", "ValidationResult", "load_schemas", "validate_inputs"]
