"""Documents finsam cannot read end in exit 2 with one line that names the file and what to do — never a
traceback, never a half-written folder — and nothing a person typed into an ingested collection is
overwritten. A fuzz run of the readers over damaged real renderings ends every case in a result or that
clear error, in bounded time."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from finsam.synthetic.generate import generate
from finsam.ingest import UnreadableSource, ingest
from test_ingest import REPORT

FINSAM = Path(sys.executable).with_name("finsam")


def finsam(project, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(FINSAM), *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "FINSAM_PROJECT": str(project.root), "COLUMNS": "200"})


def ingest_cli(project, source: Path, out: Path, *more: str) -> subprocess.CompletedProcess:
    return finsam(project, "ingest", str(source), "--org", "sf_vasteras", "--report-year", "2023", "--out", str(out), *more)


def assert_clear_exit_2(proc: subprocess.CompletedProcess, names: str, says: str) -> None:
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output
    assert "Traceback" not in output
    message = " ".join(proc.stderr.split())
    assert message.startswith(f"finsam: {names}") and says in message, message


@pytest.fixture(scope="module")
def renderings(tmp_path_factory, pristine) -> Path:
    folder = tmp_path_factory.mktemp("hostile") / "collection"
    generate(folder, 1, 1, seed=4, file_format="csv", project=pristine, render=("pdf", "plain.pdf", "docx"))
    return folder / "renderings"


def password_protected_pdf(path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Balansräkning 2023")
    pdf.set_encryption(owner_password="owner", user_password="user")
    pdf.output(str(path))
    return path


def zip_bomb_docx(path: Path) -> Path:
    """A 0.3 MB .docx whose document part inflates to 300 MB."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        with package.open("word/document.xml", "w") as part:
            for _ in range(300):
                part.write(b"<w:t>" + b"a" * 2**20 + b"</w:t>")
    return path


