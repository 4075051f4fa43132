"""What each document format carries and survives: extension-less text, Word (.docx) and PDF originals.

The GPL-3 (/usr/share/common-licenses/GPL-3) is put into each format (the text as it is; a .docx with one
paragraph per block; a PDF written by fpdf2 in Helvetica, as an office program would). For each format and
attack: the positions the code has, the positions the attacked leak still shows, and over ``--trials`` fresh vault
keys how often the single leaker is named among 30 and among 1,000 recipients at the default false-accusation
bound (1e-5), and how many innocents were accused. Copies are made by the vault's own marking
(molehunt.trace.formats / marking) and leaks read by the code `molehunt trace` runs (molehunt.vault.tracing.observe).

    .venv/bin/python bench/trace_formats.py               # 5 trials
    .venv/bin/python bench/trace_formats.py --trials 20
"""

from __future__ import annotations

import argparse
import io
import secrets
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import docx  # noqa: E402
from fpdf import FPDF  # noqa: E402
from pypdf import PdfReader, PdfWriter  # noqa: E402

from molehunt.trace import formats  # noqa: E402
from molehunt.trace.carriers.docx import docx_text  # noqa: E402
from molehunt.trace.carriers.pdf import pdf_text  # noqa: E402
from molehunt.trace.carriers.text import CURRENT_SCHEME, STRIP_MARKS  # noqa: E402
from molehunt.trace.code import accuse  # noqa: E402
from molehunt.trace.marking import DESIGN_EPS, mark_copy  # noqa: E402
from molehunt.vault.tracing import observe  # noqa: E402

GPL = Path("/usr/share/common-licenses/GPL-3")
Attack = Callable[[bytes], tuple[bytes, str]]  # copy -> (leaked bytes, leaked text)


def as_docx(text: str) -> bytes:
    made = docx.Document()
    for block in text.split("\n\n"):
        made.add_paragraph(" ".join(block.split()))
    out = io.BytesIO()
    made.save(out)
    return out.getvalue()


def as_pdf(text: str) -> bytes:
    made = FPDF(format="A4")
    made.set_font("helvetica", size=10)
    made.add_page()
    for block in text.split("\n\n"):
        made.multi_cell(0, 4.8, " ".join(block.split()).encode("latin-1", "replace").decode("latin-1"))
        made.ln(2)
    return bytes(made.output())


def resaved(copy: bytes) -> tuple[bytes, str]:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(copy)))
    writer.add_metadata({"/Title": "re-saved"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), pdf_text(out.getvalue())


def first_pages(copy: bytes) -> tuple[bytes, str]:
    writer = PdfWriter()
    writer.append(io.BytesIO(copy), pages=(0, 3))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), pdf_text(out.getvalue())


ATTACKS: dict[str, dict[str, Attack]] = {
    "txt": {
        "as is": lambda c: (c, c.decode()),
        "zero-width stripped": lambda c: (b"", c.decode().translate(STRIP_MARKS)),
    },
    "docx": {
        "the .docx as is": lambda c: (c, docx_text(c)),
        "text pasted out": lambda c: (b"", docx_text(c)),
        "pasted, zero-width stripped": lambda c: (b"", docx_text(c).translate(STRIP_MARKS)),
    },
    "pdf": {
        "the PDF as is": lambda c: (c, pdf_text(c)),
        "re-saved by pypdf": resaved,
        "first 3 pages": first_pages,
        "text copied out": lambda c: (b"", pdf_text(c)),
    },
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=5)
    args = parser.parse_args()
    text = GPL.read_text()
    originals = {"txt": text.encode(), "docx": as_docx(text), "pdf": as_pdf(text)}
    names = [f"user{i:04d}" for i in range(1000)]
    print(f"GPL-3, {len(text.split()):,} words; {args.trials} trials; single leaker; bound {DESIGN_EPS:g}")
    header = f"{'format':6} {'attack':30} {'positions':>9} {'read':>6} {'named/30':>8} {'named/1000':>10}"
    print(f"{header} {'innocents':>9}")
    for kind, original in originals.items():
        rows: dict[str, list[int]] = {name: [0, 0, 0, 0, 0] for name in ATTACKS[kind]}
        spent = 0.0
        for _ in range(args.trials):
            key, doc_id, leaker = secrets.token_bytes(32), "doc-bench", names[0]
            started = time.perf_counter()
            if kind == "txt":
                copy = mark_copy(key, doc_id, original, "txt", leaker, pdf=False, title="GPL-3").data
            else:
                copy = formats.mark_document(key, doc_id, original, kind, leaker, notice=None).data
            spent += time.perf_counter() - started
            scheme = CURRENT_SCHEME if kind != "pdf" else formats.LINES_SCHEME
            for name, attack in ATTACKS[kind].items():
                raw, leaked = attack(copy)
                code, observed = observe(key, doc_id, "GPL-3", kind, original, (raw, leaked, []), scheme)
                row = rows[name]
                row[0], row[1] = code.length, row[1] + int((observed >= 0).sum())
                for n, column in ((30, 2), (1000, 3)):
                    accused = {user for user, _ in accuse(code, observed, names[:n], DESIGN_EPS).accused}
                    row[column] += leaker in accused
                    row[4] += len(accused - {leaker})
        for name, (positions, read, named30, named1000, innocents) in rows.items():
            print(
                f"{kind:6} {name:30} {positions:9,} {read // args.trials:6,} {named30:>5}/{args.trials:<2} "
                f"{named1000:>7}/{args.trials:<2} {innocents:9}"
            )
        print(f"{kind:6} (marking one copy: {spent / args.trials * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
