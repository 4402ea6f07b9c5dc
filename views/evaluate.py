"""Views as data (`views/definitions.json`), checked against the catalog and evaluated over served rows.

A view names a table, a filter (conditions that must all hold), a sort, an optional grouping, the
columns it shows and its formatting rules.  Evaluation is pure (like `formulas/`): served rows and
today in, groups of rows out.

Decisions:
- Conditions: `eq`, `ne`, `in`, `lt`, `le`, `gt`, `ge`, `empty`, `not_empty`.  A value may be
  `{"days_from_today": N}` (seed 001's `Today() - 90`).  Text is compared without the status emoji
  the service puts in front of some derived labels ("🔴 Critical Gap" is "Critical Gap"); a reference
  by its id; a row whose value is empty never passes a comparison.
- Sorting and grouping follow a select column's declared option order (Critical before At Risk, as
  the templates say), numbers and dates by value, anything else by its text ignoring case; empty
  values last.  A reference groups and sorts by its display name.
- Rows carry the table's id and display columns and the view's columns, as served.
- Groups are by value (a reference by its id): two people who share a name are two groups, labelled
  with their ids; rows without a value are the group "(none)", last.  A text column has no declared
  order, so a view may give one (`group_order`: "Critical Gap" before "Moderate Gap"); values it
  does not list follow, in the usual order.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import orjson

from formulas.portfolio import find_csm
from schemas import Field, Table, get_table

DEFINITIONS = Path(__file__).with_name("definitions.json")
OPS = ("eq", "ne", "in", "lt", "le", "gt", "ge", "empty", "not_empty")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_EMOJI_PREFIX = re.compile(r"^[^\w(]+\s")


@dataclass(frozen=True)
class View:
    slug: str
    name: str
    table: Table
    description: str
    source: str
    filter: tuple[dict, ...]
    sort: tuple[dict, ...]
    group: str | None
    columns: tuple[str, ...]
    formatting: tuple[dict, ...]
    group_order: tuple[str, ...] = ()

    def public(self) -> dict:
        return {
            "slug": self.slug,
            "name": self.name,
            "table": self.table.name,
            "description": self.description,
            "source": self.source,
            "filter": list(self.filter),
            "sort": list(self.sort),
            "group": self.group,
            "group_order": list(self.group_order),
            "columns": list(self.columns),
            "formatting": list(self.formatting),
        }


def _check(raw: dict) -> View:
    """A definition checked against the catalog: ValueError naming what is wrong."""
    slug = raw.get("slug", "?")

    def wrong(what: str) -> ValueError:
        return ValueError(f"view {slug!r}: {what}")

    if not isinstance(slug, str) or not SLUG.fullmatch(slug):
        raise wrong("slug must be lowercase words joined by -")
    table = get_table(raw["table"])

    def column(key: str) -> Field:
        if key not in table.by_key:
            raise wrong(f"{table.name} has no column {key!r}")
        return table.by_key[key]

    for condition in raw.get("filter", []):
        column(condition["column"])
        if condition.get("op") not in OPS:
            raise wrong(f"unknown op {condition.get('op')!r}; ops are {', '.join(OPS)}")
    for order in raw.get("sort", []):
        column(order["column"])
    if raw.get("group"):
        column(raw["group"])
    order = raw.get("group_order", [])
    if order and (not raw.get("group") or not all(isinstance(v, str) for v in order)):
        raise wrong("group_order is a list of the group column's values, for a view with a group")
    for key in raw["columns"]:
        column(key)
    for rule in raw.get("formatting", []):
        column(rule["column"])
    return View(
        slug,
        raw["name"],
        table,
        raw.get("description", ""),
        raw.get("source", ""),
        tuple(raw.get("filter", [])),
        tuple(raw.get("sort", [])),
        raw.get("group"),
        tuple(raw["columns"]),
        tuple(raw.get("formatting", [])),
        tuple(order),
    )


@cache
def all_views() -> dict[str, View]:
    views = [_check(raw) for raw in orjson.loads(DEFINITIONS.read_bytes())]
    slugs = [v.slug for v in views]
    if len(set(slugs)) != len(slugs):
        raise ValueError("two views share a slug")
    return {v.slug: v for v in views}


# --- evaluation -----------------------------------------------------------------------------------


def plain(value: Any, f: Field) -> Any:
    """What a condition compares: a reference's id, a label without its emoji."""
    if f.ref and isinstance(value, dict):
        return value.get(get_table(f.ref).id_key)
    if isinstance(value, str):
        return _EMOJI_PREFIX.sub("", value)
    return value


def _wanted(value: Any, today: dt.date) -> Any:
    if isinstance(value, dict) and "days_from_today" in value:
        return (today + dt.timedelta(days=value["days_from_today"])).isoformat()
    return value


def _compare(op: str, value: Any, wanted: Any) -> bool:
    try:
        return {
            "eq": value == wanted,
            "ne": value != wanted,
            "in": isinstance(wanted, list) and value in wanted,
        }[op]
    except KeyError:
        pass
    try:
        return {"lt": value < wanted, "le": value <= wanted, "gt": value > wanted, "ge": value >= wanted}[op]
    except TypeError:  # a number against a text: not comparable, so not passing
        return False


def passes(row: dict, view: View, today: dt.date) -> bool:
    for condition in view.filter:
        f = view.table.by_key[condition["column"]]
        value, op = plain(row.get(f.key), f), condition["op"]
        if op in ("empty", "not_empty"):
            blank = value is None or value == "" or value == []
            if blank != (op == "empty"):
                return False
            continue
        if value is None or value == "":
            return False
        if not _compare(op, value, _wanted(condition.get("value"), today)):
            return False
    return True