def test_unreadable_documents_exit_2_naming_the_file(project, renderings, tmp_path):
    pdf = (renderings / "syn_00001-2023.pdf").read_bytes()
    cases = {
        "random.pdf": (os.urandom(4000), "not a readable PDF"),
        "header-only.pdf": (b"%PDF-1.7\n" + os.urandom(4000), "not a readable PDF"),
        "truncated.pdf": (pdf[: len(pdf) // 3], "not a readable PDF"),
        "not-a-zip.docx": (b"this is no Word file", "not a readable Word .docx file"),
    }
    for name, (data, says) in cases.items():
        (tmp_path / name).write_bytes(data)
    for name, (_, says) in cases.items():
        proc = ingest_cli(project, tmp_path / name, tmp_path / "out")
        assert_clear_exit_2(proc, str(tmp_path / name), says)
    proc = ingest_cli(project, password_protected_pdf(tmp_path / "locked.pdf"), tmp_path / "out")
    assert_clear_exit_2(proc, str(tmp_path / "locked.pdf"), "password-protected: save a copy without a password")
    start = time.monotonic()
    proc = ingest_cli(project, zip_bomb_docx(tmp_path / "bomb.docx"), tmp_path / "out")
    assert_clear_exit_2(proc, str(tmp_path / "bomb.docx"), "unpacks to 300 MB; finsam reads at most 200 MB")
    assert time.monotonic() - start < 30
    assert not (tmp_path / "out").exists(), "nothing written for an unreadable document"


def test_an_out_folder_that_cannot_be_written_is_exit_2(project, tmp_path):
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    assert_clear_exit_2(ingest_cli(project, REPORT, tmp_path / "a-file"), str(tmp_path / "a-file"),
                        "--out names a file, not a folder")
    assert (tmp_path / "a-file").read_text(encoding="utf-8") == "x"
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("this user writes into read-only folders (root): the case is the file above")
        assert_clear_exit_2(ingest_cli(project, REPORT, locked / "out"), str(locked / "out"), "cannot write there")
    finally:
        locked.chmod(0o700)


def test_generate_with_options_that_do_not_go_together_is_exit_2(project, tmp_path):
    proc = finsam(project, "generate", str(tmp_path / "c"), "--orgs", "3", "--plant")
    assert_clear_exit_2(proc, "planting one error per rule family needs at least 8 associations", "--orgs 8")


def test_reingest_keeps_facts_a_person_typed_unless_forced(project, tmp_path):
    out = tmp_path / "ingested"
    assert ingest_cli(project, REPORT, out).returncode == 0
    assert ingest_cli(project, REPORT, out).returncode == 0, "ingest again into its own untouched output"
    typed = out.joinpath("facts.csv").read_text(encoding="utf-8") + \
        "sf_vasteras,2023,2023,NARR,deltagare_avslutade,amount,62 deltagare,62,count,0,1.5 (line 322),typed\n"
    out.joinpath("facts.csv").write_text(typed, encoding="utf-8")
    review = out.joinpath("review.csv").read_bytes()
    proc = ingest_cli(project, REPORT, out)
    assert_clear_exit_2(proc, str(out), "facts.csv changed since finsam ingest wrote it")
    assert "--force" in proc.stderr
    assert out.joinpath("facts.csv").read_text(encoding="utf-8") == typed and out.joinpath("review.csv").read_bytes() == review
    assert ingest_cli(project, REPORT, out, "--force").returncode == 0
    assert "typed" not in out.joinpath("facts.csv").read_text(encoding="utf-8")


def mutations(data: bytes, rng: random.Random, n: int) -> list[bytes]:
    """Damaged copies of a file: cut short, bytes overwritten, a block dropped or repeated."""
    out = []
    for k in range(n):
        cut = rng.randrange(1, len(data))
        kind = k % 4
        if kind == 0:
            out.append(data[:cut])
        elif kind == 1:
            damaged = bytearray(data)
            for _ in range(rng.randrange(1, 40)):
                damaged[rng.randrange(len(damaged))] = rng.randrange(256)
            out.append(bytes(damaged))
        elif kind == 2:
            out.append(data[:cut] + data[min(len(data), cut + rng.randrange(1, 2000)):])
        else:
            out.append(data[:cut] + data[cut:cut + rng.randrange(1, 2000)] * 3 + data[cut:])
    return out


@pytest.mark.slow
def test_fuzzed_documents_end_in_a_result_or_a_clear_error(project, renderings, tmp_path):
    rng = random.Random(20261204)
    cases: list[tuple[str, bytes]] = [("random.pdf", rng.randbytes(3000)), ("random.docx", rng.randbytes(3000)),
                                      ("random.txt", rng.randbytes(3000))]
    for name in ("syn_00001-2023.pdf", "syn_00001-2023.plain.pdf", "syn_00001-2023.docx"):
        suffix = "." + name.split(".", 1)[1].rsplit(".", 1)[-1]
        cases += [(f"{k}-{name}{'' if name.endswith(suffix) else suffix}", data)
                  for k, data in enumerate(mutations((renderings / name).read_bytes(), rng, 8))]
    outcomes = {"result": 0, "unreadable": 0}
    for name, data in cases:
        path = tmp_path / name
        path.write_bytes(data)
        start = time.monotonic()
        try:
            ingest(project, path, "syn_00001", 2023)
            outcomes["result"] += 1
        except UnreadableSource as error:
            assert str(error).startswith(str(path)), error
            outcomes["unreadable"] += 1
        assert time.monotonic() - start < 30, name
    assert sum(outcomes.values()) == len(cases) == 27 and outcomes["unreadable"] >= 3, outcomes


def test_the_pdf_reader_tells_its_progress_page_by_page(project, renderings):
    import pdfplumber

    document = renderings / "syn_00001-2023.plain.pdf"
    with pdfplumber.open(document) as pdf:
        pages = len(pdf.pages)
    told: list[tuple[int, int]] = []
    ingest(project, document, "syn_00001", 2023, progress=lambda done, of: told.append((done, of)))
    assert told == [(k, pages) for k in range(1, pages + 1)] and pages > 1
