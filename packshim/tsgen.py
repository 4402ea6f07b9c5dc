"""TypeScript text for the pack: property schemas, object schemas, sync tables, formulas.

Everything here is a pure function of the catalog; `generate.py` puts the
pieces together and `checks.py` refuses a catalog the SDK would mangle.
"""

from __future__ import annotations

import json

from schemas import Field, Table, get_table
from schemas.kinds import KINDS
from schemas.pack_formulas import PackFormula


def ts(value: object) -> str:
    """A TypeScript literal for a JSON-able value (strings JSON-quoted)."""
    return json.dumps(value, ensure_ascii=False)


def camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def schema_const(table: Table) -> str:
    return f"{table.name}Schema"


def ref_const(table_name: str) -> str:
    return f"{get_table(table_name).identity}Ref"


def _props(pairs: list[tuple[str, object]]) -> str:
    return "{ " + ", ".join(f"{k}: {v}" for k, v in pairs) + " }"


def _base(f: Field, *, nested: bool = False) -> list[tuple[str, object]]:
    pairs: list[tuple[str, object]] = []
    if not nested or f.key != camel(f.key):
        pairs.append(("fromKey", ts(f.key)))
    pairs.append(("displayName", ts(f.label)))
    pairs.append(("description", ts(f.description)))
    if f.kind == "id":
        pairs.append(("required", "true"))
    return pairs


def property_schema(f: Field, *, nested: bool = False) -> str:
    """The SDK property schema for one field."""
    V, H = "coda.ValueType", "coda.ValueHintType"
    kind = f.kind
    if kind in ("ref", "refs"):
        ref = ref_const(f.ref)
        meta = _props(_base(f, nested=nested))[2:-2]
        if kind == "ref":
            return f"{{ ...{ref}, {meta} }}"
        return f"{{ type: {V}.Array, items: {ref}, {meta} }}"
    if kind == "text_list":
        return _props([("type", f"{V}.Array"), ("items", f"{{ type: {V}.String }}"), *_base(f, nested=nested)])
    if kind == "object_list":
        items = object_schema_literal(f.item_fields, display=_item_display(f))
        return _props([("type", f"{V}.Array"), ("items", items), *_base(f, nested=nested)])
    declared = KINDS[kind]
    pairs: list[tuple[str, object]] = [("type", f"{V}.{declared.value_type}")]
    if declared.hint:
        pairs.append(("codaType", f"{H}.{declared.hint}"))
    pairs += [(key, ts(value)) for key, value in declared.pack_options(f)]
    return _props(pairs + _base(f, nested=nested))


def _item_display(f: Field) -> str | None:
    for sub in f.item_fields:
        if sub.kind == "text" and sub.required:
            return sub.key
    return None


def object_schema_literal(fields: tuple[Field, ...], *, display: str | None) -> str:
    lines = [f"      {camel(sub.key)}: {property_schema(sub, nested=True)}," for sub in fields]
    head = f"displayProperty: {ts(camel(display))}, " if display else ""
    return "coda.makeObjectSchema({ " + head + "properties: {\n" + "\n".join(lines) + "\n    } })"


def _required_string(f: Field) -> str:
    # A reference's id and display must both be marked required (the SDK insists).
    return f"{{ type: coda.ValueType.String, fromKey: {ts(f.key)}, required: true }}"


def ref_schema(table: Table) -> str:
    """A minimal object schema (id and display only) wrapped as a reference.

    References are declared before the full schemas so that tables can point
    at each other (AccountMaster <-> PeopleTeam) without a cycle of constants.
    """
    id_f, display_f = table.field(table.id_key), table.field(table.display_key)
    return (
        f"const {ref_const(table.name)} = coda.makeReferenceSchemaFromObjectSchema(\n"
        f"  coda.makeObjectSchema({{\n"
        f"    idProperty: {ts(camel(id_f.key))},\n"
        f"    displayProperty: {ts(camel(display_f.key))},\n"
        f"    properties: {{\n"
        f"      {camel(id_f.key)}: {_required_string(id_f)},\n"
        f"      {camel(display_f.key)}: {_required_string(display_f)},\n"
        f"    }},\n"
        f"  }}),\n"
        f"  {ts(table.identity)},\n"
        f");"
    )


def table_schema(table: Table) -> str:
    lines = [f"    {camel(f.key)}: {property_schema(f)}," for f in table.fields]
    featured = ts([camel(k) for k in table.featured])
    return (
        f"const {schema_const(table)} = coda.makeObjectSchema({{\n"
        f"  idProperty: {ts(camel(table.id_key))},\n"
        f"  displayProperty: {ts(camel(table.display_key))},\n"
        f"  featuredProperties: {featured},\n"
        f"  properties: {{\n" + "\n".join(lines) + "\n  },\n});"
    )


def sync_table(table: Table, display_name: str) -> str:
    percent_keys = ts([f.key for f in table.fields if f.kind == "percent"])
    return (
        f"pack.addSyncTable({{\n"
        f"  name: {ts(table.name)},\n"
        f"  displayName: {ts(display_name)},\n"
        f"  description: {ts(table.description)},\n"
        f"  identityName: {ts(table.identity)},\n"
        f"  schema: {schema_const(table)},\n"
        f"  formula: {{\n"
        f"    name: {ts('Sync' + table.name)},\n"
        f"    description: {ts(f'Sync {display_name} from the CSM Cockpit service.')},\n"
        f"    parameters: [],\n"
        f"    execute: async function ([], context) {{\n"
        f"      return syncPage(context, {ts(table.name)}, {percent_keys});\n"
        f"    }},\n"
        f"  }},\n"
        f"}});"
    )


_PARAM_TYPES = {"string": "coda.ParameterType.String", "number": "coda.ParameterType.Number"}
_RESULTS = {
    "number": ("coda.ValueType.Number", None),
    "currency": (
        "coda.ValueType.Number",
        '{ type: coda.ValueType.Number, codaType: coda.ValueHintType.Currency, currencyCode: "USD" }',
    ),
    "string": ("coda.ValueType.String", None),
}


def formula(spec: PackFormula) -> str:
    params = ",\n".join(
        f"    coda.makeParameter({{ type: {_PARAM_TYPES[p.kind]}, name: {ts(p.name)}, "
        f"description: {ts(p.description)} }})"
        for p in spec.params
    )
    names = ", ".join(p.name for p in spec.params)
    query = ' + "&" + '.join(f'"{p.name}=" + encodeURIComponent(String({p.name}))' for p in spec.params)
    result_type, schema = _RESULTS[spec.result]
    example_params, example_result = spec.example
    lines = [
        "pack.addFormula({",
        f"  name: {ts(spec.name)},",
        f"  description: {ts(spec.description)},",
        "  parameters: [",
        params + ",",
        "  ],",
        f"  resultType: {result_type},",
    ]
    if schema:
        lines.append(f"  schema: {schema},")
    lines += [
        f"  cacheTtlSecs: {spec.cache_ttl_secs},",
        f"  examples: [{{ params: {ts(list(example_params))}, result: {ts(example_result)} }}],",
        f"  execute: async function ([{names}], context) {{",
        f'    const body = await getJson(context, "/v1/formulas/{spec.name}?" + {query}, {spec.cache_ttl_secs});',
        "    if (body.result === null || body.result === undefined) {",
        f"      throw new coda.UserVisibleError(String({spec.params[0].name}).trim() + {ts(' ' + spec.when_null)});",
        "    }",
        "    return body.result;",
        "  },",
        "});",
    ]
    return "\n".join(lines)
