"""One run of the automations.

For each rule, in `RULES` order: the rule in one locked store transaction (change-log source
`automation:<rule>`; a rule that fails writes nothing and the run goes on with the next), then
the rule's alerts still owed to Slack (this run's and earlier failed ones) posted outside the
lock, their delivery recorded in a transaction every `RECORD_EVERY` (25) posts.  A post that
failed never undoes the rule's changes: the alert stays `Failed` and the next run posts it again
(for `RETRY_DAYS`).  A crash between a post and its record means the next run posts it again (at
most the 25 posted since the last record): delivery is at least once.  After a post fails in a
way every post would (Slack down, the webhook revoked), the run tries no more posts; they wait
for the next run.  Last, the run is logged (`runs.py`).

Two runs on one store at once would race to post the same alerts, so a run holds
`<store>.automate.lock` throughout; a second one is refused at once.  A dry run takes no lock,
runs each rule on a private copy of the store and reports what it would do.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from schemas.tables.automation import RULES
from schemas.validation import RowInvalid
from service.automations import runs
from service.automations.alerts import UNDELIVERED, expired, undelivered
from service.automations.notify import DeliveryFailed, Person, SlackWebhook, account_link, message
from service.automations.rules import RULE_FUNCTIONS, Context, Outcome
from service.changelog import PRIVATE_FILE
from service.snapshot import build
from service.store import NotFound, Store, StoreError, Transaction
from service.storeformat import now_utc
from service.writes import WriteRefused

RECORD_EVERY = 25  # posts between two records of their delivery


@dataclass
class RuleReport:
    rule: str
    status: str = "ok"
    duration_ms: int = 0
    outcome: Outcome = field(default_factory=Outcome)
    sent: int = 0
    failed: int = 0  # posts that failed, and posts not tried after Slack failed
    expired: int = 0
    errors: list[str] = field(default_factory=list)
    pending: list[dict] = field(default_factory=list)  # dry run: the alerts it would raise
    would_retry: int = 0  # dry run: earlier alerts it would post again

    @property
    def summary(self) -> str:
        o = self.outcome
        parts = [
            f"{n} {what}"
            for n, what in (
                (len(o.created), "created"),
                (len(o.updated), "updated"),
                (len(o.closed), "closed"),
                (len(o.alerts), "alert raised" if len(o.alerts) == 1 else "alerts raised"),
                (self.sent, "alert sent" if self.sent == 1 else "alerts sent"),
                (self.failed, "alert not sent" if self.failed == 1 else "alerts not sent"),
                (self.expired, "alert expired" if self.expired == 1 else "alerts expired"),
            )
            if n
        ]
        text = ", ".join(parts) or "nothing to do"
        return "failed: " + "; ".join(self.errors) if self.status == "failed" else text


@dataclass
class RunReport:
    run_date: dt.date
    started_at: str
    dry_run: bool
    webhook: bool
    rules: list[RuleReport] = field(default_factory=list)
    finished_at: str = ""
    duration_ms: int = 0
    run_id: str | None = None

    @property
    def ok(self) -> bool:
        return all(r.status == "ok" and not r.failed for r in self.rules)


@dataclass
class Settings:
    webhook: SlackWebhook | None = None
    link_template: str = ""
    clock: Callable[[], str] = now_utc


def describe(exc: Exception, store: Store | None = None) -> str:
    """What a person is told of a rule that failed."""
    if isinstance(exc, StoreError | RowInvalid | NotFound | WriteRefused):
        return str(exc)
    if isinstance(exc, OSError):
        return f"{exc.filename}: {exc.strerror}" if exc.filename else str(exc.strerror or exc)
    if store is not None and isinstance(exc, TypeError | ValueError | KeyError | AttributeError | IndexError):
        problem = _store_problem(store)
        if problem:
            return problem
    return f"unexpected {type(exc).__name__}: {exc}"


def _store_problem(store: Store) -> str | None:
    """The store breaking its schema (a hand edit), said as such, when that is why a rule failed."""
    from service.integrity import integrity_problems

    try:
        problems = integrity_problems(store.read()[0])
    except Exception:  # the original error is the one to report
        return None
    if not problems:
        return None
    return (
        f"the store holds values its schema does not allow ({len(problems)} problem"
        f"{'s' if len(problems) != 1 else ''}; the first: {problems[0]}); see `csm validate`"
    )


@contextlib.contextmanager
def _run_lock(store: Store) -> Iterator[None]:
    path = f"{store.path}.automate.lock"
    store.ensure()
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, PRIVATE_FILE)
    except OSError as exc:
        raise StoreError(f"cannot lock the automations: {path}: {exc.strerror}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                raise StoreError(
                    f"another `csm automate` is running on {store.path}; this run did nothing (try again later)"
                ) from None
            raise
        yield
    finally:
        os.close(fd)


def run(
    store: Store, today: dt.date, settings: Settings, *, only: Sequence[str] = RULES, dry_run: bool = False
) -> RunReport:
    started = time.monotonic()
    report = RunReport(today, settings.clock(), dry_run, settings.webhook is not None)
    chosen = [r for r in RULES if r in only]
    if dry_run:
        store.read()  # a store that cannot be read is one error, not one per rule
        for rule in chosen:
            report.rules.append(_rehearse(store, rule, today, settings))
    else:
        with _run_lock(store):
            tripped: list[str] = []  # the reason Slack failed, once it has
            for rule in chosen:
                rule_report = _apply(store, rule, today, settings)
                try:
                    _deliver(store, rule_report, today, settings, tripped)
                except Exception as exc:  # the store failed while recording deliveries: said, run goes on
                    rule_report.errors.append(f"posting or recording the alerts failed: {describe(exc, store)}")
                    rule_report.failed = rule_report.failed or 1
                report.rules.append(rule_report)
    report.finished_at = settings.clock()
    report.duration_ms = round((time.monotonic() - started) * 1000)
    if not dry_run:
        report.run_id = runs.record(store, report, settings.clock)
    return report


def _apply(store: Store, rule: str, today: dt.date, settings: Settings) -> RuleReport:
    report = RuleReport(rule)
    started = time.monotonic()
    try:
        with store.transaction(settings.clock, source=f"automation:{rule}") as tx:
            report.outcome = _rule(tx, rule, today, settings)
    except Exception as exc:  # nothing of this rule was written; the next rule still runs
        report.status, report.outcome = "failed", Outcome()
        report.errors.append(describe(exc, store))
    report.duration_ms = round((time.monotonic() - started) * 1000)
    return report


def _rule(tx: Transaction, rule: str, today: dt.date, settings: Settings) -> Outcome:
    ctx = Context(today, build(tx.data, today), delivers=settings.webhook is not None)
    return RULE_FUNCTIONS[rule](tx, ctx)


def _rehearse(store: Store, rule: str, today: dt.date, settings: Settings) -> RuleReport:
    """The rule on a private copy of the store: what it would do, nothing written."""
    report = RuleReport(rule)
    started = time.monotonic()
    try:
        data, _ = store.read()
        tx = Transaction(data, settings.clock, f"automation:{rule}")
        report.outcome = _rule(tx, rule, today, settings)
        report.pending = [tx.get("Alerts", i) for i in report.outcome.alerts]
        if settings.webhook is not None:
            owed = undelivered(tx.rows("Alerts"), rule)
            report.would_retry = len([a for a in owed if not expired(a, today)])
    except Exception as exc:
        report.status = "failed"
        report.errors.append(describe(exc, store))
    report.duration_ms = round((time.monotonic() - started) * 1000)
    return report


def _deliver(store: Store, report: RuleReport, today: dt.date, settings: Settings, tripped: list[str]) -> None:
    """Post the rule's alerts still owed to Slack; record what happened to each, every
    `RECORD_EVERY` posts (so a crash re-posts at most that many)."""
    data, _ = store.read()
    owed = undelivered(list(data.get("Alerts", {}).values()), report.rule)
    if not owed:
        return
    people = {p["person_id"]: Person(p["full_name"], p.get("slack_user_id")) for p in data["PeopleTeam"].values()}
    names = {a["account_id"]: a["account_name"] for a in data["AccountMaster"].values()}
    del data
    results: dict[str, dict] = {}
    untried = 0
    for alert in owed:
        alert_id = alert["alert_id"]
        if expired(alert, today):
            results[alert_id] = {"delivery": "Expired"}
            report.expired += 1
            continue
        if settings.webhook is None:
            continue  # raised while a webhook was set: kept for when it is set again
        if tripped:
            untried += 1
            continue
        name = names.get(alert["account"], alert["account"])
        link = account_link(settings.link_template, alert["account"], name)
        payload = message(alert, name, [people[i] for i in alert.get("recipients") or [] if i in people], link)
        attempts = (alert.get("attempts") or 0) + 1
        try:
            settings.webhook.post(payload)
        except DeliveryFailed as exc:
            results[alert_id] = {"delivery": "Failed", "attempts": attempts, "last_error": exc.reason}
            report.failed += 1
            report.errors.append(f"alert {alert_id} not sent: {exc.reason}; the next run retries it")
            if exc.webhook_broken:
                tripped.append(exc.reason)
        else:
            results[alert_id] = {
                "delivery": "Sent",
                "attempts": attempts,
                "sent_at": settings.clock(),
                "last_error": None,
            }
            report.sent += 1
        if len(results) >= RECORD_EVERY:
            _record(store, report.rule, results, settings)
            results = {}
    if untried:
        report.failed += untried
        report.errors.append(f"{untried} alert(s) not tried after Slack failed ({tripped[0]}); the next run sends them")
    _record(store, report.rule, results, settings)


def _record(store: Store, rule: str, results: dict[str, dict], settings: Settings) -> None:
    if not results:
        return
    with store.transaction(settings.clock, source=f"automation:{rule}") as tx:
        for alert_id, changes in results.items():
            if tx.exists("Alerts", alert_id) and tx.get("Alerts", alert_id)["delivery"] in UNDELIVERED:
                tx.update("Alerts", alert_id, changes)
