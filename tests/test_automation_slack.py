"""`csm automate` and Slack: the payloads it posts, its retries and circuit breaker, and what the
store records of each delivery (Sent, Failed, Pending, Not Sent, Expired).

Every HTTP call goes to `responses` (nothing reaches the network).  On the seed, for 2026-11-20, a
run raises three alerts: ALR-00001 (renewal-risk, HealthTech Solutions, for James Okafor and Lisa
Martinez) then ALR-00002 and ALR-00003 (api-health, Acme and Gard, for Sarah Chen and Marcus
Johnson), posted in that order.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
import requests
import responses
from responses import registries

from service.automations import notify

WEBHOOK = "https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX"
SECRET = "XXXXSECRETXXXX"
DEFAULT_LINK = "http://localhost:8000/dashboard/accounts/{}"
ALL_ALERTS = ["ALR-00001", "ALR-00002", "ALR-00003"]
RENEWAL_ALERT, API_ALERTS = "ALR-00001", ["ALR-00002", "ALR-00003"]
TRIES = 4  # HTTP calls of one post Slack keeps failing with a 5xx: the first and 3 retries


# --- helpers --------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def no_slack_settings_and_no_backoff(monkeypatch):
    """Each test says which webhook it uses (conftest drops them too); retries never wait."""
    monkeypatch.setattr(notify, "BACKOFF_FACTOR", 0)
    monkeypatch.delenv("CSM_SLACK_WEBHOOK_URL", raising=False)
    monkeypatch.delenv("CSM_ACCOUNT_URL", raising=False)


@pytest.fixture
def webhook(monkeypatch):
    monkeypatch.setenv("CSM_SLACK_WEBHOOK_URL", WEBHOOK)
    return WEBHOOK


def reply(status: int = 200, body: str = "ok", **kwargs) -> dict:
    """One answer of the mocked webhook (`body` may be an exception to raise instead)."""
    return {"status": status, "body": body, **kwargs}


OK = reply()


class Calls:
    """The HTTP calls the mocked webhook received, kept after the mock is gone."""

    def __init__(self) -> None:
        self.calls: list[responses.Call] = []


@contextlib.contextmanager
def slack(*replies: dict, url: str = WEBHOOK) -> Iterator[Calls]:
    """The webhook answering `replies` in order, each used exactly once; a single reply answers
    every call.  No reply at all: any HTTP call is refused (and counted).  Read `.calls` after
    the block (responses forgets them when it stops)."""
    registry = registries.OrderedRegistry if len(replies) > 1 else registries.FirstMatchRegistry
    seen = Calls()
    with responses.RequestsMock(assert_all_requests_are_fired=len(replies) > 1, registry=registry) as mock:
        for answer in replies:
            mock.add(responses.POST, url, **answer)
        try:
            yield seen
        finally:
            seen.calls = list(mock.calls)


def posted(mock: Calls) -> list[dict]:
    return [json.loads(call.request.body) for call in mock.calls]


def alert_ids_posted(mock: Calls) -> list[str]:
    """Which alert each HTTP call carried (its id ends the context block)."""
    return [body["blocks"][1]["elements"][0]["text"].rsplit(" · ", 1)[1] for body in posted(mock)]


def table(store_path: Path, name: str, key: str) -> dict[str, dict]:
    """A table's rows by their id (the store file keys them by number)."""
    return {row[key]: row for row in orjson.loads(store_path.read_bytes()).get(name, {}).values()}


def alerts(store_path: Path) -> dict[str, dict]:
    return table(store_path, "Alerts", "alert_id")


def deliveries(store_path: Path) -> dict[str, tuple[str, int]]:
    return {i: (a["delivery"], a["attempts"]) for i, a in alerts(store_path).items()}


def counts(store_path: Path) -> dict[str, int]:
    """Rows of the tables the rules write (the automation log aside)."""
    names = ("Alerts", "ActivitiesTasks", "RiskRegister", "AccountHealthHistory", "MetricHistory")
    data = orjson.loads(store_path.read_bytes())
    return {name: len(data.get(name, {})) for name in names}


def files(store_path: Path) -> dict[str, bytes]:
    """Every file beside the store (the store, its change log, its locks), by name."""
    return {p.name: p.read_bytes() for p in sorted(store_path.parent.iterdir()) if p.is_file()}


