"""The web page in a real browser: Chromium (Debian's) driven by Playwright, against uvicorn.

Skipped when /usr/bin/chromium or the ``playwright`` package is missing. Playwright's own
browser downloads are never used: the system Chromium is launched by path.
"""

from __future__ import annotations

import importlib.util
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from sequelcast.api import create_app

from .conftest import make_settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_SECONDS = 15.0

pytestmark = [
    pytest.mark.filterwarnings(
        "ignore::sequelcast.errors.ConvergenceWarning"
    ),  # 5 shows: few events
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    ),
    pytest.mark.skipif(
        importlib.util.find_spec("playwright") is None,
        reason="the playwright package is not installed (pip install playwright)",
    ),
]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server_url(tiny_catalog_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served by uvicorn on 127.0.0.1 in a background thread."""
    app = create_app(make_settings(tiny_catalog_url, tmp_path_factory.mktemp("browser-cache")))
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", ws="none"
        )
    )
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            pytest.fail(f"uvicorn did not start on port {port} within {STARTUP_SECONDS:.0f} s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_SECONDS)


#: A 2x3 PNG served in place of the poster: the test browser has no network.
POSTER_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000002000000030802000000368849d6"
    "0000001049444154789c63f8cfc000440c28140044d005fba4cfde800000000049454e44ae426082"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-GB")
    context.route(
        "https://cdn.myanimelist.net/**",
        lambda route: route.fulfill(status=200, content_type="image/png", body=POSTER_PNG),
    )
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def _screenshot(page: Any, path: Path) -> None:
    page.screenshot(path=str(path), full_page=True)
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 10_000


def test_home_page_shows_the_search_and_the_lists(
    server_url: str, page: Any, tmp_path: Path
) -> None:
    page.goto(server_url + "/")
    assert page.title() == "sequelcast"
    assert page.get_by_role("heading", level=1).inner_text() == "Will it get another season?"
    box = page.get_by_label("Title or MAL id")
    assert box.is_visible()
    assert box.get_attribute("list") == "q-suggestions"
    for heading in (
        "Announced next seasons",
        "Recently announced",
        "Airing now",
        "Most likely to return",
    ):
        assert page.get_by_role("heading", name=heading, level=2).is_visible()
    assert "Lists as of the newest data, 2026-08-01." in page.locator("main").inner_text()
    _screenshot(page, tmp_path / "home.png")


def test_typing_a_title_suggests_entries(server_url: str, page: Any) -> None:
    page.goto(server_url + "/")
    page.get_by_label("Title or MAL id").press_sequentially("higehi", delay=20)
    options = page.locator("#q-suggestions option")
    options.first.wait_for(state="attached", timeout=10_000)
    assert options.first.get_attribute("value") == "Hige wo Soru. Soshite Joshikousei wo Hirou."


def test_search_lands_on_the_show_page(server_url: str, page: Any, tmp_path: Path) -> None:
    page.goto(server_url + "/")
    page.get_by_label("Title or MAL id").fill("higehiro")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/anime/40938")
    assert page.title() == "Hige wo Soru. Soshite Joshikousei wo Hirou. – sequelcast"
    assert (
        page.get_by_role("heading", level=1).inner_text()
        == "Hige wo Soru. Soshite Joshikousei wo Hirou."
    )
    poster = page.get_by_role("img", name="Poster of Hige wo Soru. Soshite Joshikousei wo Hirou.")
    assert poster.is_visible()
    assert poster.evaluate("img => img.complete && img.naturalWidth") == 2  # the routed PNG loaded
    assert page.locator("p[lang=ja]").inner_text() == "ひげを剃る。そして女子高生を拾う。"
    assert "Salaryman Yoshida takes in Sayu" in page.locator(".synopsis").inner_text()
    links = page.get_by_role("navigation", name="On other sites")
    assert links.get_by_role("link", name="MyAnimeList").get_attribute("href") == (
        "https://myanimelist.net/anime/40938"
    )
    assert links.get_by_role("link", name="AniDB").is_visible()
    assert page.get_by_role("heading", name="Next season").is_visible()
    assert "Next season: none announced" in page.locator(".next-season").inner_text()
    facts = page.locator("table.facts")
    assert "Project No.9" in facts.get_by_role("row", name="Studios").inner_text()
    _screenshot(page, tmp_path / "higehiro.png")


def test_an_ambiguous_search_lists_franchises(server_url: str, page: Any) -> None:
    page.goto(server_url + "/search?q=show")
    assert page.get_by_role("heading", level=1).inner_text() == "Results for “show”"
    groups = page.locator("main h2").all_inner_texts()
    assert groups == ["Tiny Show", "Old Show & Friends"]
    assert "is ambiguous" in page.get_by_role("status").inner_text()
    page.get_by_role("link", name="Tiny Show Movie").click()
    page.wait_for_url("**/anime/400")


def test_an_unknown_title_says_so_once(server_url: str, page: Any) -> None:
    page.goto(server_url + "/")
    page.get_by_label("Title or MAL id").fill("Zzyzx")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search?q=Zzyzx")
    main = page.locator("main").inner_text()
    assert main.count("No show matches “Zzyzx”") == 1
    assert page.locator("main table").count() == 0
    assert page.locator("main a").count() == 0


def test_an_unknown_show_page_is_a_friendly_404(server_url: str, page: Any) -> None:
    response = page.goto(server_url + "/anime/Zzyzx")
    assert response is not None
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Not found"
    assert "no title matches 'Zzyzx'" in page.get_by_role("alert").inner_text()
    page.get_by_role("link", name="Back to the search").click()
    page.wait_for_url(server_url + "/")


def test_show_page_fits_a_phone(server_url: str, page: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server_url + "/anime/40938")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # wide tables scroll inside
    assert page.get_by_role("heading", level=1).is_visible()
