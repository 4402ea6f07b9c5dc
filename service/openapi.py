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

from schemas import SYNC_TABLES, Table
from schemas.kinds import field_for
from schemas.pack_actions import PACK_ACTIONS
from schemas.pack_formulas import PACK_FORMULAS, Param
from schemas.tables.automation import ALERTS, AUTOMATION_RUNS, DELIVERIES, RULES
from service.api import automations, changes
from service.api.actions import TODAY_HEADER
from service.api.autocomplete import MAX_RESULTS
from service.api.tables import DEFAULT_LIMIT, MAX_LIMIT
from service.version import __version__
from service.writes import MAX_BATCH
from views.evaluate import all_views

JSON = "application/json"


@cache
def row_schema(table: Table) -> type[Schema]:
    return Schema.from_dict({f.key: field_for(f, "served") for f in table.fields}, name=f"{table.name}Row")


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


def _get(
    spec: APISpec,
    path: str,
    op_id: str,
    summary: str,
    ok: tuple[str, Any],
    *,
    tags: list[str] | None = None,
    parameters: list[dict] | None = None,
    errors: dict[str, dict] | None = None,
    security: list | None = None,
) -> None:
    """One GET operation; every /v1 operation also documents 400 (unknown parameter) and 401."""
    responses: dict[str, dict] = {"200": {"description": ok[0], "content": {JSON: {"schema": ok[1]}}}}
    if path.startswith("/v1"):
        responses.update({"400": UNKNOWN_PARAMETER, "401": UNAUTHORIZED})
    responses.update(errors or {})
    operation: dict[str, Any] = {"operationId": op_id, "summary": summary, "responses": responses}
    if tags:
        operation["tags"] = tags
    if parameters:
        operation["parameters"] = parameters
    if security is not None:
        operation["security"] = security
    spec.path(path=path, operations={"get": operation})


def _param(where: str, name: str, schema: dict, description: str, required: bool = False) -> dict:
    return {"in": where, "name": name, "required": required, "schema": schema, "description": description}


def _table_paths(spec: APISpec, table: Table) -> None:
    base, tags = f"/v1/tables/{table.name}", [table.name]
    spec.components.schema(f"{table.name}Page", schema=_page_schema(table))
    spec.components.schema(f"{table.name}One", schema=_one_schema(table))
    _get(spec, f"{base}/schema", f"schema{table.name}", f"The declaration of {table.name}.",
         ("The declaration.", "TableDeclaration"), tags=tags)  # fmt: skip
    limit = {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}
    _get(
        spec,
        f"{base}/rows",
        f"rows{table.name}",
        f"A page of {table.name} rows ({table.description})",
        ("A page of rows.", f"{table.name}Page"),
        tags=tags,
        parameters=[
            _param("query", "limit", limit, "Rows per page."),
            _param("query", "continuation", {"type": "string"}, "The opaque token of the previous page, unchanged."),
        ],
        errors={
            "400": _error("A bad limit or continuation, or an unknown parameter."),
            "409": _error("The data changed during the sync: start again."),
        },
    )
    _get(
        spec,
        f"{base}/rows/{{id}}",
        f"row{table.name}",
        f"One {table.name} row.",
        ("The row.", f"{table.name}One"),
        tags=tags,
        parameters=[_param("path", "id", {"type": "string"}, f"The row id, like {table.make_id(1)}.", True)],
        errors={"404": _error("No such row.")},
    )


def _write_schema(table: Table) -> type[Schema]:
    """A row as a client writes it: the stored, non-automatic fields (references as ids or served objects)."""
    served = row_schema(table)._declared_fields  # the same field objects, so nested schemas keep one name
    return Schema.from_dict({f.key: served[f.key] for f in table.writable_fields}, name=f"{table.name}Write")


def _write(spec: APISpec, path: str, method: str, op_id: str, summary: str, ok: dict, **extra: Any) -> None:
    responses = {
        **ok,
        "400": _error("A body that is not a JSON object, an unknown parameter, or bad values (each field named)."),
        "401": UNAUTHORIZED,
        "403": _error("A read-only token, or a table that ships with the product."),
        "404": _error("No such table or row."),
        "413": _error("A body over 1 MiB."),
        **extra.pop("errors", {}),
    }
    operation = {"operationId": op_id, "summary": summary, "responses": responses, **extra}
    spec.path(path=path, operations={method: operation})


