"""The OpenAPI document's request bodies, generated from the wire models in :mod:`sync.protocol.requests`.

The terminal routes read their bodies themselves (a byte cap before anything is parsed, the protocol's
refusal codes), so FastAPI cannot infer the bodies from their signatures. Each such route names its
models with :func:`request_body`; :func:`install` puts those models' JSON Schemas (pydantic's own) into
``components.schemas``, so ``/openapi.json`` and ``/docs`` show exactly what the server validates.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from sync.protocol.requests import REQUEST_MODELS

REF = "#/components/schemas/{model}"


def request_body(*models: type[BaseModel], headers: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """``openapi_extra`` for a route whose JSON body is one of ``models`` (and, optionally, header params)."""
    refs = [{"$ref": REF.format(model=m.__name__)} for m in models]
    schema: dict[str, Any] = refs[0] if len(refs) == 1 else {"oneOf": refs}
    extra: dict[str, Any] = {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}
    if headers:
        extra["parameters"] = [
            {"name": name, "in": "header", "required": True, "schema": s} for name, s in headers.items()
        ]
    return extra


def schemas(models: tuple[type[BaseModel], ...] = REQUEST_MODELS) -> dict[str, Any]:
    """The JSON Schemas of ``models`` and of every model they contain, keyed by model name."""
    _refs, top = models_json_schema([(m, "validation") for m in models], ref_template=REF)
    return dict(top.get("$defs", {}))


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` include the request models (built once, then cached as FastAPI does)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = get_openapi(
                title=app.title,
                version=app.version,
                openapi_version=app.openapi_version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
                servers=app.servers,
                separate_input_output_schemas=app.separate_input_output_schemas,
            )
            doc.setdefault("components", {}).setdefault("schemas", {}).update(schemas())
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend the document