def assert_no_secret(result, store_path: Path) -> None:
    """The webhook URL is a secret: not in the output, nor in any file the run wrote."""
    assert SECRET not in result.output and "hooks.slack.com/services/T000" not in result.output
    for name, raw in files(store_path).items():
        assert SECRET.encode() not in raw, name


def assert_failed_run(result, *needles: str) -> None:
    """Exit 1 with one `Error:` line (the last), no traceback."""
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[-1].startswith("Error: "), result.output
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in result.output, result.output


def automate(csm, *args):
    return csm("automate", *args)


def history(csm) -> list[dict]:
    result = csm("automate", "--history", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def by_rule(run: dict) -> dict[str, dict]:
    return {r["rule"]: r for r in run["rules"]}


# --- 1. the payloads ------------------------------------------------------------------------------


def test_a_run_posts_each_new_alert_once_as_block_kit_json_and_records_it_sent(csm, store_path, webhook):
    with slack(OK) as mock:
        result = automate(csm)
    assert result.exit_code == 0, result.output
    assert "alerts posted to Slack" in result.output
    assert len(mock.calls) == 3
    assert alert_ids_posted(mock) == ALL_ALERTS
    for call in mock.calls:
        assert call.request.method == "POST" and call.request.url == WEBHOOK
        assert call.request.headers["Content-Type"] == "application/json"
    stored = alerts(store_path)
    for body, alert_id in zip(posted(mock), ALL_ALERTS, strict=True):
        alert = stored[alert_id]
        assert set(body) == {"text", "blocks"}
        assert body["text"] == f"Warning: {alert['headline']}"
        section, context = body["blocks"]
        assert section["type"] == "section" and section["text"]["type"] == "mrkdwn"
        lines = section["text"]["text"].split("\n")
        assert lines[0] == f":warning: *{alert['headline']}*"
        assert lines[2] == alert["details"]
        assert context["type"] == "context" and context["elements"][0]["type"] == "mrkdwn"
        assert context["elements"][0]["text"].endswith(f" · {alert['kind']} · 2026-11-20 · {alert_id}")
    links = [body["blocks"][0]["text"]["text"].split("\n")[1] for body in posted(mock)]
    assert links == [
        f"<{DEFAULT_LINK.format('ACC-00003')}|HealthTech Solutions>",
        f"<{DEFAULT_LINK.format('ACC-00001')}|Acme Financial Services>",
        f"<{DEFAULT_LINK.format('ACC-00004')}|Gard AS>",
    ]
    whom = [body["blocks"][1]["elements"][0]["text"].split(" · ")[0] for body in posted(mock)]
    assert whom == ["For <@U04JOKAF05> <@U04LMART03>"] + ["For <@U04SCHEN01> <@U04MJOHN02>"] * 2
    for alert_id in ALL_ALERTS:
        alert = stored[alert_id]
        assert (alert["delivery"], alert["attempts"], alert["last_error"]) == ("Sent", 1, None)
        assert dt.datetime.fromisoformat(alert["sent_at"])  # a real timestamp
    assert_no_secret(result, store_path)


def test_the_alerts_read_back_through_csm_rows_say_sent(csm, webhook):
    with slack(OK):
        assert automate(csm).exit_code == 0
    result = csm("rows", "Alerts", "--json")
    assert result.exit_code == 0, result.output
    rows = {r["alert_id"]: r for r in json.loads(result.output)}
    assert sorted(rows) == ALL_ALERTS
    assert rows[RENEWAL_ALERT]["kind"] == "Renewal Risk" and rows[RENEWAL_ALERT]["recipients"] == [
        "PER-00005",
        "PER-00003",
    ]
    assert {rows[i]["kind"] for i in API_ALERTS} == {"API Unhealthy"}
    assert all(r["delivery"] == "Sent" and r["attempts"] == 1 and r["sent_at"] for r in rows.values())


def test_a_custom_account_url_gets_the_id_and_the_percent_encoded_name(csm, webhook, monkeypatch):
    monkeypatch.setenv("CSM_ACCOUNT_URL", "https://crm.example.com/a/{account_id}?name={account_name}")
    with slack(OK) as mock:
        assert automate(csm, "--only", "renewal-risk").exit_code == 0
    (body,) = posted(mock)
    link = body["blocks"][0]["text"]["text"].split("\n")[1]
    assert link == "<https://crm.example.com/a/ACC-00003?name=HealthTech%20Solutions|HealthTech Solutions>"


# --- 2. idempotency -------------------------------------------------------------------------------


def test_a_second_run_the_same_day_posts_nothing_and_creates_nothing(csm, store_path, webhook):
    with slack(OK) as mock:
        assert automate(csm).exit_code == 0
    assert len(mock.calls) == 3
    before = counts(store_path)
    with slack() as mock:  # any call at all would be refused and counted
        result = automate(csm)
    assert result.exit_code == 0, result.output
    assert len(mock.calls) == 0
    assert counts(store_path) == before
    assert {d for d, _ in deliveries(store_path).values()} == {"Sent"}


# --- 3. Slack down: nothing lost ------------------------------------------------------------------


def test_a_webhook_answering_500_keeps_the_rules_changes_and_stops_posting_after_the_first(csm, store_path, webhook):
    with slack(reply(500, "internal error")) as mock:
        result = automate(csm)
    assert_failed_run(result, "Error: 3 alert(s) not posted to Slack")
    assert len(mock.calls) == TRIES  # one alert, retried; the circuit breaker spares the other two
    assert alert_ids_posted(mock) == [RENEWAL_ALERT] * TRIES
    assert "TSK-00013" in table(store_path, "ActivitiesTasks", "task_id")  # the rules' changes are committed
    assert {"RISK-00009", "RISK-00010"} <= set(table(store_path, "RiskRegister", "risk_id"))
    stored = alerts(store_path)
    failed = stored[RENEWAL_ALERT]
    assert (failed["delivery"], failed["attempts"], failed["sent_at"]) == ("Failed", 1, None)
    assert "HTTP 500" in failed["last_error"]
    assert SECRET not in failed["last_error"] and "hooks.slack.com" not in failed["last_error"]
    assert [(stored[i]["delivery"], stored[i]["attempts"]) for i in API_ALERTS] == [("Pending", 0)] * 2
    assert_no_secret(result, store_path)


def test_after_a_500_the_next_run_posts_every_alert_owed_and_creates_nothing_then_a_third_posts_nothing(
    csm, store_path, webhook
):
    with slack(reply(500)):
        assert automate(csm).exit_code == 1
    after_failure = counts(store_path)
    with slack(OK) as mock:
        result = automate(csm)
    assert result.exit_code == 0, result.output
    assert alert_ids_posted(mock) == ALL_ALERTS
    assert counts(store_path) == after_failure
    assert deliveries(store_path) == {RENEWAL_ALERT: ("Sent", 2), "ALR-00002": ("Sent", 1), "ALR-00003": ("Sent", 1)}
    assert alerts(store_path)[RENEWAL_ALERT]["last_error"] is None
    with slack() as mock:
        assert automate(csm).exit_code == 0
    assert len(mock.calls) == 0
    assert counts(store_path) == after_failure


# --- 4. transient failures ------------------------------------------------------------------------


def test_500_then_503_then_200_is_sent_on_the_first_run(csm, store_path, webhook):
    with slack(reply(500), reply(503), OK, OK, OK) as mock:
        result = automate(csm)
    assert result.exit_code == 0, result.output
    assert alert_ids_posted(mock) == [RENEWAL_ALERT] * 3 + API_ALERTS
    assert deliveries(store_path) == dict.fromkeys(ALL_ALERTS, ("Sent", 1))  # attempts count posts, not HTTP tries


def test_429_with_retry_after_then_200_is_sent(csm, store_path, webhook):
    with slack(reply(429, "rate_limited", headers={"Retry-After": "0"}), OK, OK, OK) as mock:
        result = automate(csm)
    assert result.exit_code == 0, result.output
    assert len(mock.calls) == 4
    assert deliveries(store_path) == dict.fromkeys(ALL_ALERTS, ("Sent", 1))


# --- 5. one payload refused -----------------------------------------------------------------------


def test_a_400_fails_only_that_alert_and_the_run_goes_on_with_the_others(csm, store_path, webhook):
    with slack(reply(400, "invalid_blocks"), OK, OK) as mock:
        result = automate(csm)
    assert_failed_run(result, "Error: 1 alert(s) not posted to Slack")
    assert alert_ids_posted(mock) == ALL_ALERTS  # 400 is not retried, and does not trip the breaker
    assert deliveries(store_path) == {RENEWAL_ALERT: ("Failed", 1), "ALR-00002": ("Sent", 1), "ALR-00003": ("Sent", 1)}
    assert alerts(store_path)[RENEWAL_ALERT]["last_error"] == "Slack answered HTTP 400: invalid_blocks"


def test_a_403_revoked_webhook_trips_the_breaker_without_retrying(csm, store_path, webhook):
    with slack(reply(403, "invalid_token")) as mock:
        result = automate(csm)
    assert_failed_run(result, "Error: 3 alert(s) not posted to Slack")
    assert len(mock.calls) == 1
    assert deliveries(store_path) == {
        RENEWAL_ALERT: ("Failed", 1),
        "ALR-00002": ("Pending", 0),
        "ALR-00003": ("Pending", 0),
    }
    assert alerts(store_path)[RENEWAL_ALERT]["last_error"] == "Slack answered HTTP 403: invalid_token"


# --- 6. no answer at all --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "error,reason",
    [
        (
            requests.ConnectionError(f"Max retries exceeded with url: {WEBHOOK}"),
            "could not reach Slack (ConnectionError)",
        ),
        (requests.ReadTimeout(f"Read timed out: {WEBHOOK}"), "Slack did not answer within 10 s"),
    ],
    ids=["connection-error", "timeout"],
)
def test_a_connection_error_or_timeout_says_what_kind_never_the_url(csm, store_path, webhook, error, reason):
    with slack(reply(body=error)) as mock:
        result = automate(csm)
    assert_failed_run(result, reason)
    assert len(mock.calls) == 1  # the breaker spares the other two (responses does not retry raised errors)
    stored = alerts(store_path)
    assert (stored[RENEWAL_ALERT]["delivery"], stored[RENEWAL_ALERT]["last_error"]) == ("Failed", reason)
    assert [stored[i]["delivery"] for i in API_ALERTS] == ["Pending", "Pending"]
    assert_no_secret(result, store_path)


