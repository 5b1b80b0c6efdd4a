"""Diagnosis: the printed figure at fault is found and the kind of slip named, on small planted reports
(finsam.diagnosis directly, no dbt), and on the real report through the nightly run."""

import csv
from pathlib import Path

import duckdb
import pytest

from conftest import edit_csv_rows
from finsam.diagnosis.causes import MAX_ALTERNATIVES, diagnose_org
from finsam.diagnosis.model import Check, Figure
from finsam.diagnosis.slips import Context, classify, equal_elsewhere, finer
from finsam.diagnosis.warehouse import figure_weights
from finsam.run.nightly import nightly_run
from finsam.precision import figures_agree, foots

UNITS = {"kr": [("kr", 1.0), ("tkr", 1000.0), ("Mkr", 1e6)], "count": [("count", 1.0)], "%": [("%", 1.0)]}
WEIGHTS = [("figure", "", 1.0), ("line_kind", "total", -0.1), ("confirmed_by", "tie_out", 0.3)]


def figure(fact_id, value, unit="kr", decimals=0, line_kind="item", statement="NOT3", sign=1, base="kr",
           confidence=None):
    factor = dict(UNITS[base])[unit]
    return Figure(fact_id, 2023, 2023, statement, fact_id, "amount", fact_id, value, unit, decimals, factor, sign,
                  base, line_kind, "ref" if confidence is None else "NOT3 (page 9, box 300,410,340,418 pt)",
                  confidence)


def holds(check: Check, values: dict[str, float]) -> bool:
    """Whether a check holds for these normalised values, as the warehouse's check models evaluate it."""
    total = sum(c * values[f] for f, c in check.terms)
    if check.form == "interval":
        return figures_agree(total, 0.0, check.tolerance)
    if check.form == "footing":
        return foots([(values[f], c) for f, c in check.terms], check.tolerance)
    assert check.form == "range"
    return (check.lower is None or total >= check.lower) and (check.upper is None or total <= check.upper)


def diagnose(figures: list[Figure], checks: list[tuple], rules=WEIGHTS) -> list[dict]:
    """checks: (check_id, family, form, [(fact_id, coefficient)], tolerance[, lower, upper])."""
    by_id = {f.fact_id: f for f in figures}
    built = []
    for check_id, family, form, terms, tolerance, *bounds in checks:
        lower, upper = bounds or (None, None)
        check = Check(check_id, family, 2023, form, terms, tolerance, lower, upper, None, True, check_id)
        check.passed = holds(check, {f: by_id[f].x for f in by_id})
        built.append(check)
    weights = figure_weights(by_id, built, rules)
    context = Context(UNITS, finer(by_id, built), equal_elsewhere(by_id))
    return diagnose_org("org", by_id, built, weights, context, {})


def table(a: Figure, a_elsewhere: Figure) -> tuple[list[Figure], list[tuple]]:
    """T = a + b in one table; a printed again elsewhere and tied out to it."""
    step = a.grid
    b = figure("b", 2_000_001 / a.factor, a.unit, a.decimals)
    total = figure("T", round((a_elsewhere.x + 2_000_001) / step) * step / a.factor, a.unit, a.decimals, "total")
    checks = [("calc.T", "calculation", "footing", [("T", 1.0), ("a", -1.0), ("b", -1.0)], step / 2),
              ("a:tie", "tie_out", "interval", [("a", 1.0), ("a2", -1.0)], a.grid / 2 + a_elsewhere.grid / 2)]
    return [a, b, total, a_elsewhere], checks


