"""One search box over people, files, hosts, web domains and vault documents.

People are found by pseudonym (a prefix of it, or the whole), or by their real user id, exactly, only for a searcher
allowed to reveal identities; such a match names the person by pseudonym and is recorded in the audit log by the
caller before anything is shown (`Results.by_real_id`). Files, hosts and domains are found in the events (a
substring, case-insensitive), each with how many events and people touched it and the first few of those people;
vault documents by title or id among the documents the searcher may see (the caller passes them: the vault decides).
Every value is a bound parameter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from molehunt.errors import MolehuntError
from molehunt.pseudonyms import Pseudonyms
from molehunt.store import Store
from molehunt.vault.service import DocumentInfo
from molehunt.workbench import people

MIN_QUERY = 2
MAX_QUERY = 200
LIMIT = 20  # matches shown per kind
PEOPLE_SHOWN = 5  # people listed per file, host or domain


class SearchError(MolehuntError):
    """A query that cannot be searched for."""


class Place(StrEnum):
    FILE = "file"
    HOST = "host"
    DOMAIN = "domain"


_COLUMN = {Place.FILE: "path", Place.HOST: "host", Place.DOMAIN: "domain"}


@dataclass(frozen=True)
class PlaceMatch:
    place: Place
    value: str
    events: int
    people: int
    last_seen: datetime
    user_ids: tuple[str, ...]  # the first PEOPLE_SHOWN of those people, by most events


@dataclass(frozen=True)
class PlaceMatches:
    matches: list[PlaceMatch]
    total: int  # distinct values matching (more than shown when over LIMIT)


@dataclass(frozen=True)
class Results:
    query: str
    people: list[str] = field(default_factory=list)  # user ids
    by_real_id: list[str] = field(default_factory=list)  # the people found by their real id (to be audited)
    places: dict[Place, PlaceMatches] = field(default_factory=dict)
    documents: list[DocumentInfo] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.people or self.documents or any(found.matches for found in self.places.values()))


def query_text(raw: str) -> str:
    """The query as searched (stripped); SearchError when it is too short or too long."""
    text = raw.strip()
    if len(text) < MIN_QUERY:
        raise SearchError(f"type at least {MIN_QUERY} characters to search")
    if len(text) > MAX_QUERY:
        raise SearchError(f"a search is at most {MAX_QUERY} characters")
    return text


def search(
    store: Store, names: Pseudonyms, raw: str, *, may_reveal: bool, documents: Sequence[DocumentInfo] = ()
) -> Results:
    """Everything matching `raw`; `documents` are those the searcher may see. SearchError for a bad query."""
    text = query_text(raw)
    found, by_id = find_people(people.known_users(store), names, text, may_reveal=may_reveal)
    places = {place: find_places(store, place, text) for place in Place}
    folded = text.casefold()
    docs = [d for d in documents if folded in d.title.casefold() or folded == d.doc_id.casefold()][:LIMIT]
    return Results(text, found, by_id, places, docs)


def find_people(
    user_ids: Iterable[str], names: Pseudonyms, text: str, *, may_reveal: bool
) -> tuple[list[str], list[str]]:
    """(people found, those found by real id): a pseudonym starting with the text (case-insensitive, the "P-"
    optional), or, when `may_reveal`, a real user id equal to it."""
    wanted = text.upper()
    prefixes = (wanted,) if wanted.startswith("P-") else (wanted, "P-" + wanted)
    found: list[str] = []
    by_id: list[str] = []
    for user_id in user_ids:
        if may_reveal and user_id.casefold() == text.casefold():
            by_id.append(user_id)
            found.append(user_id)
        elif names.of(user_id).startswith(prefixes):
            found.append(user_id)
    found.sort(key=lambda user: (user not in by_id, names.of(user)))
    return found[:LIMIT], by_id


def find_places(store: Store, place: Place, text: str) -> PlaceMatches:
    """Files (paths), hosts or web domains containing `text`, most used first."""
    column = _COLUMN[place]  # from a fixed map, never from the request
    rows = store.con.execute(
        f"WITH hits AS (SELECT {column} AS value, user_id, time FROM events"
        f"   WHERE {column} IS NOT NULL AND contains(lower({column}), lower($q))),"
        " per_person AS (SELECT value, user_id, count(*) AS n FROM hits GROUP BY ALL),"
        " ranked AS (SELECT value, list(user_id ORDER BY n DESC, user_id)[1:$shown] AS users FROM per_person"
        "   GROUP BY value)"
        " SELECT h.value, count(*), count(DISTINCT h.user_id), max(h.time), any_value(r.users),"
        "  count(*) OVER () AS total"
        " FROM hits h JOIN ranked r USING (value) GROUP BY h.value ORDER BY count(*) DESC, h.value LIMIT $limit",
        {"q": text, "shown": PEOPLE_SHOWN, "limit": LIMIT},
    ).fetchall()
    matches = [
        PlaceMatch(place, value, int(n), int(who), last, tuple(users or ())) for value, n, who, last, users, _ in rows
    ]
    return PlaceMatches(matches, int(rows[0][5]) if rows else 0)
