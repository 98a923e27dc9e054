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

import pytest
import uvicorn

from sequelcast.api import create_app

from .conftest import make_settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
STARTUP_SECONDS = 15.0

pytestmark = [
    pytest.mark.filterwarnings("ignore::sequelcast.errors.ConvergenceWarning"),  # 5 shows: few events
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"),
    pytest.mark.skipif(importlib.util.find_spec("playwright") is None,
                       reason="the playwright package is not installed (pip install playwright)"),
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
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="on", ws="none"))
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


def test_search_lands_on_the_show_page(server_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    shot = tmp_path / "higehiro.png"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.goto(server_url + "/")
            page.get_by_label("Title or MAL id").fill("higehiro")
            page.get_by_role("button", name="Search").click()
            page.wait_for_url("**/anime/40938")
            assert page.title() == "Hige wo Soru. Soshite Joshikousei wo Hirou. – sequelcast"
            assert page.get_by_role("heading", level=1).inner_text() == (
                "Hige wo Soru. Soshite Joshikousei wo Hirou.")
            assert page.get_by_role("heading", name="Next season").is_visible()
            assert "Next season: none announced" in page.locator(".next-season").inner_text()
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 10_000
