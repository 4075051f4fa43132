"""Trace a leaked copy: find the vault document, read the fingerprint, score every recipient, accuse within a bound.

The population is everyone the vault handed a copy of that document (allowed reads and checkouts); the
false-accusation bound is over that population. Every trace is an audit log entry. This is the vault's side of
tracing: molehunt.trace holds the codes and carriers and knows nothing of the vault, the store or the audit log.
"""

from __future__ import annotations

import hashlib
import math
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from molehunt.audit import NewEntry, append_entry
from molehunt.audit.entries import JsonValue
from molehunt.errors import MolehuntError
from molehunt.trace import formats, limits
from molehunt.trace.carriers.docx import DocxError
from molehunt.trace.carriers.pdf import PdfTextError, pdf_text
from molehunt.trace.carriers.printed import read_print
from molehunt.trace.carriers.scan import ScanError, ScannedPage, is_image, scan
from molehunt.trace.carriers.text import extract, layout, normalize
from molehunt.trace.code import Accusation, FingerprintCode, accuse
from molehunt.trace.limits import LimitError, check_pages, read_bounded
from molehunt.trace.marking import DESIGN_EPS, code_for, print_alphabet
from molehunt.vault import crypto
from molehunt.vault.service import Vault

SHINGLE = 5  # words per shingle when matching a leak to a document by content
MIN_CONTAINMENT = 0.3  # share of the leak's shingles that must come from the document


class TraceError(MolehuntError):
    """The leak cannot be traced as asked (unreadable file, no matching document)."""


@dataclass(frozen=True)
class Trace:
    doc_id: str
    title: str
    matched_by: str
    positions: int
    recipients: int
    accusation: Accusation
    audit_seq: int

    def to_json(self) -> dict[str, Any]:
        found = self.accusation
        return {
            "doc_id": self.doc_id, "title": self.title, "matched_by": self.matched_by,
            "positions": self.positions, "positions_read": found.positions_read, "recipients": self.recipients,
            # No finite threshold when too little is readable: JSON has no infinity, so null.
            "threshold": found.threshold if math.isfinite(found.threshold) else None, "eps": found.eps_target,
            "false_accusation_bound": found.false_accusation_bound, "enough": found.enough, "note": found.note,
            "accused": [{"user": user, "score": score} for user, score in found.accused],
            "scores": [{"user": user, "score": score} for user, score in found.scores],
            "audit_entry": self.audit_seq,
        }  # fmt: skip


def read_leak(path: Path) -> tuple[str, str, list[ScannedPage]]:
    """The text of a leaked file (PDF through text extraction; images and image-only PDFs through OCR, whose pages
    come back too; anything else as UTF-8 with bad bytes replaced) and the SHA-256 of its bytes.

    A folder is a set of page images (photographs of each page), read in file-name order as one leak.

    A leak may be crafted to exhaust memory or time: what is over :mod:`molehunt.trace.limits`, not a regular
    file, or unreadable by its library is a TraceError naming the file, before anything is written anywhere."""
    text, digest, pages = _read_leak(path)
    if len(text) > limits.MAX_TEXT_CHARS:  # matching and reading cost seconds per million characters
        raise TraceError(
            f"cannot trace {path}: {len(text):,} characters of text (at most {limits.MAX_TEXT_CHARS:,}; an excerpt "
            "will do): refused"
        )
    return text, digest, pages


def _read_leak(path: Path) -> tuple[str, str, list[ScannedPage]]:
    try:
        if path.is_dir():
            return _read_pages(path)
        data = _read(path)
        digest = hashlib.sha256(data).hexdigest()
        text = pdf_text(data) if data.startswith(b"%PDF") else formats.leak_text(data)
        if is_image(data) or (text is not None and not text.strip()):
            pages = scan(data)  # a photograph, a scan, or a PDF of page images
            return "\n".join(page.text for page in pages), digest, pages
    except (LimitError, PdfTextError, DocxError, ScanError) as exc:
        raise TraceError(f"cannot trace {path}: {exc}") from None
    return (text if text is not None else data.decode("utf-8", errors="replace")), digest, []


