"""The automations' own records: the alerts they raise and the log of their runs.

Stored collections (not synced, not editable from Coda or the API): the automations write
them, `csm automate --history`, `GET /v1/automations` and `csm rows Alerts` read them.
"""

from schemas.fields import (
    boolean,
    date,
    datetime,
    id_field,
    integer,
    long_text,
    object_list,
    ref,
    select,
    text,
    text_list,
)
from schemas.table import Table

#: The rules of `csm automate`, in the order a run takes them.
RULES = ("snapshot", "renewal-risk", "api-health", "health-alerts")
ALERT_KINDS = (
    "Renewal Risk",
    "API Unhealthy",
    "API Recovered",
    "Health Drop",
    "Health Below 60",
    "Health Below 40",
)
DELIVERIES = ("Pending", "Sent", "Failed", "Not Sent", "Expired")

ALERTS = Table(
    name="Alerts",
    identity="Alert",
    prefix="ALR",
    display_key="headline",
    featured=("account", "kind", "alert_date", "delivery"),
    description="Alerts the automations raised, and whether Slack received them. Stored, not synced.",
    account_key="account",
    synced=False,
    editable=False,
    fields=(
        id_field("alert_id", "Row id, ALR-00001."),
        ref("account", "AccountMaster", "Account the alert is about.", required=True),
        select("rule", RULES, "Rule that raised it.", required=True),
        select("kind", ALERT_KINDS, "What happened.", required=True),
        select("severity", ("Urgent", "Warning", "Info"), "Urgent, Warning or Info.", required=True),
        date("alert_date", "Day the rule ran (at most one alert per account, kind, subject and day).", required=True),
        text("subject", "What the alert is about within the account, e.g. an API id; empty for the account."),
        text("headline", "One line: what happened to which account.", required=True),
        long_text("details", "The figures behind it."),
        text_list("recipients", "People to mention, as PeopleTeam ids (their Slack ids are looked up when sent)."),
        select(
            "delivery",
            DELIVERIES,
            "Pending, Sent, Failed (retried by the next run), Not Sent (no webhook), Expired.",
            required=True,
        ),
        integer("attempts", "Posts tried so far.", minimum=0),
        datetime("sent_at", "When Slack accepted it."),
        text("last_error", "Why the last post failed."),
    ),
)

AUTOMATION_RUNS = Table(
    name="AutomationRuns",
    identity="AutomationRun",
    prefix="RUN",
    display_key="started_at",
    featured=("run_date", "started_at", "ok"),
    description="The automation log: every `csm automate` run, each rule's outcome. Stored, not synced.",
    synced=False,
    editable=False,
    fields=(
        id_field("run_id", "Row id, RUN-00001."),
        date("run_date", "The day the rules ran for (today, or --date).", required=True),
        datetime("started_at", "When the run started.", required=True),
        datetime("finished_at", "When it ended.", required=True),
        integer("duration_ms", "How long it took, ms.", minimum=0),
        boolean("ok", "No rule failed and every alert due was sent (or no webhook is configured).", required=True),
        object_list(
            "rules",
            (
                select("rule", RULES, "Rule.", required=True),
                select("status", ("ok", "failed"), "ok, or failed (its changes were not written).", required=True),
                integer("duration_ms", "How long it took, ms.", minimum=0, required=True),
                integer("created", "Rows it created.", minimum=0, required=True),
                integer("updated", "Rows it updated.", minimum=0, required=True),
                integer("closed", "Rows it closed.", minimum=0, required=True),
                integer("alerts", "Alerts it raised.", minimum=0, required=True),
                integer(
                    "sent", "Alerts posted to Slack (its own, and earlier ones retried).", minimum=0, required=True
                ),
                integer("failed", "Alerts whose post failed (retried by the next run).", minimum=0, required=True),
                text_list(
                    "rows",
                    "Ids of the rows it created, updated or closed, then of its alerts (the first 100).",
                    required=True,
                ),
                text_list("errors", "What went wrong.", required=True),
                text("summary", "One line for people.", required=True),
            ),
            "Each rule's outcome, in the order run.",
            required=True,
        ),
    ),
)
