"""Learning a new association from its report: the rows of its detail tables that no line knows become
its own lines, Note 2's "Driftbidrag från X" its members, and each intervention one id across the
operating report and Note 3.

A row of a table whose label no line knows, followed in its table by a total of the standard chart that
sums the association's own lines (calculation_tree's '{anchored}' rows), is proposed as an own line
anchored to that total, with an id made from its label. It is accepted only when the total foots with
the proposed lines at its printed precision in every column (each year and measure) that prints the
total, or, for a column read by OCR, would foot were one of its figures read with one digit otherwise
(the checks then proof-read that figure); otherwise its row goes to review as unmapped and none of its
figures becomes a fact. The
operating report's interventions (tkr) are paired with Note 3's (kr) as a one-to-one assignment
(scipy's linear_sum_assignment) scored by label similarity and by agreement of the figures at their
printed precision; a pair that is doubtful, or a line whose best pair is tied, goes to review, and the
lines stay interventions of their own.

Over 350 lines by choice: proposing, footing, pairing and settling a report's own lines and members are
steps of one Learner over one report, sharing its proposals and what it has learnt.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from finsam.ingest.model import ReviewItem
from finsam.labels import normalise_label
from finsam.precision import figures_agree, foots, half_width

INTERVENTION_TOTAL = "summa_insatser"         # an own line anchored here is an intervention
PAIRED_STATEMENTS = ("DR", "NOT3")            # the operating report's and Note 3's lines of one intervention
MEMBER_LABEL = re.compile(r"^(?:drift)?bidrag\s+(?:från\s+)?(?P<member>.+)$", re.IGNORECASE)
# a member's type from the words of its name, first match wins (Lag 2003:1210: the state, a region, municipalities)
MEMBER_TYPES = [("state", re.compile(r"\b(staten|försäkringskassan|arbetsförmedlingen)\b", re.IGNORECASE)),
                ("region", re.compile(r"\b(region|landsting)", re.IGNORECASE)),
                ("municipality", re.compile(r"\b(kommun|stad)\b|kommun$", re.IGNORECASE))]
MEMBER_LINES = {"state": ["driftbidrag_staten"], "region": ["driftbidrag_region"],
                "municipality": ["driftbidrag_kommun"] + [f"driftbidrag_kommun_{k}" for k in range(2, 16)]}
ORG_NUMBER = re.compile(r"\b\d{6}-\d{4}\b")
ORG_NAME = re.compile(r"\bSamordningsförbundet(?:[ ]+[A-ZÅÄÖ][\w-]*)+")
MEMBER_LINE_TYPES = {line: kind for kind, lines in MEMBER_LINES.items() for line in lines}
CONFIDENT_LABEL = 0.6   # label similarity at which a pair whose figures agree in a year is sure
TIED = 0.05             # a second-best pair this close to the best is a tie
MISREAD_LETTERS = 2     # letters a label read less surely may differ by from its pair's and be mended to it


def line_id_of(label: str) -> str:
    """An id made from a printed label: lower-case ASCII letters, digits and _ ("Köp av tjänst X" → kop_av_tjanst_x)."""
    ascii_text = unicodedata.normalize("NFKD", normalise_label(label)).encode("ascii", "ignore").decode("ascii")
    words = re.sub(r"[^a-z0-9]+", "_", ascii_text).strip("_")[:48].strip("_")
    return words if re.match(r"[a-z]", words or "") else f"rad_{words}" if words else "rad"


@dataclass
class Proposal:
    statement: str
    line_id: str
    label: str
    anchor: str
    place: str
    sort_order: int
    intervention_id: str = ""
    label_confidence: float | None = None   # read by OCR: how sure the reading of its label is
    label_read_as: str = ""                 # its label as OCR read it, where mended to its pair's


@dataclass
class Learnt:
    """What ingest learnt about the association, in the layouts of its collection files."""

    organisations: list[dict[str, str]] = field(default_factory=list)
    own_lines: list[dict[str, str]] = field(default_factory=list)
    interventions: list[dict[str, str]] = field(default_factory=list)
    funding_members: list[dict[str, str]] = field(default_factory=list)
    label_variants: list[dict[str, str]] = field(default_factory=list)
    org_number: str = field(default="", metadata={"file": False})
    names: Counter = field(default_factory=Counter, metadata={"file": False})

    def saw_text(self, text: str) -> None:
        """The association's organisation number (the first the report prints) and name (the association
        it names most often: a report names its neighbours and the association it merges into too)."""
        if not self.org_number and (number := ORG_NUMBER.search(text)):
            self.org_number = number.group(0)
        self.names.update(name.group(0) for name in ORG_NAME.finditer(text))

    def organisation(self, org_id: str, facts: list[dict[str, str]]) -> dict[str, str]:
        name = self.names.most_common(1)[0][0] if self.names else org_id
        return {"org_id": org_id, "org_number": self.org_number, "name_sv": name, "merged_into_sv": "",
                "first_fiscal_year": min((f["fiscal_year"] for f in facts), default=""), "last_fiscal_year": ""}


class Learner:
    """Proposes own lines and members table by table, then settles them once the report is read."""

    def __init__(self, reference, org_id: str):
        self.reference, self.org_id = reference, org_id
        self.proposals: list[Proposal] = []
        self.members: list[tuple[str, str, str, str, str]] = []  # (line, member, type, label, place)
        self.new_variants: list[dict[str, str]] = []               # labels learnt for a member's line
        self.learnt = Learnt()

    # ----------------------------------------------------------------------------------- while reading

    def propose(self, statement: str, rows: list, place_of) -> None:
        """Each row of a table with figures whose label no line knows: a proposed own line anchored to the
        next total of the table that sums own lines, or (Note 2) a member. Its label then means that line."""
        labels = self.reference.labels
        anchors = self.reference.anchoring_totals.get(statement, set())
        used = {line for row in rows if row.cells[0] for line in labels.lines_for(self.org_id, statement, row.cells[0])}
        for k, row in enumerate(rows):
            label = row.cells[0]
            if not label or not any(re.search(r"\d", c) for c in row.cells[1:]):
                continue
            known = labels.lines_for(self.org_id, statement, label)
            member_line = next(iter(known)) if statement == "NOT2" and len(known) == 1 else None
            if member_line in MEMBER_LINE_TYPES and member_line not in self.reference.members_of(self.org_id):
                self.propose_member(label, place_of(row), used, member_line)  # a member's line, of no known member
            if known:
                continue
            if statement == "NOT2":
                self.propose_member(label, place_of(row), used)
                continue
            anchor = self.next_total(statement, rows[k + 1:])
            if anchor not in anchors:
                continue
            line_id = self.free_id(statement, line_id_of(label))
            label_read = row.readings.get(0)
            self.proposals.append(Proposal(statement, line_id, label, anchor, place_of(row), 1000 + len(self.proposals),
                                           label_confidence=label_read.confidence if label_read else None))
            labels.add(self.org_id, statement, label, line_id)

    def next_total(self, statement: str, below: list) -> str | None:
        """The first row below whose label means a total or subtotal of the standard chart."""
        for row in below:
            lines = self.reference.labels.lines_for(self.org_id, statement, row.cells[0]) if row.cells[0] else set()
            kinds = {self.reference.line_kind(statement, line) for line in lines}
            if len(lines) == 1 and kinds & {"subtotal", "total"}:
                return next(iter(lines))
        return None

    def free_id(self, statement: str, wanted: str) -> str:
        """The id wanted, or with a number after it: never a standard line's, nor one of the association's."""
        taken = {p.line_id for p in self.proposals if p.statement == statement} | {
            r["line_id"] for r in self.reference.catalogue if r.get("org_id") == self.org_id and r["statement"] == statement}
        candidate, k = wanted, 1
        while candidate in taken or self.reference.line_kind(statement, candidate) is not None:
            k += 1
            candidate = f"{wanted}_{k}"
        return candidate

    def propose_member(self, label: str, place: str, used: set[str], line: str | None = None) -> None:
        """ "Driftbidrag från X": X a member, its type from its words, on the first free line of its type; or
        the member of a line the label already means ("Driftbidrag från staten")."""
        match = MEMBER_LABEL.match(label.strip())
        member = match["member"].strip() if match else label.strip()
        if line is None:
            kind = next((kind for kind, words in MEMBER_TYPES if words.search(member)), None) if match else None
            line = next((line for line in MEMBER_LINES[kind] if line not in used), None) if kind else None
            if line is None:
                return  # its row stays unmapped, for a person to say which line it is
            used.add(line)
            self.reference.labels.add(self.org_id, "NOT2", label, line)
            self.new_variants.append({"org_id": self.org_id, "statement": "NOT2", "label_printed": label, "line_id": line})
        self.members.append((line, member, MEMBER_LINE_TYPES[line], label, place))

    # ----------------------------------------------------------------------------------- once read

    def settle(self, result) -> None:
        """Accept the proposals whose tables foot, pair the interventions, and write what was learnt."""
        facts_by_key: dict[tuple, list[dict]] = {}
        for fact in result.facts:
            facts_by_key.setdefault((fact["statement"], fact["fiscal_year"], fact["measure"]), []).append(fact)
        rejected: dict[tuple[str, str], str] = {}   # (statement, anchor) -> what does not foot
        evidence: dict[tuple[str, str], str] = {}   # (statement, anchor) -> where it foots
        for statement, anchor in sorted({(p.statement, p.anchor) for p in self.proposals}):
            own = {p.line_id for p in self.proposals if (p.statement, p.anchor) == (statement, anchor)}
            accepted, verdict = self.footing(statement, anchor, own, facts_by_key)
            (evidence if accepted else rejected)[(statement, anchor)] = verdict
        kept = [p for p in self.proposals if (p.statement, p.anchor) not in rejected]
        for p in self.proposals:
            if (p.statement, p.anchor) in rejected:
                figures = [f for f in result.facts if (f["statement"], f["line_id"]) == (p.statement, p.line_id)]
                for f in figures:
                    result.review.append(ReviewItem(
                        "unmapped_label", f["source_ref"], p.label, f["value"], f["value"], f["unit"], f["decimals"],
                        p.statement, "", f["measure"], f["fiscal_year"],
                        rule=f"no line of the statement has this label, and it is not learnt as the association's own "
                             f"line: {self.reference.label_of(p.statement, p.anchor)} {rejected[(p.statement, p.anchor)]}",
                        candidates=f"proposed {p.statement}.{p.line_id} anchored to {p.anchor}"))
                result.facts[:] = [f for f in result.facts if (f["statement"], f["line_id"]) != (p.statement, p.line_id)]
        self.pair_interventions(kept, result)
        for p in kept:
            sign = self.reference.line_sign(p.statement, p.anchor)
            self.learnt.own_lines.append({"org_id": self.org_id, "statement": p.statement, "line_id": p.line_id,
                                          "label_sv": p.label, "name_en": p.label, "sign": sign,
                                          "anchor_line_id": p.anchor, "intervention_id": p.intervention_id,
                                          "sort_order": str(p.sort_order), "unit_if_unprinted": ""})
            result.review.append(ReviewItem(
                "own_line", p.place, p.label, statement=p.statement, line_id=p.line_id,
                rule=f"learnt as the association's own line of {self.reference.label_of(p.statement, p.anchor)} "
                     f"({p.statement}.{p.anchor}): {evidence[(p.statement, p.anchor)]}"
                     + (f"; its label, read '{p.label_read_as}' less surely, is taken as its Note 3 pair prints it"
                        if p.label_read_as else "") + "; to correct it, edit own_lines.csv",
                candidates=f"intervention {p.intervention_id}" if p.intervention_id else ""))
        for intervention_id in dict.fromkeys(p.intervention_id for p in kept if p.intervention_id):
            label = next(p.label for p in kept if p.intervention_id == intervention_id)
            self.learnt.interventions.append({"org_id": self.org_id, "intervention_id": intervention_id,
                                              "name_en": label, "category": "unclassified", "goal_section": ""})
        self.settle_members(result)

    def footing(self, statement: str, anchor: str, own: set[str], facts_by_key: dict) -> tuple[bool, str]:
        """Whether the anchor total foots with its standard lines and the association's (proposed) own lines,
        at its printed precision, in every column that prints it; and the evidence, or what does not foot."""
        children = self.reference.children_of(statement, anchor)
        years, misread = [], []
        for (fact_statement, year, measure), facts in sorted(facts_by_key.items(), reverse=True):
            if fact_statement != statement:
                continue
            total = [f for f in facts if f["line_id"] == anchor]
            if not total:
                continue
            counted = [(total[0], 1.0)]
            for f in facts:
                weight = children.get(f["line_id"], children.get("{anchored}") if f["line_id"] in own else None)
                if weight is not None:
                    counted.append((f, -weight))
            tolerance = max(self.half_width(f) for f, _ in counted)
            if not foots([(self.value_kr(f), c) for f, c in counted], tolerance):
                misreading = self.misreading_that_foots(counted, tolerance)
                if misreading is None:
                    lines = sum(-c * self.value_kr(f) for f, c in counted[1:])
                    return False, (f"does not foot with it in {year} ({measure}): the total is printed "
                                   f"{self.value_kr(total[0]):,.0f} kr, its lines sum to {lines:,.0f} kr")
                misread.append(misreading)
            years.append(f"{year} {measure}" if measure != "amount" else year)
        if not years:
            return False, "is printed in no column to foot it against"
        return True, ("the table foots with it at its printed precision in " + ", ".join(dict.fromkeys(years))
                      + "".join(f"; but for one digit read by OCR: {m} (the checks proof-read it)" for m in misread))

    def misreading_that_foots(self, counted: list[tuple[dict, float]], tolerance: float) -> str | None:
        """Where a column read by OCR does not foot, the figures of it read by OCR whose reading with one digit
        (or its minus) otherwise makes it foot, said as evidence; None if there is none. The table's lines
        are learnt: which figure is misread, and what it truly is, the checks decide once they run."""
        found = []
        for k, (fact, _) in enumerate(counted):
            if not fact.get("confidence"):
                continue
            for value in one_digit_otherwise(fact["value"]):
                mended = [({**f, "value": value} if j == k else f, c) for j, (f, c) in enumerate(counted)]
                if foots([(self.value_kr(f), c) for f, c in mended], tolerance):
                    found.append(f"{fact['line_id']} {fact['fiscal_year']} read {fact['value']} for {value}")
        return " or ".join(found) + " would foot" if found else None

    def value_kr(self, fact: dict) -> float:
        return float(fact["value"]) * self.reference.unit_factor(fact["unit"])

    def half_width(self, fact: dict) -> float:
        return half_width(self.reference.unit_factor(fact["unit"]), int(fact["decimals"] or 0))

    def pair_interventions(self, kept: list[Proposal], result) -> None:
        """One id for each intervention: the operating report's and Note 3's lines paired one to one."""
        from scipy.optimize import linear_sum_assignment

        sides = [[p for p in kept if p.statement == s and p.anchor == INTERVENTION_TOTAL] for s in PAIRED_STATEMENTS]
        figures = {side: self.figures_of(result, side) for side in PAIRED_STATEMENTS}
        scores = [[self.pair_score(d, n, figures) for n in sides[1]] for d in sides[0]]
        if sides[0] and sides[1]:
            rows, columns = linear_sum_assignment([[-total for total, *_ in row] for row in scores])
            for i, j in zip(rows, columns):
                total, similarity, agreeing, years = scores[i][j]
                others = sorted((s[0] for k, s in enumerate(scores[i]) if k != j), reverse=True)[:1] + \
                    sorted((scores[k][j][0] for k in range(len(sides[0])) if k != i), reverse=True)[:1]
                tied = any(total - other < TIED for other in others)
                sure = agreeing and (similarity >= CONFIDENT_LABEL or agreeing == years)
                d, n = sides[0][i], sides[1][j]
                if sure and not tied:
                    if (as_printed := label_read_better(d, n)) is not None:
                        self.relabelled(result, d, as_printed)
                    n.line_id = self.renamed(result, n, d.line_id)
                    d.intervention_id = n.intervention_id = d.line_id
                elif similarity >= CONFIDENT_LABEL / 2 or agreeing:
                    result.review.append(ReviewItem(
                        "doubtful_pairing", d.place, d.label, statement="NOT3", line_id=n.line_id,
                        rule=("tied with another line" if tied else "doubtful") + f": '{d.label}' (operating report) and "
                             f"'{n.label}' (Note 3) may be one intervention (label similarity {similarity:.2f}, figures "
                             f"agree in {agreeing} of {years} years); they are kept apart: to pair them, give both "
                             "lines one intervention_id in own_lines.csv",
                        candidates=f"DR.{d.line_id} ~ NOT3.{n.line_id}"))
        for statement in PAIRED_STATEMENTS:  # an unpaired line is an intervention of its own
            for p in kept:
                if p.statement == statement and p.anchor == INTERVENTION_TOTAL and not p.intervention_id:
                    taken = any(q.statement != statement and q.intervention_id == p.line_id for q in kept)
                    p.intervention_id = f"{p.line_id}_{statement.lower()}" if taken else p.line_id

    def figures_of(self, result, statement: str) -> dict[str, dict[str, dict]]:
        """line -> fiscal year -> the fact an intervention's cost is read from (DR: actual_net; Note 3: amount)."""
        measure = "actual_net" if statement == "DR" else "amount"
        out: dict[str, dict[str, dict]] = {}
        for f in result.facts:
            if f["statement"] == statement and f["measure"] == measure:
                out.setdefault(f["line_id"], {})[f["fiscal_year"]] = f
        return out

    def pair_score(self, d: Proposal, n: Proposal, figures: dict) -> tuple[float, float, int, int]:
        """(score, label similarity, years whose figures agree, years either prints a figure other than zero:
        a year both print as zero tells nothing about which lines pair)."""
        similarity = difflib.SequenceMatcher(None, normalise_label(d.label), normalise_label(n.label)).ratio()
        ours, theirs = figures["DR"].get(d.line_id, {}), figures["NOT3"].get(n.line_id, {})
        years = [y for y in sorted(ours.keys() & theirs.keys()) if self.value_kr(ours[y]) or self.value_kr(theirs[y])]
        agreeing = sum(figures_agree(self.value_kr(ours[y]), self.value_kr(theirs[y]),
                                     self.half_width(ours[y]) + self.half_width(theirs[y])) for y in years)
        return similarity + 2 * agreeing / max(len(years), 1), similarity, agreeing, len(years)

    def renamed(self, result, proposal: Proposal, line_id: str) -> str:
        """Give a proposed line another id (its pair's), in its facts too; its label stays (relabelled changes it)."""
        if line_id == proposal.line_id:
            return line_id
        if self.reference.line_kind(proposal.statement, line_id) is not None or any(
                p.line_id == line_id for p in self.proposals if p.statement == proposal.statement and p is not proposal):
            return proposal.line_id
        for f in result.facts:
            if (f["statement"], f["line_id"]) == (proposal.statement, proposal.line_id):
                f["line_id"] = line_id
        return line_id

    def relabelled(self, result, proposal: Proposal, label: str) -> None:
        """A proposed line's label read again as `label`: its id made from it, and its facts' printed label."""
        proposal.line_id = self.renamed(result, proposal, self.free_id(proposal.statement, line_id_of(label)))
        proposal.label, proposal.label_read_as = label, proposal.label
        for f in result.facts:
            if (f["statement"], f["line_id"]) == (proposal.statement, proposal.line_id):
                f["label_printed"] = label

    def settle_members(self, result) -> None:
        year = str(max((int(f["fiscal_year"]) for f in result.facts if f["statement"] == "NOT2"), default=0))
        paid = {f["line_id"]: float(f["value"]) * self.reference.unit_factor(f["unit"])
                for f in result.facts if f["statement"] == "NOT2" and f["fiscal_year"] == year and f["measure"] == "amount"}
        self.learnt.label_variants += self.new_variants
        by_type: dict[str, list] = {}
        for line, member, kind, label, place in self.members:
            by_type.setdefault(kind, []).append((line, member, label, place))
        for kind, members in by_type.items():
            type_total = sum(paid.get(line, 0.0) for line, *_ in members)
            for line, member, label, place in members:
                share = 1.0 if len(members) == 1 else (paid.get(line, 0.0) / type_total if type_total else 0.0)
                self.learnt.funding_members.append({
                    "org_id": self.org_id, "statement": "NOT2", "line_id": line, "member_sv": member, "member_type": kind,
                    "share_of_type": f"{share:.4f}", "source_ref": f"{place} (learnt by finsam ingest)"})
                result.review.append(ReviewItem(
                    "member", place, label, statement="NOT2", line_id=line,
                    rule=f"learnt: {member} is a member of type {kind}" + (
                        "" if len(members) == 1 else
                        f", its share of its type's part ({share:.4f}) taken from the contributions of {year}: "
                        "confirm it against the förbundsordning") + "; to correct it, edit funding_members.csv"))


