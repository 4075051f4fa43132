"""Per-recipient copies: a vault document's text marked with the recipient's codeword through the text carrier.

The code's key is derived from the vault key and the document id, so the tracer can rebuild every recipient's
codeword from the vault alone: nothing is stored per recipient.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from molehunt.trace.carriers.pdf import render_pdf
from molehunt.trace.carriers.printed import print_layout, render_printed
from molehunt.trace.carriers.text import CURRENT_SCHEME, Layout, embed, layout
from molehunt.trace.code import FingerprintCode, required_length

# The guarantee a checkout is measured against, and the bound a trace uses by default: up to 3 colluders among
# 1,000 recipients, at most one false accusation in 100,000 traces. bench/trace.py at this setting (963 positions,
# 10,000 trials per setting): c <= 3 caught in >= 99.9% of trials, no innocent in 320,000 accusations; at 1e-3,
# 27 innocents (12x under that bound), so the stricter default costs ~25% more positions for no false accusation.
DESIGN_COLLUDERS = 3
DESIGN_RECIPIENTS = 1000
DESIGN_EPS = 1e-5
TEXT_TYPES = frozenset({"txt"})
PRINT_SCHEME = 2  # copies of this scheme on have the print layer's positions in their code (docs/trace-print.md)


@dataclass(frozen=True)
class MarkedCopy:
    data: bytes
    fingerprinted: bool
    robust: int  # positions that survive retyping
    fragile: int  # positions that survive copy-paste only
    warning: str | None  # said at checkout when the copy cannot carry the design guarantee
    printed: int = 0  # positions in the rendered PDF's word spacing (survive print, scan and photograph)
    carrier: str = "text"  # molehunt.trace.formats.CARRIERS: how the copy carries its codeword
    scheme: int = CURRENT_SCHEME  # the carrier's layout the copy was issued with (a leak is read with the same)


def document_key(vault_key: bytes, doc_id: str) -> bytes:
    """The code key of one document (a separate key per document; the vault key itself is never used raw)."""
    return hmac.new(vault_key, b"molehunt-fingerprint\x00" + doc_id.encode(), hashlib.sha256).digest()


def code_for(vault_key: bytes, doc_id: str, shape: Layout, prints: tuple[int, ...] = ()) -> FingerprintCode:
    """The document's code: the text layer's positions, then the print layer's (``print_alphabet``)."""
    return FingerprintCode(document_key(vault_key, doc_id), shape.alphabet + prints)


def print_alphabet(text: str, title: str, scheme: int = CURRENT_SCHEME) -> tuple[int, ...]:
    """The print layer's positions in the code of a copy issued under ``scheme`` (none before PRINT_SCHEME).

    One codeword per recipient covers both layers: a PDF copy carries the print positions, a text copy reads -1
    there. They are laid out from the original and its vault title alone.
    """
    return print_layout(text, title).alphabet if scheme >= PRINT_SCHEME else ()


def capacity_warning(shape: Layout) -> str | None:
    """A sentence when the document offers fewer positions than the design guarantee needs, else None."""
    needed = required_length(DESIGN_COLLUDERS, DESIGN_RECIPIENTS, DESIGN_EPS)
    total = shape.robust + shape.fragile
    if total == 0:
        return "this document offers no position to carry a fingerprint: the copy cannot be traced"
    if total < needed:
        return (
            f"this document carries {total:,} fingerprint positions, fewer than the {needed:,} needed to name up to "
            f"{DESIGN_COLLUDERS} colluders among {DESIGN_RECIPIENTS:,} recipients at a false-accusation bound of "
            f"{DESIGN_EPS:g}: a leak of it may not be traceable"
        )
    if shape.robust < needed:
        return (
            f"only {shape.robust:,} of its {total:,} fingerprint positions survive retyping ({needed:,} needed): a "
            "retyped leak may not be traceable"
        )
    return None


def mark_copy(
    vault_key: bytes,
    doc_id: str,
    plaintext: bytes,
    content_type: str,
    recipient: str,
    *,
    pdf: bool,
    title: str,
    notice: str | None = None,
) -> MarkedCopy:
    """The recipient's copy: text documents carry their codeword (as text, or as PDF with `pdf`); other types are
    copied as they are, with a warning. A PDF copy prints ``notice`` at the top of each page, outside the layout."""
    if content_type not in TEXT_TYPES:
        note = f"{content_type} documents are copied without a fingerprint: a leak of this copy cannot be traced"
        return MarkedCopy(plaintext, False, 0, 0, note)
    try:
        text = plaintext.decode("utf-8")
    except UnicodeDecodeError:
        return MarkedCopy(plaintext, False, 0, 0, "the text is not UTF-8: copied without a fingerprint")
    shape = layout(text)
    prints = print_alphabet(text, title)
    word = code_for(vault_key, doc_id, shape, prints).codeword(recipient).tolist()
    marked = embed(text, word[: len(shape.alphabet)])
    if not pdf:
        data = marked.encode("utf-8")
    elif prints:
        data = render_printed(marked, original=text, title=title, symbols=word[len(shape.alphabet) :], notice=notice)
    else:
        data = render_pdf(marked, title=title)
    printed = len(prints) if pdf else 0
    return MarkedCopy(data, True, shape.robust, shape.fragile, capacity_warning(shape), printed)
