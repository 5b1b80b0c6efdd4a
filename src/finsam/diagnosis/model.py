"""What the diagnosis reasons about: printed figures, checks in their linear form, explanations and causes."""

from __future__ import annotations

from dataclasses import dataclass, field

TIE = 1e-6


@dataclass
class Figure:
    fact_id: str
    report_year: int
    fiscal_year: int
    statement: str
    line_id: str
    measure: str
    label: str
    value: float          # as printed, in its unit
    unit: str
    decimals: int
    factor: float         # unit -> base unit
    sign: int             # base value -> normalised value
    base_unit: str
    line_kind: str
    source_ref: str
    confidence: float | None = None   # read by OCR: how sure the reading is (0-100); None where typed or text

    @property
    def x(self) -> float:
        """Normalised value, the one the checks compare."""
        return self.value * self.factor * self.sign

    @property
    def grid(self) -> float:
        """One printed unit, normalised."""
        return self.factor / 10 ** self.decimals

    @property
    def key(self) -> str:
        return f"{self.statement}.{self.line_id}.{self.measure}:{self.fiscal_year}"

    def printed(self, normalised: float) -> float:
        return normalised / (self.factor * self.sign)


@dataclass
class Check:
    check_id: str
    family: str
    fiscal_year: int
    form: str                      # footing | interval | range | claim
    terms: list[tuple[str, float]]
    tolerance: float | None
    lower: float | None            # range bounds, printed base units
    upper: float | None
    rhs_value: float | None
    passed: bool
    rule: str
    goal_id: str | None = None     # the goal of a goal status

    @property
    def name(self) -> str:
        return f"{self.check_id} {self.fiscal_year}"


def check_refs(checks: list[Check]) -> list[dict]:
    """Checks as marts.diagnoses lists them: (check_id, fiscal_year), in order."""
    return [{"check_id": c.check_id, "fiscal_year": c.fiscal_year}
            for c in sorted(checks, key=lambda c: (c.check_id, c.fiscal_year))]


@dataclass
class Explanation:
    figures: list[str]             # fact ids
    weight: float


@dataclass
class Cause:
    checks: list[Check]
    explanations: list[Explanation] = field(default_factory=list)
    others: frozenset = frozenset()   # the figures the other causes blame
