"""A second association added the way the README says (rows in the seeds): its own printed labels and
members show in every mart and in the report, nothing of Västerås appears in its rows, and a figure
reprinted by its next report is checked against the original."""

from __future__ import annotations

import csv

import duckdb
import pytest

from finsam.run.nightly import nightly_run

ORG = "sf_exempel"
NAME = "Samordningsförbundet Exempelland"
# The association's own printings: Note 2 names its members; one municipality label is of line _2.
NOT2 = [  # line, label as printed, 2023, 2022
    ("driftbidrag_staten", "Bidrag från Försäkringskassan", 4_200_000, 4_000_000),
    ("driftbidrag_region", "Driftbidrag från Region Exempelland", 2_100_000, 2_000_000),
    ("driftbidrag_kommun", "Driftbidrag från Exempelby kommun", 1_260_000, 1_200_000),
    ("driftbidrag_kommun_2", "Driftbidrag från Provsta kommun", 840_000, 800_000),
    ("summa", "Summa", 8_400_000, 8_000_000),
]
RR = [
    ("verksamhetens_intakter", "Verksamhetens intäkter", 8_400_000, 8_000_000),
    ("verksamhetens_kostnader", "Verksamhetens kostnader", -8_700_000, -7_600_000),
    ("verksamhetens_resultat", "Verksamhetens resultat", -300_000, 400_000),
    ("finansiella_intakter", "Finansiella intäkter", 0, 0),
    ("finansiella_kostnader", "Finansiella kostnader", 0, 0),
    ("resultat_efter_finansiella_poster", "Resultat efter finansiella poster", -300_000, 400_000),
    ("arets_resultat", "ÅRETS RESULTAT", -300_000, 400_000),
]
RR_2021 = {"verksamhetens_intakter": 7_800_000, "verksamhetens_kostnader": -7_700_000, "verksamhetens_resultat": 100_000,
           "finansiella_intakter": 0, "finansiella_kostnader": 0, "resultat_efter_finansiella_poster": 100_000,
           "arets_resultat": 100_000}
BR = [
    ("fordringar", "Fordringar", 200_000, 150_000),
    ("kassa_och_bank", "Kassa och bank", 2_500_000, 2_800_000),
    ("summa_omsattningstillgangar", "Summa omsättningstillgångar", 2_700_000, 2_950_000),
    ("summa_tillgangar", "Summa tillgångar", 2_700_000, 2_950_000),
    ("arets_resultat", "Årets resultat", -300_000, 400_000),
    ("foregaende_arsresultat", "Föregående års resultat", 400_000, 100_000),
    ("ovrigt_eget_kapital", "Övrigt eget kapital", 2_100_000, 2_000_000),
    ("summa_eget_kapital", "Summa eget kapital", 2_200_000, 2_500_000),
    ("kortfristiga_skulder", "Kortfristiga skulder", 500_000, 450_000),
    ("summa_skulder", "Summa skulder", 500_000, 450_000),
    ("summa_eget_kapital_och_skulder", "Summa eget kapital och skulder", 2_700_000, 2_950_000),
]
MEMBERS = [("driftbidrag_staten", "Försäkringskassan och Arbetsförmedlingen", "state", "1"),
           ("driftbidrag_region", "Region Exempelland", "region", "1"),
           ("driftbidrag_kommun", "Exempelby kommun", "municipality", "0.6"),
           ("driftbidrag_kommun_2", "Provsta kommun", "municipality", "0.4")]
# Labels this report prints that are neither canonical nor accepted for every association.
VARIANTS = [("NOT2", "Driftbidrag från Region Exempelland", "driftbidrag_region"),
            ("NOT2", "Driftbidrag från Exempelby kommun", "driftbidrag_kommun"),
            ("NOT2", "Driftbidrag från Provsta kommun", "driftbidrag_kommun_2"),
            ("BR", "Föregående års resultat", "foregaende_arsresultat"),
            ("BR", "Summa eget kapital och skulder", "summa_eget_kapital_och_skulder")]


def append_rows(path, rows: list[list]) -> None:
    with path.open("a", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def add_association(project, income_2022_in_2022_report: int = 8_000_000) -> None:
    """The README's steps: organisation, facts with label_printed, members, label variants."""
    reference = project.seeds_dir / "reference"
    append_rows(reference / "organisations.csv", [[ORG, "222000-9999", NAME, "", 2021, ""]])  # still active
    append_rows(reference / "funding_members.csv", [[ORG, "NOT2", line, name, kind, share, "Förbundsordning § 9"]
                                                     for line, name, kind, share in MEMBERS])
    append_rows(reference / "label_variants.csv", [[ORG, statement, label, line] for statement, label, line in VARIANTS])
    facts = []
    for statement, rows, ref in (("RR", RR, "Resultaträkning"), ("BR", BR, "Balansräkning"), ("NOT2", NOT2, "Not 2")):
        for line, label, v2023, v2022 in rows:
            for year, value in ((2023, v2023), (2022, v2022)):
                facts.append([ORG, 2023, year, statement, line, "amount", label, value, "kr", 0, ref, ""])
    # the 2022 report's income statement (2022 and 2021): the 2023 report reprints its 2022 column
    for line, label, _, v2022 in RR:
        printed = income_2022_in_2022_report if line == "verksamhetens_intakter" else v2022
        facts.append([ORG, 2022, 2022, "RR", line, "amount", label, printed, "kr", 0, "Resultaträkning", ""])
        facts.append([ORG, 2022, 2021, "RR", line, "amount", label, RR_2021[line], "kr", 0, "Resultaträkning", ""])
    append_rows(project.seeds_dir / "facts" / "facts_annual_report.csv", facts)


def text_of_rows(con, table: str) -> list[str]:
    """Every value of the association's rows in one mart, as text."""
    columns = [r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = 'marts' and table_name = ?",
        [table]).fetchall()]
    if "org_id" not in columns:
        return []
    cells = ", ".join(f'cast("{c}" as varchar)' for c in columns)
    return [str(v) for row in con.execute(f'select {cells} from marts."{table}" where org_id = ?', [ORG]).fetchall()
            for v in row if v is not None]


