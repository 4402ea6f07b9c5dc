"""Running the app under gunicorn (sync workers, one per core) from `csm serve`."""

from __future__ import annotations

import os
from typing import Any

from gunicorn.app.base import BaseApplication

from service import create_app


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


class GunicornApp(BaseApplication):
    """gunicorn's documented embedding API: options from a dict, the app from our factory."""

    def __init__(self, options: dict[str, Any], app_config: dict[str, Any] | None = None) -> None:
        self.options = options
        self.app_config = app_config
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self):
        return create_app(self.app_config)


def gunicorn_options(host: str, port: int, workers: int) -> dict[str, Any]:
    return {
        "bind": f"{host}:{port}" if ":" not in host else f"[{host}]:{port}",
        "workers": workers,
        "worker_class": "sync",
        "timeout": 60,
        "graceful_timeout": 10,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
    }
