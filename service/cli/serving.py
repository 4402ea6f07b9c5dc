"""`csm serve`, `csm snapshot` and `csm packshim generate`."""

from __future__ import annotations

import os
from pathlib import Path

import click

from seed import initial_data
from service.cli import cli, open_store, reports_errors, today
from service.config import ConfigError, parse_today
from service.store import Store, StoreError


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port.")
@click.option("--workers", type=click.IntRange(1, 64), help="gunicorn workers (default: one per core).")
@click.option("--dev", is_flag=True, help="Flask's single-process development server instead of gunicorn.")
@click.pass_obj
def serve(obj: dict, host: str, port: int, workers: int | None, dev: bool) -> None:
    """Serve the 16 tables and the formulas over HTTP.

    Example: csm serve --host 127.0.0.1 --port 8000
    """
    from service.serving import GunicornApp, default_workers, gunicorn_options

    try:
        parse_today(os.environ.get("CSM_TODAY"))
        store = Store(obj["db"], initial=initial_data)
        store.read()  # creates it from the seed on first run; fails clearly if unreadable
    except (StoreError, ConfigError) as exc:
        raise click.ClickException(str(exc)) from None
    url = f"http://{host if ':' not in host else f'[{host}]'}:{port}"
    click.echo(f"CSM Cockpit serving {store.path} at {url}")
    click.echo(f"  try: curl -s {url}/v1/tables")
    config = {"CSM_DATA": str(store.path)}
    if dev:
        from service import create_app

        create_app(config).run(host=host, port=port)
        return
    GunicornApp(gunicorn_options(host, port, workers or default_workers()), config).run()


@cli.command()
@click.option("--date", "day", metavar="YYYY-MM-DD", help="Day to record (default: today, or $CSM_TODAY).")
@click.pass_obj
@reports_errors
def snapshot(obj: dict, day: str | None) -> None:
    """Record today's account health and metric values in the history (idempotent within a day).

    Example: csm snapshot
    """
    from service.history import record_snapshot

    try:
        when = parse_today(day) if day else today()
    except ConfigError as exc:
        raise click.BadParameter(str(exc).replace("CSM_TODAY", "--date"), param_hint="--date") from None
    result = record_snapshot(open_store(obj), when)
    click.echo(
        f"Snapshot for {result.day}: {result.added} added, {result.updated} updated, {result.unchanged} unchanged."
    )


@cli.group()
def packshim() -> None:
    """Generate the Coda pack shim from the catalog.

    Example: csm packshim generate --base-url https://csm.example.com
    """


@packshim.command("generate")
@click.option("--base-url", required=True, help="Where Coda will reach the service, e.g. https://csm.example.com.")
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder to write pack.ts, package.json, package-lock.json and tsconfig.json (default: packshim/).",
)
def packshim_generate(base_url: str, out: str | None) -> None:
    """Write the pack for a base URL: 16 sync tables, the four formulas, token auth.

    Example: csm packshim generate --base-url https://csm.example.com --out my-pack
    """
    from packshim.checks import PackError
    from packshim.generate import HERE, generate, write

    try:
        files = generate(base_url)
    except PackError as exc:
        raise click.ClickException(str(exc)) from None
    for path in write(files, Path(out) if out else HERE):
        click.echo(f"wrote {path}")
