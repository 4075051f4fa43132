"""The analyst dashboard (FastAPI): thin routes over molehunt.workbench, server-rendered pages, no JavaScript.

`create_app` is imported on first use, so that importing molehunt.cli.web (every CLI start) stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from molehunt.web.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from molehunt.web.app import create_app

        return create_app
    raise AttributeError(name)
