"""The precision rule has one owner in SQL (macros/precision.sql) and one in Python (finsam/precision.py):
no check model, diagnosis, generator or test writes its comparison or rounding out again."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SQL_OWNER = REPO / "macros" / "precision.sql"
PYTHON_OWNER = REPO / "src" / "finsam" / "precision.py"
# the rule's own text: a difference against a bound, a value rounded to a step, half a printed unit
SQL_RULE = [re.compile(r"abs\([^()]*-[^()]*\)\s*<"), re.compile(r"round\(\s*[^(),]+/\s*[^(),]+\)\s*\*"),
            re.compile(r"0\.5\s*/\s*cast\(power\(10")]
PYTHON_RULE = [re.compile(r"abs\([^()]*\)\s*<=?\s*[^\n]*\b(tolerance|half_width|step)\b"),
               re.compile(r"floor\([^()]*\+\s*0\.5\)"), re.compile(r"\b2\s*\*\s*[\w.]*tolerance\b")]


def _written_out(files, patterns, owner: Path) -> list[str]:
    return [f"{path.relative_to(REPO)}:{n}: {line.strip()}"
            for path in files if path not in (owner, Path(__file__).resolve())
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if any(p.search(line) for p in patterns)]


def test_the_patterns_find_the_rule_where_it_is_written():
    sql, python = SQL_OWNER.read_text(encoding="utf-8"), PYTHON_OWNER.read_text(encoding="utf-8")
    assert all(p.search(sql) for p in SQL_RULE)
    assert all(p.search(python) for p in PYTHON_RULE[:2])
    assert PYTHON_RULE[2].search("step = 2 * check.tolerance")


def test_the_precision_rule_is_written_once_in_sql():
    sql = [*REPO.glob("models/**/*.sql"), *REPO.glob("macros/**/*.sql"), *REPO.glob("tests/dbt/*.sql")]
    assert _written_out(sql, SQL_RULE, SQL_OWNER) == []


def test_the_precision_rule_is_written_once_in_python():
    python = [*REPO.glob("src/**/*.py"), *REPO.glob("tests/**/*.py"), *REPO.glob("models/**/*.py"),
              *REPO.glob("tools/*.py")]
    assert _written_out(python, PYTHON_RULE, PYTHON_OWNER) == []
