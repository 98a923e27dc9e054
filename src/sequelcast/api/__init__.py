"""The JSON API and the web page over :mod:`sequelcast.service`, as one ASGI app.

:func:`create_app` builds it; ``sequelcast serve`` (:func:`sequelcast.api.serve.serve`) runs it.
FastAPI is imported on first use of :func:`create_app`, so the CLI, which imports
:mod:`sequelcast.api.serve`, starts without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sequelcast.api.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from sequelcast.api.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
