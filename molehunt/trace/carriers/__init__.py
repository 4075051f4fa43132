"""Carriers: where a recipient's codeword hides in a document, and how it is read back from a leaked copy.

:mod:`molehunt.trace.carriers.text` marks plain text in two layers (robust visible variants first, then fragile
zero-width marks); :mod:`molehunt.trace.carriers.pdf` renders a marked text as a PDF whose extracted text keeps
both layers (imported separately: it loads fpdf2 and pypdf).

>>> copy = embed(original, codeword)  # doctest: +SKIP
>>> symbols = extract(original, leaked_text)  # doctest: +SKIP
"""

from molehunt.trace.carriers.text import (
    CURRENT_SCHEME,
    MARKS,
    SCHEMES,
    Layout,
    SchemeError,
    embed,
    extract,
    layout,
    normalize,
    offsets,
)

__all__ = [
    "CURRENT_SCHEME",
    "MARKS",
    "SCHEMES",
    "Layout",
    "SchemeError",
    "embed",
    "extract",
    "layout",
    "normalize",
    "offsets",
]
