"""The analyst dashboard (FastAPI): thin routes over molehunt.workbench, server-rendered pages, no JavaScript."""

from molehunt.web.app import create_app

__all__ = ["create_app"]
