"""What the pack's template is filled with: the catalog as data and single TypeScript expressions.

The layout of pack.ts is `templates/pack.ts.j2`; the code it calls is `runtime.ts`.  Here each
function is a pure function of the catalog that returns plain data (names, descriptions, lists)
or one TypeScript expression (a property schema, an enum member); `generate.py` hands the lot to
the template and `checks.py` refuses a catalog the SDK would mangle.
"""

from __future__ import annotations

import json
from typing import Any

from schemas import Field, Table, get_table
from schemas.kinds import KINDS
from schemas.pack_actions import PackAction
from schemas.pack_formulas import PackFormula, Param

V, H = "coda.ValueType", "coda.ValueHintType"

PARAM_TYPES = {
    "string": "coda.ParameterType.String",
    "number": "coda.ParameterType.Number",
    "date": "coda.ParameterType.Date",
}
# Parameter autocompletes the pack implements: the name a Param declares -> the pack.ts function.
AUTOCOMPLETES = {"accounts": "accountNames"}
RESULTS = {
    "number": ("coda.ValueType.Number", None),
    "currency": (
        "coda.ValueType.Number",
        f'{{ type: {V}.Number, codaType: {H}.Currency, currencyCode: "USD" }}',
    ),
    "string": ("coda.ValueType.String", None),
    "markdown": ("coda.ValueType.String", f"{{ type: {V}.String, codaType: {H}.Markdown }}"),
}


def ts(value: object) -> str:
    """A TypeScript literal for a JSON-able value (strings JSON-quoted)."""
    return json.dumps(value, ensure_ascii=False)


def camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def pascal(key: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in key.split("_"))


def schema_const(table: Table) -> str:
    return f"{table.name}Schema"


def shape_const(table: Table) -> str:
    return f"{table.name}Shape"


def ref_const(table_name: str) -> str:
    return f"{get_table(table_name).identity}Ref"


def item_const(owner: str, f: Field) -> str:
    """The constant holding an object list's item schema: `ViewTemplatesSortItem`."""
    return f"{owner}{pascal(f.key)}Item"


# --- property schemas ---------------------------------------------------------------------


def _props(pairs: list[tuple[str, str]]) -> str:
    return "{ " + ", ".join(f"{k}: {v}" for k, v in pairs) + " }"


def _meta(f: Field, *, nested: bool, mutable: bool) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    if not nested or f.key != camel(f.key):
        pairs.append(("fromKey", ts(f.key)))
    pairs.append(("displayName", ts(f.label)))
    pairs.append(("description", ts(f.description)))
    if f.kind == "id":
        pairs.append(("required", "true"))
    if mutable:
        pairs.append(("mutable", "true"))
    return pairs


def property_schema(f: Field, owner: str, *, nested: bool = False, mutable: bool = False) -> str:
    """The SDK property schema for one field: one TypeScript expression.

    `owner` names the constant prefix of an object list's item schema (see `item_schemas`).
    """
    meta = _meta(f, nested=nested, mutable=mutable)
    if f.kind == "ref":
        return "{ ..." + ref_const(f.ref) + ", " + _props(meta)[2:]
    if f.kind == "refs":
        return _props([("type", f"{V}.Array"), ("items", ref_const(f.ref)), *meta])
    if f.kind == "text_list":
        return _props([("type", f"{V}.Array"), ("items", f"{{ type: {V}.String }}"), *meta])
    if f.kind == "object_list":
        return _props([("type", f"{V}.Array"), ("items", item_const(owner, f)), *meta])
    declared = KINDS[f.kind]
    pairs = [("type", f"{V}.{declared.value_type}")]
    if declared.hint:
        pairs.append(("codaType", f"{H}.{declared.hint}"))
    pairs += [(key, ts(value)) for key, value in declared.pack_options(f)]
    return _props(pairs + meta)


def _item_display(f: Field) -> str | None:
    for sub in f.item_fields:
        if sub.kind == "text" and sub.required:
            return camel(sub.key)
    return None


def item_schemas(owner: str, fields: tuple[Field, ...]) -> list[dict[str, Any]]:
    """The object schemas of the object lists among `fields`, innermost first (each is declared
    before the schema that uses it)."""
    out: list[dict[str, Any]] = []
    for f in fields:
        if f.kind != "object_list":
            continue
        const = item_const(owner, f)
        out += item_schemas(const, f.item_fields)
        out.append(
            {
                "const": const,
                "display": _item_display(f),
                "properties": [(camel(s.key), property_schema(s, const, nested=True)) for s in f.item_fields],
            }
        )
    return out


# --- tables ----------------------------------------------------------------------------------


def ref_context(table: Table) -> dict[str, Any]:
    """A minimal object schema (id and display only) wrapped as a reference.

    References are declared before the full schemas so that tables can point at each
    other (AccountMaster <-> PeopleTeam) without a cycle of constants.
    """
    return {
        "const": ref_const(table.name),
        "identity": table.identity,
        "id": (camel(table.id_key), table.id_key),
        "display": (camel(table.display_key), table.display_key),
    }


def mutable(table: Table, f: Field) -> bool:
    """Coda lets a user edit the column: a stored, non-id, non-automatic field of an editable table."""
    return table.editable and f.writable


def shape(table: Table) -> dict[str, Any]:
    """The runtime's `TableShape`: what it converts between Coda and the service."""
    return {
        "name": table.name,
        "idKey": table.id_key,
        "percentKeys": [f.key for f in table.fields if f.kind == "percent"],
        "dateKeys": [f.key for f in table.fields if f.kind == "date"],
        "itemDateKeys": {
            f.key: [sub.key for sub in f.item_fields if sub.kind == "date"]
            for f in table.fields
            if any(sub.kind == "date" for sub in f.item_fields)
        },
    }


def table_context(table: Table, display_name: str) -> dict[str, Any]:
    return {
        "name": table.name,
        "display_name": display_name,
        "description": table.description,
        "identity": table.identity,
        "schema_const": schema_const(table),
        "shape_const": shape_const(table),
        "shape": shape(table),
        "id_property": camel(table.id_key),
        "display_property": camel(table.display_key),
        "featured": [camel(k) for k in table.featured],
        "items": item_schemas(table.name, table.fields),
        "properties": [(camel(f.key), property_schema(f, table.name, mutable=mutable(table, f))) for f in table.fields],
        "editable": table.editable,
    }


# --- formulas and actions ----------------------------------------------------------------------


def param_context(p: Param) -> dict[str, Any]:
    return {
        "name": p.name,
        "type": PARAM_TYPES[p.kind],
        "description": p.description,
        "optional": p.optional,
        "options": list(p.options),
        "autocomplete": AUTOCOMPLETES[p.autocomplete] if p.autocomplete else None,
    }


def formula_context(spec: PackFormula) -> dict[str, Any]:
    result_type, schema = RESULTS[spec.result]
    example_params, example_result = spec.example
    return {
        "name": spec.name,
        "description": spec.description,
        "params": [param_context(p) for p in spec.params],
        "names": [p.name for p in spec.params],
        "result_type": result_type,
        "schema": schema,
        "cache_ttl_secs": spec.cache_ttl_secs,
        "example": {"params": list(example_params), "result": example_result},
        "when_null": " " + spec.when_null,
    }


def action_context(action: PackAction) -> dict[str, Any]:
    table = get_table(action.table)
    return {
        "name": action.name,
        "description": action.description,
        "params": [param_context(p) for p in action.params],
        "specs": [{"name": p.name, "kind": p.kind} for p in action.params],
        "schema_const": schema_const(table),
        "shape_const": shape_const(table),
        "identity": table.identity,
    }
