"""Derived links: inverse references and the labels of tables without a natural name.

Each many-to-many link is stored once, on one side (design §2: the store keeps
ids); the other side is declared with `inverse_of` and computed here, so the
two sides can never disagree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from schemas import SYNC_TABLES, get_table

Rows = Mapping[str, list[dict]]


def inverse_references(tables: Rows) -> dict[str, dict[str, dict[str, list[str]]]]:
    """{table: {row_id: {inverse_key: [ids of rows pointing here]}}}, ids in id order."""
    out: dict[str, dict[str, dict[str, list[str]]]] = {}
    for table in SYNC_TABLES:
        for f in table.fields:
            if not f.inverse_of:
                continue
            pointing: dict[str, list[str]] = defaultdict(list)
            for source_name, source_key in f.inverse_of:
                source = get_table(source_name)
                for row in tables.get(source_name, ()):
                    value = row.get(source_key)
                    for target_id in value if isinstance(value, list) else [value] if value else []:
                        pointing[target_id].append(row[source.id_key])
            per_row = out.setdefault(table.name, {})
            for row in tables.get(table.name, ()):
                row_id = row[table.id_key]
                ids = pointing.get(row_id, [])
                per_row.setdefault(row_id, {})[f.key] = sorted(set(ids), key=_id_order)
    return out


def _id_order(row_id: str) -> tuple[int, str]:
    prefix, _, number = row_id.rpartition("-")
    return (int(number) if number.isdigit() else 0, prefix)


def context_name(account_name: str | None) -> str | None:
    """BusinessContext's label: the account it describes."""
    return account_name


def engagement_title(engagement_type: str | None, engagement_date: str | None) -> str:
    """EngagementLog's label: `QBR · 2026-10-14`."""
    return " · ".join(part for part in (engagement_type, engagement_date) if part) or "Engagement"
