"""Ground-truth files (the answers naming the insiders) are shown to admins only."""

from __future__ import annotations

from molehunt.store import Store
from molehunt.workbench import sources
from molehunt.workbench.accounts import Role


def test_ground_truth_files_are_hidden_from_everyone_but_admins(store: Store) -> None:
    everything = sources.visible_files(store, Role.ADMIN)
    truth = [f for f in everything.shown if f["role"] in sources.GROUND_TRUTH_ROLES]
    assert truth and everything.hidden == 0
    for role in (Role.VIEWER, Role.ANALYST):
        seen = sources.visible_files(store, role)
        assert seen.hidden == len(truth) and len(seen.shown) == len(everything.shown) - len(truth)
        assert not any(f["role"] in sources.GROUND_TRUTH_ROLES for f in seen.shown)
        assert sources.quarantine_page(store, role, truth[0]["file_id"]) is None
    page = sources.quarantine_page(store, Role.ADMIN, truth[0]["file_id"])
    assert page is not None and page.path == truth[0]["path"]


def test_quarantine_pages(store: Store) -> None:
    file = next(f for f in sources.visible_files(store, Role.ANALYST).shown)
    store.con.executemany(
        "INSERT INTO quarantine VALUES (?, ?, 'bad date', 'x')", [(file["file_id"], 10_000 + n) for n in range(150)]
    )
    first = sources.quarantine_page(store, Role.ANALYST, file["file_id"])
    assert first is not None and first.total >= 150 and first.pages >= 2 and len(first.rows) == 100
    last = sources.quarantine_page(store, Role.ANALYST, file["file_id"], page=99)
    assert last is not None and last.page == last.pages and len(last.rows) == last.total - 100 * (last.pages - 1)
    assert sources.quarantine_page(store, Role.ADMIN, 99_999) is None
