"""What a leaker does to a page between the vault's PDF and the investigator: print, scan, photograph.

Library for the tests and a benchmark when run: ``.venv/bin/python bench/print_attacks.py [--words 5000]`` renders
a document from the GPL-3 text (Debian's /usr/share/common-licenses/GPL-3, or the test prose) for 30 recipients,
applies each attack to one recipient's copy and to two colluders' interleaved pages, traces the result through the
reader ``molehunt trace`` uses, and prints positions per page, positions read, the accused and OCR time per page.

The attacks are deterministic (seeded): a raster at 150/200/300 dpi (pypdfium2, the dev dependency), a small
rotation, a Gaussian blur, JPEG at quality 75, a phone-like photo (perspective warp, uneven lighting, sensor noise)
and an image-only PDF of the pages (a scanned PDF).
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pypdfium2
from PIL import Image, ImageFilter

Attack = Callable[[Image.Image], Image.Image]


def rasterize(pdf: bytes, dpi: int) -> list[Image.Image]:
    """Each page of ``pdf`` as a greyscale image at ``dpi`` (what a scanner or a print-to-image gives)."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        pages = []
        for i in range(len(document)):
            image = document[i].render(scale=dpi / 72).to_pil().convert("L")
            image.info["dpi"] = (dpi, dpi)
            pages.append(image)
        return pages
    finally:
        document.close()


def rotate(image: Image.Image, degrees: float) -> Image.Image:
    out = image.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    out.info["dpi"] = image.info.get("dpi", (0, 0))
    return out


def blur(image: Image.Image, radius: float = 1.0) -> Image.Image:
    out = image.filter(ImageFilter.GaussianBlur(radius))
    out.info["dpi"] = image.info.get("dpi", (0, 0))
    return out


def jpeg_bytes(image: Image.Image, quality: int = 75) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, dpi=image.info.get("dpi", (200, 200)))
    return buffer.getvalue()


def jpeg(image: Image.Image, quality: int = 75) -> Image.Image:
    return Image.open(io.BytesIO(jpeg_bytes(image, quality)))


def photo(image: Image.Image, seed: int = 0) -> Image.Image:
    """A phone photo of a page lying on a desk: a perspective view (one side nearer), up to 2 degrees of rotation,
    light falling off across the page, a slight blur and sensor noise, saved by the phone as JPEG."""
    rng = np.random.default_rng(seed)
    w, h = image.size
    margin = 0.04
    # Corners of the page as the camera sees them (top narrower: the camera is nearer the bottom edge).
    seen = [
        (w * (margin + rng.uniform(0.01, 0.03)), h * rng.uniform(0.01, 0.02)),
        (w * (1 - margin - rng.uniform(0.01, 0.03)), h * rng.uniform(0.0, 0.02)),
        (w * (1 - rng.uniform(0.0, 0.01)), h * (1 - rng.uniform(0.0, 0.01))),
        (w * rng.uniform(0.0, 0.01), h * (1 - rng.uniform(0.0, 0.02))),
    ]
    coefficients = _perspective(seen, [(0, 0), (w, 0), (w, h), (0, h)])
    warped = image.transform((w, h), Image.Transform.PERSPECTIVE, coefficients, Image.Resampling.BICUBIC, fillcolor=200)
    warped = warped.rotate(rng.uniform(-2, 2), resample=Image.Resampling.BICUBIC, fillcolor=200)  # held by hand
    yy, xx = np.mgrid[0:h, 0:w]
    light = 1.0 - 0.25 * (xx / w) * (0.6 + 0.4 * yy / h)  # brighter on the lamp's side
    pixels = np.asarray(warped, dtype=np.float64) * light + rng.normal(0, 6, (h, w))
    out = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.7))
    out.info["dpi"] = image.info.get("dpi", (0, 0))
    return jpeg(out, 85)


def _perspective(src: Sequence[tuple[float, float]], dst: Sequence[tuple[float, float]]) -> tuple[float, ...]:
    """PIL's 8 coefficients mapping output pixel (dst) to input pixel (src)."""
    rows = []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    solution = np.linalg.solve(np.array(rows, dtype=np.float64), np.array([c for p in src for c in p], dtype=float))
    return tuple(float(c) for c in solution)


def image_pdf(pages: Sequence[Image.Image], dpi: int = 200) -> bytes:
    """An image-only PDF of ``pages`` (a scanned PDF: no text layer)."""
    buffer = io.BytesIO()
    first, *rest = [page.convert("L") for page in pages]
    first.save(buffer, "PDF", save_all=True, append_images=rest, resolution=dpi)
    return buffer.getvalue()


