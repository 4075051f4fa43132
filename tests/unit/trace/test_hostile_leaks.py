"""Hostile leaked files: a leak comes from outside (possibly crafted by the leaker), so reading one must end in a
clear MolehuntError naming the file and the problem, in bounded memory and time, never a traceback or a hang."""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from bench.hostile_leaks import (
    PROSE,
    billion_laughs,
    body_xml,
    lying_word_bomb,
    pdf_huge_image,
    pdf_page_loop,
    pdf_pages,
    pdf_stream_bomb,
    png_header,
    raw_pdf,
    stream,
    tiff_frames,
    word_bomb,
    word_package,
)
from molehunt.errors import MolehuntError
from molehunt.trace import limits
from molehunt.vault.tracing import read_leak


def refused(path: Path, match: str) -> str:
    """read_leak's error for ``path``: a MolehuntError naming the file and matching ``match``."""
    with pytest.raises(MolehuntError, match=match) as caught:
        read_leak(path)
    assert str(path) in str(caught.value) or path.name in str(caught.value)
    return str(caught.value)


# ---- files that are not files -------------------------------------------------------------------------------


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "leak.txt"
    os.mkfifo(fifo)
    refused(fifo, "not a regular file")


def test_dev_zero_is_refused_instead_of_read_forever() -> None:
    refused(Path("/dev/zero"), "not a regular file")


def test_a_huge_sparse_file_is_refused_by_its_size(tmp_path: Path) -> None:
    sparse = tmp_path / "leak.pdf"
    with sparse.open("wb") as handle:
        handle.truncate(5 * 1024**3)  # 5 GB of holes: nothing is written to the disk
    refused(sparse, "larger than")


def test_a_text_leak_over_the_text_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_TEXT_CHARS", 1_000)
    leak = tmp_path / "leak.txt"
    leak.write_text(PROSE * 10)
    assert read_leak(leak)[0] == PROSE * 10
    leak.write_text(PROSE * 20)
    refused(leak, "characters of text")


