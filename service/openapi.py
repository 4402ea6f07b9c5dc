"""The OpenAPI 3 document, generated from the catalog with apispec and its marshmallow plugin.

Each synced table gets its own paths (`/v1/tables/AccountMaster/rows`, ...)
so that every response names its exact row schema; the formulas get their
parameters from `schemas.pack_formulas`.  Built once per process.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields, validate

from schemas import SYNC_TABLES, Field, Table, get_table
from schemas.pack_formulas import PACK_FORMULAS
from service.api.tables import DEFAULT_LIMIT, MAX_LIMIT
from service.version import __version__

JSON = "application/json"


def _field(f: Field) -> fields.Field:
    """A marshmallow field describing a *served* value (derived columns and references included)."""
    kw: dict[str, Any] = {"allow_none": f.kind != "id", "required": True, "metadata": {"description": f.description}}
    checks = []
    if f.minimum is not None or f.maximum is not None:
        checks.append(validate.Range(min=f.minimum, max=f.maximum))
    kind = f.kind
    if kind in ("id", "text", "long_text", "url"):  # urls are stored as written: no format promise
        return fields.String(**kw)
    if kind == "email":
        return fields.Email(**kw)
    if kind in ("integer", "slider"):
        return fields.Integer(validate=checks, **kw)
    if kind in ("number", "currency", "percent"):
        return fields.Float(validate=checks, **kw)
    if kind == "date":
        return fields.Date(**kw)
    if kind == "datetime":
        return fields.DateTime(**kw)
    if kind == "boolean":
        return fields.Boolean(**kw)
    if kind == "select":
        return fields.String(validate=validate.OneOf(f.options), **kw)
    if kind == "ref":
        return fields.Nested(ref_schema(f.ref), **kw)
    if kind == "refs":
        return fields.List(fields.Nested(ref_schema(f.ref)), **kw)
    if kind == "text_list":
        return fields.List(fields.String(), **kw)
    if kind == "object_list":
        item = Schema.from_dict({s.key: _field(s) for s in f.item_fields}, name=f"{_camel(f.key)}Item")
        return fields.List(fields.Nested(item), **kw)
    raise AssertionError(kind)


def _camel(key: str) -> str:
    return "".join(part.capitalize() for part in key.split("_"))


@cache
def ref_schema(table_name: str) -> type[Schema]:
    table = get_table(table_name)
    return Schema.from_dict(
        {
            table.id_key: fields.String(required=True),
            table.display_key: fields.String(required=True, allow_none=True),
        },
        name=f"{table.identity}Ref",
    )


@cache
def row_schema(table: Table) -> type[Schema]:
    return Schema.from_dict({f.key: _field(f) for f in table.fields}, name=f"{table.name}Row")


class ErrorSchema(Schema):
    ok = fields.Boolean(required=True, validate=validate.Equal(False))
    status = fields.Integer(required=True)
    code = fields.String(required=True)
    error = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.Raw())


class HealthSchema(Schema):
    ok = fields.Boolean(required=True)
    version = fields.String(required=True)
    data_version = fields.Integer(required=True)
    row_counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class TableSummarySchema(Schema):
    name = fields.String(required=True)
    identity = fields.String(required=True)
    display_name = fields.String(required=True)
    description = fields.String(required=True)
    id_property = fields.String(required=True)
    display_property = fields.String(required=True)
    featured = fields.List(fields.String(), required=True)
    row_count = fields.Integer(required=True)


class TableListSchema(Schema):
    ok = fields.Boolean(required=True)
    tables = fields.List(fields.Nested(TableSummarySchema), required=True)
    data_version = fields.Integer(required=True)


class TableDeclarationSchema(Schema):
    ok = fields.Boolean(required=True)
    schema = fields.Dict(required=True, metadata={"description": "The table's declaration: see GET .../schema."})


def _error(description: str) -> dict:
    return {"description": description, "content": {JSON: {"schema": "Error"}}}


UNAUTHORIZED = _error("No or wrong bearer token.")
UNKNOWN_PARAMETER = _error("A query parameter this endpoint does not take.")


def _page_schema(table: Table) -> type[Schema]:
    return Schema.from_dict(
        {
            "ok": fields.Boolean(required=True),
            "rows": fields.List(fields.Nested(row_schema(table)), required=True),
            "continuation": fields.String(required=True, allow_none=True),
            "data_version": fields.Integer(required=True),
        },
        name=f"{table.name}Page",
    )


def _one_schema(table: Table) -> type[Schema]:
    return Schema.from_dict(
        {"ok": fields.Boolean(required=True), "row": fields.Nested(row_schema(table), required=True)},
        name=f"{table.name}One",
    )


def _table_paths(spec: APISpec, table: Table) -> None:
    base = f"/v1/tables/{table.name}"
    spec.components.schema(f"{table.name}Page", schema=_page_schema(table))
    spec.components.schema(f"{table.name}One", schema=_one_schema(table))
    spec.path(
        path=f"{base}/schema",
        operations={
            "get": {
                "operationId": f"schema{table.name}",
                "summary": f"The declaration of {table.name}.",
                "tags": [table.name],
                "responses": {
                    "200": {"description": "The declaration.", "content": {JSON: {"schema": "TableDeclaration"}}},
                    "400": UNKNOWN_PARAMETER,
                    "401": UNAUTHORIZED,
                },
            }
        },
    )
    spec.path(
        path=f"{base}/rows",
        operations={
            "get": {
                "operationId": f"rows{table.name}",
                "summary": f"A page of {table.name} rows ({table.description})",
                "tags": [table.name],
                "parameters": [
                    {
                        "in": "query",
                        "name": "limit",
                        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
                        "description": "Rows per page.",
                    },
                    {
                        "in": "query",
                        "name": "continuation",
                        "schema": {"type": "string"},
                        "description": "The opaque token of the previous page, unchanged.",
                    },
                ],
                "responses": {
                    "200": {"description": "A page of rows.", "content": {JSON: {"schema": f"{table.name}Page"}}},
                    "400": _error("A bad limit or continuation, or an unknown parameter."),
                    "401": UNAUTHORIZED,
                    "409": _error("The data changed during the sync: start again."),
                },
            }
        },
    )
    spec.path(
        path=f"{base}/rows/{{id}}",
        operations={
            "get": {
                "operationId": f"row{table.name}",
                "summary": f"One {table.name} row.",
                "tags": [table.name],
                "parameters": [
                    {
                        "in": "path",
                        "name": "id",
                        "required": True,
                        "schema": {"type": "string"},
                        "description": f"The row id, like {table.make_id(1)}.",
                    }
                ],
                "responses": {
                    "200": {"description": "The row.", "content": {JSON: {"schema": f"{table.name}One"}}},
                    "400": UNKNOWN_PARAMETER,
                    "401": UNAUTHORIZED,
                    "404": _error("No such row."),
                },
            }
        },
    )


def _formula_paths(spec: APISpec) -> None:
    for formula in PACK_FORMULAS:
        result = {"type": ["string" if formula.result == "string" else "number", "null"]}
        spec.path(
            path=f"/v1/formulas/{formula.name}",
            operations={
                "get": {
                    "operationId": formula.name,
                    "summary": formula.description,
                    "tags": ["formulas"],
                    "parameters": [
                        {
                            "in": "query",
                            "name": p.name,
                            "required": True,
                            "schema": {"type": "string"} if p.kind == "string" else {"type": "integer"},
                            "description": p.description,
                        }
                        for p in formula.params
                    ],
                    "responses": {
                        "200": {
                            "description": "The result.",
                            "content": {
                                JSON: {
                                    "schema": {
                                        "type": "object",
                                        "required": ["ok", "result"],
                                        "properties": {"ok": {"type": "boolean"}, "result": result},
                                    }
                                }
                            },
                        },
                        "400": _error("A missing, bad or unknown parameter."),
                        "401": UNAUTHORIZED,
                        "404": _error("No such account (the message suggests the closest names)."),
                    },
                }
            },
        )


@cache
def openapi_document() -> dict:
    spec = APISpec(
        title="CSM Cockpit",
        version=__version__,
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin()],
        info={"description": "The data and formulas behind the Customer Success Intelligence Platform Coda pack."},
        security=[{"bearerAuth": []}],
    )
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", schema=ErrorSchema)
    spec.components.schema("Health", schema=HealthSchema)
    spec.components.schema("TableList", schema=TableListSchema)
    spec.components.schema("TableDeclaration", schema=TableDeclarationSchema)
    spec.path(
        path="/health",
        operations={
            "get": {
                "operationId": "health",
                "summary": "Liveness, the data version and row counts.",
                "security": [],
                "responses": {"200": {"description": "Up.", "content": {JSON: {"schema": "Health"}}}},
            }
        },
    )
    spec.path(
        path="/v1/tables",
        operations={
            "get": {
                "operationId": "tables",
                "summary": "The 16 tables with their row counts.",
                "responses": {
                    "200": {"description": "The tables.", "content": {JSON: {"schema": "TableList"}}},
                    "400": UNKNOWN_PARAMETER,
                    "401": UNAUTHORIZED,
                },
            }
        },
    )
    spec.path(
        path="/v1/openapi.json",
        operations={
            "get": {
                "operationId": "openapi",
                "summary": "This document.",
                "responses": {
                    "200": {"description": "The OpenAPI document.", "content": {JSON: {"schema": {"type": "object"}}}},
                    "400": UNKNOWN_PARAMETER,
                    "401": UNAUTHORIZED,
                },
            }
        },
    )
    for table in SYNC_TABLES:
        _table_paths(spec, table)
    _formula_paths(spec)
    return spec.to_dict()
