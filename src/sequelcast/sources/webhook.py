"""Posting JSON to a user's webhook (``watch check --webhook URL``).

The client is :func:`~sequelcast.sources.http.make_client`'s: a 10-second time-out, and ``429`` /
``5xx`` answers, time-outs and connection failures retried with exponential back-off (1, 2, 4 s,
honouring ``Retry-After`` up to a minute). A final failure is a
:class:`~sequelcast.errors.FetchError` naming the URL. Tests inject an ``httpx.MockTransport``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx

from sequelcast.errors import ConfigError
from sequelcast.sources.http import make_client

TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def check_url(url: str) -> str:
    """``url`` when it is an ``http(s)://host/...`` address, else a :class:`ConfigError`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"--webhook: expected an http:// or https:// URL, got {url!r}")
    return url


def make_webhook_client(**kwargs: Any) -> httpx.Client:
    """A client for webhooks: short time-outs, 3 retries with back-off, no pacing."""
    options: dict[str, Any] = {
        "timeout": TIMEOUT,
        "rate_limit_per_second": None,
        "max_retries": 3,
        "backoff": 1.0,
        "max_retry_after": 60.0,
    }
    options.update(kwargs)
    return make_client(**options)


def post_json(client: httpx.Client, url: str, payload: dict[str, Any]) -> int:
    """POST ``payload`` as JSON to ``url``; the final status (``FetchError`` for a failure)."""
    response = client.post(
        check_url(url), json=payload, headers={"Content-Type": "application/json"}
    )
    return response.status_code