@pytest.mark.parametrize("printed, unit, decimals, kind, implied", [
    (-1_234_567, "kr", 0, "sign_flip", 1_234_567),
    (1_234.567, "kr", 3, "unit_mislabel", 1_234_567),
    (1_243_567, "kr", 0, "digit_transposition", 1_234_567),
    (1_234_517, "kr", 0, "digit_typo", 1_234_567),
    (123_567, "kr", 0, "dropped_or_doubled_digit", 1_234_567),
    (12_234_567, "kr", 0, "dropped_or_doubled_digit", 1_234_567),
    (2_000_001, "kr", 0, "other_figure", 1_234_567),
    (1_234, "tkr", 0, "rounding", 1_235),
    (1_234_000, "kr", 0, "unexplained", 1_234_567),
])
def test_each_kind_of_slip_is_named_on_the_planted_figure(printed, unit, decimals, kind, implied):
    a = figure("a", printed, unit, decimals)
    figures, checks = table(a, figure("a2", 1_234_567))
    rows = diagnose(figures, checks)
    preferred = [r for r in rows if r["cause_rank"] == 1]
    assert [(r["line_id"], r["kind"]) for r in preferred] == [("a", kind)], rows
    assert preferred[0]["implied_value"] == pytest.approx(implied)
    assert preferred[0]["check_ids"] == [{"check_id": "a:tie", "fiscal_year": 2023},
                                         {"check_id": "calc.T", "fiscal_year": 2023}]
    assert "a" in preferred[0]["sentence"] and preferred[0]["tied"] is False


@pytest.mark.parametrize("read, decimals, implied", [
    (1_284_567, 0, 1_234_567),     # 3 read as 8
    (7_234_567, 0, 1_234_567),     # 1 read as 7
    (-1_234_567, 0, 1_234_567),    # a dash read as a minus
    (234_567, 0, 1_234_567),       # "1" of "1 234 567" read as a cell of its own
    (1_234, 0, 1_234_567),         # "567" read as a cell of its own
    (124_567, 0, 1_234_567),       # a thin digit lost
    (451_234_567, 0, 1_234_567),   # the cell before's last digits joined on
    (1_234_567_12, 0, 1_234_567),  # the next cell's first digits joined on
    (1_234.667, 3, 1_234.567),     # a decimal: 5 read as 6
])
def test_a_figure_read_by_ocr_is_named_a_misreading_with_its_true_value_and_where_it_stands(read, decimals, implied):
    a = figure("a", read, decimals=decimals, confidence=93.0)
    figures, checks = table(a, figure("a2", implied, decimals=decimals))
    preferred = [r for r in diagnose(figures, checks) if r["cause_rank"] == 1]
    assert [(r["line_id"], r["kind"]) for r in preferred] == [("a", "misread")], preferred
    assert preferred[0]["implied_value"] == pytest.approx(implied)
    assert "a misreading of the scanned page (look at NOT3 (page 9, box 300,410,340,418 pt))" in preferred[0]["sentence"]


def test_a_slip_whose_value_only_touches_the_feasible_range_gives_way_to_one_inside_it():
    """Checks that hold at 12 499 887 kr: for a figure read by OCR as 12 499 886, a 8 read as 6 (12 499 888
    kr, standing for [12 499 887,5; 12 499 888,5)) touches that range at its edge, a 7 mistyped as 6 lies
    inside it: the report's own slip, not a misreading."""
    fig = figure("V", 12_499_886, confidence=99.0)
    assert classify(fig, (12_499_886.5, 12_499_887.5), Context(UNITS, {}, {})) == ("digit_typo", 12_499_887)
    # where only a touching slip is there, it is named (a range pinned to a check's tolerance bound)
    assert classify(fig, (12_499_887.5, 12_499_887.5), Context(UNITS, {}, {}))[0] == "misread"


def test_a_misreading_is_a_kind_only_of_a_figure_read_by_ocr():
    """The same wrong digit typed, or printed in a text layer, is a typist's slip."""
    figures, checks = table(figure("a", 1_284_567), figure("a2", 1_234_567))
    assert [r["kind"] for r in diagnose(figures, checks) if r["cause_rank"] == 1] == ["digit_typo"]


