"""The OpenAPI schema, corrected where FastAPI's defaults do not describe what the app sends.

* ``as_of`` is declared ``{"type": "string", "format": "date"}``: the route still takes the raw
  text, so a bad value gets the one error shape (400) instead of FastAPI's own 422.
* FastAPI documents a 422 "Validation Error" on every route with parameters; this app answers
  invalid parameters with a 400 in the one error shape, so that 422 is removed (the forecast's
  own 422, "cannot forecast", stays).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

AS_OF_SCHEMA = {"type": "string", "format": "date", "title": "As Of"}


def _fix_operation(op: dict[str, Any]) -> None:
    for param in op.get("parameters", []):
        if param.get("name") == "as_of":
            param["schema"] = dict(AS_OF_SCHEMA)
    responses = op.get("responses", {})
    validation = responses.get("422", {})
    if "HTTPValidationError" in str(validation):
        del responses["422"]


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` return the corrected schema (computed once)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
            )
            for item in schema.get("paths", {}).values():
                for op in item.values():
                    _fix_operation(op)
            components = schema.get("components", {}).get("schemas", {})
            if "HTTPValidationError" not in str(schema.get("paths")):
                components.pop("HTTPValidationError", None)
                components.pop("ValidationError", None)
            app.openapi_schema = schema
        return app.openapi_schema

    setattr(app, "openapi", openapi)  # noqa: B010 - FastAPI's documented way to customise the schema


OpenApi = Callable[[], dict[str, Any]]
__all__ = ["AS_OF_SCHEMA", "install"]
