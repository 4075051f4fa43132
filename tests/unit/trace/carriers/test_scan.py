"""Reading page images: tesseract's word boxes give back the print layer and the robust text layer."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
from fpdf import FPDF
from PIL import Image

from bench.print_attacks import image_pdf, photo, rasterize, scanned
from molehunt.trace.carriers import scan as scan_module
from molehunt.trace.carriers.pdf import render_pdf
from molehunt.trace.carriers.printed import print_layout, read_print, render_printed
from molehunt.trace.carriers.scan import ScanError, ocr, page_images, scan, tesseract
from molehunt.trace.carriers.text import embed, extract, layout
from tests.unit.trace.carriers.conftest import codeword
from tests.unit.trace.carriers.prose import document

TITLE = "Visitor policy"


def test_without_tesseract_the_error_names_the_debian_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan_module.shutil, "which", lambda _name: None)
    with pytest.raises(ScanError, match="tesseract-ocr"):
        ocr(Image.new("L", (100, 100), 255))


def test_a_tesseract_that_dies_silently_says_how_it_ended(monkeypatch: pytest.MonkeyPatch) -> None:
    def killed(command: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(command, -9, "", "")

    monkeypatch.setattr(scan_module.subprocess, "run", killed)
    with pytest.raises(ScanError, match="tesseract failed: killed by signal 9"):
        ocr(Image.new("L", (100, 100), 255))


@pytest.mark.parametrize(("ours", "given"), [(None, "1"), ("3", "3")])
def test_tesseract_runs_one_thread_unless_the_environment_says_otherwise(
    monkeypatch: pytest.MonkeyPatch, ours: str | None, given: str
) -> None:
    seen: dict[str, str] = {}

    def recorded(command: list[str], *, env: dict[str, str], **_: object) -> subprocess.CompletedProcess[str]:
        seen.update(env)
        return subprocess.CompletedProcess(command, 0, "level\tpage_num\n", "")

    if ours is None:
        monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    else:
        monkeypatch.setenv("OMP_THREAD_LIMIT", ours)
    monkeypatch.setattr(scan_module.subprocess, "run", recorded)
    assert ocr(Image.new("L", (100, 100), 255)).words == ()
    assert seen["OMP_THREAD_LIMIT"] == given
    assert seen["PATH"] == scan_module.os.environ["PATH"]  # the rest of the environment is passed on


def test_what_is_not_a_page_image_is_a_clear_error() -> None:
    with pytest.raises(ScanError, match="not a readable image"):
        page_images(b"\x89PNG but not really")
    pdf = FPDF()
    pdf.add_page()
    with pytest.raises(ScanError, match="neither text nor page images"):
        page_images(bytes(pdf.output()))


def test_an_image_only_pdf_gives_back_its_page_images() -> None:
    pages = [Image.new("L", (300, 400), shade) for shade in (255, 128)]
    found = page_images(image_pdf(pages, dpi=100))
    assert [(image.width, image.height) for image in found] == [(300, 400)] * 2
    assert [int(np.asarray(image.convert("L")).mean()) for image in found] == [255, 128]


@pytest.fixture(scope="module")
def copy() -> tuple[str, np.ndarray, np.ndarray, bytes]:
    try:
        tesseract()
    except ScanError as exc:
        pytest.fail(f"{exc} (`make test` installs it)")
    original = document(900, seed=21)
    symbols = codeword(layout(original), 4)
    prints = np.random.default_rng(4).integers(0, 2, len(print_layout(original, TITLE).positions))
    data = render_printed(embed(original, symbols), original=original, title=TITLE, symbols=prints.tolist())
    return original, symbols, prints, data


@pytest.mark.slow
def test_a_scanned_page_gives_back_both_layers(copy: tuple[str, np.ndarray, np.ndarray, bytes]) -> None:
    original, symbols, prints, data = copy
    pages = scan(image_pdf(scanned(data, 200)))
    printed = read_print(original, TITLE, [page.words for page in pages])
    read = printed >= 0
    assert read.mean() >= 0.85
    assert (printed[read] == prints[read]).mean() >= 0.98
    text = extract(original, "\n".join(page.text for page in pages))
    robust = text[: layout(original).robust]
    assert (robust >= 0).mean() >= 0.8 and (robust[robust >= 0] == symbols[: len(robust)][robust >= 0]).mean() >= 0.95
    assert (text[layout(original).robust :] == -1).all()  # OCR reads no zero-width mark


@pytest.mark.slow
def test_a_phone_photo_keeps_most_of_the_print_layer(copy: tuple[str, np.ndarray, np.ndarray, bytes]) -> None:
    original, _, prints, data = copy
    pages = [ocr(photo(page, seed)) for seed, page in enumerate(rasterize(data, 200))]
    printed = read_print(original, TITLE, [page.words for page in pages])
    read = printed >= 0
    assert read.mean() >= 0.5
    assert (printed[read] == prints[read]).mean() >= 0.95


@pytest.mark.slow
def test_pages_in_any_order_read_the_same(copy: tuple[str, np.ndarray, np.ndarray, bytes]) -> None:
    original, _, _, data = copy
    pages = [ocr(image) for image in scanned(data, 200)]
    forward = read_print(original, TITLE, [page.words for page in pages])
    backward = read_print(original, TITLE, [page.words for page in reversed(pages)])
    assert np.array_equal(forward, backward)
    assert (forward >= 0).sum() > (read_print(original, TITLE, [pages[0].words]) >= 0).sum() > 0


@pytest.mark.slow
def test_a_copy_printed_with_another_layout_reads_no_print_symbol(
    copy: tuple[str, np.ndarray, np.ndarray, bytes],
) -> None:
    original, symbols, _, _ = copy
    elsewhere = render_pdf(embed(original, symbols), title=TITLE)  # wrapped by another program: gaps mean nothing
    pages = [ocr(image) for image in scanned(elsewhere, 200)]
    assert (read_print(original, TITLE, [page.words for page in pages]) == -1).all()
    assert (extract(original, "\n".join(page.text for page in pages))[: layout(original).robust] >= 0).mean() >= 0.8