def test_of_two_figures_that_explain_a_failure_the_less_legible_is_preferred():
    """A footing of three figures read by OCR that does not foot: each one alone explains it; the reading
    the engine was least sure of is the preferred cause (a 0 read for an 8), the others alternatives, none tied."""
    rules = [("figure", "", 1.0), ("reading", "doubt", -0.5)]
    figures = [figure("a", 1_234_567, confidence=99.0), figure("b", 2_000_001, confidence=71.0),
               figure("T", 3_314_568, confidence=98.0)]
    rows = diagnose(figures, [("calc.T", "calculation", "footing", [("T", 1.0), ("a", -1.0), ("b", -1.0)], 0.5)],
                    rules=rules)
    assert (rows[0]["line_id"], rows[0]["cause_rank"], rows[0]["kind"]) == ("b", 1, "misread")
    assert not any(r["tied"] for r in rows)
    assert [r["implied_value"] for r in rows if r["line_id"] == "b"] == [2_080_001]


def test_a_consistent_report_has_no_diagnosis():
    figures, checks = table(figure("a", 1_234_567), figure("a2", 1_234_567))
    assert diagnose(figures, checks) == []


def test_a_tie_yields_every_explanation_as_an_alternative():
    """One footing alone cannot tell which of its three figures is wrong: all three, tied, none picked silently."""
    figures = [figure("a", 1_234_568), figure("b", 2_000_001), figure("T", 3_234_568)]
    rows = diagnose(figures, [("calc.T", "calculation", "footing", [("T", 1.0), ("a", -1.0), ("b", -1.0)], 0.5)],
                   rules=[("figure", "", 1.0)])
    assert sorted(r["line_id"] for r in rows) == ["T", "a", "b"]
    assert sorted(r["cause_rank"] for r in rows) == [1, 2, 3]
    assert all(r["tied"] for r in rows) and {r["cause_id"] for r in rows} == {"org#1"}
    assert "tied with 2 others" in rows[0]["sentence"]


def test_a_tie_wider_than_the_alternatives_limit_lists_every_line():
    """A table of many equal lines whose total is off: each line is an explanation, all of them listed."""
    lines = [figure(f"l{i:02}", 100_000 + i) for i in range(MAX_ALTERNATIVES + 4)]
    total = figure("T", sum(f.value for f in lines) + 90, line_kind="total")
    terms = [("T", 1.0)] + [(f.fact_id, -1.0) for f in lines]
    rows = diagnose([*lines, total], [("calc.T", "calculation", "footing", terms, 0.5)], rules=[("figure", "", 1.0)])
    assert sorted(r["line_id"] for r in rows) == sorted(["T", *(f.fact_id for f in lines)])
    assert all(r["tied"] for r in rows)


def test_a_diagnosis_whose_search_outgrows_its_bound_says_so_and_names_no_figure(monkeypatch):
    """The search is bounded by the steps of its master problem, not by time: past the bound, one row says
    the diagnosis gave up, with the failing checks, instead of a figure found by chance or a claim that no
    change of figures could make the checks hold."""
    import finsam.diagnosis.search as search

    figures, checks = table(figure("a", 1_284_567), figure("a2", 1_234_567))
    assert diagnose(figures, checks)[0]["line_id"] == "a"
    master = search.OrgProblem._master

    def stopped_by_a_limit(self, *args, **kwargs):   # as a master past MAX_MASTER_NODES stops
        h, ids = master(self, *args, **kwargs)
        h.setOptionValue("time_limit", 0.0)
        return h, ids

    monkeypatch.setattr(search.OrgProblem, "_master", stopped_by_a_limit)
    [row] = diagnose(figures, checks)
    assert row["n_figures"] == 0 and row["fact_id"] is None and len(row["check_ids"]) == 2
    assert row["sentence"].startswith("The diagnosis gave up: finding the fewest figures that explain these 2 checks")


