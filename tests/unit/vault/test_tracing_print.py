"""Issue 16's print case through the vault: a 5,000-word document checked out as PDF, printed and scanned (200 dpi,
0.5 degrees, blurred, JPEG 75), traced as `molehunt trace` traces it: one recipient among 30, two colluders'
interleaved pages, the scan as an image-only PDF, and the unmarked original (nobody)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

from bench.print_attacks import blur, image_pdf, jpeg_bytes, rasterize, rotate
from molehunt.config import Home
from molehunt.store import open_store
from molehunt.trace.carriers.printed import render_printed
from molehunt.trace.carriers.scan import ScanError, tesseract
from molehunt.vault.service import Vault
from molehunt.vault.tracing import Trace, trace_leak
from tests.unit.trace.carriers.prose import document

pytestmark = pytest.mark.slow

RECIPIENTS = [f"user{i:02d}" for i in range(30)]
PRINTED = ("user07", "user13")


@dataclass
class Printed:
    home: Home
    doc_id: str
    title: str
    original: str
    pdfs: dict[str, bytes]
    root: Path


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Printed:
    try:
        tesseract()
    except ScanError as exc:
        pytest.fail(f"{exc} (`make test` installs it)")
    root = tmp_path_factory.mktemp("print")
    home = Home(root / "home").ensure()
    source = root / "plan.md"
    original = document(5000, seed=8)
    source.write_text(original)
    pdfs = {}
    with open_store(home.store_path) as store:
        vault = Vault(home, store)
        for user in RECIPIENTS:
            vault.grant(user, "SECRET", ["apollo"])
        doc_id = vault.add(source, "SECRET", "apollo", as_user="user00")
        title = vault.original(doc_id)[0].title
        for user in RECIPIENTS:
            out = root / (f"{user}.pdf" if user in PRINTED else f"{user}.md")
            vault.checkout(doc_id, for_user=user, out_path=out, pdf=user in PRINTED)
            if user in PRINTED:
                pdfs[user] = out.read_bytes()
    return Printed(home, doc_id, title, original, pdfs, root)


def _scan(pdf: bytes) -> list[bytes]:
    """The issue's attack, page by page: 200 dpi, rotated 0.5 degrees, blurred, JPEG at quality 75."""
    return [jpeg_bytes(blur(rotate(page, 0.5), 1.0), 75) for page in rasterize(pdf, 200)]


def _folder(printed: Printed, name: str, pages: list[bytes]) -> Path:
    folder = printed.root / name
    folder.mkdir()
    for i, page in enumerate(pages):
        (folder / f"page-{i:02d}.jpg").write_bytes(page)
    return folder


def _trace(printed: Printed, leak: Path) -> Trace:
    with open_store(printed.home.store_path) as store:
        return trace_leak(Vault(printed.home, store), leak, doc_id=None, actor="analyst", eps=1e-5)


@pytest.fixture(scope="module")
def scanned(printed: Printed) -> list[bytes]:
    return _scan(printed.pdfs["user07"])


@pytest.fixture(scope="module")
def traced(printed: Printed, scanned: list[bytes]) -> Trace:
    return _trace(printed, _folder(printed, "scan-jpeg", scanned))


def test_a_printed_and_scanned_copy_names_its_recipient_only(printed: Printed, traced: Trace) -> None:
    assert traced.doc_id == printed.doc_id
    assert [user for user, _ in traced.accusation.accused] == ["user07"]
    assert traced.recipients == len(RECIPIENTS)
    assert traced.accusation.positions_read >= 1500  # nearly all of the ~2,100 print positions


def test_an_image_only_pdf_of_the_scan_traces_the_same(printed: Printed, scanned: list[bytes], traced: Trace) -> None:
    leak = printed.root / "scan.pdf"
    leak.write_bytes(image_pdf([Image.open(io.BytesIO(page)) for page in scanned]))
    found = _trace(printed, leak)
    assert [user for user, _ in found.accusation.accused] == ["user07"]
    assert abs(found.accusation.positions_read - traced.accusation.positions_read) <= 0.03 * traced.positions


def test_two_colluders_interleaved_pages_name_only_colluders(printed: Printed, scanned: list[bytes]) -> None:
    pages = zip(scanned, _scan(printed.pdfs["user13"]), strict=True)  # scanned: user07's copy
    leak = _folder(printed, "colluders", [a if i % 2 == 0 else b for i, (a, b) in enumerate(pages)])
    accused = {user for user, _ in _trace(printed, leak).accusation.accused}
    assert accused and accused <= set(PRINTED)


def test_the_unmarked_original_printed_and_scanned_accuses_nobody(printed: Printed) -> None:
    plain = render_printed(printed.original, original=printed.original, title=printed.title)
    found = _trace(printed, _folder(printed, "original", _scan(plain)))
    assert found.doc_id == printed.doc_id
    assert found.accusation.accused == ()
