"""Serving the portal: gunicorn by default (Flask's development server only with --debug).

The app is created once here before the workers start, so migrations and an index rebuild run
once, then each worker creates its own (its own database and engine connections, never shared
across a fork). Workers: WEB_CONCURRENCY, else one per CPU and one more.
"""
from __future__ import annotations

import logging
import os

from gunicorn.app.base import BaseApplication

from . import create_app

log = logging.getLogger(__name__)


class Portal(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return warm(create_app())


def warm(app):
    """One search before the worker takes requests: the model, the index's columns, the speller
    and the gazetteer load now, not during a visitor's first search (seconds, once per worker).
    A failure (the engine or the encoder down) is left to the requests to report."""
    from werkzeug.datastructures import MultiDict

    from . import search_service
    try:
        with app.test_request_context("/en/"):
            search_service.search(MultiDict({"q": "learning Berlin"}), "en")
    except Exception:  # noqa: BLE001
        log.warning("the worker starts cold: its warm-up search failed", exc_info=True)
    return app


def workers() -> int:
    return int(os.environ.get("WEB_CONCURRENCY") or (os.cpu_count() or 1) + 1)


def serve(host: str, port: int, count: int | None = None, debug: bool = False) -> None:
    app = create_app()  # migrations, the index check: once, before any worker
    if debug:
        app.run(host=host, port=port, debug=True)
        return
    Portal({"bind": f"{host}:{port}", "workers": count or workers(), "timeout": 60,
            "worker_class": "gthread", "threads": 4,
            "accesslog": "-", "worker_tmp_dir": "/dev/shm" if os.path.isdir("/dev/shm") else None,
            "forwarded_allow_ips": os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")}).run()