def test_a_folder_of_pages_refuses_links_and_skips_nothing_silently(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    Image.new("L", (40, 40), 255).save(folder / "p1.png")
    (folder / "p2.png").symlink_to("/etc/shadow")
    refused(folder, "symbolic link")
    (folder / "p2.png").unlink()
    os.mkfifo(folder / "p2.png")
    refused(folder, "not a regular file")


def test_a_folder_with_too_many_pages_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_SCAN_PAGES", 3)
    folder = tmp_path / "pages"
    folder.mkdir()
    for number in range(4):
        Image.new("L", (40, 40), 255).save(folder / f"p{number}.png")
    refused(folder, "pages")


# ---- Word ---------------------------------------------------------------------------------------------------


def test_a_word_zip_bomb_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    data = word_bomb(limits.MAX_ZIP_MEMBER_BYTES + 8 * 1024**2)
    leak = tmp_path / "bomb.docx"
    leak.write_bytes(data)
    assert leak.stat().st_size < 2 * 1024**2  # a small file that would inflate past the limit
    refused(leak, "uncompressed")


def test_a_part_whose_header_understates_its_size_is_never_inflated_past_it(tmp_path: Path) -> None:
    data = lying_word_bomb(300 * 1024**2, declared=1000)  # CRC forged to match the first 1000 bytes
    with zipfile.ZipFile(io.BytesIO(limits.repack_zip(data))) as bounded:
        assert len(bounded.read("word/document.xml")) == 1000
    leak = tmp_path / "liar.docx"
    leak.write_bytes(data)
    refused(leak, "Word document")  # the 1000 bytes are no XML python-docx can parse


def test_a_word_package_with_too_many_parts_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_ZIP_MEMBERS", 20)
    leak = tmp_path / "many.docx"
    leak.write_bytes(word_package(body_xml(PROSE), {f"word/media/p{n}.bin": b"x" for n in range(30)}))
    refused(leak, "parts")


def test_billion_laughs_in_a_word_document_is_not_expanded(tmp_path: Path) -> None:
    leak = tmp_path / "laughs.docx"
    leak.write_bytes(billion_laughs())
    try:
        text, _, _ = read_leak(leak)
    except MolehuntError as exc:
        assert leak.name in str(exc)
    else:
        assert "lollol" not in text and len(text) < 10_000


def test_an_external_entity_in_a_word_document_reads_no_local_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-PASSWORD")
    doctype = f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    leak = tmp_path / "xxe.docx"
    leak.write_bytes(word_package(body_xml("&xxe;", doctype)))
    try:
        text, _, _ = read_leak(leak)
    except MolehuntError as exc:
        assert leak.name in str(exc)
    else:
        assert "TOP-SECRET" not in text


def test_a_truncated_word_package_and_a_traversal_name_end_cleanly(tmp_path: Path) -> None:
    whole = word_package(body_xml(PROSE), {"../../evil.txt": b"planted"})
    leak = tmp_path / "cut.docx"
    leak.write_bytes(whole[: len(whole) // 2])
    try:
        read_leak(leak)  # read as bytes of an unknown file, or refused: either way no traceback
    except MolehuntError as exc:
        assert leak.name in str(exc)
    leak.write_bytes(whole)
    text, _, _ = read_leak(leak)
    assert "committee" in text
    assert not (tmp_path.parent / "evil.txt").exists() and not Path("evil.txt").exists()


# ---- images -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("side", [50_000, 12_000])  # above Pillow's bomb error; between its warning and error
def test_an_image_declaring_too_many_pixels_is_refused_before_decoding(tmp_path: Path, side: int) -> None:
    leak = tmp_path / "bomb.png"
    leak.write_bytes(png_header(side, side))
    refused(leak, "pixels")


def test_a_tiff_with_too_many_frames_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_SCAN_PAGES", 5)
    monkeypatch.setattr(shutil, "which", lambda _name: None)  # OCR must not even start
    leak = tmp_path / "many.tiff"
    leak.write_bytes(tiff_frames(6))
    refused(leak, "pages")


def test_a_truncated_image_is_a_clear_error(tmp_path: Path) -> None:
    out = io.BytesIO()
    Image.new("L", (400, 400), 128).save(out, format="PNG")
    leak = tmp_path / "cut.png"
    leak.write_bytes(out.getvalue()[:200])
    refused(leak, "image")


def _hanging_tesseract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A tesseract on PATH that never answers."""
    tools = tmp_path / "bin"
    tools.mkdir()
    fake = tools / "tesseract"
    fake.write_text("#!/bin/sh\nexec /bin/sleep 60\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tools))


def test_a_hanging_tesseract_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _hanging_tesseract(tmp_path, monkeypatch)
    monkeypatch.setattr(limits, "OCR_TIMEOUT_SECONDS", 1)
    leak = tmp_path / "photo.png"
    Image.new("L", (60, 60), 255).save(leak)
    refused(leak, "tesseract took more than 1 s on one page")


def test_ocr_of_one_file_stops_at_its_total_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _hanging_tesseract(tmp_path, monkeypatch)
    monkeypatch.setattr(limits, "OCR_TOTAL_SECONDS", 1)  # the per-page limit (180 s) is not what stops it
    leak = tmp_path / "pages.tiff"
    leak.write_bytes(tiff_frames(3))
    refused(leak, "tesseract took more than 1 s on one page .*1 s a file")


def test_ocr_of_a_folder_stops_at_its_total_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "OCR_TOTAL_SECONDS", 0)  # spent before the first page
    monkeypatch.setattr(shutil, "which", lambda _name: None)  # OCR must not even start
    folder = tmp_path / "pages"
    folder.mkdir()
    Image.new("L", (40, 40), 255).save(folder / "p1.png")
    refused(folder, "OCR took more than 0 s")


def test_a_missing_tesseract_names_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    leak = tmp_path / "photo.png"
    Image.new("L", (60, 60), 255).save(leak)
    refused(leak, "tesseract-ocr")


# ---- PDF ----------------------------------------------------------------------------------------------------


def test_garbage_after_the_pdf_signature_is_a_clear_error(tmp_path: Path) -> None:
    leak = tmp_path / "junk.pdf"
    leak.write_bytes(b"%PDF-1.7\n" + os.urandom(4096))
    refused(leak, "PDF")


def test_an_encrypted_pdf_is_refused_and_says_so(tmp_path: Path) -> None:
    leak = tmp_path / "locked.pdf"
    leak.write_bytes(pdf_pages(1, password="secret-password"))
    refused(leak, "encrypted")


def test_a_pdf_with_too_many_pages_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_PDF_PAGES", 50)
    leak = tmp_path / "long.pdf"
    leak.write_bytes(pdf_pages(51))
    refused(leak, "pages")


def test_a_pdf_page_tree_loop_ends_in_a_clear_error(tmp_path: Path) -> None:
    leak = tmp_path / "loop.pdf"
    leak.write_bytes(pdf_page_loop())
    refused(leak, "cyclic")


def test_a_pdf_content_stream_bomb_is_refused(tmp_path: Path) -> None:
    leak = tmp_path / "bomb.pdf"
    leak.write_bytes(pdf_stream_bomb())
    assert leak.stat().st_size < 1024**2  # inflates to 200 MB
    refused(leak, "PDF")


def test_an_image_only_pdf_with_a_huge_page_image_is_refused_before_decoding(tmp_path: Path) -> None:
    leak = tmp_path / "scan.pdf"
    leak.write_bytes(pdf_huge_image())
    refused(leak, "pixels")


def hostile_pdfs() -> dict[str, bytes]:
    head = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>"
    return {
        "stream bomb": pdf_stream_bomb(),
        "nesting": raw_pdf(*head, page, stream(b"[" * 100_000 + b"] Tj")),
        "bad operands": raw_pdf(*head, page, stream(b"BT /F1 /X Td (a) Tj ET")),
        "page loop": pdf_page_loop(),
        "garbage": b"%PDF-1.7\n" + bytes(range(256)) * 16,
    }


@pytest.mark.parametrize("name", list(hostile_pdfs()))
def test_a_hostile_pdf_original_is_unmarkable_and_a_hostile_pdf_leak_reads_nothing(name: str) -> None:
    from molehunt.trace import formats
    from molehunt.trace.carriers import pdf_original
    from molehunt.trace.carriers.pdf import render_pdf

    data = hostile_pdfs()[name]
    reason = formats.markable("pdf", data)  # what `vault add` checks: a reason, not an exception
    assert reason is not None and "PDF" in reason
    original = render_pdf("The committee met on Tuesday.\n\nIt agreed the budget for the coming year.", title="Memo")
    assert (pdf_original.extract(original, data) == -1).all()


def test_a_pdf_original_over_the_page_limit_is_refused_not_stored_unmarked(monkeypatch: pytest.MonkeyPatch) -> None:
    from molehunt.trace import formats

    monkeypatch.setattr(limits, "MAX_PDF_PAGES", 50)
    assert formats.markable("pdf", pdf_pages(50)) is not None  # blank pages: no text lines, a reason
    with pytest.raises(limits.LimitError, match="51 pages"):  # `vault add` refuses it even with --allow-unmarked
        formats.markable("pdf", pdf_pages(51))
