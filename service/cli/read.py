"""Reading: `csm tables`, `csm schema`, `csm rows`, `csm get`."""

from __future__ import annotations

import json

import click

from schemas import ALL_TABLES, get_table
from schemas.describe import describe_table
from service.cli import cli, open_store, output, reports_errors, today
from service.cli.assignments import parse_assignments, parse_id, row_matcher
from service.snapshot import build, presented_rows
from service.store import NotFound, ordered_rows


def format_options(fn):
    for option in reversed(
        [
            click.option("--json", "fmt", flag_value="json", default=True, help="A JSON list (the default)."),
            click.option("--nl", "fmt", flag_value="nl", help="One JSON object per line."),
            click.option("--csv", "fmt", flag_value="csv", help="CSV, references as ids (what import reads)."),
            click.option("--table", "fmt", flag_value="table", help="An aligned table for people."),
        ]
    ):
        fn = option(fn)
    return fn


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
@click.pass_obj
@reports_errors
def tables(obj: dict, as_json: bool) -> None:
    """List the tables with their row counts (the automations' Alerts and AutomationRuns are stored, not synced).

    Example: csm tables
    """
    data, _ = open_store(obj).read()
    listing = [
        {"table": t.name, "rows": len(data.get(t.name, {})), "synced": t.synced, "description": t.description}
        for t in ALL_TABLES
    ]
    if as_json:
        click.echo(json.dumps(listing, indent=2))
        return
    width = max(len(t["table"]) for t in listing)
    for t in listing:
        note = "" if t["synced"] else "  (stored, not synced)"
        click.echo(f"{t['table']:<{width}}  {t['rows']:>6}{note}")


@cli.command()
@click.argument("table")
@click.option("--json", "as_json", is_flag=True, help="The declaration as JSON (what /v1/tables/<name>/schema serves).")
@reports_errors
def schema(table: str, as_json: bool) -> None:
    """Show a table's fields: kind, whether required, options, references, derived.

    Example: csm schema AccountMaster
    """
    declared = get_table(table)
    if as_json:
        click.echo(json.dumps(describe_table(declared), indent=2, ensure_ascii=False))
        return
    click.echo(f"{declared.name} (identity {declared.identity}, ids {declared.make_id(1)}): {declared.description}")
    for f in declared.fields:
        notes = []
        if f.kind == "id" or f.auto:
            notes.append("set by the store")
        elif f.derived:
            notes.append("derived, read-only")
        elif f.required:
            notes.append("required")
        if f.unique:
            notes.append("unique")
        if f.ref:
            notes.append(f"-> {f.ref}" + (" (many)" if f.many else ""))
        if f.options:
            notes.append("one of: " + ", ".join(f.options))
        low, high = f.limits if f.writable else (f.minimum, f.maximum)
        if low is not None or high is not None:
            notes.append(f"range {'' if low is None else f'{low:,}'}..{'' if high is None else f'{high:,}'}")
        click.echo(f"  {f.key:<38} {f.kind:<11} {'; '.join(notes)}")
        click.echo(f"  {'':<38} {'':<11} {f.description}")


@cli.command()
@click.argument("table")
@click.option(
    "--where", "wheres", multiple=True, metavar="FIELD=VALUE", help="Keep rows where FIELD is VALUE (repeatable)."
)
@click.option("--limit", type=click.IntRange(min=1), help="At most this many rows.")
@click.option(
    "--columns",
    help="Comma-separated columns to show (default for --table: id, name and featured columns; 'all' for every one).",
)
@format_options
@click.pass_obj
@reports_errors
def rows(obj: dict, table: str, wheres: tuple[str, ...], limit: int | None, columns: str | None, fmt: str) -> None:
    """Print a table's rows, derived columns included.

    References match by id or name in --where; derived columns can be filtered too.

    Example: csm rows AccountMaster --where renewal_risk_level="At Risk" --table
    """
    declared = get_table(table)
    where = parse_assignments(declared.name, wheres, "--where")
    data, _ = open_store(obj).read()
    match = row_matcher(declared.name, where)
    found = [row for row in presented_rows(data, declared.name, today()) if match(row)]
    if limit:
        found = found[:limit]
    keys = _columns(declared, columns, fmt)
    if keys is not None:
        found = [{k: row.get(k) for k in keys} for row in found]
    if fmt == "nl":
        click.echo(output.to_nl(found), nl=False)
    elif fmt == "csv":
        click.echo(output.to_csv(declared, found), nl=False)
    elif fmt == "table":
        click.echo(output.to_table(declared, found, keys), nl=False)
    else:
        click.echo(output.to_json(found))


def _columns(table, columns: str | None, fmt: str) -> list[str] | None:
    """The columns asked for, checked against the table; None means every column."""
    if columns is None:
        if fmt != "table":
            return None
        return list(dict.fromkeys([table.id_key, table.display_key, *table.featured]))
    if columns.strip() == "all":
        return None
    keys = [c.strip() for c in columns.split(",") if c.strip()]
    unknown = [k for k in keys if k not in table.by_key]
    if unknown or not keys:
        raise click.BadParameter(
            f"{table.name} has no column {', '.join(map(repr, unknown)) or '(none given)'}", param_hint="--columns"
        )
    return keys


@cli.command()
@click.argument("table")
@click.argument("row_id", metavar="ID")
@click.pass_obj
@reports_errors
def get(obj: dict, table: str, row_id: str) -> None:
    """Print one row as JSON, derived columns included.

    Example: csm get AccountMaster ACC-00001
    """
    declared = get_table(table)
    data, _ = open_store(obj).read()
    wanted = parse_id(declared.name, row_id)
    if declared.synced:
        snapshot = build(data, today())  # only this row is served, not the whole table
        row = snapshot.rows(declared.name).get(wanted)
    else:
        row = next((r for r in ordered_rows(data, declared.name) if r[declared.id_key] == wanted), None)
    if row is None:
        raise NotFound(declared.name, row_id)
    click.echo(json.dumps(row, indent=2, ensure_ascii=False))
