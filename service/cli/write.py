"""Writing: `csm insert`, `csm update` (one row or --where), `csm delete` (with --cascade)."""

from __future__ import annotations

import sys

import click

from schemas import get_table
from service.cascade import cascade_delete
from service.cli import cli, open_store, reports_errors, today
from service.cli.assignments import convert_assignments, matching_ids, parse_assignments, parse_id
from service.cli.rowfiles import read_rows
from service.convert import ConversionError
from service.imports import insert_rows

PROGRESS_FROM = 500


def progress(count: int, label: str):
    """A progress bar on stderr for long batches, when a person is watching."""
    if count >= PROGRESS_FROM and sys.stderr.isatty():
        return click.progressbar(length=count, label=label, file=sys.stderr)
    return _Silent()


class _Silent:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n: int) -> None:
        pass


@cli.command()
@click.argument("table")
@click.argument("file", required=False, type=click.File("rb"))
@click.option("--csv", "fmt", flag_value="csv", help="FILE is CSV with a header row.")
@click.option("--nl", "fmt", flag_value="nl", help="FILE holds one JSON object per line.")
@click.option("--json", "fmt", flag_value="json", default=True, hidden=True)
@click.option("--set", "sets", multiple=True, metavar="FIELD=VALUE", help="Insert one row from these values.")
@click.pass_obj
@reports_errors
def insert(obj: dict, table: str, file, fmt: str, sets: tuple[str, ...]) -> None:
    """Insert rows from a JSON, NL-JSON or CSV file (- for stdin), or one row from --set; prints the new ids.

    Values are converted by field type; references take an id or a name. All rows or none are written.

    Example: csm insert AccountMaster --set account_name="Fjord Shipping" --set industry_vertical=Maritime ...
    """
    declared = get_table(table)
    if sets and file:
        raise click.UsageError("give rows in a FILE or with --set, not both")
    if not sets and not file:
        raise click.UsageError("nothing to insert: give a FILE, - for stdin, or --set FIELD=VALUE")
    if sets:
        rows, from_text = [dict(parse_assignments(declared.name, sets, "--set"))], True
    else:
        rows, from_text = read_rows(file.read(), fmt, getattr(file, "name", "<stdin>")), fmt == "csv"
    store = open_store(obj)
    with store.transaction() as tx, progress(len(rows), f"Inserting into {declared.name}") as bar:
        ids, _ = insert_rows(tx, declared.name, rows, from_text=from_text, tick=bar.update)
    for row_id in ids:
        click.echo(row_id)


@cli.command()
@click.argument("table")
@click.argument("row_id", metavar="[ID]", required=False)
@click.option("--set", "sets", multiple=True, required=True, metavar="FIELD=VALUE", help="New value (repeatable).")
@click.option("--where", "wheres", multiple=True, metavar="FIELD=VALUE", help="Update every row matching these.")
@click.option("--dry-run", is_flag=True, help="With --where: show which rows would change, change nothing.")
@click.pass_obj
@reports_errors
def update(obj: dict, table: str, row_id: str | None, sets: tuple[str, ...], wheres: tuple[str, ...], dry_run: bool):
    """Change one row by ID, or every row matching --where (for example to reassign a CSM).

    Example: csm update AccountMaster --where customer_success_manager="Sarah Chen"
    --set customer_success_manager="James Okafor"
    """
    declared = get_table(table)
    if bool(row_id) == bool(wheres):
        raise click.UsageError("give either an ID or --where FIELD=VALUE")
    if dry_run and not wheres:
        raise click.UsageError("--dry-run goes with --where")
    assignments = parse_assignments(declared.name, sets, "--set")
    where = parse_assignments(declared.name, wheres, "--where")
    store = open_store(obj)
    with store.transaction() as tx:
        ids = [parse_id(declared.name, row_id)] if row_id else matching_ids(tx, declared.name, where, today())
        if row_id:
            tx.get(declared.name, ids[0])  # an unknown id is reported as such, before any value
        try:
            changes = convert_assignments(tx, declared.name, assignments)
        except ConversionError as exc:
            where_label = ids[0] if row_id else "(--where rows)"
            raise click.ClickException(f"{declared.name} {where_label}: {exc.field}: {exc.message}") from None
        if dry_run:
            before = {i: tx.get(declared.name, i) for i in ids}
            changed = [i for i in ids if any(before[i].get(k) != v for k, v in changes.items())]
            click.echo(f"Would update {len(changed)} of {len(ids)} matching {declared.name} rows: {', '.join(changed)}")
            return
        if not ids:
            click.echo(f"No {declared.name} rows match; nothing changed.")
            return
        changed = tx.update_many(declared.name, ids, changes)
    if row_id:
        click.echo(f"Updated {ids[0]}." if changed else f"{ids[0]} already had those values; nothing changed.")
    else:
        click.echo(f"Updated {len(changed)} of {len(ids)} matching {declared.name} rows.")


@cli.command()
@click.argument("table")
@click.argument("row_id", metavar="ID")
@click.option("--cascade", is_flag=True, help="Also delete rows that need this one, and clear optional links to it.")
@click.pass_obj
@reports_errors
def delete(obj: dict, table: str, row_id: str, cascade: bool) -> None:
    """Delete a row; refused while other rows reference it, unless --cascade.

    Example: csm delete AccountMaster ACC-00003 --cascade
    """
    declared = get_table(table)
    wanted = parse_id(declared.name, row_id)
    store = open_store(obj)
    with store.transaction() as tx:
        if not cascade:
            tx.delete(declared.name, wanted)
            click.echo(f"Deleted {declared.name} {wanted}.")
            return
        report = cascade_delete(tx, declared.name, [wanted])
    dependents = {t: n for t, n in report.deleted.items() if n}
    dependents[declared.name] -= 1
    others = ", ".join(f"{t} {n}" for t, n in sorted(dependents.items()) if n)
    total = sum(dependents.values())
    click.echo(
        f"Deleted {declared.name} {wanted} and {total} dependent row{'s' if total != 1 else ''}"
        + (f" ({others})" if others else "")
        + f"; cleared {report.cleared} reference{'s' if report.cleared != 1 else ''} to them."
    )
