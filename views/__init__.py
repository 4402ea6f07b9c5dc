"""ViewTemplates and QuickStartGuide, shipped as data (`views/*.json`)."""

from __future__ import annotations

from pathlib import Path

import orjson

HERE = Path(__file__).parent
FILES = {"ViewTemplates": HERE / "view_templates.json", "QuickStartGuide": HERE / "quick_start_guide.json"}


def guide_rows() -> dict[str, list[dict]]:
    """{table name: rows} for the two helper tables, each row with its id."""
    return {name: orjson.loads(path.read_bytes()) for name, path in FILES.items()}
