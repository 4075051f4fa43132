"""The attack table (`bench/trace.py --attacks`): what each carrier survives, on real public texts.

For every text, carrier and attack: the positions the code has and the positions the attacked leak still shows,
and, over ``--trials`` fresh vault keys, how often at least one colluder is named when 1, 2 or 3 recipients
combine their copies (paragraphs or pages taken from each in turn) among 30 and among 1,000 recipients, at the
default false-accusation bound (1e-5), and how many innocents were accused in all. Every copy is made by the
vault's own marking (molehunt.trace.marking.mark_copy) and every leak is read by the code `molehunt trace` runs
(molehunt.vault.tracing.observe): images through Debian's tesseract.

Texts: the GPL-3 and the MPL-2.0 (legal text, /usr/share/common-licenses) and the Python language reference's
topics (technical prose, pydoc_data in every CPython). Carriers: a text copy (`vault read`), the PDF the vault
renders (`checkout --pdf`). Attacks on text copies come from bench/text_attacks.py, on PDFs from
bench/print_attacks.py.

    .venv/bin/python bench/trace.py --attacks                        # all three texts, 3 trials (print: 1)
    .venv/bin/python bench/trace.py --attacks --texts GPL-3 --trials 5
    .venv/bin/python bench/trace.py --attacks --print-texts GPL-3     # OCR only the GPL-3's copies (minutes each)
"""

from __future__ import annotations

import io
import os
import secrets
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import print_attacks  # noqa: E402
import text_attacks  # noqa: E402

from molehunt.trace.carriers.pdf import pdf_text  # noqa: E402
from molehunt.trace.carriers.scan import ScannedPage, ocr  # noqa: E402
from molehunt.trace.code import accuse  # noqa: E402
from molehunt.trace.marking import DESIGN_EPS, mark_copy  # noqa: E402
from molehunt.vault.tracing import observe  # noqa: E402

POPULATIONS = (30, 1000)
COALITIONS = (1, 2, 3)
WORDS = 5600  # each text is cut to about this many words (the GPL-3's length), so the rows compare


def python_reference(words: int = WORDS) -> str:
    """Prose from the Python language reference as pydoc ships it (the topics in their order, until ``words``)."""
    from pydoc_data.topics import topics

    kept, count = [], 0
    for name in sorted(topics):
        if count >= words:
            break
        kept.append(topics[name].strip())
        count += len(topics[name].split())
    return "\n\n".join(kept)


def licence(name: str, words: int = WORDS) -> str:
    paragraphs, count = [], 0
    for block in Path("/usr/share/common-licenses", name).read_text(encoding="utf-8").split("\n\n"):
        if count >= words:
            break
        paragraphs.append(block)
        count += len(block.split())
    return "\n\n".join(paragraphs)


TEXTS: dict[str, Callable[[], str]] = {
    "GPL-3": lambda: licence("GPL-3"),
    "MPL-2.0": lambda: licence("MPL-2.0"),
    "Python reference": python_reference,
}


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


# attack name -> (carrier, what it does to the combined copy)
TEXT_ATTACKS: dict[str, Callable[[str], str]] = {
    "as is": text_attacks.as_is,
    "NFKC": _nfkc,
    "zero-width stripped": text_attacks.strip_invisible,
    "spell-checked": text_attacks.spell_check,
    "re-wrapped": text_attacks.rewrap,
    "excerpt 20%": text_attacks.excerpt,
    "retyped": text_attacks.retype,
}
PRINT_ATTACKS: dict[str, Callable[[bytes], list[object]]] = {
    "PDF text, retyped": lambda pdf: [pdf_text(page) for page in _pdf_pages(pdf)],  # retyped once combined
    "printed 150 dpi": lambda pdf: list(print_attacks.scanned(pdf, 150)),
    "printed 300 dpi": lambda pdf: list(print_attacks.scanned(pdf, 300)),
    "phone photo": lambda pdf: [
        print_attacks.photo(page, seed=i) for i, page in enumerate(print_attacks.rasterize(pdf, 200))
    ],
}


@dataclass
class Cell:
    trials: int = 0
    caught: dict[int, int] = field(default_factory=dict)  # population -> trials with a colluder named
    innocents: int = 0
    read: int = 0
    seconds: float = 0.0


def _interleave_text(copies: Sequence[str]) -> str:
    """Paragraph i from colluder i mod c."""
    split = [copy.split("\n\n") for copy in copies]
    return "\n\n".join(split[i % len(split)][i] for i in range(min(len(s) for s in split)))


def _interleave_pages(pages: Sequence[Sequence[object]]) -> list[object]:
    return [pages[i % len(pages)][i] for i in range(min(len(p) for p in pages))]


def _pdf_pages(pdf: bytes) -> list[bytes]:
    from pypdf import PdfReader, PdfWriter

    reader, out = PdfReader(io.BytesIO(pdf)), []
    for page in reader.pages:
        writer = PdfWriter()
        writer.add_page(page)
        buffer = io.BytesIO()
        writer.write(buffer)
        out.append(buffer.getvalue())
    return out


