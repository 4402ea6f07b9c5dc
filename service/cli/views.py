"""`csm view`: the views of `views/definitions.json`, evaluated on the store's data."""

from __future__ import annotations

import json

import click

from formulas import pack
from service.cli import cli, open_store, output, printable, reports_errors, today
from service.snapshot import build
from views.evaluate import NoAccounts, UnknownView, all_views, answer


@cli.command("view")
@click.argument("slug", required=False)
@click.option("--account", help="Only this account's rows (name or id).")
@click.option("--csm", help="Only the rows of the accounts this person is CSM of (name or id).")
@click.option("--table", "fmt", flag_value="table", default=True, help="Aligned tables, one per group (the default).")
@click.option("--json", "fmt", flag_value="json", help="The definition and the groups as JSON.")
@click.pass_obj
@reports_errors
def view(obj: dict, slug: str | None, account: str | None, csm: str | None, fmt: str) -> None:
    """Evaluate a view on the live data, grouped and sorted as it says; without SLUG, list the views.

    Example: csm view renewal-risk-pipeline --csm "Sarah Chen"
    """
    if slug is None:
        for v in all_views().values():
            click.echo(f"{v.slug:<28} {v.table.name:<22} {v.name}")
        return
    data, _ = open_store(obj).read()
    snap = build(data, today())
    try:
        body = answer(snap, slug, account, csm)
    except UnknownView as exc:
        raise click.ClickException(f"{exc} (`csm view` lists them)") from None
    except pack.FormulaError as exc:  # an unknown or shared account or person name
        option = "--csm" if exc.param == "csmName" else "--account"
        raise click.ClickException(printable(f"{option}: {exc.message}")) from None
    except NoAccounts as exc:
        raise click.ClickException(str(exc)) from None
    if fmt == "json":
        click.echo(json.dumps(body, indent=2, ensure_ascii=False))
        return
    v = all_views()[slug]
    keys = list(dict.fromkeys((v.table.id_key, v.table.display_key, *v.columns)))
    click.echo(f"{v.name} ({v.table.name}): {body['row_count']} row{'s' if body['row_count'] != 1 else ''}")
    for group in body["groups"]:
        if group["group"] is not None:
            click.echo(printable(f"\n{group['group']}"))
        if group["rows"]:
            click.echo(printable(output.to_table(v.table, group["rows"], keys)))