# --- 7. escaping ----------------------------------------------------------------------------------

EVIL_NAME = "<!channel> & <http://evil|x>"
EVIL_ESCAPED = "&lt;!channel&gt; &amp; &lt;http://evil|x&gt;"


def rename_to_evil(csm) -> None:
    result = csm("update", "AccountMaster", "ACC-00003", "--set", f"account_name={EVIL_NAME}")
    assert result.exit_code == 0, result.output


def test_an_account_name_with_slack_control_characters_is_escaped_in_the_blocks(csm, webhook):
    rename_to_evil(csm)
    with slack(OK) as mock:
        assert automate(csm, "--only", "renewal-risk").exit_code == 0
    (body,) = posted(mock)
    section = body["blocks"][0]["text"]["text"]
    headline, link = section.split("\n")[:2]
    assert headline == f":warning: *Renewal risk: {EVIL_ESCAPED}, health 63.7, renewal in 131 days*"
    assert link == f"<{DEFAULT_LINK.format('ACC-00003')}|{EVIL_ESCAPED}>"
    blocks = json.dumps(body["blocks"])
    assert "<!channel>" not in blocks and "<http://evil" not in blocks and " & " not in blocks


def test_the_account_name_is_percent_encoded_in_a_custom_link(csm, webhook, monkeypatch):
    monkeypatch.setenv("CSM_ACCOUNT_URL", "https://crm.example.com/by-name/{account_name}")
    rename_to_evil(csm)
    with slack(OK) as mock:
        assert automate(csm, "--only", "renewal-risk").exit_code == 0
    link = posted(mock)[0]["blocks"][0]["text"]["text"].split("\n")[1]
    assert link == (
        "<https://crm.example.com/by-name/%3C%21channel%3E%20%26%20%3Chttp%3A%2F%2Fevil%7Cx%3E|" + EVIL_ESCAPED + ">"
    )