def test_a_ratio_over_a_mislabelled_total_blames_the_total_not_the_claim():
    """Total assets printed in tkr under a kr heading: the equity ratio printed beside it (in range, and
    right) fails only because it divides by that total; the total is the one figure to blame."""
    a, b = figure("a", 4_000_000), figure("b", 8_931_178)
    assets = figure("T", 12_931.178, decimals=3, line_kind="total")
    equity = figure("E", 6_465_589)
    ratio = figure("R", 50.0, "%", statement="NARR", base="%")
    rhs = 100 * equity.x / assets.x
    checks = [Check("calc.T", "calculation", 2023, "footing", [("T", 1.0), ("a", -1.0), ("b", -1.0)], 0.5,
                    None, None, None, False, "calc.T"),
              Check("soliditet", "ratio", 2023, "claim", [("R", 1.0), ("E", 0.0), ("T", 0.0)], 0.05,
                    None, None, rhs, False, "soliditet"),
              Check("range.R", "value_range", 2023, "range", [("R", 1.0)], None, 0.0, 100.0, None, True, "range.R")]
    by_id = {f.fact_id: f for f in (a, b, assets, equity, ratio)}
    rows = diagnose_org("org", by_id, checks, figure_weights(by_id, checks, WEIGHTS),
                        Context(UNITS, {}, {}), {})
    preferred = [r for r in rows if r["cause_rank"] == 1]
    assert [(r["line_id"], r["kind"], r["implied_value"]) for r in preferred] == [("T", "unit_mislabel", 12_931_178)]
    assert preferred[0]["check_ids"] == [{"check_id": "calc.T", "fiscal_year": 2023},
                                         {"check_id": "soliditet", "fiscal_year": 2023}]


def test_a_zero_is_no_unit_mislabel():
    """0 kr reads the same in any unit: a zero that must become 20 is a slip of its digits, not of its unit."""
    kind, implied = classify(figure("z", 0), (20.0, 20.0), Context(UNITS, {}, {}))
    assert (kind, implied) == ("dropped_or_doubled_digit", 20)


def test_weights_prefer_the_unconfirmed_figure_and_the_subtotal():
    """With the seed's weights the same footing blames its total, and a tie-out moves the blame off its figure."""
    figures = [figure("a", 1_234_568), figure("b", 2_000_001), figure("T", 3_234_568, line_kind="total")]
    footing = ("calc.T", "calculation", "footing", [("T", 1.0), ("a", -1.0), ("b", -1.0)], 0.5)
    rows = diagnose(figures, [footing])
    assert [r["line_id"] for r in rows if r["cause_rank"] == 1] == ["T"]


def test_two_slips_in_separate_checks_are_two_causes():
    a, a2 = figure("a", -1_234_567), figure("a2", 1_234_567)
    figures, checks = table(a, a2)
    figures.append(figure("c", 500))
    figures.append(figure("c2", 5_000))
    checks.append(("c:tie", "tie_out", "interval", [("c", 1.0), ("c2", -1.0)], 1.0))
    rows = [r for r in diagnose(figures, checks) if r["cause_rank"] == 1]
    assert {(r["cause_id"], r["line_id"], r["kind"]) for r in rows} >= {("org#1", "a", "sign_flip")}
    assert {r["cause_id"] for r in rows} == {"org#1", "org#2"}


def test_a_negative_count_fails_its_range_and_is_diagnosed_as_a_sign_flip():
    count = figure("participants", -110, "count", statement="KEY", base="count")
    rows = diagnose([count], [("range.KEY.participants.amount", "value_range", "range", [("participants", 1.0)],
                               None, 0.0, None)])
    assert [(r["kind"], r["implied_value"]) for r in rows] == [("sign_flip", 110)]


# -- the real report -------------------------------------------------------------------------------
def _diagnoses(project) -> list[dict]:
    with duckdb.connect(str(project.published_db), read_only=True) as con:
        cursor = con.execute("select * from marts.diagnoses order by cause_id, cause_rank")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


