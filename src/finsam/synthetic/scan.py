"""A report printed and scanned, as associations publish the signed one: each page of a PDF rasterised by
poppler's pdftoppm (Debian's poppler-utils, a producer that is not finsam's reader), then given what a
scanner gives it: grey paper, noise, a slight skew, JPEG compression; the pages bound into a PDF without a
text layer."""

from __future__ import annotations

import io
import random
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from finsam.synthetic.producers import _program


@dataclass(frozen=True)
class Scanner:
    dpi: int = 300
    noise: float = 4.0     # standard deviation of the grey noise, of 255
    skew: float = 0.0      # degrees: each page turned by up to this much, either way
    quality: int = 85      # JPEG quality


def scan(pdf: Path, out: Path, scanner: Scanner = Scanner(), seed: int = 0) -> None:
    """`pdf` printed and scanned by `scanner` into `out` (each page an image, no text)."""
    import numpy as np
    from PIL import Image

    turn, grain = random.Random(seed), np.random.default_rng(seed)
    with tempfile.TemporaryDirectory(prefix="finsam-scan-") as folder:
        # PGM, uncompressed: a PNG's compression took three times as long as the rest of the scan, for the same pixels
        subprocess.run([_program("pdftoppm", "poppler-utils"), "-gray", "-r", str(scanner.dpi), str(pdf),
                        f"{folder}/page"], check=True, capture_output=True, timeout=300)
        pages = []
        for raster in sorted(Path(folder).glob("page-*.pgm")):
            page = Image.open(raster).convert("L")
            if scanner.skew:
                page = page.rotate(turn.uniform(-scanner.skew, scanner.skew), resample=Image.BICUBIC, fillcolor=255)
            paper = np.asarray(page, dtype=np.float32) * 0.9 + 12 + grain.normal(0, scanner.noise, (page.height, page.width))
            jpeg = io.BytesIO()
            Image.fromarray(np.clip(paper, 0, 255).astype(np.uint8)).save(jpeg, "JPEG", quality=scanner.quality)
            pages.append(Image.open(io.BytesIO(jpeg.getvalue())))
        pages[0].save(out, "PDF", resolution=scanner.dpi, save_all=True, append_images=pages[1:])


LEARNT_FILES = ("own_lines", "interventions", "label_variants", "funding_members")


def known_association(seeds_dir: Path, like: str, org_id: str, folder: Path) -> Path:
    """A collection folder holding what an earlier ingest would have learnt of `org_id` (its own lines,
    interventions, label variants and members), copied from the seeds' rows of `like`: so that a scan of
    `like`'s report is read and proof-read as another association's (the seeds hold `like`'s own figures,
    which a proof-read of the same report would contradict)."""
    import csv

    folder.mkdir(parents=True, exist_ok=True)
    for name in LEARNT_FILES:
        with (seeds_dir / "reference" / f"{name}.csv").open(encoding="utf-8", newline="") as f:
            rows = [{**row, "org_id": org_id} for row in csv.DictReader(f) if row["org_id"] == like]
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return folder
