"""The one HTTP client factory of sequelcast.

:func:`make_client` returns an :class:`httpx.Client` that

- sends a ``sequelcast/<version> (+https://github.com/sequelcast)`` user agent,
- has connect and read time-outs,
- paces its requests (a steady interval, and optionally a cap per minute),
- retries ``429`` and ``5xx`` answers and transport failures with exponential back-off, honouring
  ``Retry-After``,
- raises :class:`FetchStatusError` (a :class:`~sequelcast.errors.FetchError`) naming the URL and the
  status for any final ``4xx``/``5xx`` answer, and :class:`~sequelcast.errors.FetchError` for a
  time-out or a connection failure.

All of this lives in :class:`PoliteTransport`, which wraps the real transport, so tests inject an
:class:`httpx.MockTransport` and a fake clock instead of patching anything.
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _dist_version
from typing import Any

import httpx

from sequelcast.errors import FetchError

#: Statuses worth asking again.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
#: One request a second: within Jikan's 3/s and 60/min and AniList's documented 90/min.
DEFAULT_RATE_PER_SECOND = 1.0


def _package_version() -> str:
    try:
        return _dist_version("sequelcast")
    except PackageNotFoundError:
        return "0+unknown"


USER_AGENT = f"sequelcast/{_package_version()} (+https://github.com/sequelcast)"


class FetchStatusError(FetchError):
    """A server answered with a ``4xx`` or ``5xx`` status (after any retries).

    ``url`` and ``status_code`` let a caller treat, say, a 404 as "no such entry".
    """

    def __init__(self, url: str, status_code: int, detail: str = "") -> None:
        self.url = url
        self.status_code = status_code
        self.detail = detail
        message = f"{url} answered HTTP {status_code}"
        super().__init__(f"{message}: {detail}" if detail else message)


class RateLimiter:
    """Space requests ``1 / per_second`` seconds apart and allow at most ``per_minute`` per 60 s.

    Parameters
    ----------
    per_second : float or None
        Steady pace; ``None`` for no spacing.
    per_minute : int or None
        Cap over any sliding 60-second window; ``None`` for no cap.
    clock, sleep : callable
        ``time.monotonic`` and ``time.sleep`` unless a test passes fakes.

    Examples
    --------
    >>> now = [0.0]
    >>> limiter = RateLimiter(2.0, clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
    >>> for _ in range(3):
    ...     limiter.wait()
    >>> now[0]
    1.0
    """

    def __init__(
        self,
        per_second: float | None = DEFAULT_RATE_PER_SECOND,
        per_minute: int | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_second is not None and per_second <= 0:
            raise ValueError(f"per_second must be positive, got {per_second!r}")
        if per_minute is not None and per_minute < 1:
            raise ValueError(f"per_minute must be at least 1, got {per_minute!r}")
        self.interval = 1.0 / per_second if per_second else 0.0
        self.per_minute = per_minute
        self._clock = clock
        self._sleep = sleep
        self._sent: deque[float] = deque()

    def delay(self) -> float:
        """Seconds to wait before the next request may go (0 when it may go now)."""
        now = self._clock()
        wait = 0.0
        if self._sent and self.interval:
            wait = max(wait, self._sent[-1] + self.interval - now)
        if self.per_minute is not None:
            while self._sent and self._sent[0] <= now - 60.0:
                self._sent.popleft()
            if len(self._sent) >= self.per_minute:
                wait = max(wait, self._sent[-self.per_minute] + 60.0 - now)
        return max(wait, 0.0)

    def wait(self) -> None:
        """Sleep until the next request may go, then count it as sent."""
        wait = self.delay()
        if wait > 0:
            self._sleep(wait)
        self._sent.append(self._clock())
        keep = max(self.per_minute or 0, 1)
        while len(self._sent) > keep:
            self._sent.popleft()


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """The wait a ``Retry-After`` header asks for, in seconds (never negative).

    Parameters
    ----------
    value : str or None
        The header: delay seconds (``"120"``) or an HTTP date.
    now : float
        The current POSIX time, used for an HTTP date.

    Returns
    -------
    float or None
        ``None`` when the header is missing or unreadable.

    Examples
    --------
    >>> retry_after_seconds("3", now=0.0)
    3.0
    >>> retry_after_seconds("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0)
    10.0
    >>> retry_after_seconds("soon", now=0.0) is None
    True
    >>> retry_after_seconds("nan", now=0.0) is None
    True
    """
    if value is None:
        return None
    text = value.strip()
    if (
        text.isascii() and text.isdigit()
    ):  # delay-seconds is 1*DIGIT (RFC 9110): never "nan" or "inf"
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(when.timestamp() - now, 0.0)


def error_detail(body: bytes, limit: int = 300) -> str:
    """A short description of an error body: its JSON ``message``/``errors``, else its text."""
    text = body.decode("utf-8", errors="replace").strip()
    try:
        payload = json.loads(text)
    except ValueError:
        payload = None
    messages: list[str] = []
    if isinstance(payload, dict):
        errors = payload.get("errors")
        if isinstance(errors, list):
            messages.extend(
                str(e.get("message")) for e in errors if isinstance(e, dict) and e.get("message")
            )
        for key in ("message", "error"):
            if isinstance(payload.get(key), str) and payload[key]:
                messages.append(payload[key])
    detail = "; ".join(dict.fromkeys(messages)) or " ".join(text.split())
    return detail if len(detail) <= limit else detail[: limit - 3] + "..."


class PoliteTransport(httpx.BaseTransport):
    """Wrap a transport with pacing, retries and errors that name the URL.

    Parameters
    ----------
    inner : httpx.BaseTransport
        The transport that really sends (``httpx.HTTPTransport`` or a test's ``MockTransport``).
    limiter : RateLimiter
        Paces every attempt, retries included.
    max_retries : int
        Attempts after the first one for ``429``/``5xx`` answers and transport failures.
    backoff : float
        First back-off in seconds; doubled at each retry, capped at ``max_backoff``.
    max_retry_after : float
        The longest ``Retry-After`` honoured; a server asking for more gives a
        :class:`FetchStatusError` at once instead of a silent long wait.
    sleep : callable
        ``time.sleep`` unless a test passes a fake.
    wall_clock : callable
        ``time.time``, to read ``Retry-After`` dates.
    """

    def __init__(
        self,
        inner: httpx.BaseTransport,
        limiter: RateLimiter,
        *,
        max_retries: int = 3,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        max_retry_after: float = 300.0,
        sleep: Callable[[float], None] = time.sleep,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        if max_retries < 0:
            raise ValueError(f"max_retries must be 0 or more, got {max_retries!r}")
        self.inner = inner
        self.limiter = limiter
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self._sleep = sleep
        self._wall_clock = wall_clock

    def _backoff(self, attempt: int) -> float:
        return float(min(self.backoff * 2**attempt, self.max_backoff))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``, pacing and retrying; raise ``FetchError`` for a failure."""
        url = str(request.url)
        attempt = 0
        while True:
            self.limiter.wait()
            try:
                response = self.inner.handle_request(request)
            except httpx.TransportError as exc:
                if attempt >= self.max_retries:
                    kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "failed"
                    raise FetchError(
                        f"{request.method} {url} {kind} after {attempt + 1} attempt(s): {exc!r}"
                    ) from exc
                self._sleep(self._backoff(attempt))
                attempt += 1
                continue
            if response.status_code < 400:
                return response
            body = response.read()
            response.close()
            if response.status_code in RETRY_STATUSES and attempt < self.max_retries:
                asked = retry_after_seconds(response.headers.get("Retry-After"), self._wall_clock())
                if asked is not None and asked > self.max_retry_after:
                    raise FetchStatusError(
                        url,
                        response.status_code,
                        f"asked to retry after {asked:.0f} s (more than {self.max_retry_after:.0f} s)",
                    )
                self._sleep(asked if asked is not None else self._backoff(attempt))
                attempt += 1
                continue
            detail = error_detail(body)
            if attempt:
                detail = (
                    f"{detail} (after {attempt + 1} attempts)"
                    if detail
                    else f"after {attempt + 1} attempts"
                )
            raise FetchStatusError(url, response.status_code, detail)

    def close(self) -> None:
        """Close the wrapped transport."""
        self.inner.close()


def make_client(
    *,
    transport: httpx.BaseTransport | None = None,
    timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
    user_agent: str = USER_AGENT,
    rate_limit_per_second: float | None = DEFAULT_RATE_PER_SECOND,
    rate_limit_per_minute: int | None = None,
    max_retries: int = 3,
    backoff: float = 1.0,
    max_retry_after: float = 300.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    wall_clock: Callable[[], float] = time.time,
) -> httpx.Client:
    """Make the HTTP client every network source uses.

    Parameters
    ----------
    transport : httpx.BaseTransport, optional
        What really sends requests; tests pass an :class:`httpx.MockTransport`.
    timeout : float or httpx.Timeout
        Time-outs (default: 10 s to connect, 30 s for the rest).
    user_agent : str
        The ``User-Agent`` header.
    rate_limit_per_second : float or None
        Requests per second at most, as a steady pace (``None``: no pacing).
        The default, 1/s, keeps within Jikan's 3/s and 60/min.
    rate_limit_per_minute : int or None
        Requests per sliding minute at most (``None``: no cap).
    max_retries : int
        Retries of a ``429``/``5xx`` answer or a transport failure.
    backoff : float
        First back-off in seconds (doubled each retry) when no ``Retry-After`` is given.
    max_retry_after : float
        Longest ``Retry-After`` honoured, in seconds.
    clock, sleep, wall_clock : callable
        ``time.monotonic``, ``time.sleep`` and ``time.time``, unless a test passes fakes.

    Returns
    -------
    httpx.Client
        Use it as a context manager so its connections are closed.

    Examples
    --------
    >>> transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"ok": True}))
    >>> with make_client(transport=transport, rate_limit_per_second=None) as client:
    ...     client.get("https://example.org/").json()
    {'ok': True}
    """
    limiter = RateLimiter(rate_limit_per_second, rate_limit_per_minute, clock=clock, sleep=sleep)
    polite = PoliteTransport(
        transport if transport is not None else httpx.HTTPTransport(),
        limiter,
        max_retries=max_retries,
        backoff=backoff,
        max_retry_after=max_retry_after,
        sleep=sleep,
        wall_clock=wall_clock,
    )
    return httpx.Client(
        transport=polite,
        timeout=timeout,
        headers={"User-Agent": user_agent, "Accept": "application/json"},
    )


def get_json(client: httpx.Client, url: str, params: dict[str, Any] | None = None) -> Any:
    """``GET url`` and decode its JSON body, or raise :class:`FetchError` naming the URL.

    Parameters
    ----------
    client : httpx.Client
        A client from :func:`make_client`.
    url : str
        The address.
    params : dict, optional
        Query parameters.

    Returns
    -------
    Any
        The decoded JSON.
    """
    return decode_json_response(client.get(url, params=params))


def decode_json_response(response: httpx.Response) -> Any:
    """The JSON body of ``response``, or :class:`FetchError` naming its URL."""
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError) as exc:
        raise FetchError(
            f"{response.request.url} answered something that is not JSON: {exc}"
        ) from exc
