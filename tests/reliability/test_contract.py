"""The HTTP contract: 405 with Allow, HEAD, the OpenAPI schema, security headers, redirects, "/" in titles."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from sequelcast.api import create_app
from sequelcast.api._middleware import CSP

from .conftest import Client, build_tiny, make_settings, run_client

SECURITY = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    root = tmp_path_factory.mktemp("contract")
    url = build_tiny(f"sqlite:///{root / 'catalog.db'}")
    return create_app(make_settings(url, root))


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[Client]:
    yield from run_client(app)


@pytest.mark.parametrize("url", ["/api/v1/health", "/api/v1/resolve?q=tiny", "/api/v1/anime/100"])
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_wrong_method_is_405_with_allow(client: Client, url: str, method: str) -> None:
    response = client.request(method, url)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert response.json()["status"] == 405


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/health",
        "/api/v1/anime/100",
        "/",
        "/anime/100",
        "/static/style.css",
        "/openapi.json",
        "/api/v1/anime/qqqzzz",
    ],
)
def test_head_is_get_without_a_body(client: Client, url: str) -> None:
    get, head = client.get(url), client.request("HEAD", url)
    assert head.status_code == get.status_code
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-length"] == get.headers["content-length"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/health",
        "/api/v1/anime/qqqzzz",
        "/",
        "/anime/100",
        "/search?q=tiny",
        "/nowhere",
        "/static/style.css",
        "/openapi.json",
        "/api/v1/anime/100?as_of=bad",
    ],
)
def test_security_headers_on_every_response(client: Client, url: str) -> None:
    response = client.get(url)
    for name, value in SECURITY.items():
        assert response.headers[name] == value
    csp = response.headers["content-security-policy"]
    assert csp == CSP
    assert "frame-ancestors 'none'" in csp


def test_docs_say_where_the_viewer_comes_from(client: Client) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    cdn = re.findall(r'src="(https://[^/"]+)/', response.text)
    assert cdn
    for origin in cdn:
        assert origin in response.headers["content-security-policy"]
    assert "cdn.jsdelivr.net" in client.get("/openapi.json").json()["info"]["description"]


def _page_assets(html: str) -> list[str]:
    """What the page loads or submits to (links to other sites are not restricted by the CSP)."""
    links = re.findall(r'<link[^>]*\bhref="([^"]*)"', html)
    scripts = re.findall(r'<script[^>]*\bsrc="([^"]*)"', html)
    return [*scripts, *re.findall(r'\baction="([^"]*)"', html), *links]


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/anime/100",
        "/anime/40938?as_of=2018-05-07",
        "/search?q=tiny",
        "/anime/qqqzzz",
        "/nowhere",
    ],
)
def test_pages_meet_their_csp(client: Client, url: str) -> None:
    """No inline script or style element, no event handler, every asset a path of this app."""
    html = client.get(url).text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert "<style" not in html
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    for target in _page_assets(html):
        assert target.startswith(("/", "#")), target


def test_redirects_ignore_the_host_header(client: Client) -> None:
    for url in ("/search?q=tiny show 2nd season", "/api/v1/resolve/?q=tiny"):
        response = client.get(url, headers={"host": "evil.example"})
        assert response.status_code in (303, 307)
        assert response.headers["location"].startswith("/")
        assert "evil.example" not in response.headers["location"]
    page = client.get("/anime/100", headers={"host": "evil.example"}).text
    assert "evil.example" not in page


@pytest.mark.parametrize("title", ["Tiny Show/2nd Season", "Tiny Show%2F2nd Season"])
def test_titles_with_a_slash_work_in_paths(client: Client, title: str) -> None:
    for route in ("/api/v1/anime/", "/api/v1/franchise/", "/anime/"):
        response = client.get(route + title)
        assert response.status_code == 200, (route, response.text[:200])
    assert client.get("/api/v1/anime/" + title).json()["mal_id"] == 200


# -- the OpenAPI schema -------------------------------------------------------------------------


def _operations(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, item in schema["paths"].items():
        for op in item.values():
            yield path, op


def test_as_of_is_declared_a_date_and_bad_values_get_the_one_shape(
    client: Client, app: FastAPI
) -> None:
    declared = [
        p["schema"]
        for _, op in _operations(app.openapi())
        for p in op.get("parameters", [])
        if p["name"] == "as_of"
    ]
    assert len(declared) == 3
    assert all(s["type"] == "string" and s["format"] == "date" for s in declared)
    body = client.get("/api/v1/anime/100", params={"as_of": "2018-13-45"}).json()
    assert body["status"] == 400
    assert body["errors"][0]["loc"] == ["query", "as_of"]


def test_no_route_documents_fastapis_422(app: FastAPI) -> None:
    schema = app.openapi()
    assert "HTTPValidationError" not in str(schema)
    resolve = schema["paths"]["/api/v1/resolve"]["get"]["responses"]
    assert "422" not in resolve
    assert {"200", "400", "404", "503"} <= set(resolve)
    forecast = schema["paths"]["/api/v1/forecast/{title_or_id}"]["get"]["responses"]
    assert "ErrorBody" in str(forecast["422"])


def test_every_route_declares_its_success_model(app: FastAPI) -> None:
    for path, op in _operations(app.openapi()):
        content = op["responses"]["200"]["content"]["application/json"]["schema"]
        assert "$ref" in content, path
