"""Deleting rows together with everything that cannot exist without them.

A row whose *required* reference points at a deleted row is deleted too (a
risk of a deleted account); an *optional* reference to a deleted row is
cleared instead (an account's CSM when the person is deleted).  Runs inside a
store Transaction: all or nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from schemas import get_table
from service.store import Transaction


@dataclass
class CascadeReport:
    deleted: Counter = field(default_factory=Counter)  # table -> rows deleted
    cleared: int = 0  # optional references emptied


def cascade_delete(tx: Transaction, table_name: str, row_ids: Iterable[str]) -> CascadeReport:
    """Delete rows and everything that cannot exist without them.

    A row whose *required* reference points at a deleted row is deleted too
    (a risk of a deleted account); an *optional* reference to a deleted row is
    cleared instead (an account's CSM when the person is deleted).
    """
    doomed: dict[str, set[str]] = {table_name: set(row_ids)}
    for row_id in doomed[table_name]:
        tx.get(table_name, row_id)  # NotFound for an unknown id
    frontier = {table_name: set(doomed[table_name])}
    while frontier:
        next_frontier: dict[str, set[str]] = {}
        for target, ids in frontier.items():
            for source, source_id, key in tx.referenced_by(target, ids):
                f = get_table(source).field(key)
                if f.required and f.kind == "ref" and source_id not in doomed.setdefault(source, set()):
                    doomed[source].add(source_id)
                    next_frontier.setdefault(source, set()).add(source_id)
        frontier = next_frontier
    report = CascadeReport()
    for target, ids in doomed.items():
        for source, source_id, key in tx.referenced_by(target, ids):
            if source_id in doomed.get(source, ()):
                continue
            current = tx.get(source, source_id)[key]
            new = [v for v in current if v not in ids] if isinstance(current, list) else None
            tx.set_unchecked(source, source_id, {key: new})
            report.cleared += 1
    for target, ids in doomed.items():
        if ids:
            tx.remove_unchecked(target, sorted(ids))
            report.deleted[target] += len(ids)
    return report


def sample_rows(seed: dict) -> dict[str, set[str]]:
    """{table: ids} of the seed's sample accounts and team, as the seed names them."""
    return {
        name: {row[get_table(name).id_key] for row in seed.get(name, {}).values()}
        for name in ("AccountMaster", "PeopleTeam")
    }


def clear_samples(tx: Transaction, seed: dict) -> tuple[CascadeReport, list[str]]:
    """Remove the sample accounts, everything hanging off them, and the sample team.

    A row counts as a sample only if its id and its name are still the seed's.
    A sample person still referenced by a real account is kept (and reported).
    """
    samples = sample_rows(seed)
    accounts = get_table("AccountMaster")
    seed_names = {r["account_id"]: r["account_name"] for r in seed.get("AccountMaster", {}).values()}
    account_ids = [
        i
        for i in samples["AccountMaster"]
        if tx.exists("AccountMaster", i) and tx.get("AccountMaster", i)[accounts.display_key] == seed_names[i]
    ]
    report = cascade_delete(tx, "AccountMaster", account_ids) if account_ids else CascadeReport()
    seed_emails = {r["person_id"]: r["email"] for r in seed.get("PeopleTeam", {}).values()}
    kept: list[str] = []
    people = []
    for person_id in sorted(samples["PeopleTeam"]):
        if not tx.exists("PeopleTeam", person_id) or tx.get("PeopleTeam", person_id)["email"] != seed_emails[person_id]:
            continue
        if tx.referenced_by("PeopleTeam", person_id):
            kept.append(person_id)
        else:
            people.append(person_id)
    if people:
        more = cascade_delete(tx, "PeopleTeam", people)
        report.deleted.update(more.deleted)
        report.cleared += more.cleared
    return report, kept
