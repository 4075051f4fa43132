"""Hostile leaked files through the real `molehunt trace` CLI: each attack in its own process, with its exit code,
wall time, peak memory (the child's maxrss) and the first line it printed. Every row must end in exit code 2 with
one line naming the file, never a traceback, a hang or a memory blow-up.

    .venv/bin/python bench/hostile_leaks.py

The builders here make the attack files; tests/unit/trace/test_hostile_leaks.py uses them too.
"""

from __future__ import annotations

import io
import os
import shutil
import struct
import subprocess
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import docx
from PIL import Image
from pypdf import PdfWriter

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


def _inflated_docx(inflated: int, *, zip64: bool) -> bytes:
    """A .docx whose word/document.xml is the start of a small document followed by about ``inflated`` bytes of
    spaces (they compress ~1000:1); ``zip64`` for a member of 4 GB or more."""
    out = io.BytesIO()
    source = word_package(body_xml(PROSE))
    with zipfile.ZipFile(io.BytesIO(source)) as original, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in original.infolist():
            if item.filename != "word/document.xml":
                bomb.writestr(item.filename, original.read(item))
        with bomb.open("word/document.xml", "w", force_zip64=zip64) as member:
            member.write(_bomb_start())
            chunk = b" " * (1 << 20)
            for _ in range(inflated // len(chunk)):
                member.write(chunk)
    return out.getvalue()


def _bomb_start() -> bytes:
    """What a bomb's word/document.xml begins with: a small document cut before its closing tags."""
    return body_xml(PROSE)[:-40]


def word_bomb(inflated: int) -> bytes:
    """A .docx whose word/document.xml inflates to about ``inflated`` bytes."""
    return _inflated_docx(inflated, zip64=True)


def lying_word_bomb(inflated: int, declared: int = 1000) -> bytes:
    """A .docx whose word/document.xml inflates to ``inflated`` bytes while its header says ``declared``, with a
    CRC forged to match the first ``declared`` bytes (so a reader that stops at the declared size sees no error)."""
    data = bytearray(_inflated_docx(inflated, zip64=False))
    head = (_bomb_start() + b" " * declared)[:declared]
    at = data.find(b"PK\x01\x02")
    while at != -1:  # the central directory entry: CRC at +16, uncompressed size at +24, name length at +28
        length = struct.unpack("<H", data[at + 28 : at + 30])[0]
        if data[at + 46 : at + 46 + length] == b"word/document.xml":
            data[at + 16 : at + 20] = struct.pack("<I", zlib.crc32(head))
            data[at + 24 : at + 28] = struct.pack("<I", declared)
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


def body_xml(inner: str, doctype: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        + doctype
        + '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        + f"<w:body><w:p><w:r><w:t>{inner}</w:t></w:r></w:p></w:body></w:document>"
    ).encode()


def billion_laughs() -> bytes:
    entities = '<!ENTITY lol "lollollollollollollollollollol">' + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n > 1 else "&lol;" * 10}">' for n in range(1, 10)
    )
    return word_package(body_xml("&lol9;", f"<!DOCTYPE w:document [{entities}]>"))


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


def tiff_frames(count: int) -> bytes:
    frames = [Image.new("L", (8, 8), 255) for _ in range(count)]
    out = io.BytesIO()
    frames[0].save(out, format="TIFF", save_all=True, append_images=frames[1:])
    return out.getvalue()


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


_HEAD = (b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
_PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R"


def pdf_stream_bomb() -> bytes:
    return raw_pdf(*_HEAD, _PAGE + b" >>", stream(b" " * (200 * 1024**2)))


def pdf_huge_image() -> bytes:
    image = stream(
        b"\x00" * 4096,
        b"/Type /XObject /Subtype /Image /Width 50000 /Height 50000 /ColorSpace /DeviceGray /BitsPerComponent 8",
    )
    resources = b" /Resources << /XObject << /Im0 5 0 R >> >> >>"
    return raw_pdf(*_HEAD, _PAGE + resources, stream(b"q 200 0 0 200 0 0 cm /Im0 Do Q"), image)


def pdf_page_loop() -> bytes:
    return raw_pdf(
        _HEAD[0],
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    )


def pdf_pages(count: int, password: str | None = None) -> bytes:
    writer = PdfWriter()
    for _ in range(count):
        writer.add_blank_page(200, 200)
    if password:
        writer.encrypt(password, algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _attacks(folder: Path) -> list[tuple[str, Callable[[], Path]]]:
    def file(name: str, data: bytes) -> Callable[[], Path]:
        def make() -> Path:
            (folder / name).write_bytes(data)
            return folder / name

        return make

    def fifo() -> Path:
        os.mkfifo(folder / "leak.txt")
        return folder / "leak.txt"

    def sparse() -> Path:
        with (folder / "huge.pdf").open("wb") as handle:
            handle.truncate(5 * 1024**3)
        return folder / "huge.pdf"

    def linked() -> Path:
        (folder / "pages").mkdir()
        Image.new("L", (40, 40), 255).save(folder / "pages" / "p1.png")
        (folder / "pages" / "p2.png").symlink_to("/etc/shadow")
        return folder / "pages"

    return [
        ("/dev/zero", lambda: Path("/dev/zero")),
        ("a FIFO", fifo),
        ("5 GB sparse file", sparse),
        ("page folder with a link to /etc/shadow", linked),
        ("Word ZIP bomb (2 GB document.xml)", file("bomb.docx", word_bomb(2 * 1024**3))),
        ("Word ZIP bomb, header says 1 KB (300 MB)", file("liar.docx", lying_word_bomb(300 * 1024**2))),
        ("Word billion laughs", file("laughs.docx", billion_laughs())),
        ("PNG declaring 50,000 x 50,000", file("bomb.png", png_header(50_000, 50_000))),
        ("TIFF of 10,000 frames", file("frames.tiff", tiff_frames(10_000))),
        ("PDF of 10,000 pages", file("long.pdf", pdf_pages(10_000))),
        ("PDF page tree loop", file("loop.pdf", pdf_page_loop())),
        ("PDF encrypted", file("locked.pdf", pdf_pages(1, "secret"))),
        ("PDF garbage after %PDF-", file("junk.pdf", b"%PDF-1.7\n" + os.urandom(4096))),
        ("PDF 200 MB content-stream bomb", file("bomb.pdf", pdf_stream_bomb())),
        ("image-only PDF, 50,000^2 image", file("scan.pdf", pdf_huge_image())),
    ]


def _run(path: Path, home: Path) -> tuple[int, float, float, str]:
    started = time.perf_counter()
    process = subprocess.Popen(
        [shutil.which("molehunt") or "molehunt", "--home", str(home), "trace", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert process.stdout is not None
    said = process.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    lines = [line for line in said.splitlines() if line.strip()]
    shown = "TRACEBACK" if "Traceback" in said else (lines[-1] if lines else "")
    return process.returncode, seconds, usage.ru_maxrss / 1024, shown


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="molehunt-hostile-") as tmp:
        folder = Path(tmp)
        print(f"{'attack':40} {'exit':>4} {'seconds':>8} {'peak MB':>8}  message")
        for name, make in _attacks(folder):
            code, seconds, peak, shown = _run(make(), folder / "home")
            print(f"{name:40} {code:>4} {seconds:8.2f} {peak:8.0f}  {shown.replace(tmp, '$TMP')[:150]}")


if __name__ == "__main__":
    main()
