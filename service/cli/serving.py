"""`csm serve`, `csm snapshot` and `csm packshim generate`."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import click

from seed import initial_data
from service.cli import cli, open_store, reports_errors, today
from service.config import ConfigError, changes_retention, parse_today
from service.store import Store, StoreError


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port.")
@click.option("--workers", type=click.IntRange(1, 64), help="gunicorn workers (default: one per core).")
@click.option("--threads", type=click.IntRange(1, 256), help="Threads per worker (default: 8).")
@click.option("--dev", is_flag=True, help="Flask's single-process development server instead of gunicorn.")
@click.option("--show-token", is_flag=True, help="Print the token file's token (never a token from CSM_API_TOKENS).")
@click.pass_obj
def serve(
    obj: dict, host: str, port: int, workers: int | None, threads: int | None, dev: bool, show_token: bool
) -> None:
    """Serve the 18 sync tables and the formulas over HTTP, under gunicorn.

    On the embedded default's first run the store is created from the seed and an API token is
    written beside it (instance/api-token), with the key that signs continuations
    (instance/secret-key, unless CSM_SECRET_KEY is set). Listening beyond loopback needs
    CSM_API_TOKENS. The token is not printed unless --show-token; tokens from CSM_API_TOKENS never are.

    Example: csm serve --host 127.0.0.1 --port 8000
    """
    from service import paging
    from service.auth import SecretFileError, configured_tokens, ensure_token_file, token_file
    from service.config import WRITE_TOKENS, api_tokens
    from service.serving import GunicornApp, bind_address, is_loopback

    try:  # a malformed or repeated token entry stops the start, named by position, the token never shown
        explicit_tokens = [t for t in api_tokens(os.environ, list) if t.origin.startswith(WRITE_TOKENS)]
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    if not is_loopback(host) and not explicit_tokens:
        raise click.ClickException(
            f"refusing to listen on {host} without CSM_API_TOKENS: set one or more tokens "
            "(comma-separated) before serving beyond this machine"
        )
    try:
        parse_today(os.environ.get("CSM_TODAY"))
        changes_retention()  # a bad retention setting stops the start here, once, not in every worker
        store = Store(obj["db"], initial=initial_data if not obj["db_explicit"] else None)
        if not store.path.exists() and obj["db_explicit"]:
            raise StoreError(f"no store at {store.path}; create one with `csm --db {store.path} reset --yes`")
        if not store.path.parent.exists():  # first run: the folder of the store and its secrets is private
            os.makedirs(store.path.parent, mode=0o700, exist_ok=True)
        store.read()  # creates the embedded default from the seed on first run; fails clearly if unreadable
        # The secrets, checked (and created on first run) before any worker starts, so that every
        # worker reads the same ones and an unsafe file stops the start with one line, not a traceback.
        paging.secret_key({"CSM_DATA": str(store.path)})
        if not explicit_tokens:
            path = token_file(store.path)
            token, created = ensure_token_file(path)
            configured_tokens({"CSM_DATA": str(store.path)})  # the file's token must not be a read token too
    except (StoreError, ConfigError, SecretFileError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    url = f"http://{bind_address(host, port).rsplit(':', 1)[0]}:{port}"
    click.echo(f"CSM Cockpit serving {store.path} at {url}")
    if explicit_tokens:
        click.echo("  API token: one of CSM_API_TOKENS (never printed; export one as CSM_TOKEN for this curl)")
        click.echo(f'  try: curl -s -H "Authorization: Bearer $CSM_TOKEN" {url}/v1/tables')
    else:
        shown = token if show_token else "(hidden; --show-token prints it)"
        click.echo(f"  API token {'created in' if created else 'from'} {path}: {shown}")
        click.echo(f'  try: curl -s -H "Authorization: Bearer $(cat {shlex.quote(str(path))})" {url}/v1/tables')
    click.echo(f"  dashboard: {url}/dashboard (sign in with an API token)")
    config = {"CSM_DATA": str(store.path)}
    if dev:
        from service import create_app

        create_app(config).run(host=host, port=port)
        return
    GunicornApp({"bind": bind_address(host, port), "workers": workers, "threads": threads}, config).run()


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
    help="Folder to write pack.ts, runtime.ts, package.json, package-lock.json and tsconfig.json (default: packshim/).",
)
def packshim_generate(base_url: str, out: str | None) -> None:
    """Write the pack for a base URL: 18 sync tables (two-way on the editable ones), the formulas,
    the four actions, account-name autocomplete, token auth.

    \b
    Example: csm packshim generate --base-url https://csm.example.com --out my-pack
    """
    from packshim.checks import PackError
    from packshim.generate import HERE, generate, write

    try:
        files = generate(base_url)
        written = write(files, Path(out) if out else HERE)
    except PackError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:  # a folder in the way, no permission, a full disk
        raise click.ClickException(f"cannot write the pack to {exc.filename or out}: {exc.strerror}") from None
    for path in written:
        click.echo(f"wrote {path}")