@pytest.mark.slow
def test_a_second_association_shows_its_own_labels_and_members_and_nothing_of_vasteras(project):
    add_association(project)
    result = nightly_run(project)
    assert result.exit_code == 0, result.message
    with duckdb.connect(str(project.published_db), read_only=True) as con:
        marts = [r[0] for r in con.execute("select table_name from information_schema.tables "
                                           "where table_schema = 'marts'").fetchall()]
        texts = {m: text_of_rows(con, m) for m in marts}
        members = con.execute("select line_id, member_sv, label_printed, rule_share_pct, rule_status "
                              "from marts.funding_split where org_id = ? and fiscal_year = 2023 order by line_id",
                              [ORG]).fetchall()
        labels = dict(con.execute("select line_id, label_printed from marts.financial_statements "
                                  "where org_id = ? and statement = 'NOT2' and fiscal_year = 2023", [ORG]).fetchall())
        canonical = con.execute("select label_sv from marts.financial_statements where org_id = ? "
                                "and statement = 'NOT2' and line_id = 'driftbidrag_kommun'", [ORG]).fetchall()
        restated = con.execute("select status from marts.reconciliations where org_id = ? and check_family = 'restatement'",
                               [ORG]).fetchall()
    assert {m for m, t in texts.items() if t} >= {"financial_statements", "reconciliations", "funding_split",
                                                   "fact_coverage", "check_coverage", "equity_rollforward"}
    leaks = {m: [t for t in rows if "västerås" in t.lower() or "sf_vasteras" in t] for m, rows in texts.items()}
    assert not any(leaks.values()), leaks
    assert [(m[0], m[1], m[2], float(m[3]), m[4]) for m in members] == [
        ("driftbidrag_kommun", "Exempelby kommun", "Driftbidrag från Exempelby kommun", 15.0, "pass"),
        ("driftbidrag_kommun_2", "Provsta kommun", "Driftbidrag från Provsta kommun", 10.0, "pass"),
        ("driftbidrag_region", "Region Exempelland", "Driftbidrag från Region Exempelland", 25.0, "pass"),
        ("driftbidrag_staten", "Försäkringskassan och Arbetsförmedlingen", "Bidrag från Försäkringskassan", 50.0, "pass")]
    assert labels["driftbidrag_kommun_2"] == "Driftbidrag från Provsta kommun"
    assert canonical == [("Driftbidrag från kommunen",)] * 2
    assert restated == [("pass",)] * len(RR)  # every line of the 2022 column agrees with the 2022 report
    # the report groups by association and names it
    page = (project.reports_dir / "latest" / "index.html").read_text(encoding="utf-8")
    assert f"{NAME} ({ORG})" in page and "Samordningsförbundet Västerås (sf_vasteras)" in page


def test_a_reprint_that_disagrees_fails_as_a_restatement(project):
    add_association(project, income_2022_in_2022_report=8_100_000)
    result = nightly_run(project)
    assert result.exit_code == 1
    failing = [(c["org_id"], c["check_id"], c["fiscal_year"]) for c in result.checks if c["status"] == "fail"]
    assert failing == [(ORG, "restatement.RR.verksamhetens_intakter.amount:2023", 2022)]


@pytest.mark.parametrize("label, words", [
    ("Driftbidrag från Okända kommun", "not a known label of line driftbidrag_kommun"),
    ("Summa", "it is the label of line summa: correct the line_id"),
])
def test_a_label_the_line_does_not_know_is_refused_with_what_to_add(project, label, words):
    add_association(project)
    path = project.seeds_dir / "facts" / "facts_annual_report.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Driftbidrag från Exempelby kommun,1260000", f"{label},1260000"), encoding="utf-8")
    result = nightly_run(project)
    assert result.exit_code == 2
    (problem,) = result.problems
    assert problem.column_name == "label_printed" and words in problem.message
    assert "label_variants.csv" in problem.message
    line = text.splitlines().index(next(t for t in text.splitlines() if "Exempelby kommun,1260000" in t)) + 1
    assert (problem.file, problem.line, problem.column) == ("seeds/facts/facts_annual_report.csv", line, 7)