def test_the_text_fallback_escapes_the_account_name_too(csm, webhook):
    """notify.py promises "Everything taken from the data is escaped ... so an account called
    `<!channel>` cannot ping a channel or forge a link"; the top-level `text` (shown in
    notifications, where Slack parses mentions) must not carry it raw either."""
    rename_to_evil(csm)
    with slack(OK) as mock:
        assert automate(csm, "--only", "renewal-risk").exit_code == 0
    (body,) = posted(mock)
    assert body["text"] == f"Warning: Renewal risk: {EVIL_ESCAPED}, health 63.7, renewal in 131 days"
    assert "<!channel>" not in json.dumps(body)


# --- 8. people without a Slack member id ----------------------------------------------------------


@pytest.mark.parametrize("slack_id", ["", "U04<!here>"], ids=["cleared", "not-a-member-id"])
def test_a_person_without_a_usable_slack_id_is_named_not_mentioned(csm, webhook, slack_id):
    result = csm("update", "PeopleTeam", "PER-00003", "--set", f"slack_user_id={slack_id}")
    assert result.exit_code == 0, result.output
    with slack(OK) as mock:
        assert automate(csm, "--only", "renewal-risk").exit_code == 0
    context = posted(mock)[0]["blocks"][1]["elements"][0]["text"]
    assert context.startswith("For <@U04JOKAF05> Lisa Martinez · Renewal Risk · ")
    assert "<!here>" not in context


