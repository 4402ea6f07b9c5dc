"""`csm log`: the change log -- who changed what, when, and each field's old and new value."""

from __future__ import annotations

from dataclasses import replace

import click
import orjson

from service.changelog import ChangeLogReader, Entries
from service.changes import BadFilter, parse_filters, select, value_text
from service.cli import cli, open_store, printable, reports_errors
from service.convert import ConversionError, StoreResolver
from service.store import StoreError, meta_of, ordered_rows


@cli.command()
@click.option("--table", "table_name", metavar="TABLE", help="Only changes to this table.")
@click.option("--id", "row_id", metavar="ID", help="Only changes to this row (its id names its table).")
@click.option("--account", metavar="ACCOUNT", help="Only changes to this account and its rows (a name or an id).")
@click.option("--since", metavar="WHEN", help="From this date (YYYY-MM-DD, UTC) or date-time with its zone.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=0), help="The newest N; 0 for all.")
@click.option("--nl", "as_nl", is_flag=True, help="One JSON record per line, as stored.")
@click.pass_obj
@reports_errors
def log(obj: dict, table_name, row_id, account, since, limit: int, as_nl: bool) -> None:
    """Show the change log, oldest first: the newest --limit changes that match.

    Every committed change is there -- from the CLI, the API (as api:<token name>) and
    imports -- with each field's old and new value; see the README for how long it is kept.

    Example: csm log --account "Acme Financial Services" --since 2026-11-01
    """
    store = open_store(obj, create=False)  # a mistyped --db is an error, not a new store with no log
    data, _ = store.read()
    try:
        entries = ChangeLogReader(store.changes).entries(int(meta_of(data).get("version", 0)))
    except OSError as exc:
        raise StoreError(f"cannot read the change log {store.changes.path}: {exc.strerror}") from None
    try:
        filters = parse_filters(since, table_name, row_id)
    except BadFilter as exc:
        raise click.BadParameter(exc.message, param_hint=f"--{exc.param}") from None
    query = replace(filters, account=_account(data, entries, account))
    matching = list(select(entries.items, query))
    records = [entries.record(e) for e in (matching[-limit:] if limit else matching)]
    for record in records:
        click.echo(orjson.dumps(record).decode() if as_nl else printable(describe(record)))
    if not records and not as_nl:
        click.echo("No changes match.", err=True)


def describe(record: dict) -> str:
    """A record as people read it: a heading line, then one line per field."""
    account = f" (account {record['account']})" if record.get("account") and record["table"] != "AccountMaster" else ""
    head = f"{record['at']}  {record['source']}  {record['op']} {record['table']} {record['id'] or ''}{account}"
    lines = [head.rstrip()]
    for key, (old, new) in record.get("changes", {}).items():
        if record["op"] == "insert":
            lines.append(f"    {key}: {value_text(new)}")
        elif record["op"] == "delete":
            lines.append(f"    {key}: {value_text(old)} (deleted)")
        else:
            lines.append(f"    {key}: {value_text(old)} -> {value_text(new)}")
    return "\n".join(lines)


def _account(data: dict, entries: Entries, raw: str | None) -> str | None:
    """An account by id or name; a name no account has now may be one a deleted account had (its
    timeline is still in the log)."""
    if raw is None:
        return None
    try:
        return StoreResolver(lambda name: ordered_rows(data, name))("AccountMaster", raw)
    except ConversionError as exc:
        wanted = " ".join(raw.split()).casefold()
        for entry in reversed(entries.items):
            if entry.table == "AccountMaster":
                names = entries.record(entry)["changes"].get("account_name", [])
                if any(isinstance(n, str) and " ".join(n.split()).casefold() == wanted for n in names):
                    return entry.id
        raise click.BadParameter(exc.message, param_hint="--account") from None
