"""Schemathesis against the ASGI app (a bounded number of examples per route): no 5xx, no schema violation.

Checks: not a server error, documented status codes, content types, response headers and response
bodies conform to the OpenAPI schema (``response_schema_conformance`` validates every success body
against the response models of ``sequelcast.api._models`` and every error against ``ErrorBody``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sequelcast.api import create_app

from .conftest import build_tiny, make_settings

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root: Path = tmp_path_factory.mktemp("schemathesis")
    url = build_tiny(f"sqlite:///{root / 'catalog.db'}")
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(make_settings(url, root)))


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.filterwarnings("ignore::sequelcast.errors.ConvergenceWarning")  # the tiny data is tiny
@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_api_contract(case: Any) -> None:
    case.call_and_validate(checks=CHECKS)