# --- 9. no webhook --------------------------------------------------------------------------------


def test_without_a_webhook_alerts_are_recorded_not_sent_and_never_posted_later(csm, store_path, monkeypatch):
    with slack() as mock:
        result = automate(csm)
    assert result.exit_code == 0, result.output
    assert "no Slack webhook (CSM_SLACK_WEBHOOK_URL): alerts recorded only" in result.output
    assert len(mock.calls) == 0
    assert deliveries(store_path) == dict.fromkeys(ALL_ALERTS, ("Not Sent", 0))
    monkeypatch.setenv("CSM_SLACK_WEBHOOK_URL", WEBHOOK)
    for day in ("2026-11-20", "2026-11-21"):  # the same day, and the next (which raises nothing new)
        with slack() as mock:
            result = automate(csm, "--date", day)
        assert result.exit_code == 0, result.output
        assert len(mock.calls) == 0
    assert deliveries(store_path) == dict.fromkeys(ALL_ALERTS, ("Not Sent", 0))


# --- 10. expiry -----------------------------------------------------------------------------------


def test_alerts_owed_are_still_retried_on_the_third_day_after(csm, store_path, webhook):
    with slack(reply(500)):
        assert automate(csm, "--date", "2026-11-20").exit_code == 1
    with slack(OK) as mock:
        result = automate(csm, "--date", "2026-11-23")
    assert result.exit_code == 0, result.output
    assert alert_ids_posted(mock) == ALL_ALERTS  # 2026-11-23 raises no new alert of its own
    assert deliveries(store_path) == {RENEWAL_ALERT: ("Sent", 2), "ALR-00002": ("Sent", 1), "ALR-00003": ("Sent", 1)}


def test_alerts_owed_for_more_than_retry_days_expire_unposted(csm, store_path, webhook):
    with slack(reply(500)):
        assert automate(csm, "--date", "2026-11-20").exit_code == 1
    assert deliveries(store_path) == {
        RENEWAL_ALERT: ("Failed", 1),
        "ALR-00002": ("Pending", 0),
        "ALR-00003": ("Pending", 0),
    }
    with slack() as mock:
        result = automate(csm, "--date", "2026-11-24")
    assert result.exit_code == 0, result.output
    assert len(mock.calls) == 0
    assert sorted(alerts(store_path)) == ALL_ALERTS  # 2026-11-24 raises nothing new
    assert {d for d, _ in deliveries(store_path).values()} == {"Expired"}
    assert re.search(r"renewal-risk +ok +1 alerts? expired", result.output), result.output
    assert re.search(r"api-health +ok +2 alerts expired", result.output), result.output


# --- 11. bad settings -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "ftp://x",
        "http://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX",
        "not a url",
        "https://hooks.slack.com/services/T000/B000/XXXX SECRETXXXX",
    ],
    ids=["ftp", "plain-http-not-loopback", "not-a-url", "space"],
)
def test_a_bad_webhook_url_is_refused_unechoed_and_nothing_is_written(csm, store_path, monkeypatch, value):
    monkeypatch.setenv("CSM_SLACK_WEBHOOK_URL", value)
    before = files(store_path)
    with slack() as mock:
        result = automate(csm)
    assert_failed_run(result, "Error: CSM_SLACK_WEBHOOK_URL")
    assert value not in result.output and "SECRET" not in result.output and "XXXX" not in result.output
    assert len(mock.calls) == 0
    assert files(store_path) == before


def test_a_plain_http_webhook_on_loopback_is_accepted(csm, store_path, monkeypatch):
    monkeypatch.setenv("CSM_SLACK_WEBHOOK_URL", "http://127.0.0.1:8099/hook")
    with slack(OK, url="http://127.0.0.1:8099/hook") as mock:
        result = automate(csm)
    assert result.exit_code == 0, result.output
    assert len(mock.calls) == 3