def test_real_report_causes_name_the_figures_the_errata_blame(pristine):
    preferred = {(d["statement"], d["line_id"], d["fiscal_year"]): d for d in _diagnoses(pristine) if d["cause_rank"] == 1}
    sign = preferred[("FYO", "arets_resultat", 2021)]
    assert (sign["kind"], sign["implied_value"]) == ("sign_flip", -471_931)
    assert ("FYO", "verksamhetens_kostnader", 2023) in preferred
    assert preferred[("BKR", "balanskravsresultat", 2023)]["kind"] == "unit_mislabel"
    admin = preferred[("NOT3", "summa_admin", 2023)]
    assert admin["implied_value"] == 1_735_770 and admin["tied"]
    # the subtotal with any one of the six administrative lines that could carry the 18 000 kr
    explanations = {d["cause_rank"] for d in _diagnoses(pristine) if d["cause_id"] == admin["cause_id"]}
    assert explanations == {1, 2, 3, 4, 5, 6}
    assert ("KEY", "closing_equity", 2018) in preferred
    # confirmed elsewhere: never the preferred blame
    assert not [k for k in preferred if k[0] == "RR"]
    # every registered blame agrees with the preferred diagnosis
    assert all(d["agrees_with_erratum"] for d in preferred.values() if d["erratum_blames"])
    with duckdb.connect(str(pristine.published_db), read_only=True) as con:
        unexplained = con.execute("select count(*) from marts.reconciliations "
                                  "where status <> 'pass' and cause_id is null").fetchone()[0]
    assert unexplained == 0
    summary = (pristine.reports_dir / "published" / "summary.md").read_text(encoding="utf-8")
    assert "## Diagnosis: 19 checks fail, explained by" in summary


def test_a_flipped_web_count_fails_its_range_and_is_diagnosed(published):
    path = published.seeds_dir / "facts" / "facts_web_key_figures.csv"
    with open(path, encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f) if r["line_id"] == "participants")
    assert edit_csv_rows(path, {"line_id": "participants", "fiscal_year": row["fiscal_year"]},
                         {"value": "-" + row["value"]}) == 1
    result = nightly_run(published)
    assert result.exit_code == 1
    failing = [c for c in result.checks if c["status"] == "fail"]
    assert [c["check_id"] for c in failing] == ["range.KEY.participants.amount"]
    cause = [d for d in result.diagnoses if d["cause_id"] == failing[0]["cause_id"] and d["cause_rank"] == 1]
    assert [(d["line_id"], d["kind"], d["implied_value"]) for d in cause] == [
        ("participants", "sign_flip", float(row["value"]))]


def test_a_diagnosis_that_disagrees_with_the_registered_blame_is_shown(published):
    path = published.seeds_dir / "reference" / "known_errata.csv"
    assert edit_csv_rows(path, {"check_id": "annual_result:fyo", "fiscal_year": "2021"},
                         {"blames": "BR.foregaende_arsresultat.amount:2022"}) == 1
    result = nightly_run(published)
    assert result.exit_code == 0
    disagreeing = [d for d in result.diagnoses if d["agrees_with_erratum"] is False and d["cause_rank"] == 1]
    assert {(d["line_id"], d["fiscal_year"]) for d in disagreeing} == {("arets_resultat", 2021)}
    html = (published.reports_dir / "latest" / "index.html").read_text(encoding="utf-8")
    assert "Disagrees with the registered erratum" in html and "BR.foregaende_arsresultat.amount:2022" in html


def test_the_solver_prints_nothing(capfd):
    """HiGHS prints its banner while an instance is made (an analyst's `dbt build -q` showed it from the
    diagnoses model): the diagnosis makes its solvers without a word on stdout or stderr."""
    from finsam import diagnosis
    from finsam.diagnosis.search import quiet_solver

    solver = quiet_solver()
    solver.run()
    printed = capfd.readouterr()
    assert "HiGHS" not in printed.out + printed.err
    source = "".join(p.read_text(encoding="utf-8") for p in Path(diagnosis.__file__).parent.glob("*.py"))
    assert source.count("highspy.Highs()") == 1, "every solver of the diagnosis is made by quiet_solver"
