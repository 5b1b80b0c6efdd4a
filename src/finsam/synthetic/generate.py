"""Synthetic report collections: N associations × M annual reports, internally consistent.

Each association gets a ledger (contributions, intervention and administration costs, receivables,
liabilities, equity) from which every statement of its reports is derived exactly as the real report
is laid out: RR, BR, KFA, the operating report in tkr with budget, Notes 2–5, the five-year overview,
balanskrav, the commentary's figures and two numeric goals. Amounts in kr carry small öre-like
remainders so that the tkr tables round consistently. Optionally one inconsistency of each rule
family is planted, in its own association, and listed in ground_truth.csv with every check instance
it must make fail. Deterministic for a given seed.
"""

from __future__ import annotations

import csv
import random
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from finsam.precision import round_half_away
from finsam.project import Project
from finsam.synthetic.render import Style, render_documents, report_blocks
from finsam.inputs import COLLECTION_LAYOUTS, load_schemas

INTERVENTIONS = ["processtod_ledning", "lokala_utbildningar", "lansgemensamma_utbildningar", "samordningsteam",
                 "tillsammansveckan", "naringslivskoordinator", "operativ_utvecklingsledare", "insatskatalog",
                 "gronkvist", "lansgemensam_forbundsprocess", "sim", "samordningskarta", "vecka_fri_fran_vald",
                 "myndighetsgemensamt_team", "rehabkoordinator", "jobbfokus_spira"]
# Share of intervention spending (Samordningsteam dominates, as in the real report)
INTERVENTION_WEIGHTS = [5, 5, 2, 50, 0.3, 6, 2, 3, 3, 2, 6, 1, 0.1, 13, 2, 0]
# Note 3's administration lines and the operating report's four lines they roll up into
ADMIN_NOTE3 = {"lon_forbundschef": "samordning_och_ekonomi", "ekonomi_administration": "samordning_och_ekonomi",
               "kop_av_tjanst": "samordning_och_ekonomi", "utbildningar_konferenser": "ovriga_verksamhetskostnader",
               "medlemsavgift_nns": "ovriga_verksamhetskostnader", "revisionskostnader": "revisionskostnader",
               "styrelsekostnader": "styrelsekostnader", "ovriga_verksamhetskostnader": "ovriga_verksamhetskostnader"}
ADMIN_WEIGHTS = [45, 30, 10, 2, 1, 3, 4, 5]
ADMIN_DR = ["samordning_och_ekonomi", "styrelsekostnader", "revisionskostnader", "ovriga_verksamhetskostnader"]
RECEIVABLES = ["norra_vastmanland", "vastra_malardalen", "momsfordran"]
LIABILITIES = ["leverantorsskulder", "prel_revisionskostnad", "sirpas_ekonomiservice", "moyolo", "prel_kostnad_director_q1",
               "vasteras_stad_mgt", "forsakringskassan_mgt", "region_mgt", "prel_styrelsemote", "prel_arvoden"]
GOALS = {"kunskap_lokala": ("structural", "Kunskapshöjande insatser – lokala", 150),
         "myndighetsgemensamt_team": ("individual", "Myndighetsgemensamt team & Operativ utvecklingsledare", 200)}
# Years before its first report that an association's ledger starts: the five-year overview's reach.
HISTORY = 4
FACT_COLUMNS = ["org_id", "report_year", "fiscal_year", "statement", "line_id", "measure", "label_printed", "value",
                "unit", "decimals", "source_ref", "remark"]
MUNICIPALITY_LINES = ["driftbidrag_kommun", "driftbidrag_kommun_2", "driftbidrag_kommun_3"]
# How member municipalities split their quarter, in tenths so that every contribution is whole kronor.
MUNICIPAL_SPLITS = [[10], [6, 4], [5, 3, 2]]
TOWNS = ["Norrby", "Söderås", "Västervik", "Österå", "Bergsjö", "Dalby", "Ekeby", "Forsa", "Gransjö", "Holmby"]
# Labels another association may print for the state's line (the global rows of label_variants.csv).
STATE_LABELS = ["Driftbidrag från staten", "Bidrag från Försäkringskassan", "Driftbidrag från Försäkringskassan"]


