"""The web pages use the same app and in-process client as the API tests."""

from ..api.conftest import (
    Client,
    app,
    client,
    make_settings,
    run_client,
    synthetic_app,
    synthetic_client,
    tiny_catalog_url,
)

__all__ = [
    "Client",
    "app",
    "client",
    "make_settings",
    "run_client",
    "synthetic_app",
    "synthetic_client",
    "tiny_catalog_url",
]