@pytest.mark.parametrize(
    "value", ["https://crm.example.com/{nope}", "javascript:alert(1)"], ids=["unknown-placeholder", "javascript"]
)
def test_a_bad_account_url_is_refused_and_nothing_is_written(csm, store_path, webhook, monkeypatch, value):
    monkeypatch.setenv("CSM_ACCOUNT_URL", value)
    before = files(store_path)
    with slack() as mock:
        result = automate(csm)
    assert_failed_run(result, "Error: CSM_ACCOUNT_URL")
    assert len(mock.calls) == 0
    assert files(store_path) == before


# --- 12. dry run ----------------------------------------------------------------------------------


def test_a_dry_run_with_a_webhook_posts_nothing_and_writes_nothing(csm, store_path, webhook):
    before = files(store_path)
    with slack() as mock:
        result = automate(csm, "--dry-run")
    assert result.exit_code == 0, result.output
    assert len(mock.calls) == 0
    assert files(store_path) == before
    assert result.output.count("would post alert (Warning)") == 3
    assert "nothing written, nothing posted (alerts posted to Slack)" in result.output


def test_a_dry_run_after_a_failed_post_says_it_would_retry_and_posts_nothing(csm, store_path, webhook):
    with slack(reply(500)):
        assert automate(csm).exit_code == 1
    before = files(store_path)
    with slack() as mock:
        result = automate(csm, "--dry-run")
    assert result.exit_code == 0, result.output
    assert len(mock.calls) == 0
    assert files(store_path) == before
    assert "would retry 1 earlier alert(s) not yet posted" in result.output
    assert "would retry 2 earlier alert(s) not yet posted" in result.output


# --- 13. the automation log -----------------------------------------------------------------------


def test_the_automation_log_counts_sent_and_failed_per_rule(csm, webhook):
    with slack(reply(500)):
        assert automate(csm).exit_code == 1
    with slack(OK):
        assert automate(csm).exit_code == 0
    second, first = history(csm)
    assert (first["run_id"], first["ok"], second["run_id"], second["ok"]) == ("RUN-00001", False, "RUN-00002", True)
    failed = by_rule(first)
    assert {r: (x["sent"], x["failed"], x["alerts"]) for r, x in failed.items()} == {
        "snapshot": (0, 0, 0),
        "renewal-risk": (0, 1, 1),
        "api-health": (0, 2, 2),
        "health-alerts": (0, 0, 0),
    }
    (renewal_error,) = failed["renewal-risk"]["errors"]
    assert renewal_error.startswith("alert ALR-00001 not sent: Slack answered HTTP 500")
    (api_error,) = failed["api-health"]["errors"]
    assert api_error.startswith("2 alert(s) not tried after Slack failed (Slack answered HTTP 500")
    assert failed["api-health"]["rows"] == ["RISK-00009", "RISK-00010", *API_ALERTS]
    retried = by_rule(second)
    assert {r: (x["sent"], x["failed"], x["alerts"], x["created"]) for r, x in retried.items()} == {
        "snapshot": (0, 0, 0, 0),
        "renewal-risk": (1, 0, 0, 0),
        "api-health": (2, 0, 0, 0),
        "health-alerts": (0, 0, 0, 0),
    }
    assert all(not x["errors"] for x in retried.values())
    assert SECRET not in json.dumps([first, second])


def test_a_long_retry_after_is_not_waited_for_beyond_the_cap():
    import urllib3

    from service.automations.notify import MAX_RETRY_AFTER_S, SlackWebhook

    retry = SlackWebhook("https://hooks.slack.com/services/T000/B000/X")._session.get_adapter("https://x").max_retries
    hour = urllib3.response.HTTPResponse(headers={"Retry-After": "3600"})
    assert retry.get_retry_after(hour) == MAX_RETRY_AFTER_S == 30
    assert retry.get_retry_after(urllib3.response.HTTPResponse(headers={"Retry-After": "2"})) == 2


# --- regressions from an attack pass --------------------------------------------------------------


def test_a_body_that_is_not_a_slack_error_code_is_not_recorded_it_may_quote_the_url(csm, store_path, webhook):
    with slack(reply(404, f"cannot reach {WEBHOOK}: no route")):
        result = automate(csm)
    assert_failed_run(result, "Slack answered HTTP 404;")
    assert_no_secret(result, store_path)
    assert alerts(store_path)[RENEWAL_ALERT]["last_error"] == "Slack answered HTTP 404"
    with slack(reply(404, "no_service")):
        assert_failed_run(automate(csm), "Slack answered HTTP 404: no_service")


