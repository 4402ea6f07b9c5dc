"""Settings, read from the environment (overridable by `create_app(test_config)`).

- `CSM_DATA`: the store file (default `./instance/csm.json`, created from the seed).
- `CSM_TODAY`: `YYYY-MM-DD` to pin "today" for tests and demos (default: the clock).
- `CSM_API_TOKENS`: comma-separated bearer tokens for `/v1`, each `name=token` or a bare token (named
  `token1`, `token2`... by position); default: the token file beside the store, its token named `default`
  (`service.auth`).
- `CSM_API_READ_TOKENS`: read-only tokens, same syntax (a bare one named `read1`, `read2`...): anything but
  GET, HEAD or OPTIONS under `/v1` with one is a 403.
- `CSM_CHANGES_KEEP_DAYS`, `CSM_CHANGES_KEEP`: how long the change log keeps records (default 365 days)
  and how many at most (default 100,000); `service.changelog`.
- `CSM_SLACK_WEBHOOK_URL`: the Slack incoming webhook the automations post alerts to (default: none,
  alerts are only recorded); `https://`, or `http://` to a loopback host.  A secret: never printed.
- `CSM_ACCOUNT_URL`: where an alert's account link points, with `{account_id}` and/or
  `{account_name}` (default `http://localhost:8000/dashboard/accounts/{account_id}`, the dashboard's page).
- `CSM_SECRET_KEY`: the key that signs continuation tokens, 32+ characters (default: a random key
  generated once into `secret-key` beside the store; `service.paging`); it also signs dashboard sessions.
- `CSM_COOKIE_SECURE`: `1` to mark the dashboard's session cookie Secure even when the request reached
  the service over plain http (behind a proxy that ends TLS); default: Secure when the request was https.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from schemas.values import DATE_RANGE, parse_date
from service.changelog import DEFAULT_KEEP_DAYS, DEFAULT_KEEP_RECORDS, Retention

DEFAULT_DATA = Path("instance") / "csm.json"


class ConfigError(ValueError):
    pass


def setting(config: Mapping, name: str) -> str | None:
    """`config[name]` if the app was given one, else the environment variable of that name."""
    value = config.get(name)
    return os.environ.get(name) if value is None else value


def data_path(value: str | None = None) -> Path:
    return Path(value or os.environ.get("CSM_DATA") or DEFAULT_DATA)


def parse_today(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return parse_date(value)
    except ValueError:
        low, high = DATE_RANGE
        message = f"CSM_TODAY must be a date in the form YYYY-MM-DD from {low} to {high}; got {value!r}"
        raise ConfigError(message) from None


def today_from(value: str | None):
    """A callable giving today: the pinned date, or the UTC clock's date."""
    pinned = parse_today(value)
    if pinned is not None:
        return lambda: pinned
    return lambda: dt.datetime.now(dt.UTC).date()


# --- API tokens -----------------------------------------------------------------------------------

TOKEN_NAME = re.compile(r"[A-Za-z0-9_.-]{1,40}")
WRITE_TOKENS, READ_TOKENS = "CSM_API_TOKENS", "CSM_API_READ_TOKENS"


@dataclass(frozen=True)
class ApiToken:
    """One configured token: its name (the change log's `api:<name>`), whether it may write, and
    where it was configured (`CSM_API_TOKENS entry 2`), for messages that never show the token."""

    name: str
    token: str = field(repr=False)
    can_write: bool
    origin: str


