"""The four pack formulas of design §4, as pure functions over served account rows.

- Lookup: case-insensitive, surrounding (and repeated inner) whitespace
  ignored; an account id such as ACC-00001 works too.  An unknown name raises
  UnknownAccount carrying the closest names as suggestions.
- FormatAccountSummary: `Acme Financial Services | ARR $1.2M | Health 82.4
  (Healthy) | Renewal 2027-03-31 (129 days) | CSM Sarah Chen`.
- CreateReferenceID: `ACME-OBJ-001` from the account's name (its first four
  ASCII letters or digits, upper-cased), a 2-6 letter entity type and a
  positive sequence zero-padded to at least three digits.  Like the original
  pack it works for any name, a prospect not yet in the store included: a
  known account (by name as above, or by id) gives its stored name, any other
  text is used as it is given (`Fjord Shipping` -> `FJOR-OBJ-001`).  Two
  exceptions: text shaped like an account id (`ACC-` and digits, any case)
  that names no account is a 404 unknown_account, as it clearly meant one;
  a blank name is a 400 naming accountName.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable

from formulas.common import as_date
from formulas.names import normalise
from schemas import get_table
from schemas.values import compact_usd

# Text shaped like an account id in any case (`acc-12`), from the catalog's prefix.
_ACCOUNT_ID_SHAPE = re.compile(
    rf"\s*{re.escape(get_table('AccountMaster').prefix)}-[0-9]+\s*", re.IGNORECASE | re.ASCII
)


class FormulaError(ValueError):
    """Bad input to a formula: `param` names the parameter, `code` the kind of problem."""

    def __init__(self, param: str, code: str, message: str) -> None:
        super().__init__(message)
        self.param, self.code, self.message = param, code, message


class UnknownAccount(FormulaError):
    def __init__(self, name: str, suggestions: list[str]) -> None:
        hint = f" Did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        what = "has the id" if _ACCOUNT_ID_SHAPE.fullmatch(name) else "named"
        super().__init__("accountName", "unknown_account", f"No account {what} {name.strip()!r}.{hint}")
        self.suggestions = suggestions


class AccountIndex:
    """Served AccountMaster rows, findable by name (normalised) or by id."""

    def __init__(self, rows: Iterable[dict]) -> None:
        self._by_id: dict[str, dict] = {}
        self._by_name: dict[str, dict] = {}
        for row in rows:
            self._by_id[row["account_id"].upper()] = row
            if row.get("account_name"):
                self._by_name[normalise(row["account_name"])] = row

    def find(self, name: str | None) -> dict:
        if name is None or not name.strip():
            raise FormulaError("accountName", "missing_parameter", "accountName is required: an account name or id.")
        key = normalise(name)
        row = self._by_name.get(key) or self._by_id.get(key.upper())
        if row is None:
            raise UnknownAccount(name, self.suggest(key))
        return row

    def by_id(self, account_id: str) -> dict | None:
        return self._by_id.get(account_id.upper())

    def suggest(self, key: str, limit: int = 3) -> list[str]:
        names = {n: r["account_name"] for n, r in self._by_name.items()}
        close = difflib.get_close_matches(key, list(names), n=limit, cutoff=0.5)
        partial = [n for n in names if key and (key in n or n.startswith(key[:4]))]
        ordered = list(dict.fromkeys(close + sorted(partial)))[:limit]
        return [names[n] for n in ordered]


def summary(row: dict, today: dt.date) -> str:
    health = row.get("health_score")
    health_part = "Health n/a" if health is None else f"Health {health:.1f} ({row.get('renewal_risk_level')})"
    renewal = as_date(row.get("renewal_date"))
    if renewal is None:
        renewal_part = "Renewal n/a"
    else:
        days = (renewal - today).days
        if days < 0:
            when = f"overdue by {-days} day{'s' if -days != 1 else ''}"
        else:
            when = f"{days} day{'s' if days != 1 else ''}"
        renewal_part = f"Renewal {renewal.isoformat()} ({when})"
    csm = row.get("customer_success_manager")
    csm_name = csm.get("full_name") if isinstance(csm, dict) else None
    csm_part = f"CSM {csm_name}" if csm_name else "CSM unassigned"
    return " | ".join([row["account_name"], f"ARR {compact_usd(row.get('arr'))}", health_part, renewal_part, csm_part])


_ENTITY = re.compile(r"[A-Za-z]{2,6}")
_SEQUENCE = re.compile(r"\+?[0-9]{1,12}")  # ASCII digits only: int() reads any script's digits


def reference_account_name(accounts: AccountIndex, text: str | None) -> str:
    """The name CreateReferenceID builds on: a known account's stored name, else `text` itself."""
    try:
        return accounts.find(text)["account_name"]
    except UnknownAccount:
        if _ACCOUNT_ID_SHAPE.fullmatch(text or ""):
            raise
        return text


def reference_id(account_name: str, entity_type: str | None, sequence: str | int | None) -> str:
    prefix = "".join(ch for ch in account_name if ch.isascii() and ch.isalnum())[:4].upper()
    if not prefix:
        raise FormulaError("accountName", "bad_account_name", "The account name has no letters or digits to use.")
    kind = (entity_type or "").strip()
    if not kind:
        raise FormulaError("entityType", "missing_parameter", "entityType is required: 2 to 6 letters, like OBJ.")
    if not _ENTITY.fullmatch(kind):
        raise FormulaError(
            "entityType", "bad_entity_type", f"entityType must be 2 to 6 letters, like OBJ; got {kind!r}."
        )
    text = str(sequence).strip() if sequence is not None else ""
    if not text:
        raise FormulaError("sequence", "missing_parameter", "sequence is required: a positive whole number.")
    if not _SEQUENCE.fullmatch(text) or int(text) < 1:
        raise FormulaError(
            "sequence", "bad_sequence", f"sequence must be a whole number from 1 to 999,999,999,999; got {text!r}."
        )
    return f"{prefix}-{kind.upper()}-{int(text):03d}"