@dataclass
class Members:
    """One association's members: Note 2 line -> (name, type, share of its type), and the labels it prints."""

    lines: dict[str, tuple[str, str, float]]
    printed: dict[tuple[str, str], str]  # (statement, line) -> label, where the association prints its own

    @classmethod
    def draw(cls, rng: random.Random, k: int) -> "Members":
        split = MUNICIPAL_SPLITS[rng.randrange(len(MUNICIPAL_SPLITS))]
        towns = rng.sample(TOWNS, len(split))
        lines = {"driftbidrag_staten": ("Försäkringskassan och Arbetsförmedlingen", "state", 1.0),
                 "driftbidrag_region": (f"Region Syntet {k}", "region", 1.0)}
        printed = {("NOT2", "driftbidrag_staten"): STATE_LABELS[rng.randrange(len(STATE_LABELS))],
                   ("NOT2", "driftbidrag_region"): f"Driftbidrag från Region Syntet {k}"}
        for line, town, tenths in zip(MUNICIPALITY_LINES, towns, split):
            lines[line] = (f"{town} kommun", "municipality", tenths / 10)
            printed[("NOT2", line)] = f"Driftbidrag från {town} kommun"
        if rng.random() < 0.5:
            printed[("DR", "samordningsteam")] = "Samordningsteamet"
        return cls(lines, printed)

    def contributions(self, total: int) -> dict[str, int]:
        """Each member's contribution by the law's shares (total is divisible by 4000)."""
        law = {"state": total // 2, "region": total // 4, "municipality": total // 4}
        return {line: round(law[kind] * share) for line, (_, kind, share) in self.lines.items()}


@dataclass
class Year:
    contributions: int
    interventions: dict[str, int]          # kr
    admin: dict[str, int]                  # kr, Note 3 lines
    budget_tkr: dict[str, int]             # operating-report lines
    receivables: dict[str, int]
    liabilities: dict[str, int]
    equity: int = 0
    result: int = 0
    goals: dict[str, int] = field(default_factory=dict)

    @property
    def costs(self) -> int:
        return sum(self.interventions.values()) + sum(self.admin.values())

    @property
    def cash(self) -> int:
        return self.equity + sum(self.liabilities.values()) - sum(self.receivables.values())

    @property
    def total_assets(self) -> int:
        return sum(self.receivables.values()) + self.cash


def tkr(kr: int) -> int:
    """An amount in kr as printed in whole tkr."""
    return round_half_away(kr / 1000)


def _amount(rng: random.Random, thousands: float) -> int:
    """k × 1000 + a remainder of at most ±15 kr: tkr rounding then foots (at most 25 such lines)."""
    k = max(0, round(thousands))
    return 0 if k == 0 else k * 1000 + rng.randint(-15, 15)


def _split(rng: random.Random, total_tkr: float, weights: list[float]) -> list[int]:
    noisy = [w * rng.uniform(0.7, 1.3) for w in weights]
    scale = total_tkr / sum(noisy)
    return [_amount(rng, w * scale) for w in noisy]


def ledger(rng: random.Random, first_year: int, last_year: int) -> dict[int, Year]:
    years: dict[int, Year] = {}
    equity = rng.randint(3000, 9000) * 1000
    for y in range(first_year, last_year + 1):
        contributions = rng.randint(1500, 4000) * 4000  # divisible by 4: the funding rule splits exactly
        # spending steers equity back into a plausible band, as boards do
        spend = contributions * (1.08 if equity > 10_000_000 else 0.92 if equity < 3_000_000 else rng.uniform(0.93, 1.07))
        admin_total = spend * rng.uniform(0.11, 0.16) / 1000
        interventions = dict(zip(INTERVENTIONS, _split(rng, spend / 1000 - admin_total, INTERVENTION_WEIGHTS)))
        admin = dict(zip(ADMIN_NOTE3, _split(rng, admin_total, ADMIN_WEIGHTS)))
        year = Year(contributions, interventions, admin, {},
                    {name: rng.randint(0, 400) * 1000 + rng.randint(0, 999) for name in RECEIVABLES},
                    {name: (rng.randint(0, 1500) * 1000 + rng.randint(0, 999)) if rng.random() < 0.7 else 0
                     for name in LIABILITIES})
        year.result = contributions - year.costs
        equity += year.result
        year.equity = equity
        actual = _dr_cost_lines(year)
        year.budget_tkr = {line: max(0, v + rng.randint(-60, 60)) if v else 0 for line, v in actual.items()}
        year.goals = {goal: rng.randint(target // 3, target * 3 // 2) for goal, (_, _, target) in GOALS.items()}
        years[y] = year
    return years


def _dr_cost_lines(year: Year) -> dict[str, int]:
    """The operating report's cost lines in tkr (positive), rolled up from the kr amounts."""
    lines = {name: 0 for name in ADMIN_DR}
    for note_line, dr_line in ADMIN_NOTE3.items():
        lines[dr_line] += tkr(year.admin[note_line])
    lines.update({name: tkr(v) for name, v in year.interventions.items()})
    return lines


class Report:
    """The facts one annual report prints, each with the label the association prints."""

    def __init__(self, org_id: str, report_year: int, years: dict[int, Year], members: Members,
                 labels: dict[tuple[str, str], str]):
        self.org_id, self.y, self.years, self.members = org_id, report_year, years, members
        self.labels = {**labels, **members.printed}
        self.rows: list[list] = []

    def fact(self, fiscal_year, statement, line_id, value, unit="kr", decimals=0, measure="amount", ref=""):
        self.rows.append([self.org_id, self.y, fiscal_year, statement, line_id, measure,
                          self.labels[(statement, line_id)], value, unit, decimals, ref or statement, ""])

    def build(self) -> list[list]:
        y, years = self.y, self.years
        for fy in (y, y - 1):
            self._statements(fy, years[fy], years[fy - 1])
            self._operating_report(fy, years[fy], budget=(fy == y))
        for fy in range(y - HISTORY, y + 1):
            yr = years[fy]
            self.fact(fy, "FYO", "verksamhetens_intakter", yr.contributions)
            self.fact(fy, "FYO", "verksamhetens_kostnader", yr.costs)
            self.fact(fy, "FYO", "arets_resultat", yr.result)
            self.fact(fy, "FYO", "antal_anstallda", 0, unit="count")
            if fy >= y - 1:  # printed where this report's balance sheet lets a reader recompute it
                self.fact(fy, "FYO", "soliditet", round_half_away(100 * yr.equity / yr.total_assets), unit="%")
        result_tkr = round_half_away(years[y].result / 100) / 10
        self.fact(y, "BKR", "arets_resultat", result_tkr, unit="tkr", decimals=1)
        self.fact(y, "BKR", "justeringar", 0.0, unit="tkr", decimals=1)
        self.fact(y, "BKR", "balanskravsresultat", result_tkr, unit="tkr", decimals=1)
        self._commentary()
        for goal, outcome in years[y].goals.items():
            self.fact(y, "GOAL", goal, GOALS[goal][2], unit="count", measure="target")
            self.fact(y, "GOAL", goal, outcome, unit="count", measure="outcome")
        return self.rows

    def _statements(self, fy: int, yr: Year, prev: Year) -> None:
        f = self.fact
        f(fy, "RR", "verksamhetens_intakter", yr.contributions)
        f(fy, "RR", "verksamhetens_kostnader", -yr.costs)
        for line in ("verksamhetens_resultat", "resultat_efter_finansiella_poster", "arets_resultat"):
            f(fy, "RR", line, yr.result)
        f(fy, "RR", "finansiella_intakter", 0)
        f(fy, "RR", "finansiella_kostnader", 0)
        receivables, liabilities = sum(yr.receivables.values()), sum(yr.liabilities.values())
        f(fy, "BR", "fordringar", receivables)
        f(fy, "BR", "kassa_och_bank", yr.cash)
        f(fy, "BR", "summa_omsattningstillgangar", yr.total_assets)
        f(fy, "BR", "summa_tillgangar", yr.total_assets)
        f(fy, "BR", "arets_resultat", yr.result)
        f(fy, "BR", "foregaende_arsresultat", prev.result)
        f(fy, "BR", "ovrigt_eget_kapital", yr.equity - yr.result - prev.result)
        f(fy, "BR", "summa_eget_kapital", yr.equity)
        f(fy, "BR", "kortfristiga_skulder", liabilities)
        f(fy, "BR", "summa_skulder", liabilities)
        f(fy, "BR", "summa_eget_kapital_och_skulder", yr.equity + liabilities)
        change_receivables = sum(prev.receivables.values()) - receivables
        change_liabilities = liabilities - sum(prev.liabilities.values())
        flow = yr.result + change_receivables + change_liabilities
        for line, value in (("arets_resultat", yr.result), ("justering_ej_likviditetspaverkande", 0),
                            ("medel_fore_rorelsekapital", yr.result), ("forandring_fordringar", change_receivables),
                            ("forandring_skulder", change_liabilities), ("kassaflode_lopande", flow),
                            ("arets_kassaflode", flow), ("likvida_medel_borjan", prev.cash),
                            ("likvida_medel_slut", yr.cash)):
            f(fy, "KFA", line, value)
        for line, amount in self.members.contributions(yr.contributions).items():
            f(fy, "NOT2", line, amount)
        f(fy, "NOT2", "summa", yr.contributions)
        for name, value in yr.interventions.items():
            f(fy, "NOT3", name, value)
        f(fy, "NOT3", "summa_insatser", sum(yr.interventions.values()))
        for name, value in yr.admin.items():
            f(fy, "NOT3", name, value)
        f(fy, "NOT3", "summa_admin", sum(yr.admin.values()))
        f(fy, "NOT3", "summa_kostnader", yr.costs)
        for name, value in yr.receivables.items():
            f(fy, "NOT4", name, value)
        f(fy, "NOT4", "summa", receivables)
        for name, value in yr.liabilities.items():
            f(fy, "NOT5", name, value)
        f(fy, "NOT5", "summa", liabilities)

    def _operating_report(self, fy: int, yr: Year, budget: bool) -> None:
        contributions = yr.contributions // 1000
        actual = _dr_cost_lines(yr)
        admin = sum(actual[line] for line in ADMIN_DR)
        interventions = sum(actual[line] for line in INTERVENTIONS)
        budget_admin = sum(yr.budget_tkr[line] for line in ADMIN_DR)
        budget_interventions = sum(yr.budget_tkr[line] for line in INTERVENTIONS)

        def line(line_id, income, cost, net, budget_net=None):
            for measure, value in (("actual_income", income), ("actual_cost", cost), ("actual_net", net)):
                self.fact(fy, "DR", line_id, value, unit="tkr", measure=measure)
            if budget:
                self.fact(fy, "DR", line_id, budget_net, unit="tkr", measure="budget_net")
                self.fact(fy, "DR", line_id, net - budget_net, unit="tkr", measure="deviation_net")

        line("medlemsbidrag", contributions, 0, contributions, contributions)
        line("summa_intakter", contributions, 0, contributions, contributions)
        for name in ADMIN_DR + INTERVENTIONS:
            line(name, 0, actual[name], actual[name], yr.budget_tkr[name])
        line("summa_admin", 0, admin, admin, budget_admin)
        line("summa_insatser", 0, interventions, interventions, budget_interventions)
        cost = -(admin + interventions)
        line("resultat", contributions, cost, contributions + cost, contributions - budget_admin - budget_interventions)

    def _commentary(self) -> None:
        y, yr, prev = self.y, self.years[self.y], self.years[self.y - 1]
        actual, actual_prev = _dr_cost_lines(yr), _dr_cost_lines(prev)
        admin = sum(actual[line] for line in ADMIN_DR)
        interventions = sum(actual[line] for line in INTERVENTIONS)
        f = self.fact
        f(y, "NARR", "admin_utfall", admin, unit="tkr")
        f(y - 1, "NARR", "admin_utfall", sum(actual_prev[line] for line in ADMIN_DR), unit="tkr")
        f(y, "NARR", "admin_lagre_an_budget", sum(yr.budget_tkr[line] for line in ADMIN_DR) - admin, unit="tkr")
        f(y, "NARR", "insatser_utfall", interventions, unit="tkr")
        f(y, "NARR", "insatser_lagre_an_budget", sum(yr.budget_tkr[line] for line in INTERVENTIONS) - interventions, unit="tkr")
        f(y, "NARR", "insatser_lagre_an_foregaende_ar", sum(actual_prev[line] for line in INTERVENTIONS) - interventions, unit="tkr")
        for name in ("samordningsteam", "myndighetsgemensamt_team"):
            f(y, "NARR", name, yr.budget_tkr[name] - actual[name], unit="tkr", measure="deviation")
        f(y, "NARR", "rehabkoordinator", yr.budget_tkr["rehabkoordinator"], unit="tkr", measure="budget")
        f(y, "NARR", "andel_administration", round_half_away(100 * admin / (yr.contributions // 1000)), unit="%")


def goal_status(outcome: int, target: int) -> str:
    return "uppfyllt" if outcome >= target else "delvis uppfyllt" if outcome > 0 else "ej uppfyllt"


# One plant per rule family: (family, edits to facts of the association's last report, expected failures).
# An edit is (fiscal_year offset, statement, line_id, measure, delta or ('set', value)).
PLANTS = [
    ("calculation", [(0, "NOT4", "norra_vastmanland", "amount", 1000)],
     [("calc.NOT4.summa.amount:lines", 0)]),
    ("tie_out", [(0, "NOT4", "norra_vastmanland", "amount", 1000), (0, "NOT4", "summa", "amount", 1000)],
     [("receivables:not4", 0)]),
    ("rollforward", [(0, "BR", "foregaende_arsresultat", "amount", 1000), (0, "BR", "ovrigt_eget_kapital", "amount", -1000)],
     [("annual_result:br_next_year", -1), ("br_other_equity_rollforward", 0), ("closing_equity:br_year_after_next", -2)]),
    ("text_claim", [(0, "NARR", "admin_utfall", "amount", 1)], [("admin_costs:narr", 0)]),
    ("funding_rule", [(0, "NOT2", "driftbidrag_kommun", "amount", -1000), (0, "NOT2", "driftbidrag_region", "amount", 1000)],
     [("funding_rule.municipality", 0), ("funding_rule.region", 0)]),
    ("ratio_claim", [(0, "FYO", "soliditet", "amount", 3)], [("soliditet", 0)]),
    ("goal_status", [], [("goal.kunskap_lokala", 0)]),
    # last year's comparatives reclassified between two Note 3 lines: only the reprint disagrees
    ("restatement", [(-1, "NOT3", "lon_forbundschef", "amount", -1000), (-1, "NOT3", "ekonomi_administration", "amount", 1000)],
     [("restatement.NOT3.ekonomi_administration.amount:{report_year}", -1),
      ("restatement.NOT3.lon_forbundschef.amount:{report_year}", -1)]),
]


SLIP_KINDS = ("sign_flip", "unit_mislabel", "digit_transposition", "digit_typo", "dropped_or_doubled_digit",
              "rounding", "other_figure")
SLIP_COLUMNS = ["org_id", "report_year", "fiscal_year", "statement", "line_id", "measure", "kind", "true_value",
                "printed_value"]


def plant_slip(rng: random.Random, rows: list[list], kind: str, taken: set) -> list | None:
    """Change one figure of a report as a person slips when typing it; the ground-truth row, or None.

    The figure is of the report's own year or the year before; `taken` holds figures already changed.
    """
    col = {name: i for i, name in enumerate(FACT_COLUMNS)}

    def key(r):
        return tuple(r[col[c]] for c in ("fiscal_year", "statement", "line_id", "measure"))

    report_year = rows[0][col["report_year"]]
    pool = [r for r in rows if r[col["fiscal_year"]] >= report_year - 1 and key(r) not in taken
            and r[col["unit"]] in ("kr", "tkr") and abs(r[col["value"]]) >= 100 and r[col["decimals"]] == 0]
    if kind == "rounding":
        # a line's net in the operating report, which Note 3 prints in kronor: the rounding shows
        pool = [r for r in pool if r[col["statement"]] == "DR" and r[col["measure"]] == "actual_net"]
    if kind == "unit_mislabel":
        pool = [r for r in pool if r[col["unit"]] == "kr" and abs(r[col["value"]]) >= 10_000]
    rng.shuffle(pool)
    for row in pool:
        value = int(row[col["value"]])
        sign, digits = (-1 if value < 0 else 1), str(abs(value))
        printed, unit, decimals = value, row[col["unit"]], 0
        if kind == "sign_flip":
            printed = -value
        elif kind == "unit_mislabel":  # thousands printed with the unit of kronor: '−1 493,9 kr'
            printed, decimals = round_half_away(value / 100) / 10, 1
        elif kind == "digit_transposition":
            spots = [k for k in range(len(digits) - 1) if digits[k] != digits[k + 1] and not (k == 0 and digits[1] == "0")]
            if not spots:
                continue
            k = rng.choice(spots)
            printed = sign * int(digits[:k] + digits[k + 1] + digits[k] + digits[k + 2:])
        elif kind == "digit_typo":
            k = rng.randrange(len(digits))
            choices = [d for d in "0123456789" if d != digits[k] and not (k == 0 and d == "0")]
            printed = sign * int(digits[:k] + rng.choice(choices) + digits[k + 1:])
        elif kind == "dropped_or_doubled_digit":
            k = rng.randrange(len(digits))
            changed = digits[:k] + digits[k + 1:] if rng.random() < 0.5 else digits[:k + 1] + digits[k:]
            if changed.startswith("0"):
                continue
            printed = sign * int(changed)
        elif kind == "rounding":
            printed = value + rng.choice((-1, 1))
        elif kind == "other_figure":
            others = sorted({int(r[col["value"]]) for r in rows if r[col["unit"]] == unit and abs(r[col["value"]]) >= 100
                             and r[col["decimals"]] == 0} - {value, -value})
            if not others:
                continue
            printed = rng.choice(others)
        if printed == value and decimals == 0:
            continue
        row[col["value"]], row[col["unit"]], row[col["decimals"]] = printed, unit, decimals
        taken.add(key(row))
        return [row[col["org_id"]], report_year, *key(row), kind, value, printed]
    return None


class InvalidOptions(ValueError):
    """Options that do not go together (exit 2)."""


def generate(out_dir: Path, n_orgs: int, n_years: int, seed: int = 1, last_year: int = 2023,
             plant: bool = False, file_format: str = "parquet", project: Project | None = None,
             render: tuple[str, ...] = (), slips: int = 0, slip_pairs: int = 0) -> dict[str, int]:
    """Write a collection into out_dir: every file of COLLECTION_LAYOUTS (and ground_truth.csv when planting).

    Each file has exactly its layout's columns (the seed YAML); Parquet files carry the layout's types.
    `render` (kinds of finsam.synthetic.render.KINDS: "txt", "pdf", "docx", "browser.pdf", "plain.layout.txt", …)
    also writes each report as a published document into out_dir/renderings/<org>-<year>.<kind>, each
    with its own drawn style.
    `slips` associations then get one slip of a typist in their newest report (the kinds of SLIP_KINDS in
    turn) and the next `slip_pairs` two, listed in slips.csv: what the diagnosis must find.
    """
    if (plant and (slips or slip_pairs)) or slips + slip_pairs > n_orgs:
        raise InvalidOptions("slips and slip pairs each take an association of their own, and do not mix with --plant")
    if plant and n_orgs < len(PLANTS):
        raise InvalidOptions(f"planting one error per rule family needs at least {len(PLANTS)} associations "
                             f"(--orgs {len(PLANTS)} or more)")
    project = project or Project.locate()
    layouts = load_schemas(project)
    schemas = {name: layouts[layout] for name, layout in COLLECTION_LAYOUTS.items()}
    with open(project.seeds_dir / "reference" / "line_catalogue.csv", encoding="utf-8", newline="") as f:
        catalogue = list(csv.DictReader(f))
    labels = {(r["statement"], r["line_id"]): r["label_sv"] for r in catalogue}
    sort_order = {(r["statement"], r["line_id"]): int(r["sort_order"]) for r in catalogue}
    if render:
        (out_dir / "renderings").mkdir(parents=True, exist_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    first_report = last_year - n_years + 1
    ground_truth: list[list] = []
    slip_truth: list[list] = []
    slip_rng = random.Random(f"{seed}-slips")  # its own stream: the consistent collection does not depend on it
    n_facts = 0
    documents: list[tuple[list, Style, Path]] = []   # the reports to render, written once all are drawn
    with tempfile.TemporaryDirectory(prefix="finsam-generate-") as staging:
        paths = {name: Path(staging) / f"{name}.csv" for name in schemas}
        files = {name: open(path, "w", newline="", encoding="utf-8") for name, path in paths.items()}
        try:
            write = {name: csv.writer(f, lineterminator="\n") for name, f in files.items()}
            for name, writer in write.items():
                writer.writerow(schemas[name].columns)
            assert schemas["facts"].columns == FACT_COLUMNS, "the generator writes the fact layout's columns"
            for k in range(n_orgs):
                org_id = f"syn_{k + 1:05d}"
                years = ledger(rng, first_report - HISTORY - 1, last_year)
                members = Members.draw(rng, k + 1)
                org_number, org_name = f"299{k + 1:03d}-{k % 10000:04d}", f"Samordningsförbundet Syntet {k + 1}"
                write["organisations"].writerow([org_id, org_number, org_name, "", first_report - HISTORY, ""])
                for fiscal_year in range(first_report - HISTORY, last_year + 1):
                    # a year two reports print is confirmed by the restatement check; one printing is not
                    printings = sum(first_report <= r <= last_year for r in range(fiscal_year, fiscal_year + HISTORY + 1))
                    if printings == 1:
                        write["unconfirmable_facts"].writerow([org_id, "FYO", "antal_anstallda", "amount", fiscal_year,
                                                               "Synthetic: no other figure counts employees."])
                for line, (name, kind, share) in members.lines.items():
                    write["funding_members"].writerow([org_id, "NOT2", line, name, kind, share, "Synthetic: förbundsordning"])
                for (statement, line), label in members.printed.items():
                    if label != labels[(statement, line)]:
                        write["label_variants"].writerow([org_id, statement, label, line])
                family = PLANTS[k][0] if plant and k < len(PLANTS) else None
                for report_year in range(first_report, last_year + 1):
                    rows = Report(org_id, report_year, years, members, labels).build()
                    statuses = {goal: goal_status(years[report_year].goals[goal], GOALS[goal][2]) for goal in GOALS}
                    if family and report_year == last_year:
                        rows, statuses = _apply_plant(k, rows, statuses, last_year)
                        expected = list(PLANTS[k][2])
                        if family == "funding_rule" and members.lines["driftbidrag_kommun"][2] < 1:
                            expected.append(("funding_rule.municipality.driftbidrag_kommun", 0))  # its own share too
                        ground_truth += [[family, org_id, check_id.format(report_year=last_year), last_year + offset]
                                         for check_id, offset in expected]
                    n_slips = 1 if k < slips else 2 if k < slips + slip_pairs else 0
                    if n_slips and report_year == last_year:
                        taken: set = set()
                        for j in range(n_slips):
                            kind = SLIP_KINDS[(k * 2 + j) % len(SLIP_KINDS)]
                            planted = plant_slip(slip_rng, rows, kind, taken)
                            if planted:
                                slip_truth.append(planted)
                    write["facts"].writerows(rows)
                    n_facts += len(rows)
                    if render:
                        documents.append(_report_document(out_dir / "renderings", org_id, org_name, org_number,
                                                          report_year, rows, seed, sort_order))
                    for goal, (category, label, _) in GOALS.items():
                        write["goals"].writerow([org_id, report_year, report_year, goal, category, label, statuses[goal], "1.5"])
        finally:
            for f in files.values():
                f.close()
        render_documents(documents, render)
        for name, path in paths.items():
            target = out_dir / f"{name}.{file_format}"
            if file_format == "parquet":
                # the relation API takes the private staging paths; out_dir never reaches DuckDB
                with duckdb.connect() as con:
                    schema = schemas[name]
                    typed = con.read_csv(str(path), header=True, all_varchar=True).select(", ".join(
                        f'cast(nullif("{c}", \'\') as {schema.sql_types[c]}) as "{c}"' for c in schema.columns))
                    typed.write_parquet(str(path.with_suffix(".parquet")))
                path = path.with_suffix(".parquet")
            shutil.move(str(path), target)
    if plant:
        with open(out_dir / "ground_truth.csv", "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(["check_family", "org_id", "check_id", "fiscal_year"])
            writer.writerows(ground_truth)
    if slips or slip_pairs:
        with open(out_dir / "slips.csv", "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(SLIP_COLUMNS)
            writer.writerows(slip_truth)
    return {"organisations": n_orgs, "reports": n_orgs * n_years, "facts": n_facts,
            "planted": len(ground_truth) + len(slip_truth)}


def _report_document(folder: Path, org_id: str, org_name: str, org_number: str, report_year: int, rows: list[list],
                     seed: int, sort_order: dict) -> tuple[list, Style, Path]:
    style = Style.draw(random.Random(f"{seed}-{org_id}-{report_year}"))  # its own stream: facts do not depend on it
    facts = [dict(zip(FACT_COLUMNS, map(str, row))) for row in rows]
    return report_blocks(facts, org_name, org_number, report_year, style, sort_order), style, folder / f"{org_id}-{report_year}"


def _apply_plant(k: int, rows: list[list], statuses: dict[str, str], year: int) -> tuple[list[list], dict[str, str]]:
    family, edits, _ = PLANTS[k]
    for offset, statement, line_id, measure, delta in edits:
        hits = [r for r in rows if (r[2], r[3], r[4], r[5]) == (year + offset, statement, line_id, measure)]
        assert len(hits) == 1, (family, statement, line_id)
        value = FACT_COLUMNS.index("value")
        hits[0][value] = hits[0][value] + delta
    if family == "goal_status":
        statuses = dict(statuses, kunskap_lokala="delvis uppfyllt" if statuses["kunskap_lokala"] == "uppfyllt" else "uppfyllt")
    return rows, statuses
