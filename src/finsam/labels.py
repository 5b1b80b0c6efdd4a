"""Printed row labels → lines: the canonical labels of the standard chart's lines and of each association's
own lines, and the label variants, per statement, for one association or for every association. One index
serves the validator (is this the label of that line?) and the ingester (which line does this printed
label mean?)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache


def normalise_label(label: str) -> str:
    """A printed label as matching sees it: no markup, case, punctuation or extra spaces."""
    text = re.sub(r"<[^>]*>|[*_]", " ", label)
    return " ".join(re.sub(r"[^\w%]+", " ", text.casefold()).split())


@dataclass
class LabelIndex:
    # (org_id or '' for every association, statement) -> normalised label -> line ids
    labels: dict[tuple[str, str], dict[str, set[str]]] = field(default_factory=dict)
    # (org_id or '' for a standard line, statement, line) -> canonical label
    canonical: dict[tuple[str, str, str], str] = field(default_factory=dict)
    answers: dict[tuple, list] = field(default_factory=dict, repr=False)  # closest(): each question answered once

    @classmethod
    def build(cls, catalogue: list[dict[str, str]], variants: list[dict[str, str]],
              own_lines: list[dict[str, str]] = ()) -> "LabelIndex":
        """The standard chart's lines (every association's), the associations' own lines and the variants."""
        index = cls()
        for row in [*catalogue, *own_lines]:
            org_id = (row.get("org_id") or "").strip()
            index.add(org_id, row["statement"], row["label_sv"], row["line_id"])
            index.canonical[(org_id, row["statement"], row["line_id"])] = row["label_sv"]
        for row in variants:
            index.add((row.get("org_id") or "").strip(), row["statement"], row["label_printed"], row["line_id"])
        return index

    def canonical_label(self, org_id: str, statement: str, line_id: str) -> str | None:
        """The line's canonical label: a standard line's, or the association's own line's; None for no line."""
        return self.canonical.get(("", statement, line_id), self.canonical.get((org_id, statement, line_id)))

    def add(self, org_id: str, statement: str, label: str, line_id: str) -> None:
        self.labels.setdefault((org_id, statement), {}).setdefault(normalise_label(label), set()).add(line_id)
        self.answers.clear()

    def lines_for(self, org_id: str, statement: str, label: str) -> set[str]:
        printed = normalise_label(label)
        return (self.labels.get((org_id, statement), {}).get(printed, set())
                | self.labels.get(("", statement), {}).get(printed, set()))

    def closest(self, org_id: str, statement: str, label: str, n: int = 3) -> list[tuple[str, str, float]]:
        """The best known labels of the statement for an unknown one: (label, line, score), best first. The
        edit distance (difflib's ratio) is computed only for the SHORTLIST × n labels that share the most
        character trigrams with it, and once for each text: ingest asks for every number of a sentence, and
        a long report has tens of thousands (each ratio over every label cost 15-40 ms)."""
        key = (org_id, statement, normalise_label(label), n)
        if key not in self.answers:
            printed = key[2]
            known = {lab: lines for scope in (("", statement), (org_id, statement))
                     for lab, lines in self.labels.get(scope, {}).items()}
            grams = _trigrams(printed)
            shortlist = sorted(known, key=lambda lab: (-len(grams & _trigrams(lab)), lab))[:SHORTLIST * n]
            matcher = difflib.SequenceMatcher(None)
            matcher.set_seq2(printed)  # difflib prepares the second text once for all labels
            scored = []
            for lab in shortlist:
                matcher.set_seq1(lab)
                scored.append((matcher.ratio(), lab))
            scored.sort(reverse=True)
            self.answers[key] = [(lab, sorted(known[lab])[0], round(score, 2)) for score, lab in scored[:n]]
        return self.answers[key]


SHORTLIST = 4  # labels per answer asked for


@lru_cache(maxsize=4096)
def _trigrams(text: str) -> frozenset[str]:
    padded = f"  {text} "
    return frozenset(padded[k:k + 3] for k in range(len(padded) - 2))
