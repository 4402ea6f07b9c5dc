"""A table's declaration as plain JSON: what `GET /v1/tables/<name>/schema` publishes."""

from __future__ import annotations

from typing import Any

from schemas.catalog import get_table
from schemas.fields import Field
from schemas.table import Table


def describe_field(f: Field) -> dict[str, Any]:
    out: dict[str, Any] = {
        "key": f.key,
        "display_name": f.label,
        "type": f.json_type,
        "kind": f.kind,
        "hint": f.hint,
        "description": f.description,
        "required": f.required,
        "derived": f.derived,
        "writable": f.writable,
    }
    if f.options:
        out["options"] = list(f.options)
    low, high = f.limits if f.writable else (f.minimum, f.maximum)  # what a write must respect
    if low is not None:
        out["minimum"] = low
    if high is not None:
        out["maximum"] = high
    if f.decimals is not None:
        out["decimals"] = f.decimals
    if f.default is not None:
        out["default"] = f.default
    if f.unique:
        out["unique"] = True
    if f.auto:
        out["auto"] = f.auto
    if f.ref:
        target = get_table(f.ref)
        out["reference"] = {
            "table": target.name,
            "identity": target.identity,
            "many": f.many,
            "id_property": target.id_key,
            "display_property": target.display_key,
        }
        if f.inverse_of:
            out["reference"]["inverse_of"] = [f"{t}.{k}" for t, k in f.inverse_of]
    if f.item_fields:
        out["item_fields"] = [describe_field(sub) for sub in f.item_fields]
    return out


def summarize(table: Table) -> dict[str, Any]:
    return {
        "name": table.name,
        "identity": table.identity,
        "display_name": _spaced(table.name),
        "description": table.description,
        "id_property": table.id_key,
        "display_property": table.display_key,
        "featured": list(table.featured),
    }


def describe_table(table: Table) -> dict[str, Any]:
    return {**summarize(table), "id_prefix": table.prefix, "fields": [describe_field(f) for f in table.fields]}


def _spaced(name: str) -> str:
    """AccountMaster -> Account Master; APIPortfolio -> API Portfolio."""
    out = []
    for i, ch in enumerate(name):
        if i and ch.isupper() and (not name[i - 1].isupper() or (i + 1 < len(name) and name[i + 1].islower())):
            out.append(" ")
        out.append(ch)
    return "".join(out)
