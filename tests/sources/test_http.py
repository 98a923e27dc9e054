"""The client factory: user agent, pacing, retries with Retry-After, errors naming the URL."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sequelcast.errors import FetchError
from sequelcast.sources.http import (
    FetchStatusError,
    RateLimiter,
    decode_json_response,
    error_detail,
    get_json,
    make_client,
    retry_after_seconds,
)

URL = "https://api.example.org/v1/thing"


class FakeClock:
    """A monotonic clock that only moves when something sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def scripted(
    *responses: httpx.Response | Exception,
) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    """A transport answering with ``responses`` in order, and the list of requests it saw."""
    queue = list(responses)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return httpx.MockTransport(handler), seen


def client_for(transport: httpx.BaseTransport, clock: FakeClock, **kwargs: object) -> httpx.Client:
    options: dict[str, object] = {"rate_limit_per_second": None}
    options.update(kwargs)
    return make_client(transport=transport, clock=clock, sleep=clock.sleep, **options)  # type: ignore[arg-type]


def test_user_agent_and_accept_headers_are_sent() -> None:
    transport, seen = scripted(httpx.Response(200, json={}))
    with make_client(transport=transport) as client:
        client.get(URL)
    assert re.fullmatch(
        r"sequelcast/\S+ \(\+https://github\.com/sequelcast\)", seen[0].headers["User-Agent"]
    )
    assert seen[0].headers["Accept"] == "application/json"


def test_default_pace_is_one_request_a_second() -> None:
    clock = FakeClock()
    transport, _ = scripted(*(httpx.Response(200) for _ in range(3)))
    with make_client(transport=transport, clock=clock, sleep=clock.sleep) as client:
        for _ in range(3):
            client.get(URL)
    assert clock.sleeps == [1.0, 1.0]


