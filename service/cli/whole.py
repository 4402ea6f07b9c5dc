"""The whole store: `csm export`, `csm import`, `csm validate`, `csm reset`, `csm clear-samples`."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

import click

from schemas import ALL_TABLES, TABLES, get_table
from seed import SEED_FILE, initial_data, seed_data
from service.cascade import clear_samples
from service.cli import cli, open_store, output, reports_errors
from service.cli.rowfiles import decode, parse_json, read_rows
from service.cli.write import progress
from service.imports import import_tables, restore_tables
from service.integrity import integrity_problems
from service.store import PRIVATE_FILE, Store, make_private_dir, ordered_rows


def _write_all(folder: Path, files: dict[str, str]) -> None:
    """Write every file or none: each goes to a private temp file first, and only when all are
    written and synced are they renamed into place (a full disk leaves no partial export)."""
    make_private_dir(folder)
    in_the_way = [name for name in files if os.path.lexists(folder / name) and not (folder / name).is_file()]
    if in_the_way:
        raise click.ClickException(f"{folder / in_the_way[0]} is in the way (not a file); nothing was exported")
    temps: dict[Path, Path] = {}
    current = folder
    try:
        for name, text in files.items():
            tmp, current = folder / f".{name}.{os.getpid()}.tmp", folder / name
            temps[tmp] = current
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, PRIVATE_FILE)
            with os.fdopen(fd, "wb") as fh:
                os.fchmod(fh.fileno(), PRIVATE_FILE)
                fh.write(text.encode("utf-8"))
                fh.flush()
                os.fsync(fh.fileno())
        for tmp, final in temps.items():
            os.replace(tmp, final)
    except BaseException as exc:
        for tmp in temps:
            with contextlib.suppress(OSError):
                tmp.unlink()
        if isinstance(exc, OSError):
            where = temps.get(Path(exc.filename), exc.filename) if exc.filename else current
            raise click.ClickException(f"cannot write {where}: {exc.strerror}; nothing was exported") from None
        raise


@cli.command()
@click.option("--table", "names", multiple=True, help="Only this table (repeatable; default: every table).")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option("--out", type=click.Path(file_okay=False), help="Write one file per table into this folder.")
@click.pass_obj
@reports_errors
def export(obj: dict, names: tuple[str, ...], fmt: str, out: str | None) -> None:
    """Export stored rows (what `csm import` reads back); derived columns are left out.

    Example: csm export --format csv --out backup/
    """
    tables = [get_table(n) for n in names] if names else list(ALL_TABLES)
    data, _ = open_store(obj).read()
    if out is None:
        if fmt == "csv":
            if len(tables) != 1:
                raise click.UsageError("CSV holds one table: give --table, or --out DIR for one file per table")
            click.echo(output.to_csv(tables[0], ordered_rows(data, tables[0].name)), nl=False)
        elif len(tables) == 1:
            click.echo(output.to_json(ordered_rows(data, tables[0].name)))
        else:
            click.echo(json.dumps({t.name: ordered_rows(data, t.name) for t in tables}, indent=2, ensure_ascii=False))
        return
    folder = Path(out)
    files, counts = {}, {}
    with progress(sum(len(data.get(t.name, {})) for t in tables), "Exporting") as bar:
        for t in tables:
            rows = ordered_rows(data, t.name)
            files[f"{t.name}.{fmt}"] = output.to_csv(t, rows) if fmt == "csv" else output.to_json(rows) + "\n"
            counts[t.name] = len(rows)
            bar.update(len(rows))
    _write_all(folder, files)
    for name, count in counts.items():
        click.echo(f"{name}: {count} row{'s' if count != 1 else ''} -> {folder / f'{name}.{fmt}'}")


def _load_import(source: Path) -> tuple[dict[str, list[dict]], dict[str, bool]]:
    """{table: rows} and {table: rows are text (CSV)} from a folder or a file."""
    files = sorted(p for p in source.iterdir() if p.suffix in (".json", ".csv")) if source.is_dir() else [source]
    if not files:
        raise click.ClickException(f"{source} holds no .json or .csv files")
    tables: dict[str, list[dict]] = {}
    from_text: dict[str, bool] = {}
    stems = [p.stem for p in files]
    twice = sorted({s for s in stems if stems.count(s) > 1})
    if twice:
        raise click.ClickException(f"{source} holds {twice[0]} as both .json and .csv; keep one")
    for path in files:
        if path.suffix not in (".json", ".csv"):
            raise click.ClickException(f"{path}: import reads .json and .csv files")
        if not path.is_file():
            raise click.ClickException(f"{path} is not a regular file")
        raw = path.read_bytes()
        text = decode(raw, str(path))
        if path.suffix == ".json" and text.lstrip().startswith("{") and path.stem not in TABLES:
            whole = parse_json(text, str(path))
            if not isinstance(whole, dict):
                raise click.ClickException(f"{path} must hold an object of tables")
            for name, rows in whole.items():
                if name.startswith("_"):
                    continue  # a store file's _meta
                if name not in TABLES:
                    raise click.ClickException(f"{path}: {name!r} is not a table; see `csm tables`")
                tables[name] = list(rows.values()) if isinstance(rows, dict) else rows
                from_text[name] = False
            continue
        if path.stem not in TABLES:
            raise click.ClickException(f"{path}: the file name must be a table name, like AccountMaster{path.suffix}")
        tables[path.stem] = read_rows(raw, path.suffix[1:], str(path))
        from_text[path.stem] = path.suffix == ".csv"
    for name, rows in tables.items():
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise click.ClickException(f"{name}: rows must be a list of objects")
    return tables, from_text


@cli.command("import")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--replace",
    is_flag=True,
    help="Restore a backup exactly: each table in SOURCE becomes just its rows, ids and stamps kept.",
)
@click.pass_obj
@reports_errors
def import_(obj: dict, source: Path, replace: bool) -> None:
    """Import a folder of <Table>.json / <Table>.csv files, or one such file, all or nothing.

    Rows with an id update that row (or are added under it); rows without one are added with new ids.

    With --replace (restoring a `csm export`): each table in SOURCE ends up holding exactly its rows,
    with their ids and created/modified stamps; rows not in it are removed. Tables not in SOURCE are
    left as they are, and the restore is refused if any of their rows points at a removed row.

    Example: csm import my-accounts/AccountMaster.csv

    Example: csm import --replace backup/
    """
    tables, from_text = _load_import(source)
    store = open_store(obj)
    if replace:
        with store.transaction() as tx, progress(sum(map(len, tables.values())), "Restoring") as bar:
            restored = restore_tables(tx, tables, from_text=from_text, tick=bar.update)
        for t in ALL_TABLES:
            if t.name in restored:
                click.echo(f"{t.name}: {restored[t.name]} row{'s' if restored[t.name] != 1 else ''} restored")
        absent = [t.name for t in ALL_TABLES if t.name not in restored]
        if absent:
            click.echo(f"Left as they are (not in {source}): {', '.join(absent)}")
        return
    with store.transaction() as tx, progress(sum(map(len, tables.values())), "Importing") as bar:
        report = import_tables(tx, tables, from_text=from_text, tick=bar.update)
    for name, (inserted, updated) in report.items():
        click.echo(f"{name}: {inserted} inserted, {updated} updated")


@cli.command()
@click.pass_obj
@reports_errors
def validate(obj: dict) -> None:
    """Check the whole store against the catalog: ids, types, options, references, uniqueness.

    Example: csm validate
    """
    data, _ = open_store(obj, create=False).read()
    problems = integrity_problems(data)
    if problems:
        for line in problems:
            click.echo(line)
        raise click.ClickException(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {obj['db']}")
    count = sum(len(data.get(t.name, {})) for t in ALL_TABLES)
    click.echo(f"OK: {count} rows in {len(ALL_TABLES)} tables, no problems.")


def _not_the_seed(obj: dict, what: str) -> None:
    if Path(obj["db"]).resolve() == SEED_FILE.resolve():
        raise click.ClickException(f"--db is the committed seed itself; {what} it with git instead")


@cli.command()
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
@reports_errors
def reset(obj: dict, yes: bool) -> None:
    """Replace everything in the store with the seed (sample accounts, team, guides).

    Example: csm reset --yes
    """
    _not_the_seed(obj, "restore")
    if not yes:
        click.confirm(f"Replace everything in {obj['db']} with the seed?", abort=True)
    data = initial_data()
    Store(obj["db"], initial=initial_data).replace_all(data)
    count = sum(len(data.get(t.name, {})) for t in ALL_TABLES)
    click.echo(f"Reset {obj['db']} to the seed ({count} rows).")


@cli.command("clear-samples")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
@reports_errors
def clear_samples_(obj: dict, yes: bool) -> None:
    """Remove the sample accounts, everything hanging off them and the sample team; keep the guides.

    Example: csm clear-samples --yes
    """
    _not_the_seed(obj, "change")
    store = open_store(obj)
    if not yes:
        click.confirm(f"Remove the sample accounts and team from {store.path}?", abort=True)
    with store.transaction() as tx:
        report, kept = clear_samples(tx, seed_data())
    parts = ", ".join(f"{t} {n}" for t, n in sorted(report.deleted.items()) if n)
    click.echo(f"Removed {sum(report.deleted.values())} rows ({parts or 'none'}); cleared {report.cleared} references.")
    for person in kept:
        click.echo(f"Kept {person}: a non-sample row still references it.")
