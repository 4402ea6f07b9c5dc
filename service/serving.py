"""Running the app under gunicorn from `csm serve`, with the settings of `service.gunicorn_conf`."""

from __future__ import annotations

import ipaddress
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.errors import AppImportError

from service import create_app, gunicorn_conf
from service.auth import SecretFileError
from service.config import ConfigError


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def wsgi_app(app_config: dict[str, Any] | None = None):
    """The app for a gunicorn worker.  A secret file that is unsafe (or a bad CSM_SECRET_KEY or token
    setting) stops gunicorn with the one-line reason -- gunicorn prints an AppImportError's message and
    halts -- rather than a traceback per worker."""
    try:
        return create_app(app_config)
    except (SecretFileError, ConfigError) as exc:
        raise AppImportError(f"Error: {exc}") from None


class GunicornApp(BaseApplication):
    """gunicorn's documented embedding API: settings from our config module plus overrides."""

    def __init__(self, overrides: dict[str, Any], app_config: dict[str, Any] | None = None) -> None:
        self.overrides = overrides
        self.app_config = app_config
        super().__init__()

    def load_config(self) -> None:
        settings = {k: v for k, v in vars(gunicorn_conf).items() if k in self.cfg.settings}
        settings.update({k: v for k, v in self.overrides.items() if v is not None})
        for key, value in settings.items():
            self.cfg.set(key, value)

    def load(self):
        return wsgi_app(self.app_config)


def bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
