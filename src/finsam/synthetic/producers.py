"""The programs people publish reports with, run as they run them: Chromium prints a web page to PDF,
LibreOffice exports a Word file to PDF, poppler's pdftotext lays a PDF out as text. Each is Debian's
package; a missing one is named with the package to install."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path


class MissingProducer(Exception):
    """A program a rendering needs is not installed."""


def _program(name: str, package: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise MissingProducer(f"{name} is not installed: apt-get install {package}")
    return found


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-pdf-header-footer"]


def print_with_chromium(page: Path, pdf: Path) -> None:
    """The page printed to PDF by Chromium (Debian's package), as a browser prints a web-published report."""
    chromium = _program("chromium", "chromium")
    with tempfile.TemporaryDirectory(prefix="finsam-chromium-") as profile:
        subprocess.run([chromium, *CHROMIUM_ARGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf}", page.as_uri()],
                       check=True, capture_output=True, timeout=120)


def export_with_libreoffice(documents: list[Path], out_dir: Path) -> None:
    """Word files exported to PDF by LibreOffice, all in one start of it (a start costs seconds)."""
    soffice = _program("soffice", "libreoffice-writer-nogui")
    with tempfile.TemporaryDirectory(prefix="finsam-soffice-") as profile:
        subprocess.run([soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
                        "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(out_dir), *map(str, documents)],
                       check=True, capture_output=True, timeout=300)


def layout_text(pdf: Path, text: Path) -> None:
    """`pdftotext -layout` of a PDF (poppler-utils): the text with its columns kept by spaces."""
    subprocess.run([_program("pdftotext", "poppler-utils"), "-layout", "-enc", "UTF-8", str(pdf), str(text)],
                   check=True, capture_output=True, timeout=120)
