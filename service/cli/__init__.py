"""`csm`: the maintainers' command line, a thin layer over the store and the catalog.

Every write goes through the store's locked, atomic, validated transaction;
every problem becomes one clear `Error: ...` line and exit status 1 (2 for a
misused option), never a traceback and never a half-written file.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

import click

from schemas import UnknownTable
from schemas.validation import RowInvalid
from seed import initial_data
from service.cli.rowfiles import InputError
from service.config import ConfigError, changes_retention, data_path, today_from
from service.convert import ConversionError
from service.imports import BatchInvalid
from service.store import NotFound, StillReferenced, Store, StoreError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db",
    envvar="CSM_DATA",
    type=click.Path(dir_okay=False, readable=False),  # the store says why it cannot read a file; reset repairs it
    help="Store file (default: $CSM_DATA, else instance/csm.json). Point it at seed/seed.json to edit the seed.",
)
@click.pass_context
def cli(ctx: click.Context, db: str | None) -> None:
    """CSM Cockpit: serve and maintain the Customer Success Intelligence data.

    Example: csm rows AccountMaster --table
    """
    ctx.obj = {"db": str(data_path(db)), "db_explicit": db is not None}


def open_store(obj: dict, *, create: bool = True) -> Store:
    """The store named by --db; created from the seed on first use (said on stderr)."""
    try:
        retention = changes_retention()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    store = Store(obj["db"], initial=initial_data, retention=retention)
    if not store.path.exists():
        if not create:
            raise StoreError(f"no store at {store.path}")
        store.ensure()
        click.echo(f"Created a new store at {store.path} from the seed.", err=True)
    return store


def today():
    try:
        return today_from(os.environ.get("CSM_TODAY"))()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def reports_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the store's and the catalog's exceptions into `Error: ...` and exit 1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            message = user_message(exc)
            if message is not None:
                raise click.ClickException(printable(message)) from None
            if isinstance(exc, TypeError | ValueError | KeyError | AttributeError | IndexError):
                blame_the_store(exc)
            raise  # click's own exceptions, and bugs

    return wrapper


def user_message(exc: Exception) -> str | None:
    """The one line a person is told for one of our exceptions; None for anything else."""
    if isinstance(exc, UnknownTable):
        return f"{exc}; see `csm tables`"
    if isinstance(exc, StillReferenced):
        return f"{exc}; delete those first, or use --cascade"
    if isinstance(exc, ConversionError):
        return f"{exc.field}: {exc.message}" if exc.field else exc.message
    if isinstance(exc, NotFound | StoreError | RowInvalid | BatchInvalid | InputError):
        return str(exc)
    if isinstance(exc, OSError):  # a file we read or write: missing, not allowed, disk full
        return f"{exc.filename}: {exc.strerror or exc}" if exc.filename else str(exc.strerror or exc)
    return None


def blame_the_store(exc: Exception) -> None:
    """An unexpected error while working on the store: if the store breaks its schema (a hand edit
    `csm validate` would list), say so in one line instead of failing with the symptom."""
    obj = click.get_current_context().find_object(dict) or {}
    if not obj.get("db"):
        return
    from service.integrity import integrity_problems

    try:
        data, _ = Store(obj["db"]).read()
        problems = integrity_problems(data)
    except Exception:  # the original error is the one to report
        return
    if problems:
        raise click.ClickException(
            printable(
                f"the store {obj['db']} holds values its schema does not allow, which this command cannot work with "
                f"({len(problems)} problem{'s' if len(problems) != 1 else ''}; the first: {problems[0]}). "
                "See `csm validate`; fix them with `csm update`, restore a backup or `csm reset --yes`"
            )
        ) from exc


def printable(text: str) -> str:
    """Text safe to print whatever it holds: undecodable bytes of a file name or an argument
    (lone surrogates) are shown as escapes instead of failing the print."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def main() -> None:
    try:
        cli()
    except Exception as exc:  # the last line of defence: a bug, said in one line (CSM_DEBUG=1 for the traceback)
        if os.environ.get("CSM_DEBUG"):
            raise
        click.echo(printable(f"Error: unexpected {type(exc).__name__}: {exc} (CSM_DEBUG=1 shows where)"), err=True)
        raise SystemExit(1) from None


# Register the commands (each module adds its own to `cli`).
from service.cli import automate, log, read, serving, views, whole, write  # noqa: E402,F401
