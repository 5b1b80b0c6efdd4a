"""One association's ledger (contributions, intervention and administration costs, receivables,
liabilities, equity) and every statement of its reports derived from it, laid out as the real report is.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from finsam.precision import round_half_away
from finsam.synthetic.chart import GOALS, OwnChart

ADMIN_DR = ["samordning_och_ekonomi", "styrelsekostnader", "revisionskostnader", "ovriga_verksamhetskostnader"]


# Shares of the administration costs: the standard chart's Note 3 items, and the association's own items
# (the first, the director's salary or the like, the largest)
ADMIN_WEIGHTS = {"revisionskostnader": 3, "styrelsekostnader": 4, "ovriga_verksamhetskostnader": 5}
FIRST_OWN_ADMIN_WEIGHT, OWN_ADMIN_WEIGHT = 45, 10


# Years before its first report that an association's ledger starts: the five-year overview's reach.
HISTORY = 4


FACT_COLUMNS = ["org_id", "report_year", "fiscal_year", "statement", "line_id", "measure", "label_printed", "value",
                "unit", "decimals", "source_ref", "remark"]


MUNICIPALITY_LINES = ["driftbidrag_kommun"] + [f"driftbidrag_kommun_{k}" for k in range(2, 6)]


# How 1 to 5 member municipalities split their quarter, in tenths so that every contribution is whole kronor.
MUNICIPAL_SPLITS = [[10], [6, 4], [5, 3, 2], [4, 3, 2, 1], [3, 2, 2, 2, 1]]


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
    """k × 1000 + a remainder of at most ±10 kr: the tkr rounding of 45 such lines still foots."""
    k = max(0, round(thousands))
    return 0 if k == 0 else k * 1000 + rng.randint(-10, 10)


def _split(rng: random.Random, total_tkr: float, weights: list[float]) -> list[int]:
    noisy = [w * rng.uniform(0.7, 1.3) for w in weights]
    scale = total_tkr / sum(noisy)
    return [_amount(rng, w * scale) for w in noisy]


def ledger(rng: random.Random, first_year: int, last_year: int, chart: OwnChart) -> dict[int, Year]:
    years: dict[int, Year] = {}
    equity = rng.randint(3000, 9000) * 1000
    own_admin = [line for line in chart.admin if line not in ADMIN_WEIGHTS]
    admin_weights = [ADMIN_WEIGHTS.get(line, FIRST_OWN_ADMIN_WEIGHT if line == own_admin[0] else OWN_ADMIN_WEIGHT)
                     for line in chart.admin]
    for y in range(first_year, last_year + 1):
        contributions = rng.randint(1500, 4000) * 4000  # divisible by 4: the funding rule splits exactly
        # spending steers equity back into a plausible band, as boards do
        spend = contributions * (1.08 if equity > 10_000_000 else 0.92 if equity < 3_000_000 else rng.uniform(0.93, 1.07))
        admin_total = spend * rng.uniform(0.11, 0.16) / 1000
        interventions = dict(zip((i.line_id for i in chart.interventions),
                                 _split(rng, spend / 1000 - admin_total, [i.weight for i in chart.interventions])))
        admin = dict(zip(chart.admin, _split(rng, admin_total, admin_weights)))
        year = Year(contributions, interventions, admin, {},
                    {name: rng.randint(0, 400) * 1000 + rng.randint(0, 999) for name in chart.receivables},
                    {name: (rng.randint(0, 1500) * 1000 + rng.randint(0, 999)) if rng.random() < 0.7 else 0
                     for name in chart.creditors})
        year.result = contributions - year.costs
        equity += year.result
        year.equity = equity
        actual = _dr_cost_lines(year, chart)
        year.budget_tkr = {line: max(0, v + rng.randint(-60, 60)) if v else 0 for line, v in actual.items()}
        year.goals = {goal: rng.randint(target // 3, target * 3 // 2) for goal, (_, _, target) in GOALS.items()}
        years[y] = year
    return years


def _dr_cost_lines(year: Year, chart: OwnChart) -> dict[str, int]:
    """The operating report's cost lines in tkr (positive), rolled up from the kr amounts."""
    lines = {name: 0 for name in ADMIN_DR}
    for note_line, (_, dr_line) in chart.admin.items():
        lines[dr_line] += tkr(year.admin[note_line])
    lines.update({name: tkr(v) for name, v in year.interventions.items()})
    return lines