def _read(path: Path) -> bytes:
    try:
        return read_bounded(path)
    except OSError as exc:
        raise TraceError(f"cannot read {path}: {exc.strerror}") from None


def _read_pages(folder: Path) -> tuple[str, str, list[ScannedPage]]:
    """The pages of a folder of page images: links and special files are refused (not followed or opened), and
    the images are counted before any is decoded."""
    try:
        entries = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
        files = [entry for entry in entries if _page_file(entry)]
        images = []
        for entry in files:
            with entry.open("rb") as handle:
                if is_image(handle.read(8)):
                    images.append(entry)
    except OSError as exc:
        raise TraceError(f"cannot read {folder}: {exc.strerror}") from None
    if not images:
        raise TraceError(f"{folder} holds no page image (PNG, JPEG or TIFF) to trace")
    check_pages(len(images), limits.MAX_SCAN_PAGES, "the folder")
    pages, digests = [], []
    deadline = time.monotonic() + limits.OCR_TOTAL_SECONDS  # the folder's budget, as one file's (scan has its own)
    for entry in images:  # one image in memory at a time
        if time.monotonic() >= deadline:
            raise TraceError(f"cannot trace {folder}: OCR took more than {limits.OCR_TOTAL_SECONDS} s: refused")
        data = _read(entry)
        digests.append(hashlib.sha256(data).digest())
        try:
            pages += scan(data)
        except ScanError as exc:
            raise TraceError(f"cannot trace {entry}: {exc}") from None
        check_pages(len(pages), limits.MAX_SCAN_PAGES, "the folder")
    digest = hashlib.sha256(b"".join(digests)).hexdigest()
    return "\n".join(page.text for page in pages), digest, pages


def _page_file(entry: Path) -> bool:
    """Whether ``entry`` of a folder of page images is a file to read (False for a folder); TraceError for a
    symbolic link (it could point anywhere, /etc/shadow included) or a FIFO, device or socket (it could block)."""
    mode = entry.lstat().st_mode
    if stat.S_ISLNK(mode):
        raise TraceError(f"cannot trace {entry}: a symbolic link (put the page images themselves in the folder)")
    if stat.S_ISDIR(mode):
        return False
    if not stat.S_ISREG(mode):
        raise TraceError(f"cannot trace {entry}: not a regular file (a FIFO, a device or a socket): refused")
    return True


def _shingles(text: str) -> set[int]:
    words = normalize(text).lower().split()
    return {hash(tuple(words[i : i + SHINGLE])) for i in range(max(0, len(words) - SHINGLE + 1))}


def match_document(vault: Vault, leaked: str) -> tuple[str, str]:
    """The id of the vault text document the leak was taken from, and how it was matched."""
    wanted = _shingles(leaked)
    if not wanted:
        raise TraceError("the leaked file holds too little text to match a document; name it with --doc")
    best, best_share = None, 0.0
    for info in vault.text_documents():
        _, data = vault.original(info.doc_id)
        share = len(wanted & _shingles(formats.document_text(info.content_type, data))) / len(wanted)
        if share > best_share:
            best, best_share = info.doc_id, share
    if best is None or best_share < MIN_CONTAINMENT:
        raise TraceError("no vault document matches the leaked text; name it with --doc if you know which it is")
    return best, f"content ({best_share:.0%} of the leak's 5-word runs)"


def observe(
    key: bytes,
    doc_id: str,
    title: str,
    content_type: str,
    data: bytes,
    leak: tuple[bytes, str, list[ScannedPage]],
    scheme: int,
) -> tuple[FingerprintCode, npt.NDArray[np.int64]]:
    """The code of the document's copies issued under ``scheme`` and what the leak shows of it (-1: unreadable).

    ``data`` is the original's plaintext (``vault.original``), ``key`` the vault key, ``leak`` the leaked file's
    bytes (b"" for a folder of page images), its text and its scanned pages, as ``read_leak`` gives them. This is
    the reading ``trace_leak`` does for each scheme; benchmarks call it to read a leak exactly as a trace does.
    """
    raw, leaked, pages = leak
    if content_type != "txt":
        return formats.read_document(key, doc_id, content_type, data, raw, leaked, scheme)
    original = data.decode("utf-8", errors="replace")
    shape = layout(original, scheme)
    if not shape.alphabet:
        raise TraceError(f"{doc_id} offers no fingerprint position: its copies cannot be traced")
    prints = print_alphabet(original, title, scheme)
    observed = np.asarray(extract(original, leaked, scheme))
    if prints:  # the print layer is read from page images only; a text or PDF file reads -1 there
        printed = read_print(original, title, [page.words for page in pages]) if pages else None
        observed = np.concatenate([observed, printed if printed is not None else np.full(len(prints), -1)])
    return code_for(key, doc_id, shape, prints), observed


