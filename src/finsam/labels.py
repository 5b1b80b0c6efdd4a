"""Printed row labels → lines: the line catalogue's canonical labels and the label variants, per statement,
for one association or for every association. One index serves the validator (is this the label of that
line?) and the ingester (which line does this printed label mean?)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field


def normalise_label(label: str) -> str:
    """A printed label as matching sees it: no markup, case, punctuation or extra spaces."""
    text = re.sub(r"<[^>]*>|[*_]", " ", label)
    return " ".join(re.sub(r"[^\w%]+", " ", text.casefold()).split())


@dataclass
class LabelIndex:
    # (org_id or '' for every association, statement) -> normalised label -> line ids
    labels: dict[tuple[str, str], dict[str, set[str]]] = field(default_factory=dict)
    canonical: dict[tuple[str, str], str] = field(default_factory=dict)  # (statement, line) -> canonical label

    @classmethod
    def build(cls, catalogue: list[dict[str, str]], variants: list[dict[str, str]]) -> "LabelIndex":
        index = cls()
        for row in catalogue:
            index.add("", row["statement"], row["label_sv"], row["line_id"])
            index.canonical[(row["statement"], row["line_id"])] = row["label_sv"]
        for row in variants:
            index.add((row.get("org_id") or "").strip(), row["statement"], row["label_printed"], row["line_id"])
        return index

    def add(self, org_id: str, statement: str, label: str, line_id: str) -> None:
        self.labels.setdefault((org_id, statement), {}).setdefault(normalise_label(label), set()).add(line_id)

    def lines_for(self, org_id: str, statement: str, label: str) -> set[str]:
        printed = normalise_label(label)
        return (self.labels.get((org_id, statement), {}).get(printed, set())
                | self.labels.get(("", statement), {}).get(printed, set()))

    def closest(self, org_id: str, statement: str, label: str, n: int = 3) -> list[tuple[str, str, float]]:
        """The best known labels of the statement for an unknown one: (label, line, score), best first."""
        printed = normalise_label(label)
        known = {lab: lines for key in (("", statement), (org_id, statement))
                 for lab, lines in self.labels.get(key, {}).items()}
        scored = sorted(((difflib.SequenceMatcher(None, printed, lab).ratio(), lab) for lab in known), reverse=True)
        return [(lab, sorted(known[lab])[0], round(score, 2)) for score, lab in scored[:n]]
