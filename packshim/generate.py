"""`csm packshim generate`: write the Coda pack shim from the catalog.

Output (deterministic, byte for byte, for a given base URL):
- `pack.ts` -- rendered from `templates/pack.ts.j2`: 16 sync tables (two-way on the
  editable ones), their object and reference schemas, the formulas, the actions,
  HeaderBearerToken system authentication and the network domain;
- `runtime.ts` -- the hand-written code pack.ts imports, copied as it is;
- `package.json` -- the SDK and TypeScript pinned exactly (design §7);
- `package-lock.json` -- npm's lock for exactly those pins, shipped with the
  generator (`packshim/package-lock.json`) and copied as it is;
- `tsconfig.json`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jinja2

from packshim import tsgen
from packshim.checks import PackError, check_catalog, network_domain
from schemas import SYNC_TABLES
from schemas.describe import summarize
from schemas.pack_actions import PACK_ACTIONS
from schemas.pack_formulas import PACK_FORMULAS

HERE = Path(__file__).parent
DEFAULT_BASE_URL = "http://localhost:8000"
SDK_VERSION = "1.17.5"
TYPESCRIPT_VERSION = "5.9.3"
PACKAGE_NAME = "csm-cockpit-pack"
PAGE_SIZE = 500
# Edits Coda sends in one executeUpdate call (the SDK allows 1 to 1,000); the service takes
# the batch in one transaction, so a hundred keeps each call well inside Coda's time limit.
UPDATE_BATCH_SIZE = 100
SDK_MAX_UPDATE_BATCH_SIZE = 1000


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        undefined=jinja2.StrictUndefined,  # a name the template expects and the data lacks is an error
        autoescape=False,  # TypeScript, not HTML: values go through the `ts` filter instead
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["ts"] = tsgen.ts
    return env


def template_data(base_url: str) -> dict[str, Any]:
    """Everything pack.ts.j2 is filled with; raises PackError on a broken catalog or URL."""
    domain = network_domain(base_url)
    problems = check_catalog(SYNC_TABLES, PACK_FORMULAS, PACK_ACTIONS)
    if not 1 <= UPDATE_BATCH_SIZE <= SDK_MAX_UPDATE_BATCH_SIZE:
        problems.append(f"the update batch size must be 1 to {SDK_MAX_UPDATE_BATCH_SIZE}; got {UPDATE_BATCH_SIZE}")
    if problems:
        raise PackError(problems)
    return {
        "base_url": base_url.rstrip("/"),
        "domain": domain,
        "page_size": PAGE_SIZE,
        "update_batch_size": UPDATE_BATCH_SIZE,
        "refs": [tsgen.ref_context(t) for t in SYNC_TABLES],
        "tables": [tsgen.table_context(t, summarize(t)["display_name"]) for t in SYNC_TABLES],
        "formulas": [tsgen.formula_context(spec) for spec in PACK_FORMULAS],
        "actions": [tsgen.action_context(action) for action in PACK_ACTIONS],
    }


def pack_ts(base_url: str) -> str:
    return _environment().get_template("pack.ts.j2").render(template_data(base_url))


def package_json() -> str:
    doc = {
        "name": PACKAGE_NAME,
        "version": "1.0.0",
        "private": True,
        "description": "Customer Success Intelligence Platform: Coda pack shim generated from the CSM Cockpit catalog.",
        "license": "ISC",
        "scripts": {
            "validate": "coda validate pack.ts",
            "build": "coda build pack.ts -o build",
            "upload": "coda upload pack.ts",
        },
        "dependencies": {"@codahq/packs-sdk": SDK_VERSION, "typescript": TYPESCRIPT_VERSION},
    }
    return json.dumps(doc, indent=2) + "\n"


def tsconfig_json() -> str:
    doc = {
        "compilerOptions": {
            "target": "es2022",
            "module": "commonjs",
            "lib": ["es2022"],
            "strict": True,
            "esModuleInterop": True,
            "skipLibCheck": True,
            "noEmit": True,
        },
        "files": ["pack.ts", "runtime.ts"],
    }
    return json.dumps(doc, indent=2) + "\n"


def generate(base_url: str = DEFAULT_BASE_URL) -> dict[str, bytes]:
    """{file name: content} of the pack for `base_url`; raises PackError on a broken catalog or URL."""
    return {
        "pack.ts": pack_ts(base_url).encode(),
        "runtime.ts": (HERE / "runtime.ts").read_bytes(),
        "package.json": package_json().encode(),
        "package-lock.json": (HERE / "package-lock.json").read_bytes(),
        "tsconfig.json": tsconfig_json().encode(),
    }


def write(files: dict[str, bytes], out: Path) -> list[Path]:
    """Write each file atomically (temp file, then rename); returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in files.items():
        target = out / name
        if target.exists() and target.read_bytes() == content:
            written.append(target)
            continue
        tmp = target.with_name(f".{name}.tmp")
        tmp.write_bytes(content)
        tmp.replace(target)
        written.append(target)
    return written
