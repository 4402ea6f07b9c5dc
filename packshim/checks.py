"""Refuse to emit a pack the SDK would accept but Coda would quietly break (design §7).

Coda renames every property to PascalCase with punctuation stripped, drops
keys that then collide, and lets a reference to a missing identity through
validation.  So the generator checks these itself and names each problem.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from packshim.tsgen import AUTOCOMPLETES, PARAM_TYPES, camel
from schemas import Field, Table
from schemas.pack_actions import PackAction
from schemas.pack_formulas import PackFormula, Param

# The SDK's own rule for sync table, formula and parameter names (upload_validation.ts).
NAME = re.compile(r"^[^\W\d_]\w*$", re.UNICODE)
IDENTITY = re.compile(r"^[A-Za-z0-9_-]+$")
RESERVED_IDENTITIES = {"id", "value", "synced", "connection"}
MAX_NAME = 50


class PackError(ValueError):
    """The catalog or the base URL cannot make a sound pack; `problems` lists why."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("refusing to generate the pack:\n" + "\n".join(f"- {p}" for p in problems))


def normalise_key(key: str) -> str:
    """Coda's property-name normalisation (the SDK's `normalizeSchemaKey`, via pascalcase)."""
    key = key.strip()
    if len(key) == 1:
        return key.upper()
    parts = re.findall(r"[a-zA-Z0-9]+", key)
    return "".join(p[0].upper() + p[1:] for p in parts) if parts else key


def _collisions(where: str, fields: Iterable[Field]) -> list[str]:
    seen: dict[str, str] = {}
    problems = []
    for f in fields:
        for name in {camel(f.key), f.key}:
            norm = normalise_key(name).casefold()
            if norm in seen and seen[norm] != f.key:
                problems.append(
                    f"{where}: keys {seen[norm]!r} and {f.key!r} both become {normalise_key(name)!r} in Coda"
                )
            seen.setdefault(norm, f.key)
        if f.item_fields:
            problems += _collisions(f"{where}.{f.key}", f.item_fields)
    return problems


def check_catalog(
    tables: tuple[Table, ...], formulas: tuple[PackFormula, ...], actions: tuple[PackAction, ...] = ()
) -> list[str]:
    problems: list[str] = []
    identities = {t.identity: t for t in tables}
    names = [t.name for t in tables]
    for dup in {n for n in names if names.count(n) > 1}:
        problems.append(f"two sync tables are named {dup!r}")
    if len(identities) != len(tables):
        problems.append("two sync tables share an identity name")
    for t in tables:
        problems += _check_table(t, names)
    formula_names = [spec.name for spec in formulas] + [a.name for a in actions] + [f"Sync{t.name}" for t in tables]
    for dup in {n for n in formula_names if formula_names.count(n) > 1}:
        problems.append(f"two formulas are named {dup!r}")
    for spec in formulas:
        problems += _check_formula("formula", spec.name, spec.params)
    for action in actions:
        problems += _check_formula("action", action.name, action.params)
        table = next((t for t in tables if t.name == action.table), None)
        if table is None:
            problems.append(f"{action.name}: returns a row of {action.table!r}, which is not a sync table of the pack")
        elif not table.editable:
            problems.append(f"{action.name}: writes {action.table!r}, which Coda may not edit")
    return problems


def _check_table(t: Table, table_names: list[str]) -> list[str]:
    problems = []
    if not NAME.match(t.name) or len(t.name) > MAX_NAME:
        problems.append(f"sync table name {t.name!r} breaks the SDK's rule (a letter, then letters, digits or _)")
    if not IDENTITY.match(t.identity) or t.identity in RESERVED_IDENTITIES:
        problems.append(f"{t.name}: identity name {t.identity!r} is not allowed by the SDK")
    keys = {f.key for f in t.fields}
    for what, key in [("id", t.id_key), ("display", t.display_key)] + [("featured", k) for k in t.featured]:
        if key not in keys:
            problems.append(f"{t.name}: {what} property {key!r} is not a field")
    if normalise_key(t.identity).casefold() in {normalise_key(camel(k)).casefold() for k in keys}:
        problems.append(f"{t.name}: a property has the same name as the identity {t.identity!r}")
    problems += _collisions(t.name, t.fields)
    for f in t.fields:
        if f.ref and f.ref not in table_names:
            problems.append(f"{t.name}.{f.key}: references {f.ref!r}, which is not a sync table of the pack")
    return problems


def _check_formula(what: str, name: str, params: tuple[Param, ...]) -> list[str]:
    problems = []
    if not NAME.match(name) or len(name) > MAX_NAME:
        problems.append(f"{what} name {name!r} breaks the SDK's rule")
    seen_optional = False
    for p in params:
        if not NAME.match(p.name):
            problems.append(f"{name}: parameter name {p.name!r} breaks the SDK's rule")
        if p.kind not in PARAM_TYPES:
            problems.append(f"{name}.{p.name}: kind {p.kind!r} is not one of {sorted(PARAM_TYPES)}")
        if p.autocomplete and p.autocomplete not in AUTOCOMPLETES:
            problems.append(f"{name}.{p.name}: the pack has no {p.autocomplete!r} autocomplete")
        if p.options and p.kind != "string":
            problems.append(f"{name}.{p.name}: only a string parameter can offer options")
        if p.optional:
            seen_optional = True
        elif seen_optional:
            problems.append(f"{name}.{p.name}: a required parameter after an optional one (the SDK refuses it)")
    names = [p.name for p in params]
    for dup in {n for n in names if names.count(n) > 1}:
        problems.append(f"{name}: two parameters are named {dup!r}")
    return problems


def network_domain(base_url: str) -> str:
    """`http://localhost:8765/` -> `localhost:8765`; raises PackError for anything but a plain http(s) URL."""
    parts = urlsplit(base_url)
    problems = []
    if parts.scheme not in ("http", "https"):
        problems.append(f"--base-url must start with http:// or https://; got {base_url!r}")
    if not parts.hostname:
        problems.append(f"--base-url has no host: {base_url!r}")
    if parts.query or parts.fragment or parts.username or parts.password:
        problems.append(f"--base-url must not carry a query, fragment or credentials: {base_url!r}")
    try:
        port = parts.port
    except ValueError:
        problems.append(f"--base-url has a bad port: {base_url!r}")
        port = None
    if problems:
        raise PackError(problems)
    host = parts.hostname
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{port}" if port else host
