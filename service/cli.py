"""`csm`: the maintainers' command line (serve now; the data commands build on it)."""

from __future__ import annotations

import os

import click

from seed import initial_data
from service.config import ConfigError, data_path, parse_today, today_from
from service.store import Store, StoreError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db",
    envvar="CSM_DATA",
    type=click.Path(dir_okay=False),
    help="Store file (default: $CSM_DATA, else instance/csm.json).",
)
@click.pass_context
def cli(ctx: click.Context, db: str | None) -> None:
    """CSM Cockpit: serve and maintain the Customer Success Intelligence data.

    Example: csm serve --port 8000
    """
    ctx.obj = {"db": str(data_path(db))}


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
        _, _ = store.read()  # creates it from the seed on first run; fails clearly if unreadable
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
def snapshot(obj: dict, day: str | None) -> None:
    """Record today's account health and metric values in the history (idempotent within a day).

    Example: csm snapshot
    """
    from service.history import record_snapshot

    try:
        today = parse_today(day) if day else today_from(os.environ.get("CSM_TODAY"))()
        result = record_snapshot(Store(obj["db"], initial=initial_data), today)
    except ConfigError as exc:
        raise click.BadParameter(str(exc).replace("CSM_TODAY", "--date"), param_hint="--date") from None
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
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
    from pathlib import Path

    from packshim.checks import PackError
    from packshim.generate import HERE, generate, write

    try:
        files = generate(base_url)
    except PackError as exc:
        raise click.ClickException(str(exc)) from None
    target = Path(out) if out else HERE
    for path in write(files, target):
        click.echo(f"wrote {path}")


def main() -> None:
    cli()
