"""Settings, read from the environment (overridable by `create_app(test_config)`).

- `CSM_DATA`: the store file (default `./instance/csm.json`, created from the seed).
- `CSM_TODAY`: `YYYY-MM-DD` to pin "today" for tests and demos (default: the clock).
- `CSM_API_TOKENS`: comma-separated bearer tokens for `/v1` (default: the token file beside the store;
  `service.auth`).
- `CSM_SECRET_KEY`: the key that signs continuation tokens, 32+ characters (default: a random key
  generated once into `secret-key` beside the store; `service.paging`).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from schemas.values import DATE_RANGE, parse_date

DEFAULT_DATA = Path("instance") / "csm.json"


class ConfigError(ValueError):
    pass


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