def one_digit_otherwise(value: str) -> list[str]:
    """A printed value ("554009", "-8", "12.5") with one of its digits read otherwise (no new leading zero),
    and with its minus lost or invented: what OCR makes of a figure with one slip."""
    sign, digits = ("-", value[1:]) if value.startswith("-") else ("", value)
    out = [digits if sign else "-" + digits] if digits.strip("0.") else []
    for k, digit in enumerate(digits):
        if digit.isdigit():
            out += [sign + digits[:k] + d + digits[k + 1:] for d in "0123456789"
                    if d != digit and not (k == 0 and d == "0" and len(digits) > 1 and digits[1] != ".")]
    return out


def label_read_better(ours: Proposal, theirs: Proposal) -> str | None:
    """Our label as the paired line prints it, where OCR read ours less surely and theirs holds the same words
    but for a letter or two (an intervention's "Jobbcoach" read "Jobbeoach" in the operating report, right in
    Note 3): the id then names the intervention as printed. None where nothing is to be mended."""
    if ours.label_confidence is None or theirs.label_confidence is None or ours.label_confidence >= theirs.label_confidence:
        return None
    mine, other = ours.label, theirs.label
    for start in range(len(other) - len(mine) + 1):
        span = other[start:start + len(mine)]
        differing = [(a, b) for a, b in zip(mine, span) if a != b]
        on_words = (start == 0 or other[start - 1] == " ") and (start + len(mine) == len(other) or other[start + len(mine)] == " ")
        if on_words and 0 < len(differing) <= MISREAD_LETTERS and all(a.isalpha() and b.isalpha() for a, b in differing):
            return span
    return None
