"""What a nightly run found: what dbt and the GX suites reported, its stages, verdict and exit code (a leaf
module: every part of the run and the CLI read it, it reads none of them)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Callable

from finsam.inputs.findings import Finding


@dataclass
class NodeOutcome:
    name: str
    resource_type: str
    status: str
    message: str
    failures: int | None
    seconds: float
    compiled_code: str = ""        # a test's query: it selects the offending rows
    tested_file: str = ""          # the seed or model file a test is attached to
    tested_column: str = ""
    test_kind: str = ""            # a generic test's name (dbt hashes long test node names)
    offending_rows: list[dict] = field(default_factory=list)  # filled in by the pipeline from the built file


@dataclass
class DbtOutcome:
    returncode: int
    seconds: float
    nodes: list[NodeOutcome] = field(default_factory=list)
    log_tail: str = ""
    disk_full: bool = False

    def of_type(self, *types: str) -> list[NodeOutcome]:
        return [n for n in self.nodes if n.resource_type in types]

    @property
    def build_errors(self) -> list[NodeOutcome]:
        """Seeds or models that could not be built: the run cannot complete."""
        return [n for n in self.of_type("seed", "model") if n.status == "error"]

    @property
    def test_failures(self) -> list[NodeOutcome]:
        return [n for n in self.of_type("test", "unit_test") if n.status in ("fail", "error")]

    def seconds_of(self, *types: str) -> float:
        return round(sum(n.seconds for n in self.of_type(*types)), 3)


@dataclass
class ExpectationOutcome:
    expectation_type: str
    column: str | None
    success: bool
    description: str
    unexpected_count: int | None
    unexpected_examples: list
    unexpected_orgs: list[str] = field(default_factory=list)  # the associations of the unexpected rows


@dataclass
class SuiteOutcome:
    name: str
    description: str
    query: str
    n_rows: int
    success: bool
    expectations: list[ExpectationOutcome] = field(default_factory=list)

    @property
    def n_failed(self) -> int:
        return sum(not e.success for e in self.expectations)


EXIT_OK, EXIT_INCONSISTENT, EXIT_ERROR = 0, 1, 2


STAGES = ("validate", "dbt build", "gx", "report", "publish")


@dataclass
class StageResult:
    name: str
    status: str = "skipped"  # ok | failed | skipped
    seconds: float = 0.0
    detail: str = ""


@dataclass
class RunResult:
    run_id: str
    started_at: str
    finished_at: str = ""
    exit_code: int = EXIT_ERROR
    verdict: str = "error"  # pass | fail | error
    message: str = ""
    published: bool = False
    warehouse: str = ""
    report_dir: str = ""
    build_dir: str = ""
    stages: list[StageResult] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)
    readings: list[Finding] = field(default_factory=list)
    dbt_tests: list[NodeOutcome] = field(default_factory=list)
    dbt_seconds: dict[str, float] = field(default_factory=dict)  # dbt's own time per resource type
    suites: list[SuiteOutcome] = field(default_factory=list)
    status_counts: dict[str, int] = field(default_factory=dict)
    checks: list[dict] = field(default_factory=list)  # every non-pass reconciliation row
    diagnoses: list[dict] = field(default_factory=list)  # marts.diagnoses: the figures that explain them
    coverage: list[dict] = field(default_factory=list)
    charts: dict[str, list[dict]] = field(default_factory=dict)
    org_filter: str | None = None  # the report shows this association only (what is checked is unchanged)
    not_built: list[str] = field(default_factory=list)  # models skipped after a failing test
    org_names: dict[str, str] = field(default_factory=dict)

    def stage(self, name: str) -> StageResult:
        return next(s for s in self.stages if s.name == name)

    @property
    def dbt_failures(self) -> list[NodeOutcome]:
        return [t for t in self.dbt_tests if t.status in ("fail", "error")]

    def to_dict(self) -> dict:
        return asdict(self)


ProgressCallback = Callable[[StageResult], None]
