"""One synthetic association's own lines: its interventions (3 to 30, named from a vocabulary, some printed
under another label in Note 3), its own administrative items, receivables and creditors, the goals and
commentary figures of its interventions. Ids are made from the labels as `finsam ingest` makes them, so
that a rendering read back names the same lines.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from finsam.ingest.learn import line_id_of

HEADS = ["Samordningsteam", "Arbetsträning", "Unga vuxna", "Hälsolots", "Stegvis", "Jobbcoach", "Kunskapslyft",
         "Språkstöd", "Motivationsgrupp", "Familjecentral", "Aktivitetshus", "Vägledning", "Individstöd",
         "Arbetsgivarlots", "Kartläggning", "Friskvård", "Trygghetsteam", "Studiestöd", "Praktiknätverk", "Kompetensråd"]
TAILS = ["", " Norr", " Syd", " 2.0", " för unga", " i samverkan"]
NOTE3_FORMS = ["Projekt {}", "{} (ESF)", "Insatsen {}"]   # how Note 3 may print an intervention's name
CATEGORIES = ["individual", "structural", "unclassified"]
# Note 3's administrative items an association may print, with the operating report line each rolls up into
OWN_ADMIN = {"Lön förbundschef": "samordning_och_ekonomi", "Ekonomitjänster": "samordning_och_ekonomi",
             "Köpta tjänster": "samordning_och_ekonomi", "Kurser och konferenser": "ovriga_verksamhetskostnader",
             "Medlemsavgift nätverk": "ovriga_verksamhetskostnader", "Lokalhyra": "samordning_och_ekonomi",
             "IT och telefoni": "ovriga_verksamhetskostnader", "Kommunikation och webb": "ovriga_verksamhetskostnader"}
# the standard chart's Note 3 items and their operating report lines
STANDARD_ADMIN = {"revisionskostnader": "revisionskostnader", "styrelsekostnader": "styrelsekostnader",
                  "ovriga_verksamhetskostnader": "ovriga_verksamhetskostnader"}
RECEIVABLES = ["Momsfordran", "Förutbetalda kostnader", "Upplupna intäkter", "Kundfordringar", "Samordningsförbundet {town}"]
CREDITORS = ["Leverantörsskulder", "Upplupen revisionskostnad", "Upplupna arvoden", "Personalens källskatt",
             "Semesterlöneskuld", "Upplupna sociala avgifter", "Skuld till {town} kommun", "Konsultbolaget Alfa AB",
             "Redovisningsbyrån Beta AB", "Övriga kortfristiga skulder"]
# the goals each association reports (goal id -> category, label, target), each of one of its interventions
GOALS = {"kunskap_lokala": ("structural", "Kunskapshöjande insatser – lokala", 150),
         "myndighetsgemensamt_team": ("individual", "Myndighetsgemensamt team & Operativ utvecklingsledare", 200)}
ANCHOR_SORT = {("DR", "summa_insatser"): 240, ("NOT3", "summa_insatser"): 170, ("NOT3", "summa_admin"): 260,
               ("NOT4", "summa"): 40, ("NOT5", "summa"): 110}


@dataclass
class Intervention:
    line_id: str
    label: str          # as the operating report prints it
    label_note3: str    # as Note 3 prints it
    category: str
    weight: float       # its share of the spending


@dataclass
class OwnChart:
    interventions: list[Intervention]
    admin: dict[str, tuple[str, str]]       # Note 3 line -> (label, operating report line)
    receivables: dict[str, str]             # line -> label
    creditors: dict[str, str]

    @classmethod
    def draw(cls, rng: random.Random, town: str) -> "OwnChart":
        names = rng.sample([head + tail for head in HEADS for tail in TAILS], rng.randint(3, 30))
        interventions = []
        for k, name in enumerate(names):
            note3 = rng.choice(NOTE3_FORMS).format(name) if rng.random() < 0.3 else name
            # the first two: an individual and a structural one, the goals' interventions
            category = CATEGORIES[k] if k < 2 else rng.choice(CATEGORIES)
            weight = 50.0 if k == 0 else rng.uniform(1, 13)
            interventions.append(Intervention(line_id_of(name), name, note3, category, weight))
        admin = {line: ("", dr_line) for line, dr_line in STANDARD_ADMIN.items()}
        admin.update({line_id_of(label): (label, OWN_ADMIN[label]) for label in rng.sample(sorted(OWN_ADMIN), rng.randint(2, 4))})
        receivables = [label.format(town=town) for label in rng.sample(RECEIVABLES, rng.randint(1, 4))]
        creditors = [label.format(town=town) for label in rng.sample(CREDITORS, rng.randint(2, 8))]
        return cls(interventions, admin, {line_id_of(label): label for label in receivables},
                   {line_id_of(label): label for label in creditors})

    @property
    def goal_interventions(self) -> dict[str, Intervention]:
        return {"kunskap_lokala": self.interventions[1], "myndighetsgemensamt_team": self.interventions[0]}

    @property
    def commentary(self) -> dict[str, tuple[str, Intervention]]:
        """The commentary's figures of interventions: NARR line -> (measure, intervention)."""
        first, second, third = self.interventions[:3]
        return {first.line_id: ("deviation", first), second.line_id: ("deviation", second), third.line_id: ("budget", third)}

    def own_lines(self, org_id: str) -> list[dict[str, str]]:
        """The rows of own_lines: every line of this association's that the standard chart does not have."""
        rows = []

        def add(statement, line_id, label, anchor, sign, intervention_id=""):
            rows.append({"org_id": org_id, "statement": statement, "line_id": line_id, "label_sv": label, "name_en": label,
                         "sign": sign, "anchor_line_id": anchor, "intervention_id": intervention_id,
                         "sort_order": len(rows) + 1, "unit_if_unprinted": ""})

        for i in self.interventions:
            add("DR", i.line_id, i.label, "summa_insatser", -1, i.line_id)
            add("NOT3", i.line_id, i.label_note3, "summa_insatser", -1, i.line_id)
        for line, (label, _) in self.admin.items():
            if label:
                add("NOT3", line, label, "summa_admin", -1)
        for line, label in self.receivables.items():
            add("NOT4", line, label, "summa", 1)
        for line, label in self.creditors.items():
            add("NOT5", line, label, "summa", 1)
        for line, (measure, i) in self.commentary.items():
            add("NARR", line, f"{i.label} till en kostnad av …" if measure == "budget" else f"{i.label} +… / underskott om …",
                "", -1 if measure == "budget" else 1, i.line_id)
        for goal, i in self.goal_interventions.items():
            add("GOAL", goal, GOALS[goal][1], "", 1, i.line_id)
        return rows

    def intervention_rows(self, org_id: str) -> list[dict[str, str]]:
        return [{"org_id": org_id, "intervention_id": i.line_id, "name_en": i.label, "category": i.category,
                 "goal_section": ""} for i in self.interventions]

    @staticmethod
    def sort_order(own: list[dict[str, str]], standard: dict[tuple[str, str], int]) -> dict[tuple[str, str], int]:
        """Each line's place in its table: an own line (of `own`, the rows of own_lines) just above its anchor,
        in the order drawn."""
        order = {key: 1000 * value for key, value in standard.items()}
        for k, row in enumerate(own):
            anchor = ANCHOR_SORT.get((row["statement"], row["anchor_line_id"]), 900)
            order[(row["statement"], row["line_id"])] = 1000 * anchor - len(own) + k
        return order
