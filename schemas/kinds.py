"""Field kinds: every form a value of each kind takes, declared once.

For each kind of `schemas.fields.Field` this table says:

- `json_type`, `value_type`, `hint`: its JSON Schema type, and the Coda Packs SDK `ValueType` and
  `ValueHintType` the pack declares (the published schema and the pack shim read these);
- `pack_options(f)`: the SDK property options beyond type and hint (precision, currency, options, bounds);
- `write(f, kw)`: the strict marshmallow field that validates a written value (every write, CLI and API);
- `served(f, kw)`: the marshmallow field that describes a served value (the OpenAPI document);
- `from_text(f, text, resolve)`: the value for text a person typed (`--set`, a CSV cell);
- `text_is_value`: a JSON string of this kind is already the value (dates, e-mails), so JSON input
  is not parsed as text;
- `limits`: the range of a written number when its field declares none.

The rest of the system asks `KINDS[f.kind]`; nothing else switches over kinds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from schemas import values as v

if TYPE_CHECKING:
    from schemas.fields import Field

MarshmallowFactory = Callable[["Field", dict], fields.Field]


@dataclass(frozen=True)
class Kind:
    name: str
    json_type: str
    value_type: str
    hint: str | None
    write: MarshmallowFactory
    served: MarshmallowFactory
    from_text: Callable[[Field, str, v.Resolver], Any]
    pack_options: Callable[[Field], list[tuple[str, object]]] = lambda f: []
    text_is_value: bool = False
    limits: tuple[float, float] | None = None
    # How a page shows a value of this kind, when plain text would not do ($1,250,000; 45%).
    shown: Callable[[Field, Any], str] | None = None


# --- helpers shared by several kinds --------------------------------------------------


def _range(f: Field) -> list:
    return _bounds(*f.limits)


def _bounds(low: float | None, high: float | None) -> list:
    if low is None and high is None:
        return []
    if low is None:
        error = f"Must be at most {_shown(high)}."
    elif high is None:
        error = f"Must be at least {_shown(low)}."
    else:
        error = f"Must be from {_shown(low)} to {_shown(high)}."
    return [validate.Range(min=low, max=high, error=error)]


def _shown(bound: float) -> str:
    return f"{int(bound):,}" if float(bound).is_integer() else str(bound)


def _declared_range(f: Field) -> list:
    """Only the field's own bounds: what a served value (derived ones included) is promised to keep."""
    return _bounds(f.minimum, f.maximum)


def _as_text(f: Field, text: str, resolve: v.Resolver) -> str:
    return text


def _precision(f: Field) -> list[tuple[str, object]]:
    return [("precision", f.decimals)] if f.decimals is not None else []


def resolve_reference(f: Field, resolve: v.Resolver, text: str) -> str:
    """The id a reference given as text (an id or a display name) stands for; errors name the field."""
    try:
        return resolve(f.ref, text)
    except v.ConversionError as exc:
        raise v.ConversionError(f.key, exc.message) from None


def _select_from_text(f: Field, text: str, resolve: v.Resolver) -> str:
    for option in f.options:
        if option.casefold() == text.strip().casefold():
            return option
    return text.strip()  # validation names the allowed options


def _row_id(f: Field, **kw: Any) -> v.RowId:
    from schemas.catalog import get_table  # the catalog is built from fields: import it late

    return v.RowId(get_table(f.ref), **(kw or {"required": True}))


@cache
def ref_schema(table_name: str) -> type[Schema]:
    """A served reference: the target's id and display value."""
    from schemas.catalog import get_table

    table = get_table(table_name)
    return Schema.from_dict(
        {
            table.id_key: fields.String(required=True),
            table.display_key: fields.String(required=True, allow_none=True),
        },
        name=f"{table.identity}Ref",
    )


def _item_schema(f: Field, form: str) -> type[Schema]:
    declared = {sub.key: field_for(sub, form) for sub in f.item_fields}
    return Schema.from_dict(declared, name=f"{''.join(p.capitalize() for p in f.key.split('_'))}Item")


def _text_kind(name: str, hint: str | None, max_length: int, served=fields.String, **kw: Any) -> Kind:
    def write(f: Field, kwargs: dict) -> fields.Field:
        return v.Text(max_length=max_length, blank=not f.required, **kwargs)

    return Kind(name, "string", "String", hint, write, lambda f, kwargs: served(**kwargs), _as_text, **kw)


def _string_kind(name: str, hint: str, *, write: MarshmallowFactory, served: MarshmallowFactory) -> Kind:
    """A kind whose JSON string is its value (a date, an e-mail address), checked by `write`."""
    return Kind(name, "string", "String", hint, write, served, _as_text, text_is_value=True)


