"""The vault's operations: grant, revoke, add, ls, read, checkout, plant_decoys.

Each operation, allowed or denied, is appended to the audit log (home/audit, keys in home/keys) and, when it is a
vault activity, inserted into the store's events (see molehunt.vault.records). Access decisions come from Cedar
(molehunt.vault.policy); a refused request raises VaultDenied carrying the deciding policies as its reason.
Reads and checkouts are rate-limited per user over a sliding window counted from the store's own vault events.
Each operation runs under the home's vault lock (molehunt.vault.lock), so the decision, the count it rests on, the
audit entry and the event are one step for the threads of a server and for separate CLI processes alike.
The requester's protection level shapes reads and checkouts (molehunt.vault.protection), and each read, checkout,
refusal or hold may raise it as it happens (molehunt.vault.realtime).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

from duckdb import DuckDBPyConnection

from molehunt.audit import listing
from molehunt.audit.entries import JsonValue
from molehunt.clock import utc_now_aware
from molehunt.config import Home
from molehunt.opstore import connect
from molehunt.protect import Level, level_of
from molehunt.store import Store, open_store
from molehunt.trace import formats
from molehunt.trace.carriers.docx import is_docx
from molehunt.trace.limits import LimitError, read_bounded
from molehunt.trace.marking import TEXT_TYPES, MarkedCopy, mark_copy
from molehunt.vault import crypto, protection, realtime, records
from molehunt.vault import state as bound
from molehunt.vault.decoys import make_decoys
from molehunt.vault.errors import VaultDenied, VaultError, VaultHeld, VaultIntegrityError
from molehunt.vault.labels import DEFAULT_LEVELS, Label, Levels, parse_compartments
from molehunt.vault.lock import home_lock
from molehunt.vault.policy import Clearance, Decision, Resource, decide
from molehunt.vault.records import Outcome

ADMIN = "vault-admin"
TAMPERED = "store tampered"  # the reason when a stored clearance or label is not what the audit log recorded
_EXTENSIONS = {".txt": "txt", ".md": "txt", ".markdown": "txt", ".pdf": "pdf", ".doc": "doc", ".docx": "docx"}
_EXTENSIONS |= {".jpg": "jpg", ".jpeg": "jpg", ".exe": "exe", ".zip": "zip"}


@dataclass(frozen=True)
class VaultConfig:
    """Levels lowest first; at most ``rate_limit`` reads + checkouts per user in any ``rate_window`` seconds."""

    levels: Levels = DEFAULT_LEVELS
    rate_limit: int = 30
    rate_window: int = 60


@dataclass(frozen=True)
class Subject:
    """A user's clearance and project memberships."""

    user_id: str
    clearance: Label
    projects: frozenset[str]


@dataclass(frozen=True)
class DocumentInfo:
    """What ls shows of a document (never its content, never whether it is a decoy)."""

    doc_id: str
    title: str
    label: Label
    project: str
    content_type: str
    size: int
    added_at: datetime


@dataclass(frozen=True)
class Checkout:
    """A per-recipient copy delivered to ``out`` (a file path, or where a download went); ``audit_seq`` is its
    audit entry."""

    doc_id: str
    recipient: str
    out: str
    sha256: str
    audit_seq: int
    fingerprinted: bool = False
    warning: str | None = None  # when the copy cannot carry the design tracing guarantee (or no fingerprint)


@dataclass(frozen=True)
class _Doc:
    info: DocumentInfo
    decoy: bool

    @property
    def resource(self) -> Resource:
        return Resource(self.info.label, self.info.project, self.decoy)


