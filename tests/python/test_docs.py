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


def test_the_suite_starts_the_slowest_tests_first_and_lists_its_ten_slowest():
    """What the README says of `make test`: two workers, the tests marked slow first (the longest first), the
    ten slowest listed at the end."""
    import tomllib

    import pytest

    from conftest import pytest_collection_modifyitems

    class Item:
        def __init__(self, name: str, mark=None):
            self.name, self.mark = name, mark

        def get_closest_marker(self, name: str):
            return self.mark.mark if self.mark is not None and name == "slow" else None

    items = [Item("quick"), Item("slow"), Item("quick too"), Item("slowest", pytest.mark.slow(180)), Item("slow too")]
    items[1].mark, items[4].mark = pytest.mark.slow, pytest.mark.slow(40)
    pytest_collection_modifyitems(items)
    assert [i.name for i in items] == ["slowest", "slow too", "slow", "quick", "quick too"]
    options = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]["addopts"].split()
    assert "-n" in options and options[options.index("-n") + 1] == "2" and "--durations=10" in options