def _key(value: Any, f: Field) -> tuple:
    """A sort key: empty last; a select by its option order; a reference by its display name."""
    if value is None or value == "" or value == []:
        return (2, 0)
    if f.ref and isinstance(value, dict):
        return (1, str(value.get(get_table(f.ref).display_key) or "").casefold())
    if f.options and value in f.options:
        return (0, f.options.index(value))
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, int | float):
        return (0, value)
    return (1, str(plain(value, f)).casefold())


def _label(value: Any, f: Field) -> str:
    if value is None or value == "":
        return "(none)"
    if f.ref and isinstance(value, dict):
        return str(value.get(get_table(f.ref).display_key))
    return str(value)


def evaluate(view: View, rows: Iterable[dict], today: dt.date) -> list[dict]:
    """[{"group": label or None, "rows": [...]}] for the rows that pass, sorted and grouped."""
    table = view.table
    chosen = [r for r in rows if passes(r, view, today)]
    for order in reversed(view.sort):  # stable sorts, last key first
        f = table.by_key[order["column"]]
        descending = bool(order.get("descending"))
        present = [r for r in chosen if _key(r.get(f.key), f)[0] != 2]
        empty = [r for r in chosen if _key(r.get(f.key), f)[0] == 2]
        present.sort(key=lambda r, f=f: _key(r.get(f.key), f), reverse=descending)
        chosen = present + empty  # empty last, either way
    keep = dict.fromkeys((table.id_key, table.display_key, *view.columns))
    shown = [{k: r.get(k) for k in keep} for r in chosen]
    if not view.group:
        return [{"group": None, "rows": shown}]
    f = table.by_key[view.group]
    groups: dict[object, tuple[tuple, str, list[dict]]] = {}  # by value (a reference by its id)
    for row, out in zip(chosen, shown, strict=True):
        value = row.get(f.key)
        identity = plain(value, f) if value not in (None, "", []) else None
        groups.setdefault(identity, (_key(value, f), _label(value, f), []))[2].append(out)
    labels = [label for _, label, _ in groups.values()]
    given = {value: i for i, value in enumerate(view.group_order)}

    def place(item) -> tuple:
        identity, (key, _, _) = item
        listed = given.get(identity) if identity is not None else None
        return (0, listed) if listed is not None else (1, key, str(identity))

    ordered = sorted(groups.items(), key=place)
    return [
        # Two people with one name are two groups: their ids tell them apart.
        {"group": f"{label} ({identity})" if labels.count(label) > 1 and identity else label, "rows": members}
        for identity, (_, label, members) in ordered
    ]


class UnknownView(KeyError):
    def __init__(self, slug: str) -> None:
        super().__init__(slug)
        self.slug = slug

    def __str__(self) -> str:
        slug = self.slug if len(self.slug) <= 80 else self.slug[:80] + "…"
        close = difflib.get_close_matches(slug.strip().lower(), list(all_views()), n=3, cutoff=0.6)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        return f"No view {slug!r}.{hint} `csm view` or GET /v1/views lists the {len(all_views())} views."


class NoAccounts(ValueError):
    """?account= or ?csm= on a view whose table has no account to choose by."""


def answer(snap: Any, slug: str, account: str | None = None, csm: str | None = None) -> dict:
    """A view over a snapshot (`rows(table)`, `accounts`, `today`): its definition and its groups,
    limited to one account's rows and/or to the accounts a CSM owns.  Unknown names raise the
    formulas' UnknownAccount / UnknownPerson."""
    view = all_views().get(slug)
    if view is None:
        raise UnknownView(slug)
    rows = snap.rows(view.table.name).rows
    wanted: set[str] | None = None
    who = None
    if account is not None and account.strip():
        wanted = {snap.accounts.find(account)["account_id"]}
    if csm is not None and csm.strip():
        who = find_csm(snap.rows("PeopleTeam").rows, csm)
        theirs = {
            a["account_id"]
            for a in snap.rows("AccountMaster").rows
            if (a.get("customer_success_manager") or {}).get("person_id") == who["person_id"]
        }
        wanted = theirs if wanted is None else wanted & theirs
    if wanted is not None:
        key = "account_id" if view.table.name == "AccountMaster" else view.table.account_key
        if key is None:
            raise NoAccounts(f"view {slug!r} lists {view.table.name}, which has no account to choose by")
        rows = [r for r in rows if _account_id(r.get(key)) in wanted]
    groups = evaluate(view, rows, snap.today)
    return {"view": view.public(), "groups": groups, "row_count": sum(len(g["rows"]) for g in groups)}


def cached_answer(snap: Any, slug: str, account: str | None = None, csm: str | None = None) -> dict:
    """`answer`; a view without filters is evaluated once per snapshot when the snapshot keeps results
    (`snap.memo`), since every caller asks for the same thing.  A filtered one is evaluated each time:
    its names come from the request, and must not grow what is kept."""
    unfiltered = not (account and account.strip()) and not (csm and csm.strip())
    if unfiltered and slug in all_views() and hasattr(snap, "memo"):
        return snap.memo(("view", slug), lambda: answer(snap, slug))
    return answer(snap, slug, account, csm)


def _account_id(value: Any) -> str | None:
    return value.get("account_id") if isinstance(value, dict) else value