def content_type_of(path: Path, data: bytes) -> str:
    """One of molehunt.events.CONTENT_TYPES, by content first: the PDF signature, a Word package (a ZIP holding
    ``word/document.xml``), UTF-8 text whatever its name (Markdown counts as txt); else by the extension."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if is_docx(data):
        return "docx"
    if _looks_like_text(data):
        return "txt"
    return _EXTENSIONS.get(path.suffix.lower(), "other")


def _looks_like_text(data: bytes) -> bool:
    """UTF-8 without NUL bytes, nearly all of it printable (a few control characters such as form feeds pass)."""
    if b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    odd = sum(1 for c in text if not (c.isprintable() or c.isspace()))
    return odd <= len(text) // 100


@dataclass(frozen=True)
class Vault:
    """The vault of one home, over an open store. Holds no state of its own between calls."""

    home: Home
    store: Store
    config: VaultConfig = VaultConfig()
    clock: Callable[[], datetime] = field(default=utc_now_aware)
    impersonated_by: str | None = None  # the administrator (OS user) acting as the named users, from the CLI

    @property
    def blobs(self) -> Path:
        return self.home.root / "vault" / "blobs"

    @property
    def audit_dir(self) -> Path:
        return self.home.audit_dir

    @property
    def keys_dir(self) -> Path:
        return self.home.keys_dir

    # ---- subjects -------------------------------------------------------------------------------------------

    def grant(
        self,
        user: str,
        clearance: Label | str,
        projects: Iterable[str],
        *,
        by: str = ADMIN,
        approver: bool = False,
    ) -> Subject:
        """Give (or replace) ``user``'s clearance and projects, and with ``approver`` the right to approve others'
        held requests; VaultError for an unknown level or bad name."""
        label = self._label(clearance)
        subject = Subject(_name(user, "user"), label, parse_compartments(projects))
        members: list[JsonValue] = [*sorted(subject.projects)]
        details: dict[str, JsonValue] = {"clearance": str(label), "projects": members}
        if approver:
            details["approver"] = True
        with self._step():
            outcome = self._outcome(by, "grant", user, True, "granted", details=details)
            row = [user, label.level, sorted(label.compartments), sorted(subject.projects), _naive(outcome.time)]

            def apply(con: DuckDBPyConnection, seq: int) -> None:
                con.execute("DELETE FROM vault_subjects WHERE user_id = ?", [user])
                con.execute("INSERT INTO vault_subjects VALUES (?, ?, ?, ?, ?)", row)

            records.record(self.home, self.store, outcome, apply)
            with closing(connect(self.home)) as ops:
                protection.set_approver(ops, user, approver)
        return subject

    def revoke(self, user: str, *, by: str = ADMIN) -> None:
        """Remove ``user``'s clearance; VaultDenied ("not granted") when there is none."""
        with self._step():
            known = self.subject(user) is not None
            outcome = self._outcome(by, "revoke", user, known, "revoked" if known else "not granted")
            self._record(outcome, "DELETE FROM vault_subjects WHERE user_id = ?", [user])
            if known:
                with closing(connect(self.home)) as ops:
                    protection.set_approver(ops, user, False)
        if not known:
            raise VaultDenied("revoke", user, outcome.reason)

    def subject(self, user: str) -> Subject | None:
        """The user's clearance and projects, or None when not granted."""
        rows = self.store.con.execute(
            "SELECT level, compartments, projects FROM vault_subjects WHERE user_id = ?", [user]
        ).fetchall()
        if not rows:
            return None
        level, compartments, projects = rows[0]
        label = Label(self.config.levels.canonical(level), frozenset(compartments))
        return Subject(user, label, frozenset(projects))

    # ---- documents ------------------------------------------------------------------------------------------

    def add(self, file: Path, label: Label | str, project: str, *, as_user: str, allow_unmarked: bool = False) -> str:
        """Encrypt ``file`` into the vault under ``label`` in ``project`` and return its document id.

        Raises VaultError when the file cannot be read, or cannot carry a fingerprint (its copies could not be
        traced) unless ``allow_unmarked``; VaultDenied when the writer is not in the project or the label is below
        the writer's level (no write down).
        """
        parsed = self._label(label)
        try:
            data = read_bounded(file)  # a FIFO or a device would block or never end; a huge file fills memory
            content_type = content_type_of(file, data)
            unmarkable = formats.markable(content_type, data)
        except OSError as exc:
            raise VaultError(f"{file}: cannot read ({exc.strerror})") from None
        except LimitError as exc:  # a ZIP bomb of a Word file, a file over the size limit
            raise VaultError(f"{file}: {exc}") from None
        if unmarkable is not None and not allow_unmarked:
            raise VaultError(
                f"{file}: {unmarkable}, so a leaked copy could not be traced; add it with --allow-unmarked to keep "
                "it anyway (its copies will say they are not fingerprinted)"
            )
        with self._step():
            return self._store_document(file.name, data, content_type, parsed, project, as_user, False)

    def plant_decoys(
        self, project: str, count: int = 3, *, label: Label | str | None = None, seed: int | None = None
    ) -> list[str]:
        """Plant ``count`` decoys in ``project`` (default label: the second-lowest level) and return their ids."""
        chosen = (
            self._label(label)
            if label is not None
            else Label(self.config.levels.names[min(1, len(self.config.levels.names) - 1)])
        )
        try:
            texts = make_decoys(project, count, seed)
        except ValueError as exc:
            raise VaultError(str(exc)) from None
        with self._step():
            return [
                self._store_document(f"{text.title}.md", text.body.encode(), "txt", chosen, project, ADMIN, True)
                for text in texts
            ]

    def _store_document(
        self, title: str, data: bytes, content_type: str, label: Label, project: str, actor: str, decoy: bool
    ) -> str:
        doc_id = "doc-" + secrets.token_hex(8)
        action = "decoy" if decoy else "add"
        resource = Resource(label, _name(project, "project"), decoy)
        details: dict[str, JsonValue] = {"label": str(label), "project": project, "title": title}
        reason = "planted"
        if not decoy:  # decoys are planted by the vault itself, not by a subject
            tampered = self._subject_problem(self._logged(), actor)
            if tampered is not None:
                self._deny(actor, action, doc_id, f"{TAMPERED}: {tampered}", details=details, content_type=content_type)
            decision = self._decide("add", actor, doc_id, resource)
            reason = decision.reason
            if not decision.allowed:
                self._deny(actor, action, doc_id, decision.reason, details=details, content_type=content_type)
        key = crypto.load_or_create_key(self.keys_dir)
        self.blobs.mkdir(mode=0o700, parents=True, exist_ok=True)
        _write_private(self.blobs / doc_id, crypto.seal(key, doc_id, data))
        outcome = self._outcome(
            actor,
            action,
            doc_id,
            True,
            reason,
            doc_id=doc_id,
            content_type=content_type,
            size=len(data),
            details=details,
        )
        row = [
            doc_id,
            title,
            label.level,
            sorted(label.compartments),
            project,
            content_type,
            len(data),
            hashlib.sha256(data).hexdigest(),
            decoy,
            actor,
            _naive(outcome.time),
        ]
        self._record(outcome, "INSERT INTO vault_documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
        return doc_id

    def ls(self, *, as_user: str) -> list[DocumentInfo]:
        """The documents ``as_user`` may read (decoys included when their label would allow it), by title."""
        with self._step():
            logged = self._logged()
            tampered = self._subject_problem(logged, as_user)
            if tampered is not None:
                self._deny(as_user, "list", "*", f"{TAMPERED}: {tampered}")
            docs = self._documents()
            withheld: list[JsonValue] = [d.info.doc_id for d in docs if self._document_problem(logged, d) is not None]
            shown = [
                doc.info
                for doc in docs
                if doc.info.doc_id not in withheld
                and self._decide("list", as_user, doc.info.doc_id, doc.resource).allowed
            ]
            details: dict[str, JsonValue] = {"shown": len(shown), **({TAMPERED: withheld} if withheld else {})}
            self._record(self._outcome(as_user, "list", "*", True, "filtered by policy", details=details))
        return sorted(shown, key=lambda info: (info.title, info.doc_id))

    def describe(self, doc_id: str) -> DocumentInfo | None:
        """What ls would show of one document; for callers that have just been allowed to read it (not audited)."""
        docs = self._documents(doc_id)
        return docs[0].info if docs else None

    def read(self, doc_id: str, *, as_user: str) -> bytes:
        """``as_user``'s copy of ``doc_id`` (it carries their fingerprint where its type allows: what is read can be
        copied); VaultDenied with the reason, VaultIntegrityError for a damaged blob."""
        return self.read_copy(doc_id, as_user=as_user).data

    def read_copy(self, doc_id: str, *, as_user: str) -> MarkedCopy:
        """``read``, with whether the copy is fingerprinted and the warning to show when it is not traceable."""
        with self._step():
            doc, data, extra = self._open_for("read", doc_id, as_user)
            marked = self._mark(doc, data, as_user, pdf=False, notice=extra.get("notice"))
            details = {**_fingerprint_details(marked), **extra}
            self._record(self._access_outcome("read", as_user, doc, marked.data, details=details))
            realtime.react(self.home, self.store, as_user, self.clock())
        return marked

    def checkout(self, doc_id: str, *, for_user: str, out_path: Path, pdf: bool = False) -> Checkout:
        """Write ``for_user``'s own fingerprinted copy of ``doc_id`` (as PDF with ``pdf``) to ``out_path`` (0600,
        never overwriting) and record it."""
        if out_path.exists():
            raise VaultError(f"{out_path} exists; choose a new file for the checkout")
        with self._step():
            doc, data, extra = self._open_for("checkout", doc_id, for_user)
            marked = self._mark(doc, data, for_user, pdf=pdf, notice=extra.get("notice"))
            _write_private(out_path, marked.data, exclusive=True)
            return self._record_checkout(doc, marked, for_user, str(out_path), extra)

    def checkout_copy(
        self, doc_id: str, *, for_user: str, delivered_to: str, pdf: bool = False
    ) -> tuple[Checkout, bytes]:
        """``for_user``'s own fingerprinted copy of ``doc_id`` as bytes (for a download), recorded like a checkout
        to a file. ``delivered_to`` says where the copy went (e.g. "web download"); it takes the place of the path.
        """
        with self._step():
            doc, data, extra = self._open_for("checkout", doc_id, for_user)
            marked = self._mark(doc, data, for_user, pdf=pdf, notice=extra.get("notice"))
            return self._record_checkout(doc, marked, for_user, delivered_to, extra), marked.data

    def original(self, doc_id: str) -> tuple[DocumentInfo, bytes]:
        """The stored plaintext with no policy check, for tracing a leak (the caller records the trace)."""
        docs = self._documents(doc_id)
        if not docs:
            raise VaultError(f"no document {doc_id} in the vault")
        return docs[0].info, crypto.open_blob(crypto.load_or_create_key(self.keys_dir), doc_id, self._blob(doc_id))

    def text_documents(self) -> list[DocumentInfo]:
        """Every document whose copies carry a fingerprint (the candidates when a leak is matched by content)."""
        return [doc.info for doc in self._documents() if doc.info.content_type in formats.CARRIERS]

    def recipients(self, doc_id: str) -> list[str]:
        """Everyone who was handed a copy of the document (an allowed read or checkout), from the recorded events."""
        rows = self.store.con.execute(
            "SELECT DISTINCT user_id FROM events WHERE source = ? AND kind = 'vault' AND path = ?"
            " AND activity IN ('read', 'checkout') AND content LIKE '%allowed:%' ORDER BY user_id",
            [records.SOURCE, doc_id],
        ).fetchall()
        return [row[0] for row in rows]

    def recipient_schemes(self, doc_id: str) -> dict[str, frozenset[int]]:
        """Each recipient of the document and the fingerprint schemes their copies were issued with, from each
        copy's audit entry (copies issued before schemes were recorded: scheme 1)."""
        rows = self.store.con.execute(
            "SELECT user_id, line FROM events WHERE source = ? AND kind = 'vault' AND path = ?"
            " AND activity IN ('read', 'checkout') AND content LIKE '%allowed:%' ORDER BY user_id, line",
            [records.SOURCE, doc_id],
        ).fetchall()
        schemes: dict[str, set[int]] = {}
        with listing.reading(self.audit_dir, self.keys_dir) as log:
            for user, seq in rows:
                fingerprint = log.entry(int(seq)).details.get("fingerprint")
                scheme = fingerprint.get("scheme", 1) if isinstance(fingerprint, dict) else 1
                schemes.setdefault(user, set()).add(scheme if isinstance(scheme, int) else 1)
        return {user: frozenset(found) for user, found in schemes.items()}

    def _mark(self, doc: _Doc, data: bytes, recipient: str, *, pdf: bool, notice: JsonValue = None) -> MarkedCopy:
        """The recipient's copy, with the notice their protection level asks for (after marking, so that the
        fingerprint is laid out from the original as the tracer lays it out)."""
        content_type = doc.info.content_type
        if pdf and content_type not in TEXT_TYPES:
            raise VaultError(f"--pdf renders text documents; {doc.info.doc_id} is {content_type}")
        key = crypto.load_or_create_key(self.keys_dir)
        shown = notice if isinstance(notice, str) else None
        if content_type in formats.CARRIERS and content_type not in TEXT_TYPES:
            try:
                return formats.mark_document(key, doc.info.doc_id, data, content_type, recipient, notice=shown)
            except formats.UnmarkableError as exc:  # added with --allow-unmarked
                return MarkedCopy(data, False, 0, 0, f"{exc}: this copy is not fingerprinted and cannot be traced")
        marked = mark_copy(
            key, doc.info.doc_id, data, content_type, recipient, pdf=pdf, title=doc.info.title, notice=shown
        )  # a PDF copy prints the notice in its top margin
        if shown is not None and content_type in TEXT_TYPES and not pdf:
            marked = replace(marked, data=f"{shown}\n\n".encode() + marked.data)  # a header line
        return marked

    def _record_checkout(
        self, doc: _Doc, marked: MarkedCopy, for_user: str, out: str, extra: dict[str, JsonValue]
    ) -> Checkout:
        data = marked.data
        digest = hashlib.sha256(data).hexdigest()
        details: dict[str, JsonValue] = {"recipient": for_user, "out": out, **_fingerprint_details(marked), **extra}
        outcome = self._access_outcome("checkout", for_user, doc, data, details=details)

        def apply(con: DuckDBPyConnection, seq: int) -> None:
            con.execute(
                "INSERT INTO vault_checkouts VALUES (?, ?, ?, ?, ?, ?)",
                [doc.info.doc_id, for_user, out, digest, seq, _naive(outcome.time)],
            )

        seq = records.record(self.home, self.store, outcome, apply)
        realtime.react(self.home, self.store, for_user, self.clock())
        return Checkout(doc.info.doc_id, for_user, out, digest, seq, marked.fingerprinted, marked.warning)

    # ---- decisions and records ------------------------------------------------------------------------------

    def _open_for(self, action: str, doc_id: str, user: str) -> tuple[_Doc, bytes, dict[str, JsonValue]]:
        """The allowed document's plaintext and what the access's audit entry adds (the notice its recipient's
        protection level asks for, the approval used); records and raises a refusal or a hold."""
        docs = self._documents(doc_id)
        if not docs:
            self._deny(user, action, doc_id, "no such document", doc_id=doc_id)
        doc = docs[0]
        common: dict[str, Any] = {"doc_id": doc_id, "content_type": doc.info.content_type, "decoy": doc.decoy}
        logged = self._logged()
        tampered = self._subject_problem(logged, user) or self._document_problem(logged, doc)
        if tampered is not None:
            self._deny(user, action, doc_id, f"{TAMPERED}: {tampered}", **common)
        if self._recent_accesses(user) >= self.config.rate_limit:
            reason = f"rate limit ({self.config.rate_limit} reads/checkouts per {self.config.rate_window} s)"
            self._deny(user, action, doc_id, reason, **common)
        decision = self._decide(action, user, doc_id, doc.resource)
        if not decision.allowed:
            self._deny(user, action, doc_id, decision.reason, **common)
        key = crypto.load_or_create_key(self.keys_dir)
        if not (self.blobs / doc_id).is_symlink() and not (self.blobs / doc_id).exists():
            self._deny(user, action, doc_id, "blob missing", **common)
        extra = self._protect(action, user, doc, common)
        try:
            blob = self._blob(doc_id)
        except VaultIntegrityError as exc:
            self._record(self._outcome(user, action, doc_id, False, exc.reason, **common))
            raise
        try:
            plain = crypto.open_blob(key, doc_id, blob)
        except VaultIntegrityError:
            self._record(self._outcome(user, action, doc_id, False, "integrity check failed", **common))
            raise
        return doc, plain, extra

    def _protect(self, action: str, user: str, doc: _Doc, common: dict[str, Any]) -> dict[str, JsonValue]:
        """What the requester's protection level does to this request (see molehunt.vault.protection): nothing
        at level none or below the protected level; the day's cap and a notice at elevated; a hold at high unless
        an approval of the same request is waiting. The person is told only that it needs approval."""
        with closing(connect(self.home)) as ops:
            level = level_of(ops, user).level
            if level is Level.NONE:
                return {}
            limits = protection.settings(self.home)
            levels, doc_id, now = self.config.levels, doc.info.doc_id, self.clock()
            protected = levels.names[levels.rank(limits.protected_level) :]
            if doc.info.label.level not in protected:
                return {}
            extra: dict[str, JsonValue] = {"protection": level.value}
            if level is Level.HIGH:
                approval = protection.usable_approval(ops, user, doc_id, action, now)
                if approval is None:
                    held = protection.request_id()
                    details: dict[str, JsonValue] = {"request_id": held, **extra}
                    self._record(self._outcome(user, action, doc_id, False, "needs approval", held=True,
                                               details=details, **common))  # fmt: skip
                    protection.new_request(ops, held, user, doc_id, action, now)
                    realtime.react(self.home, self.store, user, self.clock())
                    raise VaultHeld(action, doc_id, held)
                protection.decide(ops, approval, "used", "", "", now)
                extra["approval"] = approval
            elif self._protected_today(user, protected) >= limits.elevated_daily_cap:
                capped = {**extra, "limit": f"elevated daily cap ({limits.elevated_daily_cap})"}
                self._deny(user, action, doc_id, "needs approval", details=capped, **common)
            copies = self.store.count(
                "SELECT count(*) FROM events WHERE source = ? AND user_id = ? AND path = ?"
                " AND activity IN ('read', 'checkout') AND content LIKE '%allowed:%'",
                [records.SOURCE, user, doc_id],
            )
            extra["notice"] = protection.notice(user, now, copies + 1)
            return extra

    def _protected_today(self, user: str, protected: tuple[str, ...]) -> int:
        """The user's allowed reads and checkouts today (UTC) of documents at the given levels."""
        start = _naive(self.clock()).replace(hour=0, minute=0, second=0, microsecond=0)
        return self.store.count(
            "SELECT count(*) FROM events e JOIN vault_documents d ON d.doc_id = e.path WHERE e.source = ?"
            " AND e.user_id = ? AND e.activity IN ('read', 'checkout') AND e.content LIKE '%allowed:%'"
            " AND e.time >= ? AND list_contains(?, d.level)",
            [records.SOURCE, user, start, list(protected)],
        )

    # ---- two-person rule -------------------------------------------------------------------------------------

    def requests(self, *, state: str | None = None) -> list[protection.Request]:
        """Held requests and what became of them, newest first (not audited: it shows no document content)."""
        with closing(connect(self.home)) as ops:
            protection.expire(ops, self.clock())
            return protection.requests(ops, state=state)

    def approve(self, request_id: str, *, by: str, reason: str) -> protection.Request:
        """Approve another person's pending request (``by`` must be an approver); the requester's same read or
        checkout then succeeds once within 24 hours. VaultDenied (recorded) when not allowed."""
        return self._settle(request_id, "approved", by, reason)

    def deny(self, request_id: str, *, by: str, reason: str) -> protection.Request:
        """Refuse another person's pending request (``by`` must be an approver); VaultDenied when not allowed."""
        return self._settle(request_id, "denied", by, reason)

    def _settle(self, request_id: str, state: str, by: str, reason: str) -> protection.Request:
        action = "approve" if state == "approved" else "deny"
        if not reason.strip():
            raise VaultError(f"{action} needs a --reason")
        with self._step(), closing(connect(self.home)) as ops:
            found = protection.get(ops, request_id)
            problem = self._subject_problem(self._logged(), by)
            problem = f"{TAMPERED}: {problem}" if problem else None
            if found is None:
                problem = "no such request"
            elif problem is None and by not in protection.approvers(ops):
                problem = "not an approver"
            elif problem is None and found.user == by:
                problem = "an approver may not decide their own request"
            elif problem is None and found.state != "pending":
                problem = f"the request is {found.state}"
            details: dict[str, JsonValue] = {"note": reason}
            if found is not None:
                details |= {"user": found.user, "doc_id": found.doc_id, "request_action": found.action}
            if problem is not None:
                self._deny(by, action, request_id, problem, details=details)
            self._record(self._outcome(by, action, request_id, True, state, details=details))
            protection.decide(ops, request_id, state, by, reason, self.clock())
            settled = protection.get(ops, request_id)
        assert settled is not None
        return settled

    def _blob(self, doc_id: str) -> bytes:
        """The stored blob's bytes; VaultIntegrityError (with a short ``reason``) when it is missing, not a regular
        file (a directory, a device) or cannot be read."""
        path = self.blobs / doc_id
        try:
            with open(path, "rb") as handle:  # opened once, then checked: no window between check and read
                if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                    raise VaultIntegrityError(
                        f"document {doc_id}: its stored blob {path} is not a file", "blob is not a file"
                    )
                return handle.read()
        except FileNotFoundError:
            raise VaultIntegrityError(f"document {doc_id}: its stored blob is missing", "blob missing") from None
        except IsADirectoryError:
            raise VaultIntegrityError(
                f"document {doc_id}: its stored blob {path} is not a file", "blob is not a file"
            ) from None
        except OSError as exc:
            why = exc.strerror or type(exc).__name__
            raise VaultIntegrityError(
                f"document {doc_id}: its stored blob {path} cannot be read ({why})", f"blob cannot be read ({why})"
            ) from None

    def _access_outcome(
        self, action: str, user: str, doc: _Doc, data: bytes, details: dict[str, JsonValue] | None = None
    ) -> Outcome:
        decision = self._decide(action, user, doc.info.doc_id, doc.resource)
        return self._outcome(
            user,
            action,
            doc.info.doc_id,
            True,
            decision.reason,
            doc_id=doc.info.doc_id,
            content_type=doc.info.content_type,
            size=len(data),
            decoy=doc.decoy,
            details=details or {},
        )

    def verify(self, *, by: str = ADMIN) -> list[str]:
        """Compare every stored clearance and document label with the state the audit log records; returns the
        disagreements (empty: the store is as the log says). The check itself is recorded in the audit log."""
        with self._step():
            rows = self.store.con.execute(
                "SELECT user_id, level, compartments, projects FROM vault_subjects"
            ).fetchall()
            levels = self.config.levels
            problems: list[str] = []
            subjects: dict[str, bound.Clearance] = {}
            with closing(connect(self.home)) as ops:
                approvers = protection.approvers(ops)
            for user, level, compartments, projects in rows:
                try:
                    subjects[user] = bound.Clearance(Label(levels.canonical(level), frozenset(compartments)),
                                                     frozenset(projects), user in approvers)  # fmt: skip
                except VaultError as exc:
                    problems.append(f"the clearance of {user} is unreadable: {exc}")
            documents = {
                d.info.doc_id: bound.Placement(d.info.label, d.info.project, d.decoy) for d in self._documents()
            }
            problems += bound.verify(self._logged(), subjects, documents)
            shown: list[JsonValue] = [*problems[:20]]
            details: dict[str, JsonValue] = {"problems": len(problems), **({"first": shown} if shown else {})}
            reason = f"{TAMPERED}: {len(problems)} disagreement(s)" if problems else "store matches the audit log"
            self._record(self._outcome(by, "verify", "vault", not problems, reason, details=details))
        return problems

    def _logged(self) -> bound.Logged:
        return bound.logged_state(self.home, self.config.levels)

    def _subject_problem(self, logged: bound.Logged, user: str) -> str | None:
        try:
            found = self.subject(user)
        except VaultError as exc:
            return f"the clearance of {user} is unreadable ({exc})"
        stored = None
        if found is not None:
            with closing(connect(self.home)) as ops:
                approver = user in protection.approvers(ops)
            stored = bound.Clearance(found.clearance, found.projects, approver)
        return bound.subject_mismatch(logged, user, stored)

    def _document_problem(self, logged: bound.Logged, doc: _Doc) -> str | None:
        placement = bound.Placement(doc.info.label, doc.info.project, doc.decoy)
        return bound.document_mismatch(logged, doc.info.doc_id, placement)

    def _decide(self, action: str, user: str, doc_id: str, resource: Resource) -> Decision:
        subject = self.subject(user)
        clearance = (
            Clearance(subject.clearance, subject.projects)
            if subject is not None
            else Clearance(Label(self.config.levels.names[0]), frozenset(), granted=False)
        )
        return decide(action, user, clearance, doc_id, resource, self.config.levels)

    def _recent_accesses(self, user: str) -> int:
        since = _naive(self.clock()) - timedelta(seconds=self.config.rate_window)
        return self.store.count(
            "SELECT count(*) FROM events WHERE source = ? AND user_id = ? AND activity IN ('read', 'checkout')"
            " AND content LIKE '%allowed:%' AND time > ?",
            [records.SOURCE, user, since],
        )

    def _deny(self, user: str, action: str, target: str, reason: str, **extra: Any) -> NoReturn:
        self._record(self._outcome(user, action, target, False, reason, **extra))
        if action in {"read", "checkout"}:  # a refusal can raise the person's level as it happens
            realtime.react(self.home, self.store, user, self.clock())
        raise VaultDenied(action, target, reason)

    def _outcome(self, actor: str, action: str, target: str, allowed: bool, reason: str, **extra: Any) -> Outcome:
        if self.impersonated_by is not None:
            extra["details"] = {**extra.get("details", {}), "impersonated_by": self.impersonated_by}
        return Outcome(actor, action, target, allowed, reason, self.clock(), **extra)

    def _record(self, outcome: Outcome, sql: str | None = None, params: list[Any] | None = None) -> int:
        def apply(con: DuckDBPyConnection, seq: int) -> None:
            if sql is not None:
                con.execute(sql, params or [])

        return records.record(self.home, self.store, outcome, apply)

    @contextmanager
    def _step(self) -> Iterator[None]:
        """One operation under the home's vault lock, after repairing what a crash may have left half-recorded."""
        with home_lock(self.home.root):
            records.repair(self.home, self.store)
            yield

    def _documents(self, doc_id: str | None = None) -> list[_Doc]:
        rows = self.store.con.execute(
            "SELECT doc_id, title, level, compartments, project, content_type, size_bytes, added_at, decoy"
            " FROM vault_documents WHERE ?::VARCHAR IS NULL OR doc_id = ?",
            [doc_id, doc_id],
        ).fetchall()
        return [
            _Doc(
                DocumentInfo(
                    r[0], r[1], Label(self.config.levels.canonical(r[2]), frozenset(r[3])), r[4], r[5], int(r[6]), r[7]
                ),
                bool(r[8]),
            )
            for r in rows
        ]

    def _label(self, label: Label | str) -> Label:
        if isinstance(label, Label):
            return Label(self.config.levels.canonical(label.level), parse_compartments(label.compartments))
        return Label.parse(label, self.config.levels)


@contextmanager
def open_vault(
    home: Home, config: VaultConfig = VaultConfig(), *, impersonated_by: str | None = None
) -> Iterator[Vault]:
    """The home's vault over its store for one process's command: the vault lock is taken before the store is
    opened (DuckDB lets one process write at a time), so parallel commands wait their turn instead of failing.
    ``impersonated_by`` names the administrator acting as the users a command names (recorded in every entry)."""
    with home_lock(home.root), open_store(home.ensure().store_path) as store:
        yield Vault(home, store, config, impersonated_by=impersonated_by)


def _name(value: str, what: str) -> str:
    if not value.strip() or value != value.strip():
        raise VaultError(f"a {what} name must be non-empty without surrounding spaces: {value!r}")
    return value


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _write_private(path: Path, data: bytes, *, exclusive: bool = False) -> None:
    """Write ``data`` to ``path`` with mode 0600, durably; with ``exclusive`` an existing file is an error."""
    target = path if exclusive else path.with_name(path.name + ".tmp")
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    try:
        fd = os.open(target, flags, 0o600)
    except FileExistsError:
        raise VaultError(f"{path} exists; choose a new file") from None
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    if not exclusive:
        os.replace(target, path)


def _fingerprint_details(marked: MarkedCopy) -> dict[str, JsonValue]:
    """What the copy's audit entry records of its fingerprint: the tracer reads the copy with the same carrier
    and scheme (nothing else is stored per recipient: the codeword is derived again from the vault key)."""
    if not marked.fingerprinted:
        return {"fingerprint": "none"}
    found: dict[str, JsonValue] = {"robust": marked.robust, "fragile": marked.fragile}
    if marked.printed:
        found["printed"] = marked.printed
    return {"fingerprint": {**found, "carrier": marked.carrier, "scheme": marked.scheme}}
