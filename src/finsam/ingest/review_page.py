"""review.html: every review item of an ingest on one offline page, and for each figure read by OCR a
crop of the scanned page around it (the row it stands in, the figure framed), so that a person decides in
seconds whether the reading is right."""

from __future__ import annotations

import base64
import io
import re
from collections import Counter
from pathlib import Path

from jinja2 import Environment, StrictUndefined
from markupsafe import Markup

from finsam.ingest.model import DOUBTED_READINGS, ReviewItem, page_and_box

MARGIN = 14          # points above and below the figure's box: the row, and a little of its neighbours
CROP_SCALE = 0.5     # of the reading's resolution: 150 dpi, legible and small
ORDER = ("not_proof_read", *DOUBTED_READINGS, "unexplained", "unmapped_label", "statement_not_read", "doubtful_pairing",
         "candidate", "own_line", "member", "ignored")

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Review: {{ source }}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1200px;color:#222;padding:0 1rem}
table{border-collapse:collapse;width:100%;table-layout:fixed;font-size:.88rem}
th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f4f6f8} td.num{text-align:right} .kind{font-weight:600} .source{color:#777;font-size:.8rem}
img{display:block;max-width:100%;margin:.3rem 0;border:1px solid #ccc} tr.crop td{border-bottom:2px solid #bbb}
.counts span{display:inline-block;margin-right:1.2rem}
</style></head>
<body>
<h1>Review of {{ source }}</h1>
<p class="counts">{% for kind, n in counts %}<span>{{ kind }}: <b>{{ n }}</b></span>{% endfor %}</p>
{% if not items %}<p>Nothing to review.</p>{% else %}
<table>
<colgroup><col style="width:13%"><col style="width:20%"><col style="width:18%"><col style="width:13%"><col style="width:6%"><col style="width:30%"></colgroup>
<thead><tr><th>Kind</th><th>Where</th><th>Printed</th><th>Figure</th><th>Year</th><th>Why, and what to do</th></tr></thead>
<tbody>
{% for item, crop in items %}
<tr>
<td class="kind">{{ item.kind }}</td><td class="source">{{ item.source_ref }}</td><td>{{ item.text }}</td>
<td class="num">{{ item.token or item.value|figure }} {{ item.unit }}{% if item.implied_value %}<br>checks hold at {{ item.implied_value|figure }}{% endif %}</td><td>{{ item.fiscal_year }}</td>
<td>{{ item.rule }}{% if item.candidates %}<br><span class="source">{{ item.candidates }}</span>{% endif %}</td>
</tr>
{% if crop %}<tr class="crop"><td colspan="6"><img alt="page {{ crop.page }} around {{ item.text }}" src="{{ crop.uri }}"></td></tr>{% endif %}
{% endfor %}
</tbody></table>{% endif %}
</body></html>
"""


class Crop:
    def __init__(self, page: int, png: bytes):
        self.page = page
        self.uri = Markup("data:image/png;base64," + base64.b64encode(png).decode("ascii"))


def review_page(items: list[ReviewItem], source: Path | None) -> str:
    """The page, every item in the order a person works through them; figures of a scanned PDF cropped."""
    ordered = sorted(items, key=lambda i: ORDER.index(i.kind) if i.kind in ORDER else len(ORDER))
    where = {id(item): page_and_box(item.source_ref) for item in ordered}
    wanted = {pb for pb in where.values() if pb}
    images = _crops(source, wanted) if wanted and source and source.suffix.lower() == ".pdf" else {}
    environment = Environment(autoescape=True, undefined=StrictUndefined)
    environment.filters["figure"] = _figure
    return environment.from_string(PAGE).render(
        source=source.name if source else "the report", counts=list(Counter(i.kind for i in ordered).items()),
        items=[(item, images.get(where[id(item)])) for item in ordered])


def _figure(value: str) -> str:
    """A canonical number as the report prints it: "-1234567.5" -> "−1 234 567,5"."""
    if not re.fullmatch(r"-?\d+(\.\d+)?", value):
        return value
    whole, _, decimals = value.lstrip("-").partition(".")
    grouped = f"{int(whole):,}".replace(",", "\u00a0")
    return ("−" if value.startswith("-") else "") + grouped + ("," + decimals if decimals else "")


def _crops(source: Path, wanted: set[tuple[int, tuple[float, ...]]]) -> dict:
    """A PNG of each (page, box): the page rendered and straightened as the OCR reader read it, the band of
    the box's row across the page, the box framed."""
    import pypdfium2 as pdfium
    from PIL import ImageDraw

    from finsam.ingest.page_image import DPI, page_image

    scale = DPI / 72
    out = {}
    document = pdfium.PdfDocument(str(source))
    try:
        for number in sorted({page for page, _ in wanted}):
            image = page_image(document, number)
            for page, (x0, top, x1, bottom) in sorted(b for b in wanted if b[0] == number):
                band = image.crop((0, max(0, int((top - MARGIN) * scale)), image.width,
                                   min(image.height, int((bottom + MARGIN) * scale)))).convert("RGB")
                offset = max(0, int((top - MARGIN) * scale))
                ImageDraw.Draw(band).rectangle((x0 * scale - 6, top * scale - offset - 6, x1 * scale + 6,
                                                bottom * scale - offset + 6), outline=(220, 40, 40), width=4)
                band = band.resize((int(band.width * CROP_SCALE), int(band.height * CROP_SCALE)))
                png = io.BytesIO()
                band.save(png, format="PNG", optimize=True)
                out[(page, (x0, top, x1, bottom))] = Crop(page, png.getvalue())
    finally:
        document.close()
    return out