def run_cell(original: str, title: str, carrier: str, attack: str, c: int, trials: int) -> Cell:
    cell = Cell()
    recipients = {n: [f"r{i:04d}" for i in range(n)] for n in POPULATIONS}
    for trial in range(trials):
        started = time.perf_counter()
        vault_key, doc_id = secrets.token_bytes(32), f"doc-{trial}"
        colluders = recipients[POPULATIONS[0]][:c]
        copies = [
            mark_copy(vault_key, doc_id, original.encode(), "txt", user, pdf=carrier == "pdf", title=title)
            for user in colluders
        ]
        pages: list[ScannedPage] = []
        if carrier == "text":
            leaked = TEXT_ATTACKS[attack](_interleave_text([copy.data.decode() for copy in copies]))
        else:
            outcome = (
                PRINT_ATTACKS[attack](copies[0].data)
                if c == 1
                else _interleave_pages([PRINT_ATTACKS[attack](copy.data) for copy in copies])
            )
            if attack.startswith("PDF text"):  # each page's text from the colluders in turn, then retyped
                leaked = text_attacks.retype("\n".join(str(page) for page in outcome))
            else:
                pages = [ocr(image) for image in outcome]  # type: ignore[arg-type]
                leaked = "\n".join(page.text for page in pages)
        code, observed = observe(
            vault_key, doc_id, title, "txt", original.encode(), (b"", leaked, pages), copies[0].scheme
        )
        cell.read += int((observed >= 0).sum())
        for n, users in recipients.items():
            found = accuse(code, observed, users, DESIGN_EPS)
            named = {user for user, _ in found.accused}
            cell.caught[n] = cell.caught.get(n, 0) + bool(named & set(colluders))
            cell.innocents += len(named - set(colluders))
        cell.trials += 1
        cell.seconds += time.perf_counter() - started
    return cell


def _row_cells(job: tuple[str, str, str, int, int]) -> tuple[tuple[str, str, str, int], Cell]:
    name, carrier, attack, c, trials = job
    return (name, carrier, attack, c), run_cell(TEXTS[name](), name, carrier, attack, c, trials)


def table(texts: Sequence[str], trials: int, print_trials: int, workers: int, printed: Sequence[str]) -> None:
    print(f"false-accusation bound {DESIGN_EPS:g}; catch = share of trials naming at least one colluder; "
          f"{trials} trials per text attack, {print_trials} per print attack (fresh vault key each); "
          f"c colluders combine their copies paragraph by paragraph (text) or page by page (print)")  # fmt: skip
    head = " ".join(f"{f'c={c} n={n}':>11}" for c in COALITIONS for n in POPULATIONS)
    print(f"{'text':<17} {'carrier':<7} {'attack':<20} {'positions':>9} {'read':>6} {head} {'innocents':>9} "
          f"{'s/trial':>7}")  # fmt: skip
    rows = [
        (name, carrier, attack)
        for name in texts
        for carrier, attacks in (("text", TEXT_ATTACKS), ("pdf", PRINT_ATTACKS))
        for attack in attacks
        if carrier == "text" or attack.startswith("PDF text") or name in printed  # OCR takes minutes a copy
    ]
    jobs = [
        (name, carrier, attack, c, trials if carrier == "text" or attack.startswith("PDF text") else print_trials)
        for name, carrier, attack in rows
        for c in COALITIONS
    ]
    jobs.sort(key=lambda job: job[1] == "pdf" and not job[2].startswith("PDF text"))  # the slow OCR rows last
    with ProcessPoolExecutor(workers) as pool:
        done = dict(pool.map(_row_cells, jobs))
    lengths = {name: _positions(TEXTS[name](), name) for name in texts}
    for name, carrier, attack in rows:
        cells = {c: done[(name, carrier, attack, c)] for c in COALITIONS}
        one = cells[1]
        rates = " ".join(
            f"{cells[c].caught.get(n, 0) / max(1, cells[c].trials):>11.0%}" for c in COALITIONS for n in POPULATIONS
        )
        innocents = sum(cell.innocents for cell in cells.values())
        seconds = sum(cell.seconds for cell in cells.values()) / sum(cell.trials for cell in cells.values())
        label = "text" if carrier == "text" else "PDF"
        print(f"{name:<17} {label:<7} {attack:<20} {lengths[name]:>9,} {one.read / one.trials:>6.0f} {rates} "
              f"{innocents:>9} {seconds:>7.1f}")  # fmt: skip


def _positions(original: str, title: str) -> int:
    code, _ = observe(
        b"k" * 32,
        "doc",
        title,
        "txt",
        original.encode(),
        (b"", "", []),
        mark_copy(b"k" * 32, "doc", original.encode(), "txt", "x", pdf=False, title=title).scheme,
    )
    return code.length


def main(argv: Sequence[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--texts", nargs="+", default=list(TEXTS), choices=list(TEXTS))
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--print-trials", type=int, default=1)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--print-texts", nargs="*", choices=list(TEXTS), help="texts also printed and scanned (default: all)"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    printed = args.texts if args.print_texts is None else args.print_texts
    table(args.texts, args.trials, args.print_trials, args.workers, printed)
    print(f"wall {time.perf_counter() - started:.0f} s with {args.workers} workers")


if __name__ == "__main__":
    main()