def _write_paths(spec: APISpec, table: Table) -> None:
    base, tags = f"/v1/tables/{table.name}", [table.name]
    spec.components.schema(f"{table.name}Write", schema=_write_schema(table))
    one = {"content": {JSON: {"schema": f"{table.name}One"}}}
    body = {"required": True, "content": {JSON: {"schema": f"{table.name}Write"}}}
    row_id = [_param("path", "id", {"type": "string"}, f"The row id, like {table.make_id(1)}.", True)]
    _write(spec, f"{base}/rows", "post", f"insert{table.name}", f"Add a {table.name} row; answers it as served.",
           {"201": {"description": "The new row.", **one}}, tags=tags, requestBody=body)  # fmt: skip
    _write(spec, f"{base}/rows/{{id}}", "patch", f"update{table.name}", f"Change fields of a {table.name} row.",
           {"200": {"description": "The row after the change.", **one}}, tags=tags, requestBody=body,
           parameters=row_id)  # fmt: skip
    cascade = _param("query", "cascade", {"type": "boolean", "default": False},
                     "Also delete the rows that need this one and clear optional references to it.")  # fmt: skip
    deleted = {
        "type": "object",
        "required": ["ok", "deleted", "cleared"],
        "properties": {
            "ok": {"type": "boolean"},
            "deleted": {"type": "object", "additionalProperties": {"type": "integer"}},
            "cleared": {"type": "integer"},
        },
    }
    _write(spec, f"{base}/rows/{{id}}", "delete", f"delete{table.name}", f"Delete a {table.name} row.",
           {"200": {"description": "What was deleted, per table.", "content": {JSON: {"schema": deleted}}}},
           tags=tags, parameters=[*row_id, cascade],
           errors={"409": _error("Other rows reference it (listed); delete with cascade=true.")})  # fmt: skip
    update = {
        "type": "object",
        "required": ["id", "changes"],
        "properties": {
            "id": {"type": "string"},
            "previous": {
                "type": "object",
                "description": "The values last seen; a changed field that no longer "
                "holds its previous value is a 409 for that update.",
            },  # fmt: skip
            "changes": {"$ref": f"#/components/schemas/{table.name}Write"},
        },
        "additionalProperties": False,
    }
    batch = {
        "type": "object",
        "required": ["updates"],
        "properties": {"updates": {"type": "array", "items": update, "minItems": 1, "maxItems": MAX_BATCH}},
        "additionalProperties": False,
    }
    result = {"oneOf": [{"$ref": f"#/components/schemas/{table.name}One"}, {"$ref": "#/components/schemas/Error"}]}
    results = {
        "type": "object",
        "required": ["ok", "results"],
        "properties": {"ok": {"type": "boolean"}, "results": {"type": "array", "items": result}},
    }
    _write(spec, f"{base}/rows/batch", "post", f"batch{table.name}",
           f"Update several {table.name} rows in one transaction: one result per update, in order (the row, or "
           "its error: 409 conflict, 400 bad value, 404 no such row); failed updates change nothing.",
           {"200": {"description": "One result per update.", "content": {JSON: {"schema": results}}}},
           tags=tags, requestBody={"required": True, "content": {JSON: {"schema": batch}}})  # fmt: skip