def test_a_read_timeout_after_the_retries_is_said_as_a_timeout(csm, store_path, webhook, monkeypatch):
    import urllib3

    def hang(*args, **kwargs):
        raise requests.ConnectionError(
            urllib3.exceptions.MaxRetryError(
                None, WEBHOOK, urllib3.exceptions.ReadTimeoutError(None, WEBHOOK, "read timed out")
            )
        )

    monkeypatch.setattr(requests.Session, "post", hang)
    result = automate(csm)
    assert_failed_run(result, "Slack did not answer within 10 s")
    assert_no_secret(result, store_path)


def test_a_2000_character_account_name_still_leaves_room_for_the_link_and_the_figures(csm, store_path, webhook):
    long_name = "<&>" * 660 + "Tail"
    assert csm("update", "AccountMaster", "ACC-00003", f"--set=account_name={long_name}").exit_code == 0
    with slack(OK) as mock:
        assert automate(csm, "--only", "renewal-risk").exit_code == 0
    (body,) = posted(mock)
    section = body["blocks"][0]["text"]["text"]
    assert len(section) <= 3000 and len(body["text"]) <= 3000
    assert DEFAULT_LINK.format("ACC-00003") + "|" in section  # the link survived
    assert "Task TSK-00013" in section  # and the figures
    assert not re.search(r"&[a-z]*…", section) and "<&" not in section  # no escape cut in half


def test_only_a_member_id_is_mentioned(csm, store_path, webhook):
    assert csm("update", "PeopleTeam", "PER-00005", "--set=slack_user_id=here").exit_code == 0
    with slack(OK) as mock:
        assert automate(csm, "--only", "renewal-risk").exit_code == 0
    context = posted(mock)[0]["blocks"][1]["elements"][0]["text"]
    assert "<@here>" not in context and "James Okafor" in context and "<@U04LMART03>" in context


@pytest.mark.parametrize("port", ["99999", "abc", "-1"])
def test_a_webhook_with_an_impossible_port_is_refused_at_once(csm, store_path, monkeypatch, port):
    monkeypatch.setenv("CSM_SLACK_WEBHOOK_URL", f"http://127.0.0.1:{port}/hook")
    before = files(store_path)
    result = automate(csm)
    assert_failed_run(result, "CSM_SLACK_WEBHOOK_URL must be")
    assert files(store_path) == before


def test_deliveries_are_recorded_as_they_go_so_a_crash_reposts_at_most_a_batch(csm, store_path, webhook, monkeypatch):
    from service.automations import runner

    monkeypatch.setattr(runner, "RECORD_EVERY", 1)  # ALR-00001 is a rule of its own; ALR-00002 and 3 share one
    posts = []

    def crash_on_the_third(request):
        posts.append(request)
        if len(posts) == 3:
            raise KeyboardInterrupt  # the process dying mid-run: nothing after this runs
        return (200, {}, "ok")

    with responses.RequestsMock() as mock:
        mock.add_callback(responses.POST, WEBHOOK, callback=crash_on_the_third)
        result = automate(csm)
    assert result.exit_code != 0
    assert deliveries(store_path) == {
        "ALR-00001": ("Sent", 1),
        "ALR-00002": ("Sent", 1),
        "ALR-00003": ("Pending", 0),  # posted as the process died: the next run posts it again
    }
    with slack(OK) as mock:
        assert automate(csm).exit_code == 0
    assert alert_ids_posted(mock) == ["ALR-00003"]


def test_a_refused_connection_is_not_called_a_timeout():
    import urllib3

    refused = urllib3.exceptions.NewConnectionError(None, "Connection refused")
    wrapped = requests.ConnectionError(urllib3.exceptions.MaxRetryError(None, WEBHOOK, refused))
    assert notify._failure(wrapped) == "could not connect to Slack (refused, or no route to it)"
    timed_out = urllib3.exceptions.ConnectTimeoutError(None, "timed out")
    slow = requests.ConnectionError(urllib3.exceptions.MaxRetryError(None, WEBHOOK, timed_out))
    assert notify._failure(slow) == "could not connect to Slack within 3.05 s"
