"""Read page images (PNG, JPEG, TIFF, image-only PDF) with Debian's tesseract: word boxes and text per page.

tesseract runs as a subprocess with its TSV output (one row per word: box, line, confidence, text) and the English
data Debian's ``tesseract-ocr-eng`` installs; nothing is downloaded. Deskew and binarization are tesseract's.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageSequence, UnidentifiedImageError
from pypdf import PdfReader

from molehunt.errors import MolehuntError
from molehunt.trace import limits
from molehunt.trace.carriers.printed import Word

IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")
MIN_WORD_CONFIDENCE = 10.0  # tesseract's 0-100; below this a "word" is usually speckle or a ruled line
# tesseract's OpenMP threads (4 a page) gain little and, on two busy cores, make a page 2-3 times slower for the same
# words (tesseract-ocr/tesseract#3744): one thread unless the caller's environment sets OMP_THREAD_LIMIT.
OCR_THREADS = "1"


class ScanError(MolehuntError):
    """A page image cannot be read (no tesseract, not an image, a PDF without page images)."""


@dataclass(frozen=True)
class ScannedPage:
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        lines: list[list[str]] = []
        last = None
        for word in self.words:
            if word.line != last:
                lines.append([])
                last = word.line
            lines[-1].append(word.text)
        return "\n".join(" ".join(line) for line in lines)


def is_image(data: bytes) -> bool:
    return data.startswith(IMAGE_MAGIC)


def page_images(data: bytes) -> list[Image.Image]:
    """The pages of an image file (every frame of a TIFF) or of an image-only PDF (each page's largest image).

    Raises ScanError when the data is neither, LimitError when it is over molehunt.trace.limits.
    """
    return list(iter_page_images(data))


def iter_page_images(data: bytes) -> Iterator[Image.Image]:
    """:func:`page_images` one at a time, each decoded when asked for: OCR holds one page in memory, not all."""
    if data.startswith(b"%PDF"):
        yield from _pdf_page_images(data)
        return
    try:
        with warnings.catch_warnings():  # Pillow's bomb warning: the pixels are checked against our own limit
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))  # reads the header only: sizes are checked before any pixel
        limits.check_pages(getattr(image, "n_frames", 1), limits.MAX_SCAN_PAGES, "the image")
        for frame in ImageSequence.Iterator(image):
            limits.check_pixels(*frame.size)
            yield frame.copy()
    except Image.DecompressionBombError as exc:
        raise limits.LimitError(f"the image declares too many pixels ({exc})") from None
    except (UnidentifiedImageError, OSError, ValueError) as exc:  # a truncated or damaged file, a bad frame
        raise ScanError(f"not a readable image: {exc}") from None


def _pdf_page_images(data: bytes) -> Iterator[Image.Image]:
    found_any = False
    try:
        reader = PdfReader(io.BytesIO(data))
        limits.check_pages(len(reader.pages), limits.MAX_SCAN_PAGES, "the PDF")
        for page in reader.pages:  # every page's sizes before any page is decoded and OCR'd
            for found in _declared_images(page):
                limits.check_pixels(*found)
        for page in reader.pages:
            images = [image.image for image in page.images if image.image is not None]
            if images:
                found_any = True
                yield max(images, key=lambda im: im.width * im.height)
    except limits.LimitError:
        raise
    except Exception as exc:  # pypdf and Pillow raise many types on a damaged or crafted PDF (and bound inflation)
        raise ScanError(f"cannot read the PDF's page images ({type(exc).__name__}: {exc})") from None
    if not found_any:
        raise ScanError("the PDF has neither text nor page images: nothing to read")


def _declared_images(page: Any) -> list[tuple[int, int]]:
    """The (width, height) each image XObject of ``page`` declares, read before pypdf decodes any of them."""
    resources = page.get("/Resources")
    objects = resources.get_object().get("/XObject") if resources is not None else None
    sizes = []
    for reference in (objects.get_object() if objects is not None else {}).values():
        found = reference.get_object()
        if found.get("/Subtype") == "/Image":
            sizes.append((int(found.get("/Width", 0)), int(found.get("/Height", 0))))
    return sizes


def tesseract() -> str:
    """The tesseract executable, or ScanError naming the Debian packages to install."""
    found = shutil.which("tesseract")
    if found is None:
        raise ScanError(
            "reading images needs tesseract: install Debian's tesseract-ocr and tesseract-ocr-eng packages "
            "(sudo apt-get install tesseract-ocr tesseract-ocr-eng, or `make tesseract` as root)"
        )
    return found


def ocr(image: Image.Image, *, timeout: float | None = None) -> ScannedPage:
    """The words tesseract reads on one page image, in reading order, with their boxes in pixels.

    tesseract is killed after ``timeout`` seconds (default ``limits.OCR_TIMEOUT_SECONDS``): a ScanError.
    """
    program = tesseract()
    seconds = limits.OCR_TIMEOUT_SECONDS if timeout is None else timeout
    with tempfile.TemporaryDirectory(prefix="molehunt-ocr-") as tmp:
        path = Path(tmp) / "page.png"
        image.convert("L").save(path)
        dpi = image.info.get("dpi", (0, 0))[0]
        command = [program, str(path), "stdout", "-l", "eng", "--psm", "3"]
        if dpi and dpi >= 70:
            command += ["--dpi", str(round(dpi))]
        try:  # a fixed program and our own temporary file: nothing from the leak reaches the command line
            done = subprocess.run(  # noqa: S603
                [*command, "tsv"],
                capture_output=True,
                text=True,
                timeout=seconds,
                check=False,
                env={"OMP_THREAD_LIMIT": OCR_THREADS, **os.environ},  # the caller's own limit wins
            )
        except subprocess.TimeoutExpired:  # run() kills tesseract before raising this
            raise ScanError(
                f"tesseract took more than {seconds:.0f} s on one page (at most {limits.OCR_TIMEOUT_SECONDS} s a "
                f"page, {limits.OCR_TOTAL_SECONDS} s a file): refused"
            ) from None
    if done.returncode != 0:
        said = done.stderr.strip()[-300:]
        if not said:  # killed by a signal, or silent: say how it ended rather than nothing
            said = f"killed by signal {-done.returncode}" if done.returncode < 0 else f"exit status {done.returncode}"
        raise ScanError(f"tesseract failed: {said}")
    words = []
    lines: dict[tuple[str, str, str], int] = {}
    for row in csv.DictReader(io.StringIO(done.stdout), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text or float(row.get("conf") or -1) < MIN_WORD_CONFIDENCE:
            continue
        line = lines.setdefault((row["block_num"], row["par_num"], row["line_num"]), len(lines))
        words.append(Word(text, float(row["left"]), float(row["top"]), float(row["width"]), float(row["height"]), line))
    return ScannedPage(tuple(words))


def scan(data: bytes) -> list[ScannedPage]:
    """Every page of an image file or image-only PDF, OCR'd, within ``limits.OCR_TOTAL_SECONDS`` in all."""
    deadline = time.monotonic() + limits.OCR_TOTAL_SECONDS
    pages = []
    for image in iter_page_images(data):
        left = max(1.0, deadline - time.monotonic())  # the last page gets a second, then the error says why
        pages.append(ocr(image, timeout=min(limits.OCR_TIMEOUT_SECONDS, left)))
    return pages