def _changes_path(spec: APISpec) -> None:
    record = {
        "type": "object",
        "required": ["seq", "at", "version", "source", "table", "id", "op", "account", "changes"],
        "properties": {
            "seq": {"type": "integer"},
            "at": {"type": "string", "format": "date-time"},
            "version": {"type": "integer"},
            "source": {"type": "string", "description": "cli, api:<token name> or automation:<rule>."},
            "table": {"type": "string"},
            "id": {"type": ["string", "null"]},
            "op": {"type": "string", "enum": ["insert", "update", "delete", "replace"]},
            "account": {"type": ["string", "null"]},
            "account_before": {"type": ["string", "null"], "description": "The account a moved row left."},
            "changes": {"type": "object", "description": "Each field's [old, new] value."},
        },
    }
    body = {
        "type": "object",
        "required": ["ok", "changes", "continuation", "data_version"],
        "properties": {
            "ok": {"type": "boolean"},
            "changes": {"type": "array", "items": record},
            "continuation": {"type": ["string", "null"]},
            "data_version": {"type": "integer"},
        },
    }
    text = {"type": "string"}
    _get(
        spec,
        "/v1/changes",
        "changes",
        "The change log, oldest first: every committed change with its source and each field's old and new value.",
        ("A page of change records.", body),
        tags=["changes"],
        parameters=[
            _param("query", "since", text, "A date (UTC) or a date-time with its zone: changes at or after it."),
            _param("query", "table", text, "Only this table."),
            _param("query", "id", text, "Only this row."),
            _param("query", "account", text, "Only this account and its rows (an account id)."),
            _param(
                "query",
                "limit",
                {"type": "integer", "minimum": 1, "maximum": changes.MAX_LIMIT, "default": changes.DEFAULT_LIMIT},
                "Per page.",
            ),  # fmt: skip
            _param("query", "continuation", text, "The previous page's continuation, unchanged."),
        ],
        errors={
            "400": _error("A bad or unknown parameter (named)."),
            "410": _error("The records after the continuation were dropped by the retention policy."),
        },
    )


def _automation_paths(spec: APISpec) -> None:
    def listing(key: str, table: Table) -> type[Schema]:
        return Schema.from_dict(
            {
                "ok": fields.Boolean(required=True),
                key: fields.List(fields.Nested(row_schema(table)), required=True),
                "data_version": fields.Integer(required=True),
            },
            name=f"{table.name}List",
        )

    def choice(name: str, options: tuple[str, ...], description: str) -> dict:
        return _param("query", name, {"type": "string", "enum": list(options)}, description)

    limit = _param(
        "query",
        "limit",
        {"type": "integer", "minimum": 1, "maximum": automations.MAX_LIMIT, "default": automations.DEFAULT_LIMIT},
        "At most this many, newest first.",
    )
    _get(
        spec,
        "/v1/automations",
        "automationRuns",
        "The automation log: each `csm automate` run, newest first, with each rule's outcome.",
        ("The runs.", listing("runs", AUTOMATION_RUNS)),
        tags=["automations"],
        parameters=[limit, choice("rule", RULES, "Only runs that ran this rule.")],
    )
    _get(
        spec,
        "/v1/automations/alerts",
        "automationAlerts",
        "The alerts the rules raised, newest first, and whether Slack received them.",
        ("The alerts.", listing("alerts", ALERTS)),
        tags=["automations"],
        parameters=[
            _param("query", "account", {"type": "string"}, "Only this account's (an account id)."),
            choice("rule", RULES, "Only this rule's."),
            choice("delivery", DELIVERIES, "Only those with this delivery state."),
            limit,
        ],
    )


def _view_paths(spec: APISpec) -> None:
    listing = {
        "type": "object",
        "required": ["ok", "views"],
        "properties": {"ok": {"type": "boolean"}, "views": {"type": "array", "items": {"type": "object"}}},
    }
    _get(spec, "/v1/views", "views", "The views (views/definitions.json): slug, name, table, description, source.",
         ("The views.", listing), tags=["views"])  # fmt: skip
    group = {
        "type": "object",
        "required": ["group", "rows"],
        "properties": {"group": {"type": ["string", "null"]}, "rows": {"type": "array", "items": {"type": "object"}}},
    }
    body = {
        "type": "object",
        "required": ["ok", "view", "groups", "row_count", "data_version"],
        "properties": {
            "ok": {"type": "boolean"},
            "view": {"type": "object", "description": "The definition: table, filter, sort, group, columns."},
            "groups": {"type": "array", "items": group},
            "row_count": {"type": "integer"},
            "data_version": {"type": "integer"},
        },
    }
    _get(
        spec,
        "/v1/views/{slug}",
        "view",
        "A view evaluated on the current data: its rows, filtered, sorted and grouped as it says.",
        ("The view and its groups of rows.", body),
        tags=["views"],
        parameters=[
            _param("path", "slug", {"type": "string", "enum": list(all_views())}, "The view.", True),
            _param("query", "account", {"type": "string"}, "Only this account's rows (name or id)."),
            _param("query", "csm", {"type": "string"}, "Only the rows of the accounts this person is CSM of."),
        ],
        errors={"404": _error("No such view, account or person (the message suggests the closest names).")},
    )