class Report:
    """The facts one annual report prints, each with the label the association prints."""

    def __init__(self, org_id: str, report_year: int, years: dict[int, Year], members: Members,
                 labels: dict[tuple[str, str], str], chart: OwnChart):
        self.org_id, self.y, self.years, self.members, self.chart = org_id, report_year, years, members, chart
        self.labels = {**labels, **members.printed}   # the standard chart's and the association's own lines
        self.interventions = [i.line_id for i in chart.interventions]
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
        actual = _dr_cost_lines(yr, self.chart)
        admin = sum(actual[line] for line in ADMIN_DR)
        interventions = sum(actual[line] for line in self.interventions)
        budget_admin = sum(yr.budget_tkr[line] for line in ADMIN_DR)
        budget_interventions = sum(yr.budget_tkr[line] for line in self.interventions)

        def line(line_id, income, cost, net, budget_net=None):
            for measure, value in (("actual_income", income), ("actual_cost", cost), ("actual_net", net)):
                self.fact(fy, "DR", line_id, value, unit="tkr", measure=measure)
            if budget:
                self.fact(fy, "DR", line_id, budget_net, unit="tkr", measure="budget_net")
                self.fact(fy, "DR", line_id, net - budget_net, unit="tkr", measure="deviation_net")

        line("medlemsbidrag", contributions, 0, contributions, contributions)
        line("summa_intakter", contributions, 0, contributions, contributions)
        for name in ADMIN_DR + self.interventions:
            line(name, 0, actual[name], actual[name], yr.budget_tkr[name])
        line("summa_admin", 0, admin, admin, budget_admin)
        line("summa_insatser", 0, interventions, interventions, budget_interventions)
        cost = -(admin + interventions)
        line("resultat", contributions, cost, contributions + cost, contributions - budget_admin - budget_interventions)

    def _commentary(self) -> None:
        y, yr, prev = self.y, self.years[self.y], self.years[self.y - 1]
        actual, actual_prev = _dr_cost_lines(yr, self.chart), _dr_cost_lines(prev, self.chart)
        admin = sum(actual[line] for line in ADMIN_DR)
        interventions = sum(actual[line] for line in self.interventions)
        f = self.fact
        f(y, "NARR", "admin_utfall", admin, unit="tkr")
        f(y - 1, "NARR", "admin_utfall", sum(actual_prev[line] for line in ADMIN_DR), unit="tkr")
        f(y, "NARR", "admin_lagre_an_budget", sum(yr.budget_tkr[line] for line in ADMIN_DR) - admin, unit="tkr")
        f(y, "NARR", "insatser_utfall", interventions, unit="tkr")
        f(y, "NARR", "insatser_lagre_an_budget", sum(yr.budget_tkr[line] for line in self.interventions) - interventions, unit="tkr")
        f(y, "NARR", "insatser_lagre_an_foregaende_ar", sum(actual_prev[line] for line in self.interventions) - interventions, unit="tkr")
        for line, (measure, intervention) in self.chart.commentary.items():
            name = intervention.line_id
            f(y, "NARR", line, yr.budget_tkr[name] - actual[name] if measure == "deviation" else yr.budget_tkr[name],
              unit="tkr", measure=measure)
        f(y, "NARR", "andel_administration", round_half_away(100 * admin / (yr.contributions // 1000)), unit="%")


def goal_status(outcome: int, target: int) -> str:
    return "uppfyllt" if outcome >= target else "delvis uppfyllt" if outcome > 0 else "ej uppfyllt"
