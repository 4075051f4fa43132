"""Page arithmetic shared by every paged list (alert queue, events, quarantined rows)."""

from __future__ import annotations


def page_bounds(total: int, wanted: int, size: int) -> tuple[int, int]:
    """(page, pages): `wanted` clamped to 1..pages, where pages >= 1 even for an empty list."""
    pages = max(1, -(-total // size))
    return min(max(1, wanted), pages), pages
