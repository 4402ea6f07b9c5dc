"""The committed seed: sample accounts, team and history, plus the product's guides.

`seed/seed.json` is itself a store file (TinyDB's format, pretty-printed and
key-sorted: its `_meta` says `"pretty": true`), so the CLI can edit it with `--db seed/seed.json` and the diff
stays reviewable.  ViewTemplates and QuickStartGuide ship separately in
`views/` (they belong to the product, not to the sample accounts) and are
merged in when a new store is created.
"""

from __future__ import annotations

from pathlib import Path

import orjson

from schemas import get_table
from views import guide_rows

SEED_FILE = Path(__file__).with_name("seed.json")


def seed_data(path: Path = SEED_FILE) -> dict:
    return orjson.loads(path.read_bytes())


def initial_data() -> dict:
    """What a brand-new store holds: the seed with the guides merged in."""
    data = seed_data()
    meta = data["_meta"]["1"]
    meta["version"] = 0
    meta["pretty"] = False  # a live store is written compact; only the committed seed is pretty
    for name, rows in guide_rows().items():
        table = get_table(name)
        docs = {}
        for row in rows:
            number = table.id_number(row[table.id_key])
            docs[str(number)] = row
        data[name] = docs
        meta.setdefault("next_ids", {})[name] = max((int(k) for k in docs), default=0) + 1
    return data
