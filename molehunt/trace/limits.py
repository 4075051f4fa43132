"""Bounds on what reading a leaked file (or a document added to the vault) may cost: a leak comes from outside and
may be crafted to exhaust memory or time, so every reader checks these before it decodes anything.

The limits are far above any real document (a 50,000-word Word file is ~5 MB of XML; an A3 page scanned at 600
dpi is 70 million pixels; the longest vault documents run to a few hundred pages) and far below what would hurt
the machine. Going over one is a :class:`LimitError` that names the limit.
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
from pathlib import Path

from molehunt.errors import MolehuntError

MAX_FILE_BYTES = 256 * 1024**2  # a leaked file or a vault document is read into memory whole
MAX_ZIP_MEMBERS = 5_000  # parts of a Word package (python-docx loads every one)
MAX_ZIP_MEMBER_BYTES = 64 * 1024**2  # one part once inflated (a ZIP bomb inflates a few KB into GBs)
MAX_ZIP_TOTAL_BYTES = 256 * 1024**2  # all parts once inflated (held twice: the bounded copy, then python-docx)
MAX_PDF_PAGES = 2_000  # pages whose text is extracted (each costs pypdf a content-stream parse)
MAX_SCAN_PAGES = 100  # page images OCR'd for one leak (tesseract takes seconds per page)
MAX_PAGE_PIXELS = 100_000_000  # one page image (A3 at 600 dpi is 70 Mpx; 100 Mpx of RGB is 300 MB decoded)
OCR_TIMEOUT_SECONDS = 180  # tesseract on one page (a dense A4 page at 600 dpi takes well under a minute)
OCR_TOTAL_SECONDS = 1_800  # tesseract on all pages of one file (100 pages at ~10 s each is under 20 minutes)
MAX_TEXT_CHARS = 10_000_000  # a leak's text (the longest vault texts are a few MB; 3 M characters take ~10 s)


class LimitError(MolehuntError):
    """An input over one of the limits above, or a file that is not a regular file (a FIFO, a device)."""


def read_bounded(path: Path, limit: int | None = None) -> bytes:
    """The bytes of the regular file at ``path`` (a symbolic link to one is followed), at most ``limit`` of them.

    Raises LimitError for a FIFO, a device or a socket (reading one could block or never end) and for a file over
    the limit; OSError as opening or reading does. A FIFO is opened without blocking, so it is refused at once.
    """
    most = MAX_FILE_BYTES if limit is None else limit
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    with os.fdopen(descriptor, "rb") as handle:
        found = os.fstat(handle.fileno())
        if not stat.S_ISREG(found.st_mode):
            raise LimitError("not a regular file (a FIFO, a device or a socket): refused")
        if found.st_size > most:
            raise LimitError(f"larger than {most // 1024**2} MB: refused")
        data = handle.read(most + 1)  # the file may grow after fstat
    if len(data) > most:
        raise LimitError(f"larger than {most // 1024**2} MB: refused")
    return data


def check_zip(package: zipfile.ZipFile) -> None:
    """LimitError when the ZIP package has too many parts or would inflate past the limits.

    The sizes are the ones the package declares: :func:`repack_zip` then inflates each part no further than that,
    so a header that lies cannot get around them.
    """
    members = package.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise LimitError(f"the package has {len(members):,} parts (at most {MAX_ZIP_MEMBERS:,}): refused")
    biggest = max(members, key=lambda member: member.file_size, default=None)
    if biggest is not None and biggest.file_size > MAX_ZIP_MEMBER_BYTES:
        raise LimitError(
            f"the part {biggest.filename!r} would be {biggest.file_size:,} bytes uncompressed (at most "
            f"{MAX_ZIP_MEMBER_BYTES // 1024**2} MB; a ZIP bomb?): refused"
        )
    total = sum(member.file_size for member in members)
    if total > MAX_ZIP_TOTAL_BYTES:
        raise LimitError(
            f"the package would be {total:,} bytes uncompressed (at most {MAX_ZIP_TOTAL_BYTES // 1024**2} MB): refused"
        )


def repack_zip(data: bytes) -> bytes:
    """A copy of the ZIP package ``data`` (parts stored uncompressed) made within the limits of :func:`check_zip`.

    zipfile's ``read()`` inflates a part in one call and only then cuts it to the size the header declares, so a
    header that understates a part (with a CRC forged to match the cut) would still inflate a bomb in memory.
    Here each part is inflated in 1 MB steps and never past its declared size. Raises LimitError, and zipfile's
    errors (BadZipFile for a damaged package or a part whose CRC does not match).
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as package, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
        check_zip(package)
        for member in package.infolist():
            if member.is_dir():
                continue
            with package.open(member) as source, copy.open(member.filename, "w") as target:
                while chunk := source.read(1024**2):
                    target.write(chunk)
    return out.getvalue()


def check_pixels(width: int, height: int) -> None:
    """LimitError when a page image declares more pixels than :data:`MAX_PAGE_PIXELS` (checked before decoding)."""
    if width * height > MAX_PAGE_PIXELS:
        raise LimitError(
            f"a page image of {width:,} x {height:,} pixels is over the limit of {MAX_PAGE_PIXELS:,} pixels "
            "(a decompression bomb?): refused"
        )


def check_pages(count: int, most: int, what: str) -> None:
    """LimitError when ``count`` pages are more than ``most``."""
    if count > most:
        raise LimitError(f"{what} has {count:,} pages (at most {most:,} are read): refused")
