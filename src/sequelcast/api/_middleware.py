"""What every response gets, whatever route made it (pure ASGI middleware).

* :class:`HeadAsGet`: ``HEAD`` is answered as ``GET`` without the body (same status and headers),
  and a ``405`` lists ``HEAD`` beside ``GET`` in its ``Allow`` header.
* :class:`SecurityHeaders`: ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY``,
  ``Referrer-Policy: no-referrer`` and a ``Content-Security-Policy`` that the page meets (its CSS
  and scripts come from ``/static`` only; the one inline thing is the ``style`` attribute of the
  forecast bars; posters are images from their source's https site). ``/docs`` and ``/redoc`` load FastAPI's viewer from cdn.jsdelivr.net with an
  inline script, so their policy allows exactly that (see :data:`DOCS_CSP`).
* Redirects point at a path of this app (``Location: /anime/40938``), never at a host taken from
  the request's ``Host`` header.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: The policy of every response but the API viewers.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data: https:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: The policy of ``/docs`` and ``/redoc``: FastAPI's viewers come from cdn.jsdelivr.net.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "img-src 'self' data: https://fastapi.tiangolo.com; font-src 'self' https://fonts.gstatic.com; "
    "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
)


def _relative(location: bytes) -> bytes:
    """``Location`` as a path of this app: scheme and host dropped."""
    parts = urlsplit(location.decode("latin-1"))
    if not parts.scheme and not parts.netloc:
        return location
    path = parts.path or "/"
    if path.startswith("//"):  # never a scheme-relative URL to another host
        path = "/" + path.lstrip("/")
    return (path + (f"?{parts.query}" if parts.query else "")).encode("latin-1")


class SecurityHeaders:
    """Add the security headers to every HTTP response; make redirects relative."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        csp = DOCS_CSP if path in DOCS_PATHS or path.startswith("/docs/") else CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {b"content-security-policy", *(k for k, _ in SECURITY_HEADERS)}
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                if 300 <= int(message["status"]) < 400:
                    headers = [
                        (k, _relative(v) if k.lower() == b"location" else v) for k, v in headers
                    ]
                headers += [*SECURITY_HEADERS, (b"content-security-policy", csp.encode())]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeadAsGet:
    """Answer ``HEAD`` as ``GET`` without a body; a 405's ``Allow`` names ``HEAD`` with ``GET``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}

        async def send_filtered(message: Message) -> None:
            if message["type"] == "http.response.start" and int(message["status"]) == 405:
                message = {
                    **message,
                    "headers": [
                        (k, _with_head(v) if k.lower() == b"allow" else v)
                        for k, v in message.get("headers", [])
                    ],
                }
            elif head and message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app(scope, receive, send_filtered)


def _with_head(allow: bytes) -> bytes:
    methods = [m.strip() for m in allow.decode("latin-1").split(",") if m.strip()]
    if "GET" in methods and "HEAD" not in methods:
        methods.append("HEAD")
    return ", ".join(methods).encode("latin-1")


__all__ = ["CSP", "DOCS_CSP", "HeadAsGet", "SecurityHeaders"]
