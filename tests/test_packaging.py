"""The installable package ships every module and data file the service uses.

The tests run from an editable install, which reads the source tree and so hides a package left
out of pyproject.toml (service.automations was, until the dashboard's turn): this builds the wheel
and compares it with the tree.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.helpers import ROOT

SHIPPED = ("schemas", "formulas", "seed", "views", "service", "packshim")
DATA_SUFFIXES = {".json", ".j2", ".html", ".css", ".svg", ".ts"}
NOT_SHIPPED = ("node_modules", "__pycache__", "screenshots", "build")


def source_files() -> set[str]:
    found = set()
    for root in SHIPPED:
        for path in (ROOT / root).rglob("*"):
            relative = path.relative_to(ROOT)
            if not path.is_file() or any(part in NOT_SHIPPED for part in relative.parts):
                continue
            if path.suffix == ".py" or path.suffix in DATA_SUFFIXES:
                found.add(relative.as_posix())
    return found


def test_the_wheel_holds_every_module_and_data_file(tmp_path):
    # Built from a copy: setuptools reuses a build/ folder it finds, and a stale one hides what is missing.
    source = tmp_path / "source"
    for root in SHIPPED:
        shutil.copytree(ROOT / root, source / root, ignore=shutil.ignore_patterns(*NOT_SHIPPED))
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(ROOT / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = Path(tmp_path).glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    expected = source_files()
    assert {"service/automations/runner.py", "service/dashboard/templates/dashboard/overview.html"} <= expected
    missing = sorted(expected - names)
    assert not missing, f"not in the wheel: {missing}"
