"""A marked text as a readable PDF, and the text pypdf extracts from one.

The PDF is A4, ragged-right paragraphs in DejaVu Serif (matplotlib's bundled copy, so nothing is downloaded and
every character of the text, the zero-width marks included, has a glyph), code and tables in DejaVu Sans Mono,
page numbers in the footer. Left alignment keeps real space characters in the page content (justified text would
replace them with word spacing), so pypdf's extraction gives back the words, the gaps and the marks:

- the robust layer survives whole (spelling, function words, abbreviations, serial commas, dashes, numbers);
- the fragile layer survives whole in pypdf: each zero-width mark has a zero-width glyph mapped back to its code
  point, including at line and page ends (the space at a line break is dropped, the mark before it stays).
  Other extractors and viewers' copy-paste may drop zero-width characters; the robust layer does not depend on
  them. Print-and-scan keeps only the robust layer (OCR reads no zero-width characters).

Line breaks inside a paragraph become spaces and wrapped lines become newlines: ``extract`` does not mind.
Characters DejaVu lacks (CJK, emoji) are left out of the PDF with a warning from fpdf2.
"""

from __future__ import annotations

import io
import re
from importlib.util import find_spec
from pathlib import Path

from fpdf import FPDF
from pypdf import PdfReader

from molehunt.errors import MolehuntError
from molehunt.trace import limits

_FOOTER = re.compile(r"Page \d+ of \d+")
_BULLET = re.compile(r"[ \t]*(?:[-*\u2022]|\d+[.)])[ \t]")


def fonts() -> Path:
    spec = find_spec("matplotlib")  # its bundled DejaVu fonts, without importing matplotlib
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("render_pdf needs matplotlib's bundled DejaVu fonts; matplotlib is not installed.")
    return Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"


class PdfTextError(MolehuntError):
    """A PDF whose text pypdf cannot extract."""


class Document(FPDF):
    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("serif", size=9)
        self.cell(0, 10, f"Page {self.page_no()} of {{nb}}", align="C")


def new_document(title: str) -> Document:
    """An empty A4 document titled ``title`` with the serif, bold serif and mono fonts and 20 mm margins."""
    ttf = fonts()
    pdf = Document(format="A4")
    pdf.set_title(title)
    pdf.add_font("serif", "", str(ttf / "DejaVuSerif.ttf"))
    pdf.add_font("serif", "B", str(ttf / "DejaVuSerif-Bold.ttf"))
    pdf.add_font("mono", "", str(ttf / "DejaVuSansMono.ttf"))
    pdf.set_fallback_fonts(["serif"], exact_match=False)  # the mono font has no zero-width glyphs: keep the marks
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, margin=22)
    return pdf


def render_pdf(text: str, *, title: str) -> bytes:
    """``text`` as an A4 PDF titled ``title``, whose extractable text keeps both layers' marks.

    Blocks are separated by blank lines; a block of indented, tabbed, ``|``-table or fenced lines is set in a
    monospace font line by line, a list (lines starting with ``-``, ``*`` or ``1.``) line by line, a short line
    without a full stop as a heading, anything else as a wrapped paragraph.
    """
    pdf = new_document(title)
    pdf.add_page()
    pdf.set_font("serif", "B", size=16)
    pdf.multi_cell(0, 8, title, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for kind, lines in blocks(text):
        if kind == "code":
            pdf.set_font("mono", size=8.5)
            for line in lines:
                pdf.multi_cell(0, 4.5, line.expandtabs(4) or " ", align="L", new_x="LMARGIN", new_y="NEXT")
        elif kind == "list":
            pdf.set_font("serif", size=10.5)
            for line in lines:
                pdf.multi_cell(0, 5.5, line.strip(), align="L", new_x="LMARGIN", new_y="NEXT")
        elif kind == "heading":
            pdf.set_font("serif", "B", size=12)
            pdf.multi_cell(0, 7, lines[0].strip(), align="L", new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.set_font("serif", size=10.5)
            paragraph = " ".join(line.strip(" \t") for line in lines)
            pdf.multi_cell(0, 5.5, paragraph, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2.5)
    return bytes(pdf.output())


def pdf_text(data: bytes) -> str:
    """The text pypdf extracts from a PDF, pages joined by newlines, without ``render_pdf``'s title and footers.

    Raises PdfTextError for a PDF pypdf cannot read (damaged, crafted, encrypted with a password) and LimitError
    for one of more than ``limits.MAX_PDF_PAGES`` pages.
    """
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):  # an empty user password opens many "protected" PDFs
            raise PdfTextError("the PDF is encrypted with a password: its text cannot be read")
        limits.check_pages(len(reader.pages), limits.MAX_PDF_PAGES, "the PDF")
        pages = []
        for page in reader.pages:
            lines = page.extract_text().split("\n")
            if lines and _FOOTER.fullmatch(lines[-1].strip()):
                lines.pop()
            pages.append("\n".join(lines))
        title = reader.metadata.title if reader.metadata is not None else None
    except MolehuntError:
        raise
    except Exception as exc:  # pypdf raises many types on a damaged or crafted file, and LimitReachedError on a bomb
        raise PdfTextError(f"pypdf cannot read this PDF ({type(exc).__name__}: {exc})") from None
    if pages and title:
        words = [re.escape(word) for word in title.split()]
        pages[0] = re.sub(r"\A\s*" + r"\s+".join(words) + r"[ \t]*\n?", "", pages[0], count=1)
    return "\n".join(pages)


def blocks(text: str) -> list[tuple[str, list[str]]]:
    """Split text into (kind, lines) blocks: code, list, heading or paragraph."""
    out: list[tuple[str, list[str]]] = []
    current: list[str] = []
    fenced = False

    def close() -> None:
        if current:
            out.append(("code" if fenced else _kind(current), list(current)))
            current.clear()

    for line in text.split("\n"):
        fence = line.lstrip().startswith(("```", "~~~"))
        if fenced or fence:
            if fence and not fenced:
                close()
            current.append(line)
            fenced ^= fence
            if not fenced:
                out.append(("code", list(current)))
                current.clear()
            continue
        if not line.strip():
            close()
        else:
            current.append(line)
    close()
    return out


def _kind(lines: list[str]) -> str:
    if any(line.startswith(("\t", "    ")) or "|" in line or "\t" in line for line in lines):
        return "code"
    if all(_BULLET.match(line) for line in lines):
        return "list" if len(lines) > 1 or len(lines[0]) > 60 else _short(lines[0])
    return _short(lines[0]) if len(lines) == 1 else "paragraph"


def _short(line: str) -> str:
    stripped = line.strip().rstrip("\u200b\u200c\u200d\u2060")
    return "heading" if len(stripped) <= 60 and not stripped.endswith((".", ":", ";", ",", "?", "!")) else "paragraph"
