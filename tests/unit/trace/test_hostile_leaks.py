"""Hostile leaked files: a leak comes from outside (possibly crafted by the leaker), so reading one must end in a
clear MolehuntError naming the file and the problem, in bounded memory and time, never a traceback or a hang."""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from pathlib import Path

import docx
import pytest
from PIL import Image
from pypdf import PdfWriter

from molehunt.errors import MolehuntError
from molehunt.trace import limits
from molehunt.trace.carriers import scan as scan_module
from molehunt.vault.tracing import read_leak

PROSE = "The committee met on Tuesday and agreed the budget for the coming year without a vote."


def word_package(document_xml: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    """A real .docx (made by python-docx) whose word/document.xml is replaced by ``document_xml``."""
    made = docx.Document()
    made.add_paragraph(PROSE)
    source = io.BytesIO()
    made.save(source)
    out = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for item in original.infolist():
            body = document_xml if item.filename == "word/document.xml" else original.read(item)
            package.writestr(item.filename, body)
        for name, body in (extra or {}).items():
            package.writestr(name, body)
    return out.getvalue()


def body_xml(inner: str, doctype: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        + doctype
        + '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        + f"<w:body><w:p><w:r><w:t>{inner}</w:t></w:r></w:p></w:body></w:document>"
    ).encode()


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
    out = io.BytesIO()
    source = word_package(body_xml(PROSE))
    with zipfile.ZipFile(io.BytesIO(source)) as original, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in original.infolist():
            if item.filename != "word/document.xml":
                bomb.writestr(item.filename, original.read(item))
        with bomb.open("word/document.xml", "w") as member:
            member.write(body_xml(PROSE)[:-40])
            chunk = b" " * (1 << 20)
            for _ in range(limits.MAX_ZIP_MEMBER_BYTES // len(chunk) + 8):
                member.write(chunk)
    leak = tmp_path / "bomb.docx"
    leak.write_bytes(out.getvalue())
    assert leak.stat().st_size < 2 * 1024**2  # a small file that would inflate past the limit
    refused(leak, "uncompressed")


def test_a_word_package_with_too_many_parts_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_ZIP_MEMBERS", 20)
    leak = tmp_path / "many.docx"
    leak.write_bytes(word_package(body_xml(PROSE), {f"word/media/p{n}.bin": b"x" for n in range(30)}))
    refused(leak, "parts")


def test_billion_laughs_in_a_word_document_is_not_expanded(tmp_path: Path) -> None:
    entities = '<!ENTITY lol "lollollollollollollollollollol">' + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n > 1 else "&lol;" * 10}">' for n in range(1, 10)
    )
    leak = tmp_path / "laughs.docx"
    leak.write_bytes(word_package(body_xml("&lol9;", f"<!DOCTYPE w:document [{entities}]>")))
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


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares ``width`` x ``height`` pixels and holds almost no data (a decompression bomb's head)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("side", [50_000, 12_000])  # above Pillow's bomb error; between its warning and error
def test_an_image_declaring_too_many_pixels_is_refused_before_decoding(tmp_path: Path, side: int) -> None:
    leak = tmp_path / "bomb.png"
    leak.write_bytes(png_header(side, side))
    refused(leak, "pixels")


def test_a_tiff_with_too_many_frames_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_SCAN_PAGES", 5)
    monkeypatch.setattr(scan_module.shutil, "which", lambda _name: None)  # OCR must not even start
    frames = [Image.new("L", (8, 8), 255) for _ in range(6)]
    out = io.BytesIO()
    frames[0].save(out, format="TIFF", save_all=True, append_images=frames[1:])
    leak = tmp_path / "many.tiff"
    leak.write_bytes(out.getvalue())
    refused(leak, "pages")


def test_a_truncated_image_is_a_clear_error(tmp_path: Path) -> None:
    out = io.BytesIO()
    Image.new("L", (400, 400), 128).save(out, format="PNG")
    leak = tmp_path / "cut.png"
    leak.write_bytes(out.getvalue()[:200])
    refused(leak, "image")


def test_a_hanging_tesseract_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    fake = tools / "tesseract"
    fake.write_text("#!/bin/sh\nexec /bin/sleep 60\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tools))
    monkeypatch.setattr(limits, "OCR_TIMEOUT_SECONDS", 1)
    leak = tmp_path / "photo.png"
    Image.new("L", (60, 60), 255).save(leak)
    refused(leak, "tesseract took more than 1 s")


def test_a_missing_tesseract_names_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    leak = tmp_path / "photo.png"
    Image.new("L", (60, 60), 255).save(leak)
    refused(leak, "tesseract-ocr")


# ---- PDF ----------------------------------------------------------------------------------------------------


def raw_pdf(*objects: bytes) -> bytes:
    """A PDF made of ``objects`` (object 1 the catalog) with a correct cross-reference table."""
    out = b"%PDF-1.7\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % at for at in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def stream(data: bytes, extra: bytes = b"") -> bytes:
    packed = zlib.compress(data, 9)
    return b"<< /Length %d /Filter /FlateDecode %s >>\nstream\n" % (len(packed), extra) + packed + b"\nendstream"


def test_garbage_after_the_pdf_signature_is_a_clear_error(tmp_path: Path) -> None:
    leak = tmp_path / "junk.pdf"
    leak.write_bytes(b"%PDF-1.7\n" + os.urandom(4096))
    refused(leak, "PDF")


def test_an_encrypted_pdf_is_refused_and_says_so(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("secret-password", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    leak = tmp_path / "locked.pdf"
    leak.write_bytes(out.getvalue())
    refused(leak, "encrypted")


def test_a_pdf_with_too_many_pages_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_PDF_PAGES", 50)
    writer = PdfWriter()
    for _ in range(51):
        writer.add_blank_page(200, 200)
    out = io.BytesIO()
    writer.write(out)
    leak = tmp_path / "long.pdf"
    leak.write_bytes(out.getvalue())
    refused(leak, "pages")


def test_a_pdf_page_tree_loop_ends_in_a_clear_error(tmp_path: Path) -> None:
    leak = tmp_path / "loop.pdf"
    leak.write_bytes(
        raw_pdf(
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        )
    )
    try:
        read_leak(leak)
    except MolehuntError as exc:
        assert leak.name in str(exc)


def test_a_pdf_content_stream_bomb_is_refused(tmp_path: Path) -> None:
    leak = tmp_path / "bomb.pdf"
    leak.write_bytes(
        raw_pdf(
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
            stream(b" " * (200 * 1024**2)),
        )
    )
    assert leak.stat().st_size < 1024**2
    refused(leak, "PDF")


def test_an_image_only_pdf_with_a_huge_page_image_is_refused_before_decoding(tmp_path: Path) -> None:
    image = stream(b"\x00" * 4096, b"/Type /XObject /Subtype /Image /Width 50000 /Height 50000 /ColorSpace "
                   b"/DeviceGray /BitsPerComponent 8")  # fmt: skip
    leak = tmp_path / "scan.pdf"
    leak.write_bytes(
        raw_pdf(
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R"
            b" /Resources << /XObject << /Im0 5 0 R >> >> >>",
            stream(b"q 200 0 0 200 0 0 cm /Im0 Do Q"),
            image,
        )
    )
    refused(leak, "pixels")


def hostile_pdfs() -> dict[str, bytes]:
    head = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>"
    return {
        "stream bomb": raw_pdf(*head, page, stream(b" " * (200 * 1024**2))),
        "nesting": raw_pdf(*head, page, stream(b"[" * 100_000 + b"] Tj")),
        "bad operands": raw_pdf(*head, page, stream(b"BT /F1 /X Td (a) Tj ET")),
        "page loop": raw_pdf(
            head[0], b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>", b"<< /Type /Page /Parent 2 0 R >>"
        ),
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