def _number_kind(name: str, hint: str | None, *, integer: bool, limit: float, options, shown=None) -> Kind:
    strict, described = (v.StrictInteger, fields.Integer) if integer else (v.StrictNumber, fields.Float)
    parse = v.integer_from_text if integer else v.number_from_text
    return Kind(
        name,
        "integer" if integer else "number",
        "Number",
        hint,
        write=lambda f, kw: strict(validate=_range(f), **kw),
        served=lambda f, kw: described(validate=_declared_range(f), **kw),
        from_text=lambda f, text, resolve: parse(f.key, text),
        pack_options=options,
        limits=(-limit, limit),
        shown=shown,
    )


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        _text_kind("id", None, 40, text_is_value=True),
        _text_kind("text", None, v.MAX_TEXT, text_is_value=True),
        _text_kind("long_text", None, v.MAX_LONG_TEXT, text_is_value=True),
        _string_kind(
            "email",
            "Email",
            write=lambda f, kw: fields.Email(validate=validate.Length(max=320), **kw),
            served=lambda f, kw: fields.Email(**kw),
        ),
        _string_kind(
            "url",
            "Url",
            write=lambda f, kw: fields.URL(validate=validate.Length(max=v.MAX_TEXT), **kw),
            served=lambda f, kw: fields.String(**kw),  # urls are served as written: no format promise
        ),
        _number_kind("integer", None, integer=True, limit=v.NUMBER_LIMIT, options=lambda f: [("precision", 0)]),
        _number_kind("number", None, integer=False, limit=v.NUMBER_LIMIT, options=_precision),
        _number_kind(
            "currency",
            "Currency",
            integer=False,
            limit=v.NUMBER_LIMIT,
            options=lambda f: [("currencyCode", "USD"), *_precision(f)],
            shown=lambda f, x: v.compact_usd(x),
        ),
        _number_kind(
            "percent",
            "Percent",
            integer=False,
            limit=v.PERCENT_LIMIT,
            options=_precision,
            shown=lambda f, x: f"{round(x, f.decimals if f.decimals is not None else 1):g}%",
        ),
        _number_kind(
            "slider",
            "Slider",
            integer=True,
            limit=v.NUMBER_LIMIT,
            options=lambda f: [("minimum", _whole(f.minimum)), ("maximum", _whole(f.maximum)), ("step", 1)],
        ),
        _string_kind("date", "Date", write=lambda f, kw: v.IsoDate(**kw), served=lambda f, kw: fields.Date(**kw)),
        _string_kind(
            "datetime",
            "DateTime",
            write=lambda f, kw: v.IsoDateTime(**kw),
            served=lambda f, kw: fields.DateTime(**kw),
        ),
        Kind(
            "boolean",
            "boolean",
            "Boolean",
            None,
            write=lambda f, kw: fields.Boolean(truthy={True}, falsy={False}, **kw),
            served=lambda f, kw: fields.Boolean(**kw),
            from_text=lambda f, text, resolve: v.boolean_from_text(f.key, text),
        ),
        Kind(
            "select",
            "string",
            "String",
            "SelectList",
            write=lambda f, kw: fields.String(validate=validate.OneOf(f.options), **kw),
            served=lambda f, kw: fields.String(validate=validate.OneOf(f.options), **kw),
            from_text=_select_from_text,
            pack_options=lambda f: [("options", list(f.options))],
        ),
        Kind(
            "ref",
            "object",
            "Object",
            "Reference",
            write=lambda f, kw: _row_id(f, **kw),
            served=lambda f, kw: fields.Nested(ref_schema(f.ref), **kw),
            from_text=lambda f, text, resolve: resolve_reference(f, resolve, text),
        ),
        Kind(
            "refs",
            "array",
            "Array",
            "Reference",
            write=lambda f, kw: fields.List(_row_id(f), validate=_no_duplicates, **kw),
            served=lambda f, kw: fields.List(fields.Nested(ref_schema(f.ref)), **kw),
            from_text=lambda f, text, resolve: [
                resolve_reference(f, resolve, str(item)) for item in v.list_from_text(f.key, text)
            ],
        ),
        Kind(
            "text_list",
            "array",
            "Array",
            None,
            write=lambda f, kw: fields.List(v.Text(blank=False, required=True), **kw),
            served=lambda f, kw: fields.List(fields.String(), **kw),
            from_text=lambda f, text, resolve: [str(item) for item in v.list_from_text(f.key, text)],
        ),
        Kind(
            "object_list",
            "array",
            "Array",
            None,
            write=lambda f, kw: fields.List(fields.Nested(_item_schema(f, "write"), unknown=RAISE), **kw),
            served=lambda f, kw: fields.List(fields.Nested(_item_schema(f, "served")), **kw),
            from_text=lambda f, text, resolve: v.json_from_text(f.key, text, "a JSON list of objects"),
        ),
    )
}


def _whole(value: float | None) -> object:
    return int(value) if value is not None and float(value).is_integer() else value


def _no_duplicates(values: list) -> bool:
    if len(set(values)) != len(values):
        raise ValidationError("Lists the same id twice.")
    return True


def field_for(f: Field, form: str) -> fields.Field:
    """The marshmallow field of `form` ("write": validate a written value; "served": describe a served one)."""
    kind = KINDS[f.kind]
    if form == "write":
        return kind.write(f, {"required": f.required, "allow_none": not f.required})
    kw = {"allow_none": f.kind != "id", "required": True, "metadata": {"description": f.description}}
    return kind.served(f, kw)


def from_text(f: Field, text: str, resolve: v.Resolver) -> Any:
    """The typed value for `text` given for field `f`; an empty text clears the field."""
    if text.strip() == "":
        return [] if KINDS[f.kind].json_type == "array" else None
    problem = v.text_problem(text)
    if problem:
        raise v.ConversionError(f.key, problem)
    return KINDS[f.kind].from_text(f, text, resolve)
