"""Compute every derived column of every table, once per data version."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from formulas import links
from schemas import SYNC_TABLES

Rows = Mapping[str, list[dict]]
Derived = dict[str, dict[str, dict]]


def derive_all(tables: Rows, today: dt.date) -> Derived:
    """{table: {row_id: {derived_key: value}}} for every synced table and row.

    Every derived key of the catalog is present; a value that cannot be
    computed from the inputs is None.
    """
    out: Derived = {}
    for table in SYNC_TABLES:
        keys = [f.key for f in table.fields if f.derived]
        out[table.name] = {row[table.id_key]: dict.fromkeys(keys) for row in tables.get(table.name, ())}
    _merge(out, links.inverse_references(tables))
    _labels(tables, out)
    return out


def _merge(out: Derived, part: Derived) -> None:
    for table, rows in part.items():
        target = out[table]
        for row_id, values in rows.items():
            target[row_id].update(values)


def _labels(tables: Rows, out: Derived) -> None:
    names = {a["account_id"]: a.get("account_name") for a in tables.get("AccountMaster", ())}
    for ctx in tables.get("BusinessContext", ()):
        out["BusinessContext"][ctx["context_id"]]["context_name"] = links.context_name(names.get(ctx.get("account")))
    for eng in tables.get("EngagementLog", ()):
        out["EngagementLog"][eng["engagement_id"]]["engagement_title"] = links.engagement_title(
            eng.get("engagement_type"), eng.get("engagement_date")
        )
