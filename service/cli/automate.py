"""`csm automate`: run the automations once (what cron or a systemd timer calls), or show their log."""

from __future__ import annotations

import os

import click
import orjson

from schemas.tables.automation import RULES
from service.cli import cli, open_store, printable, reports_errors, today
from service.cli.output import visible
from service.config import ConfigError, account_url, parse_today, slack_webhook

HISTORY_LIMIT = 10


@cli.command()
@click.option(
    "--only",
    "only",
    type=click.Choice(RULES),
    multiple=True,
    help="Run just this rule (repeatable); with --history, only runs that ran it.",
)
@click.option("--dry-run", is_flag=True, help="Print what the rules would do; write nothing, post nothing.")
@click.option("--date", "day", metavar="YYYY-MM-DD", help="Run for this day (default: today, or $CSM_TODAY).")
@click.option("--history", is_flag=True, help="Show the automation log instead, newest run first.")
@click.option(
    "--limit",
    type=click.IntRange(1, 1000),
    default=HISTORY_LIMIT,
    show_default=True,
    help="With --history: runs shown.",
)
@click.option("--json", "as_json", is_flag=True, help="With --history: the runs as JSON.")
@click.pass_obj
@reports_errors
def automate(
    obj: dict, only: tuple[str, ...], dry_run: bool, day: str | None, history: bool, limit: int, as_json: bool
) -> None:
    """Run the automations once: snapshot, renewal-risk, api-health, health-alerts.

    Each rule runs in its own locked transaction; changes are logged as `automation:<rule>`.
    Alerts go to Slack when CSM_SLACK_WEBHOOK_URL is set (recorded only otherwise); a failed post
    is retried by the next run.  Exits 1 when a rule failed or an alert could not be posted.

    Example: csm automate --dry-run

    \b
    More:
      csm automate                       # every rule, today
      csm automate --only renewal-risk
      csm automate --history --limit 5
    """
    if history:
        if dry_run or day:
            raise click.UsageError("--history shows the log; it does not take --dry-run or --date")
        show_history(obj, only, limit, as_json)
        return
    given = click.get_current_context().get_parameter_source("limit") is not click.core.ParameterSource.DEFAULT
    if as_json or given:
        raise click.UsageError("--json and --limit go with --history")
    from service.automations.notify import SlackWebhook
    from service.automations.runner import Settings, run

    try:
        when = parse_today(day) if day is not None else today()
        if when is None:  # --date ""
            raise ConfigError("give a date in the form YYYY-MM-DD")
    except ConfigError as exc:
        raise click.BadParameter(str(exc).replace("CSM_TODAY must be", "must be"), param_hint="--date") from None
    try:
        url, template = slack_webhook(), account_url()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    settings = Settings(SlackWebhook(url) if url else None, template)
    # A scheduler pointed at a wrong path must fail, not run the rules on a new store of sample data.
    if obj["db_explicit"] and not os.path.lexists(obj["db"]):
        raise click.ClickException(
            f"no store at {obj['db']}; check --db or CSM_DATA (`csm automate` never creates one)"
        )
    store = open_store(obj)
    try:
        report = run(store, when, settings, only=only or RULES, dry_run=dry_run)
    finally:
        if settings.webhook is not None:
            settings.webhook.close()
    print_report(report)
    if not report.ok:
        failed = [r.rule for r in report.rules if r.status == "failed"]
        unsent = sum(r.failed for r in report.rules)
        problems = ([f"rule {', '.join(failed)} failed (its changes were not written)"] if failed else []) + (
            [f"{unsent} alert(s) not posted to Slack (the next run retries them)"] if unsent else []
        )
        raise click.ClickException("; ".join(problems))


def shown(text: str) -> str:
    """A line for a terminal or a log: names from the data cannot move the cursor or forge lines."""
    return visible(printable(text))


def print_report(report) -> None:
    slack = (
        "alerts posted to Slack" if report.webhook else "no Slack webhook (CSM_SLACK_WEBHOOK_URL): alerts recorded only"
    )
    if report.dry_run:
        click.echo(f"Dry run for {report.run_date}: nothing written, nothing posted ({slack}).")
    else:
        click.echo(f"Automations for {report.run_date}, {report.run_id} ({slack}):")
    width = max(len(r) for r in RULES)
    for r in report.rules:
        summary = f"would: {r.summary}" if report.dry_run and r.status == "ok" else r.summary
        click.echo(shown(f"  {r.rule:<{width}}  {r.status:<6}  {summary}"))
        lead = "would: " if report.dry_run else ""
        for line in r.outcome.lines:
            click.echo(shown(f"  {'':<{width}}  {'':<6}  {lead}{line}"))
        for alert in r.pending:
            verb = "post" if report.webhook else "record"
            click.echo(
                shown(f"  {'':<{width}}  {'':<6}  would {verb} alert ({alert['severity']}): {alert['headline']}")
            )
        if r.would_retry:
            click.echo(f"  {'':<{width}}  {'':<6}  would retry {r.would_retry} earlier alert(s) not yet posted")
        if r.status == "ok":
            for error in r.errors:
                click.echo(shown(f"  {'':<{width}}  {'':<6}  {error}"))
    click.echo(f"Took {report.duration_ms / 1000:.2f} s.")


def show_history(obj: dict, only: tuple[str, ...], limit: int, as_json: bool) -> None:
    from service.automations.runs import TABLE, recent

    data, _ = open_store(obj, create=False).read()
    runs = recent(data.get(TABLE, {}).values(), limit=limit, rules=only)
    if as_json:
        click.echo(orjson.dumps(runs, option=orjson.OPT_INDENT_2).decode())
        return
    if not runs:
        click.echo("No automation runs yet: `csm automate` runs them.")
        return
    width = max(len(r) for r in RULES)
    for run in runs:
        state = "ok" if run.get("ok") else "FAILED"
        click.echo(
            shown(f"{run['run_id']}  for {run.get('run_date')}  {run.get('started_at')}  {state}  "
                  f"{run.get('duration_ms')} ms")
        )  # fmt: skip
        for rule in run.get("rules") or ():
            if only and rule.get("rule") not in only:
                continue
            click.echo(shown(f"  {rule.get('rule')!s:<{width}}  {rule.get('status')!s:<6}  {rule.get('summary', '')}"))
            listed = rule.get("rows") or []
            for row_id in listed[:10]:
                click.echo(shown(f"  {'':<{width}}  {'':<6}  {row_id}"))
            total = sum(rule.get(k) or 0 for k in ("created", "updated", "closed", "alerts"))
            if total > 10 and len(listed) >= 10:
                click.echo(f"  {'':<{width}}  {'':<6}  ... and {total - 10} more")