def scanned(pdf: bytes, dpi: int = 200, degrees: float = 0.5, radius: float = 1.0) -> list[Image.Image]:
    """The issue's attack: rasterized at ``dpi``, rotated, blurred and saved as JPEG (quality 75), page by page."""
    return [jpeg(blur(rotate(page, degrees), radius)) for page in rasterize(pdf, dpi)]


# --- the benchmark --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    attack: str
    positions: int
    read_text: int
    read_print: int
    accused: str
    ocr_seconds_per_page: float


def _source(words: int) -> str:
    gpl = Path("/usr/share/common-licenses/GPL-3")
    if gpl.exists():
        paragraphs, count = [], 0
        for block in gpl.read_text().split("\n\n"):
            if count >= words:
                break
            paragraphs.append(block)
            count += len(block.split())
        return "\n\n".join(paragraphs)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.unit.trace.carriers.prose import document

    return document(words, seed=11)


def main(argv: Sequence[str] | None = None) -> None:
    from molehunt.trace.carriers.printed import print_layout, read_print, render_printed
    from molehunt.trace.carriers.scan import ocr, scan
    from molehunt.trace.carriers.text import embed, extract, layout
    from molehunt.trace.code import accuse
    from molehunt.trace.marking import code_for

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=5000)
    parser.add_argument("--attacks", default="150,200,300,photo,scanned-pdf,colluders")
    args = parser.parse_args(argv)
    original, title = _source(args.words), "GNU General Public License v3 (excerpt)"
    shape, prints = layout(original), print_layout(original, title).alphabet
    code = code_for(b"bench-vault-key", "doc-bench", shape, prints)
    recipients = [f"user{i:02d}" for i in range(30)]

    def copy(user: str) -> bytes:
        word = code.codeword(user).tolist()
        marked = embed(original, word[: len(shape.alphabet)])
        return render_printed(marked, original=original, title=title, symbols=word[len(shape.alphabet) :])

    pdfs = {user: copy(user) for user in ("user07", "user13")}
    pages = print_layout(original, title).pages
    print(
        f"{args.words:,}-word document, {pages} pages: {len(shape.alphabet):,} text positions "
        f"({shape.robust:,} robust), {len(prints):,} print positions ({len(prints) / pages:.0f} per page)"
    )
    user, other = pdfs["user07"], pdfs["user13"]
    attacks: dict[str, tuple[str, Callable[[], list[Image.Image] | bytes]]] = {
        "150": ("150 dpi, 0.5 deg, blur, JPEG 75", lambda: scanned(user, 150)),
        "200": ("200 dpi, 0.5 deg, blur, JPEG 75", lambda: scanned(user, 200)),
        "300": ("300 dpi, 0.5 deg, blur, JPEG 75", lambda: scanned(user, 300)),
        "photo": ("phone photo (200 dpi page)", lambda: [photo(p, i) for i, p in enumerate(rasterize(user, 200))]),
        "scanned-pdf": ("scanned PDF (200 dpi JPEG pages)", lambda: image_pdf(scanned(user, 200))),
        "colluders": ("2 colluders, pages interleaved (200 dpi)", lambda: _interleaved(user, other)),
    }
    print(f"{'attack':42} {'text read':>10} {'print read':>11} {'wrong':>6}  accused (of 30, eps 1e-5)  OCR s/page")
    truth = code.codeword("user07")[len(shape.alphabet) :]
    for key in args.attacks.split(","):
        name, make = attacks[key]
        made = make()
        start = time.perf_counter()
        scans = scan(made) if isinstance(made, bytes) else [ocr(page) for page in made]
        seconds = (time.perf_counter() - start) / max(1, len(scans))
        text = extract(original, "\n".join(page.text for page in scans))
        printed = read_print(original, title, [page.words for page in scans])
        found = accuse(code, np.concatenate([text, printed]), recipients, 1e-5)
        accused = ", ".join(user for user, _ in found.accused) or "nobody"
        wrong = "-" if key == "colluders" else f"{int(((printed >= 0) & (printed != truth)).sum()):,}"
        print(
            f"{name:42} {int((text >= 0).sum()):>10,} {int((printed >= 0).sum()):>11,} {wrong:>6}  {accused:26} "
            f"{seconds:8.1f}"
        )


def _interleaved(first: bytes, second: bytes) -> list[Image.Image]:
    pages = zip(scanned(first, 200), scanned(second, 200), strict=True)
    return [a if i % 2 == 0 else b for i, (a, b) in enumerate(pages)]


if __name__ == "__main__":
    main()
