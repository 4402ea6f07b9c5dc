"""Derived links: inverse references and the labels of tables without a natural name.

Each many-to-many link is stored once, on one side (design §2: the store keeps
ids); the other side is declared with `inverse_of` and computed here, so the
two sides can never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping

from schemas import SYNC_TABLES, get_table

Rows = Mapping[str, list[dict]]


def inverse_for(table_name: str, tables: Rows) -> dict[str, dict[str, list[str]]]:
    """{row_id: {inverse_key: [ids of rows pointing here]}} for one table, ids in id order.

    Only rows that something points at get an entry; the rest default to [].
    Source rows arrive in id order, so a single source needs no sorting.
    """
    per_row: dict[str, dict[str, list[str]]] = {}
    for f in get_table(table_name).fields:
        if not f.inverse_of:
            continue
        pointing: dict[str, list[str]] = {}
        for source_name, source_key in f.inverse_of:
            source_id = get_table(source_name).id_key
            for row in tables.get(source_name, ()):
                value = row.get(source_key)
                if not value:
                    continue
                for target_id in value if isinstance(value, list) else (value,):
                    pointing.setdefault(target_id, []).append(row[source_id])
        several = len(f.inverse_of) > 1
        for target_id, ids in pointing.items():
            per_row.setdefault(target_id, {})[f.key] = sorted(set(ids), key=_id_order) if several else ids
    return per_row


#: Tables with inverse links to compute.
INVERSE_TABLES = frozenset(t.name for t in SYNC_TABLES if any(f.inverse_of for f in t.fields))


def _id_order(row_id: str) -> tuple[int, str]:
    prefix, _, number = row_id.rpartition("-")
    return (int(number) if number.isdigit() else 0, prefix)


def context_name(account_name: str | None) -> str | None:
    """BusinessContext's label: the account it describes."""
    return account_name


def engagement_title(engagement_type: str | None, engagement_date: str | None) -> str:
    """EngagementLog's label: `QBR · 2026-10-14`."""
    return " · ".join(part for part in (engagement_type, engagement_date) if part) or "Engagement"