def _formula_paths(spec: APISpec) -> None:
    for formula in PACK_FORMULAS:
        result = {"type": ["string" if formula.result in ("string", "markdown") else "number", "null"]}
        body = {
            "type": "object",
            "required": ["ok", "result"],
            "properties": {"ok": {"type": "boolean"}, "result": result},
        }
        if formula.figures:
            body["required"].append("data")
            body["properties"]["data"] = {"type": "object", "description": "The result's figures, as JSON."}
        _get(
            spec,
            f"/v1/formulas/{formula.name}",
            formula.name,
            formula.description,
            ("The result.", body),
            tags=["formulas"],
            parameters=[
                _param(
                    "query",
                    p.name,
                    {"type": "string"} if p.kind == "string" else {"type": "integer"},
                    p.description,
                    not p.optional,
                )  # fmt: skip
                for p in formula.params
            ],
            errors={
                "400": _error("A missing, bad or unknown parameter."),
                "404": _error("No such account or person (the message suggests the closest names)."),
            },
        )


def _autocomplete_paths(spec: APISpec) -> None:
    result = {
        "type": "object",
        "required": ["display", "value"],
        "properties": {"display": {"type": "string"}, "value": {"type": "string"}},
    }
    body = {
        "type": "object",
        "required": ["ok", "results"],
        "properties": {
            "ok": {"type": "boolean"},
            "results": {"type": "array", "items": result, "maxItems": MAX_RESULTS},
        },
    }
    _get(
        spec,
        "/v1/autocomplete/accounts",
        "autocompleteAccounts",
        "Account names for an accountName parameter: at most 50, ignoring case, names starting with the text "
        "first, then names containing it, each group alphabetical.",
        ("The matching names.", body),
        tags=["autocomplete"],
        parameters=[_param("query", "search", {"type": "string"}, "Text to match; none lists the first 50 names.")],
    )


def _param_schema(param: Param) -> dict:
    schema: dict[str, Any] = {"number": {"type": "number"}, "date": {"type": "string", "format": "date"}}.get(
        param.kind, {"type": "string"}
    )
    if param.options:
        schema = {**schema, "enum": list(param.options)}
    if param.optional:
        schema = {"anyOf": [schema, {"type": "null"}]}
    return {**schema, "description": param.description}


def _action_paths(spec: APISpec) -> None:
    for action in PACK_ACTIONS:
        body = {
            "type": "object",
            "properties": {p.name: _param_schema(p) for p in action.params},
            "required": [p.name for p in action.params if not p.optional],
            "additionalProperties": False,
        }
        row = {
            "description": f"The {action.table} row written, as served.",
            "content": {JSON: {"schema": f"{action.table}One"}},
        }
        responses = {
            "200": row,
            "400": _error("A body that is not a JSON object, or a missing, bad or unknown parameter (named)."),
            "401": UNAUTHORIZED,
            "403": _error("A read-only token."),
            "404": _error("No such account, metric, person or task (the message suggests the closest names)."),
            "409": _error("A name several rows share: give the id."),
            "413": _error("A body over 1 MiB."),
        }
        operation = {
            "operationId": action.name,
            "summary": action.description,
            "tags": ["actions"],
            "requestBody": {"required": True, "content": {JSON: {"schema": body}}},
            "parameters": [
                _param(
                    "header",
                    TODAY_HEADER,
                    {"type": "string", "format": "date"},
                    "The doc's date (the pack sends it), within a day of the service's: the action's today.",
                )
            ],
            "responses": responses,
        }
        spec.path(path=f"/v1/actions/{action.name}", operations={"post": operation})


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
    _get(spec, "/health", "health", "Liveness, the data version and row counts.", ("Up.", "Health"), security=[])
    _get(spec, "/v1/tables", "tables", "The 18 sync tables with their row counts.", ("The tables.", "TableList"))
    _get(spec, "/v1/openapi.json", "openapi", "This document.", ("The OpenAPI document.", {"type": "object"}))
    for table in SYNC_TABLES:
        _table_paths(spec, table)
        if table.editable:
            _write_paths(spec, table)
    _changes_path(spec)
    _automation_paths(spec)
    _view_paths(spec)
    _formula_paths(spec)
    _autocomplete_paths(spec)
    _action_paths(spec)
    return spec.to_dict()