def _accuse_all(groups: list[tuple[int, FingerprintCode, npt.NDArray[np.int64], list[str]]], eps: float) -> Accusation:
    """One accusation over copies issued under several schemes: each scheme's recipients are scored against its
    own code with a share of ``eps`` in proportion to their number, so the total bound still holds (union bound)."""
    if len(groups) == 1:
        _, code, observed, recipients = groups[0]
        return accuse(code, observed, recipients, eps)
    total = sum(len(users) for _, _, _, users in groups)
    found = [accuse(code, observed, users, eps * len(users) / total) for _, code, observed, users in groups]
    accused = [result for result in found if result.accused]
    best: dict[str, float] = {}
    for result in found:
        for user, score in result.scores:
            best[user] = max(score, best.get(user, -math.inf))
    blamed = {user for result in accused for user, _ in result.accused}
    ranked = tuple(sorted(best.items(), key=lambda us: -us[1]))
    main = max(found, key=lambda result: len(result.scores))
    return Accusation(
        positions_read=max(result.positions_read for result in found),
        threshold=main.threshold,
        eps_target=eps,
        false_accusation_bound=min(1.0, sum(r.false_accusation_bound for r in accused))
        if accused
        else min(r.false_accusation_bound for r in found),
        accused=tuple((user, score) for user, score in ranked if user in blamed),
        scores=ranked,
        enough=any(result.enough for result in found),
        note=" ".join(
            f"Copies of scheme {group[0]}: {result.note}" for group, result in zip(groups, found, strict=True)
        ),
    )


def trace_leak(vault: Vault, leaked_file: Path, *, doc_id: str | None, actor: str, eps: float = DESIGN_EPS) -> Trace:
    """Trace `leaked_file` (text or PDF) against a vault document and record the trace in the audit log."""
    if not 0 < eps < 1:
        raise TraceError("the false-accusation bound must be between 0 and 1")
    leaked, digest, pages = read_leak(leaked_file)
    found_id, how = (doc_id, "--doc") if doc_id else match_document(vault, leaked)
    info, data = vault.original(found_id)
    if info.content_type not in formats.CARRIERS:
        raise TraceError(f"{found_id} is a {info.content_type} document: its copies carry no fingerprint to read")
    holders = vault.recipient_schemes(found_id)
    if not holders:
        raise TraceError(f"nobody was ever handed a copy of {found_id}: there is no recipient to trace")
    key = crypto.load_or_create_key(vault.keys_dir)
    raw = _read(leaked_file) if not leaked_file.is_dir() else b""
    groups = []  # one per scheme the document's copies were issued with: each copy is read as it was written
    for scheme in sorted({s for found in holders.values() for s in found}):
        code, observed = observe(key, found_id, info.title, info.content_type, data, (raw, leaked, pages), scheme)
        groups.append((scheme, code, observed, sorted(user for user, found in holders.items() if scheme in found)))
    result = _accuse_all(groups, eps)
    recipients = sorted(holders)
    positions = max(code.length for _, code, _, _ in groups)
    details: dict[str, JsonValue] = {
        "file": str(leaked_file), "sha256": digest,
        "matched_by": how, "positions_read": result.positions_read, "recipients": len(recipients),
        "accused": [user for user, _ in result.accused], "bound": f"{result.false_accusation_bound:.3g}",
    }  # fmt: skip
    seq = append_entry(vault.audit_dir, vault.keys_dir, NewEntry(actor, "trace", found_id, details))
    return Trace(found_id, info.title, how, positions, len(recipients), result, seq)