def test_per_minute_cap_waits_for_the_window() -> None:
    clock = FakeClock()
    limiter = RateLimiter(None, 2, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        limiter.wait()
    assert clock.sleeps == [60.0]


@pytest.mark.parametrize(
    ("per_second", "per_minute", "match"),
    [(0.0, None, "per_second"), (-1.0, None, "per_second"), (None, 0, "per_minute")],
    ids=["zero-rate", "negative-rate", "zero-cap"],
)
def test_rate_limiter_rejects_bad_settings(
    per_second: float | None, per_minute: int | None, match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        RateLimiter(per_second, per_minute)


def test_500_then_success_retries_with_backoff() -> None:
    clock = FakeClock()
    transport, seen = scripted(httpx.Response(500, text="oops"), httpx.Response(200, json={"a": 1}))
    with client_for(transport, clock, backoff=0.5) as client:
        assert get_json(client, URL) == {"a": 1}
    assert len(seen) == 2
    assert clock.sleeps == [0.5]


def test_429_honours_retry_after_seconds() -> None:
    clock = FakeClock()
    transport, seen = scripted(
        httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, json=[])
    )
    with client_for(transport, clock) as client:
        assert client.get(URL).json() == []
    assert clock.sleeps == [7.0]


def test_429_honours_retry_after_http_date() -> None:
    clock = FakeClock()
    transport, _ = scripted(
        httpx.Response(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:10 GMT"}),
        httpx.Response(200),
    )
    with client_for(transport, clock, wall_clock=lambda: 1445412480.0) as client:
        client.get(URL)
    assert clock.sleeps == [10.0]


def test_too_long_retry_after_fails_at_once() -> None:
    clock = FakeClock()
    transport, seen = scripted(httpx.Response(429, headers={"Retry-After": "3600"}))
    with client_for(transport, clock, max_retry_after=120) as client:
        with pytest.raises(FetchStatusError, match=r"api\.example\.org.*429.*3600 s") as info:
            client.get(URL)
    assert info.value.status_code == 429
    assert clock.sleeps == []
    assert len(seen) == 1


def test_404_is_not_retried_and_names_url_status_and_message() -> None:
    clock = FakeClock()
    body = {"status": 404, "type": "BadResponseException", "message": "Resource does not exist"}
    transport, seen = scripted(httpx.Response(404, json=body))
    with client_for(transport, clock) as client:
        with pytest.raises(
            FetchError, match=r"v1/thing answered HTTP 404: Resource does not exist"
        ):
            client.get(URL)
    assert len(seen) == 1


def test_persistent_503_gives_up_after_max_retries() -> None:
    clock = FakeClock()
    transport, seen = scripted(*(httpx.Response(503, text="busy") for _ in range(3)))
    with client_for(transport, clock, max_retries=2, backoff=1.0) as client:
        with pytest.raises(FetchStatusError, match=r"HTTP 503: busy \(after 3 attempts\)"):
            client.get(URL)
    assert len(seen) == 3
    assert clock.sleeps == [1.0, 2.0]


def test_timeouts_are_retried_then_become_fetch_error() -> None:
    clock = FakeClock()
    timeout = httpx.ConnectTimeout("timed out")
    transport, seen = scripted(timeout, timeout)
    with client_for(transport, clock, max_retries=1) as client:
        with pytest.raises(FetchError, match=r"GET https://api\.example\.org/v1/thing timed out"):
            client.get(URL)
    assert len(seen) == 2


def test_connection_error_then_success() -> None:
    clock = FakeClock()
    transport, _ = scripted(httpx.ConnectError("refused"), httpx.Response(200, json=1))
    with client_for(transport, clock) as client:
        assert client.get(URL).json() == 1


def test_retried_post_sends_the_same_body() -> None:
    clock = FakeClock()
    transport, seen = scripted(httpx.Response(502), httpx.Response(200, json={}))
    with client_for(transport, clock) as client:
        client.post(URL, json={"query": "{ Page { media { id } } }"})
    assert [json.loads(r.content) for r in seen] == [{"query": "{ Page { media { id } } }"}] * 2


def test_not_json_names_the_url() -> None:
    transport, _ = scripted(httpx.Response(200, text="<html>maintenance</html>"))
    with make_client(transport=transport, rate_limit_per_second=None) as client:
        with pytest.raises(FetchError, match=r"v1/thing answered something that is not JSON"):
            decode_json_response(client.get(URL))


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"errors": [{"message": "Invalid token"}], "data": null}', "Invalid token"),
        (b'{"message": "Not found", "error": "Not found"}', "Not found"),
        (b"  plain\n text  ", "plain text"),
        (b"x" * 500, "x" * 297 + "..."),
    ],
    ids=["graphql-errors", "json-message", "text", "long-text"],
)
def test_error_detail(body: bytes, expected: str) -> None:
    assert error_detail(body) == expected


@given(st.text(max_size=40), st.floats(min_value=0, max_value=2e9))
def test_retry_after_is_never_negative(value: str, now: float) -> None:
    seconds = retry_after_seconds(value, now)
    assert seconds is None or seconds >= 0


@given(st.integers(min_value=0, max_value=10**6))
def test_retry_after_delay_seconds_round_trip(seconds: int) -> None:
    assert retry_after_seconds(str(seconds), now=0.0) == float(seconds)


@given(
    per_second=st.sampled_from([None, 0.5, 1.0, 3.0]),
    per_minute=st.sampled_from([None, 5, 60]),
    gaps=st.lists(st.floats(min_value=0, max_value=30), min_size=1, max_size=80),
)
def test_rate_limiter_never_exceeds_its_limits(
    per_second: float | None, per_minute: int | None, gaps: list[float]
) -> None:
    clock = FakeClock()
    limiter = RateLimiter(per_second, per_minute, clock=clock, sleep=clock.sleep)
    sent: list[float] = []
    for gap in gaps:
        clock.now += gap  # time spent between requests
        limiter.wait()
        sent.append(clock.now)
    eps = 1e-6
    if per_second:
        assert all(b - a >= 1 / per_second - eps for a, b in zip(sent, sent[1:], strict=False))
    if per_minute:
        for i, t in enumerate(sent):
            assert sum(1 for u in sent[: i + 1] if u > t - 60 + eps) <= per_minute
