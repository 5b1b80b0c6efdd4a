"""Diagnosis: which printed figures are wrong, and what kind of slip each is.

Error localisation in the Fellegi–Holt sense, per association: the minimum-weight set of printed
figures whose change makes every failing linear check hold while every passing one keeps passing,
each check at its own printed precision, solved with HiGHS as an implicit hitting-set problem
(OrgProblem): a binary master chooses figures, a small problem in which only they move tests them.
The check forms, as the warehouse writes them (int_reconciliations.form and .terms), one class a form
in forms.py:

- interval (tie-out, roll-forward, equation, funding rule, restatement): |Σ c·y| < tolerance;
- footing (calculation tree): each term is rounded to the footing's precision first (an integer r per
  moving term, y within half a step of s·r), and the rounded terms must sum exactly;
- range (value_ranges): the printed value stays within its line's bounds;
- claim: a printed ratio that does not follow from its figures is not linear: its claim moves into the
  range the figures allow; only where no printable claim fits them must one of its figures move (their
  terms carry coefficient 0: they may explain the ratio but state no row), and a figure blamed anyway
  explains the ratio too. A printed goal status is text: it is its own cause.

Failing checks that the chosen figures explain together form one cause. For each cause the other
explanations are enumerated with no-good cuts, cheapest first: ties are all reported, never one picked
silently. Each blamed figure's feasible range (its projection, the other blamed figures free) is then
tested against the classic slips in order; the first that fits names the kind and the implied value.

model (figures, checks, causes) → forms (a check's rows) → search (the localisation problem, HiGHS) →
slips (the kinds of slip) → causes (per association, the rows of marts.diagnoses) ← warehouse (reading the built relations).
"""

from finsam.diagnosis.causes import DIAGNOSIS_COLUMNS
from finsam.diagnosis.warehouse import diagnose_relations

__all__ = ["DIAGNOSIS_COLUMNS", "diagnose_relations"]
