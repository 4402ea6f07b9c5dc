"""Whole-store integrity: what `csm validate` reports, with the very checks every write runs.

The store's own parse (`service.store.parse`) has already refused a file whose
shape is wrong (no `_meta`, a table or row that is not an object, keys that are
not id numbers), so this module looks at contents: each row against its
table's schema (`schemas.validation.load_row`), references and unique values
(`schemas.validation.check_links`), unknown keys, and id high-water marks.
"""

from __future__ import annotations

from schemas import ALL_TABLES
from schemas.table import Table
from schemas.validation import RowInvalid, check_links, describe, load_with_stamps, unique_form
from service.store import meta_of


def integrity_problems(data: dict) -> list[str]:
    """Everything wrong with a (well-shaped) store's contents, one line each; empty when sound."""
    ids = {t.name: {doc[t.id_key] for doc in data[t.name].values()} for t in ALL_TABLES}
    next_ids = meta_of(data).get("next_ids", {})
    problems: list[str] = []
    for table in ALL_TABLES:
        docs = data[table.name]
        highest = max(map(int, docs), default=0)
        if next_ids.get(table.name, 1) <= highest:
            problems.append(f"{table.name}: next id {next_ids.get(table.name, 1)} would reuse an existing id")
        holders = _first_holders(table, docs)
        for key in sorted(docs, key=int):
            problems += _row_problems(table, docs[key], ids, holders)
    return problems


def _first_holders(table: Table, docs: dict) -> dict[str, dict[object, str]]:
    """{unique field: {value: the first row (in id order) that holds it}}."""
    holders: dict[str, dict[object, str]] = {}
    for f in table.stored_fields:
        if f.unique:
            index = holders[f.key] = {}
            for key in sorted(docs, key=int):
                value = docs[key].get(f.key)
                if isinstance(value, str | int | float):
                    index.setdefault(unique_form(value), docs[key][table.id_key])
    return holders


def _row_problems(table: Table, doc: dict, ids: dict[str, set[str]], holders: dict) -> list[str]:
    row_id = doc[table.id_key]
    label = f"{table.name} {row_id}"
    problems = []
    extra = set(doc) - {f.key for f in table.stored_fields}
    if extra:
        problems.append(f"{label}: unknown keys {sorted(extra)}")
    try:
        stored = {f.key: doc.get(f.key) for f in table.stored_fields if f.writable or f.auto}
        load_with_stamps(table, stored, row_id)
    except RowInvalid as exc:
        return [*problems, f"{label}: {describe(exc.errors)}"]  # links of ill-typed values mean nothing

    def taken(key: str, value: object) -> str | None:
        holder = holders[key].get(value, row_id)
        return holder if holder != row_id else None

    errors = check_links(table, doc, lambda target, i: i in ids[target], taken)
    if errors:
        problems.append(f"{label}: {describe(errors)}")
    return problems