def token_entries(value: str | Iterable[str] | None, origin: str, bare: str, *, can_write: bool) -> list[ApiToken]:
    """The tokens of one setting: comma-separated `name=token` or bare tokens (named `<bare>1`, `<bare>2`...
    by position).  An entry with `=` is always `name=token`: a token containing `=` needs a name.
    A malformed entry is a ConfigError naming its position, never showing any of its text."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    entries = [item.strip() for item in items if item and item.strip()]
    if isinstance(value, str) and value.strip() and not entries:  # "," is a mistake, not "no setting"
        raise ConfigError(f"{origin} is set but holds no token; give name=token entries, or unset it")
    tokens = []
    for position, entry in enumerate(entries, 1):
        where = f"{origin} entry {position}"
        name, sep, token = entry.partition("=")
        if not sep:
            name, token = f"{bare}{position}", entry
        elif not TOKEN_NAME.fullmatch(name.strip()):
            raise ConfigError(
                f"{where} is malformed: write it as name=token, the name 1-40 letters, digits, '_', '.' or '-' "
                "(a token containing '=' needs a name)"
            )
        else:
            name, token = name.strip(), token.strip()
            if not token or token.startswith("="):
                raise ConfigError(
                    f"{where} is malformed: no token after its '=' (a token ending in '=' needs a name: name=token)"
                )
        tokens.append(ApiToken(name, token, can_write, where))
    return tokens


def check_unique(tokens: list[ApiToken]) -> list[ApiToken]:
    """`tokens`, or a ConfigError naming the first entry whose name or token is already taken."""
    names: dict[str, ApiToken] = {}
    values: dict[str, ApiToken] = {}
    for entry in tokens:
        if entry.name in names:
            first = names[entry.name]
            raise ConfigError(
                f'{entry.origin} is named "{entry.name}" like {first.origin}; give each token its own name'
            )
        if entry.token in values:
            first = values[entry.token]
            raise ConfigError(
                f'{entry.origin} ("{entry.name}") repeats the token of {first.origin} ("{first.name}"); '
                "list each token once"
            )
        names[entry.name], values[entry.token] = entry, entry
    return tokens


def api_tokens(config: Mapping, file_tokens: Callable[[], list[str]]) -> list[ApiToken]:
    """Every token `/v1` accepts: CSM_API_TOKENS (else `file_tokens()`, the token file beside the store,
    its first token named `default`) and the read-only CSM_API_READ_TOKENS; ConfigError if any entry is
    malformed or a name or token is used twice."""
    writers = token_entries(setting(config, WRITE_TOKENS), WRITE_TOKENS, "token", can_write=True)
    readers = token_entries(setting(config, READ_TOKENS), READ_TOKENS, "read", can_write=False)
    if not writers:
        writers = [
            ApiToken("default" if n == 1 else f"default{n}", token, True, f"the token file's token {n}")
            for n, token in enumerate(file_tokens(), 1)
        ]
    return check_unique(writers + readers)


def changes_retention(environ=None):
    """The change log's retention policy from `CSM_CHANGES_KEEP_DAYS` and `CSM_CHANGES_KEEP`."""
    environ = os.environ if environ is None else environ
    values = []
    for name, default, low in (
        ("CSM_CHANGES_KEEP_DAYS", DEFAULT_KEEP_DAYS, 1),
        ("CSM_CHANGES_KEEP", DEFAULT_KEEP_RECORDS, 100),
    ):
        raw = environ.get(name) or ""
        if not raw:
            values.append(default)
        elif raw.isascii() and raw.isdigit() and low <= int(raw) <= 10**9:
            values.append(int(raw))
        else:
            raise ConfigError(f"{name} must be a whole number from {low} to 1000000000; got {raw!r}")
    return Retention(*values)


# --- automations ----------------------------------------------------------------------------------

SLACK_WEBHOOK, ACCOUNT_URL = "CSM_SLACK_WEBHOOK_URL", "CSM_ACCOUNT_URL"
DEFAULT_ACCOUNT_URL = "http://localhost:8000/dashboard/accounts/{account_id}"
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}
_PLACEHOLDER = re.compile(r"{([^{}]*)}")


def _web_address(value: str) -> tuple[str, str] | None:
    """(scheme, host) of an absolute http(s) URL without spaces or Slack's link delimiters; else None."""
    from urllib.parse import urlsplit

    if any(c.isspace() or c in "<>|" for c in value) or not value.isprintable():
        return None
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number from 0 to 65535
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host:
        return None
    return parts.scheme, host


def slack_webhook(environ: Mapping[str, str] | None = None) -> str | None:
    """The webhook URL from `CSM_SLACK_WEBHOOK_URL`, or None when unset.  Errors never show the URL
    (it is the secret that lets anyone post to the channel)."""
    environ = os.environ if environ is None else environ
    value = (environ.get(SLACK_WEBHOOK) or "").strip()
    if not value:
        return None
    address = _web_address(value)
    if address is None or (address[0] == "http" and address[1] not in _LOOPBACK):
        raise ConfigError(
            f"{SLACK_WEBHOOK} must be an https:// URL, the incoming webhook Slack gave you "
            "(https://hooks.slack.com/services/...), or http:// to localhost, 127.0.0.1 or [::1] for a test; "
            "the value set is not one (not shown: it is a secret)"
        )
    return value


def account_url(environ: Mapping[str, str] | None = None) -> str:
    """The template of an alert's account link, from `CSM_ACCOUNT_URL`, checked."""
    environ = os.environ if environ is None else environ
    value = (environ.get(ACCOUNT_URL) or "").strip() or DEFAULT_ACCOUNT_URL
    unknown = sorted(set(_PLACEHOLDER.findall(value)) - {"account_id", "account_name"})
    if unknown:
        names = ", ".join("{" + n + "}" for n in unknown)
        raise ConfigError(f"{ACCOUNT_URL} may use {{account_id}} and {{account_name}}, not {names}; got {value!r}")
    if _web_address(_PLACEHOLDER.sub("x", value)) is None:
        raise ConfigError(f"{ACCOUNT_URL} must be an http:// or https:// URL without spaces, < > or |; got {value!r}")
    return value


def cookie_secure(config: Mapping) -> bool:
    value = (setting(config, "CSM_COOKIE_SECURE") or "").strip().lower()
    if value in ("", "0", "false", "no"):
        return False
    if value in ("1", "true", "yes"):
        return True
    raise ConfigError(f"CSM_COOKIE_SECURE must be 1 or 0 (true/false, yes/no); got {value!r}")
