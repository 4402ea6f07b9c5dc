"""Posting alerts to a Slack incoming webhook.

`message(alert, account_name, people, link)` is the payload: a `text` fallback (what
notifications and screen readers show) and Block Kit blocks: the headline linked to the account,
the figures, the people mentioned by their Slack member id (`<@U04ABCDEF>`; by name when they have
none).  Everything taken from the data is escaped (`&`, `<`, `>`), so an account called
`<!channel>` cannot ping a channel or forge a link.

`SlackWebhook.post` sends it with `requests` on a Session whose adapter carries urllib3's
`Retry`: up to 3 retries with exponential backoff on connection errors, 429 (honouring
Retry-After up to 30 s) and 5xx, and a (connect, read) timeout.  Slack answers `200 ok`; anything else is a
`DeliveryFailed` whose reason never contains the URL, which is the secret that lets anyone post.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

TIMEOUT_S = (3.05, 10.0)  # connect, read
RETRIES = 3
BACKOFF_FACTOR = 1.0  # urllib3 sleeps 0, 2, 4 s between the tries
RETRY_STATUSES = (429, 500, 502, 503, 504)
MAX_RETRY_AFTER_S = 30  # a longer Retry-After is not waited for: the alert waits for the next run
SECTION_LIMIT = 3000  # characters of a Block Kit text object
MAX_LINK = 1500  # a longer link (a template with a long name) is left out, the name kept
MEMBER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")  # Slack member ids: U04ABCDEF (W for Enterprise Grid)
SLACK_ERROR = re.compile(r"[a-z_]{1,60}")  # what Slack answers a bad post with: invalid_payload, no_service
ICONS = {"Urgent": ":rotating_light:", "Warning": ":warning:", "Info": ":white_check_mark:"}


class DeliveryFailed(Exception):
    """A post Slack did not accept; `webhook_broken` when later posts would fail the same way."""

    def __init__(self, reason: str, *, webhook_broken: bool) -> None:
        super().__init__(reason)
        self.reason, self.webhook_broken = reason, webhook_broken


@dataclass(frozen=True)
class Person:
    name: str
    slack_user_id: str | None


def escape(text: str) -> str:
    """Text for Slack's mrkdwn: its three control characters escaped, nothing else touched."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def account_link(template: str, account_id: str, account_name: str) -> str:
    return template.replace("{account_id}", urllib.parse.quote(account_id, safe="")).replace(
        "{account_name}", urllib.parse.quote(account_name, safe="")
    )


def mention(person: Person) -> str:
    uid = person.slack_user_id or ""
    if MEMBER_ID.fullmatch(uid):  # nothing but a member id goes inside <@...>
        return f"<@{uid}>"
    return escape(person.name)


def _fit(escaped: str, limit: int) -> str:
    """Escaped text cut to `limit` characters without splitting an `&amp;`-style escape."""
    if len(escaped) <= limit:
        return escaped
    return re.sub(r"&[a-z]*$", "", escaped[: limit - 1]) + "…"


def message(alert: dict, account_name: str, people: list[Person], link: str) -> dict:
    """The payload: every part cut to its share of Slack's 3,000 characters a text block, so the link
    and the figures survive a 2,000-character account name."""
    icon = ICONS.get(alert["severity"], "")
    headline = _fit(escape(alert["headline"]), 600)
    name = _fit(escape(account_name), 300)
    body = f"{icon} *{headline}*\n" + (f"<{link}|{name}>" if len(link) <= MAX_LINK else name)
    if alert.get("details"):
        body += "\n" + _fit(escape(alert["details"]), SECTION_LIMIT - len(body) - 1)
    who = " ".join(mention(p) for p in people[:20]) or "no one assigned"
    meta = f"{escape(alert['kind'])} · {alert['alert_date']} · {alert['alert_id']}"
    return {
        "text": f"{alert['severity']}: {headline}",  # Slack reads it as mrkdwn too (notifications show it)
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": body}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": _fit(f"For {who} · {meta}", SECTION_LIMIT)}]},
        ],
    }


class _Retry(Retry):
    """urllib3's Retry, with the wait a Retry-After header asks for capped: a server asking for an
    hour would otherwise hold the run, and its lock, for an hour."""

    def get_retry_after(self, response):  # type: ignore[no-untyped-def]
        after = super().get_retry_after(response)
        return None if after is None else min(after, MAX_RETRY_AFTER_S)


def _failure(exc: requests.RequestException) -> str:
    """What kind of failure, without the URL: after its retries urllib3 wraps a timeout in a
    MaxRetryError that requests reports as a ConnectionError, so the cause is looked for."""
    cause = exc.args[0] if exc.args else None
    reason = getattr(cause, "reason", cause)
    if isinstance(reason, urllib3.exceptions.NewConnectionError):  # (a subclass of ConnectTimeoutError)
        return "could not connect to Slack (refused, or no route to it)"
    if isinstance(exc, requests.ConnectTimeout) or isinstance(reason, urllib3.exceptions.ConnectTimeoutError):
        return f"could not connect to Slack within {TIMEOUT_S[0]:g} s"
    if isinstance(exc, requests.Timeout) or isinstance(reason, urllib3.exceptions.ReadTimeoutError):
        return f"Slack did not answer within {TIMEOUT_S[1]:g} s"
    return f"could not reach Slack ({type(reason).__name__ if isinstance(reason, Exception) else type(exc).__name__})"


class SlackWebhook:
    def __init__(self, url: str, *, retries: int = RETRIES, backoff: float | None = None) -> None:
        self._url = url
        self._session = requests.Session()
        retry = _Retry(
            total=retries,
            backoff_factor=BACKOFF_FACTOR if backoff is None else backoff,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=None,  # POST too: a lost alert is worse than a rare duplicate
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        adapter = HTTPAdapter(max_retries=retry)
        self._session.mount("https://", adapter)
        self._session.mount("http://", adapter)

    def post(self, payload: dict) -> None:
        try:
            response = self._session.post(self._url, json=payload, timeout=TIMEOUT_S, allow_redirects=False)
        except requests.RequestException as exc:  # its text holds the URL: say only what kind of failure
            raise DeliveryFailed(_failure(exc), webhook_broken=True) from None
        if response.status_code == 200:
            return
        # Slack says what was wrong in one word (invalid_payload, no_service); anything else may be a
        # proxy's page that quotes the URL, the secret: left out.
        said = response.text.strip() if SLACK_ERROR.fullmatch(response.text.strip()) else ""
        reason = f"Slack answered HTTP {response.status_code}" + (f": {said}" if said else "")
        # A 400 is this payload's problem (invalid_blocks...); anything else will fail every post alike.
        raise DeliveryFailed(reason, webhook_broken=response.status_code != 400)

    def close(self) -> None:
        self._session.close()
