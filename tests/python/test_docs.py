"""The README stays short and leads to every page of docs/; the errata table of docs/rules.md is the
register itself (seeds/reference/known_errata.csv), row for row."""

import csv
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_readme_is_short_and_links_every_page_of_the_docs():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 200
    linked = set(re.findall(r"\]\((docs/[\w-]+\.md)\)", readme))
    pages = {f"docs/{p.name}" for p in (REPO / "docs").glob("*.md")}
    assert linked == pages


def test_the_errata_table_is_the_register():
    rules = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    table = rules[rules.index("## The 19 inconsistencies"):]
    documented = [(m[1], m[2]) for m in re.finditer(r"^\|[^|]*\| `([^`]+)` \| (\d{4}) \|", table, re.M)]
    with (REPO / "seeds" / "reference" / "known_errata.csv").open(encoding="utf-8") as f:
        registered = [(r["check_id"], r["fiscal_year"]) for r in csv.DictReader(f)]
    assert documented == registered
    assert f"The {len(registered)} inconsistencies" in table
