"""Which document types carry a fingerprint, and through which carrier: marking a copy and reading a leak for the
types beyond plain text (Word and PDF originals). Plain text is :mod:`molehunt.trace.marking`'s own path.

- ``txt`` (plain text or Markdown, by content or extension): the text carrier (``carrier: text``).
- ``docx``: the text carrier on the document's text, written back into its runs (``carrier: docx``,
  :mod:`molehunt.trace.carriers.docx`).
- ``pdf`` (a PDF original): one binary position per text line, its baseline shifted up or down
  (``carrier: pdf-lines``, :mod:`molehunt.trace.carriers.pdf_original`).
- anything else (images, archives, legacy .doc, executables): no carrier; the vault refuses it unless the writer
  allows unmarked copies.

Each copy's audit entry records its carrier and scheme (the text carrier's layer it was laid out with), so a leak
is read the way that copy was written, years later.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from molehunt.errors import MolehuntError
from molehunt.trace.carriers import docx, pdf_original, text
from molehunt.trace.carriers.text import Layout
from molehunt.trace.code import FingerprintCode
from molehunt.trace.marking import MarkedCopy, capacity_warning, code_for

CARRIERS = {"txt": "text", "docx": "docx", "pdf": "pdf-lines"}
"""Content type -> carrier; a type not here cannot carry a fingerprint."""

LINES_SCHEME = 1  # the only layout of the PDF line layer so far


class UnmarkableError(MolehuntError):
    """A document of a type, or with content, that cannot carry a fingerprint."""


def markable(content_type: str, data: bytes) -> str | None:
    """None when a copy of this document can carry a fingerprint, else the reason it cannot."""
    if content_type not in CARRIERS:
        return f"{content_type} documents cannot carry a fingerprint"
    if content_type == "txt":
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return "this text is not UTF-8 and cannot carry a fingerprint"
        return None
    try:
        if content_type == "docx" and not text.layout(docx.docx_text(data), text.CURRENT_SCHEME).alphabet:
            return "this Word document has no text that can carry a fingerprint"
        if content_type == "pdf" and not pdf_original.positions(data):
            return "this PDF has no text lines (an image-only PDF?) to carry a fingerprint"
    except (docx.DocxError, pdf_original.PdfOriginalError) as exc:
        return str(exc)
    return None


def document_text(content_type: str, data: bytes) -> str:
    """The document's text, to match a leak to it by content ('' when it has none that can be read)."""
    try:
        if content_type == "docx":
            return docx.docx_text(data)
        if content_type == "pdf":
            from molehunt.trace.carriers.pdf import pdf_text

            return pdf_text(data)
    except (MolehuntError, ValueError, KeyError):  # DocxError, PdfOriginalError, PdfTextError, LimitError
        return ""
    return data.decode("utf-8", errors="replace")


def leak_text(data: bytes) -> str | None:
    """The text of a leaked Word document (None for any other file, or a Word file without text: the caller
    reads it its own way).

    Raises DocxError for a Word package python-docx cannot open and LimitError for one over the limits (a leak may
    be crafted: its raw bytes are no text to trace)."""
    if not docx.is_docx(data):
        return None
    found = docx.docx_text(data)
    return found if found.strip() else None


def mark_document(
    vault_key: bytes, doc_id: str, data: bytes, content_type: str, recipient: str, *, notice: str | None
) -> MarkedCopy:
    """The recipient's copy of a Word or PDF original, with ``notice`` (if any) in its page headers/footers.

    Raises UnmarkableError for another type or a file its library cannot open.
    """
    try:
        if content_type == "docx":
            shape = text.layout(docx.docx_text(data), text.CURRENT_SCHEME)
            if not shape.alphabet:
                raise UnmarkableError("this Word document has no text that can carry a fingerprint")
            word = code_for(vault_key, doc_id, shape).codeword(recipient)
            copy = docx.embed(data, word, scheme=text.CURRENT_SCHEME)
            copy = docx.add_notice(copy, notice) if notice else copy
            warning = capacity_warning(shape)
            return MarkedCopy(
                copy, True, shape.robust, shape.fragile, warning, carrier="docx", scheme=text.CURRENT_SCHEME
            )
        if content_type == "pdf":
            shape = lines_layout(data)
            if not shape.alphabet:
                raise UnmarkableError("this PDF has no text lines (an image-only PDF?) to carry a fingerprint")
            copy = pdf_original.embed(data, code_for(vault_key, doc_id, shape).codeword(recipient))
            copy = pdf_original.add_notice(copy, notice) if notice else copy
            warning = capacity_warning(shape)
            return MarkedCopy(copy, True, 0, shape.fragile, warning, carrier="pdf-lines", scheme=LINES_SCHEME)
    except (docx.DocxError, pdf_original.PdfOriginalError) as exc:
        raise UnmarkableError(str(exc)) from None
    raise UnmarkableError(f"{content_type} documents cannot carry a fingerprint")


def lines_layout(data: bytes) -> Layout:
    """The PDF line layer's positions as a text-carrier layout (binary, none of them survives retyping)."""
    count = pdf_original.positions(data)
    return Layout(alphabet=(2,) * count, robust=0, fragile=count)


def read_document(
    vault_key: bytes, doc_id: str, content_type: str, original: bytes, leaked: bytes, leaked_text: str, scheme: int
) -> tuple[FingerprintCode, npt.NDArray[np.int64]]:
    """The code of a Word or PDF original's copies issued under ``scheme`` and the symbols a leak shows of it.

    A Word leak is read as text (a .docx through its text, or text pasted out of one); a PDF original's leak
    must be the PDF (its text carries no mark: a text leak reads -1 everywhere).
    """
    if content_type == "docx":
        source = docx.docx_text(original)
        leaked_text = docx.docx_text(leaked) if docx.is_docx(leaked) else leaked_text
        shape = text.layout(source, scheme)
        return code_for(vault_key, doc_id, shape), text.extract(source, leaked_text, scheme)
    if content_type == "pdf":
        shape = lines_layout(original)
        return code_for(vault_key, doc_id, shape), pdf_original.extract(original, leaked)
    raise UnmarkableError(f"{content_type} documents carry no fingerprint to read")
