"""Open data: the page that offers the whole catalogue as files, the files themselves, and the
one place that makes them again (``refresh``) after a harvest or the demo load.

The files are made outside any request (by the command line), so the offers' addresses inside
them come from ``PUBLIC_URL``, the portal's public address. They live in the instance folder,
never under a static path: only the names in ``catalogue.dumps.FILES`` are ever served.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import logging
from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, render_template, send_file, \
    url_for

from catalogue import dumps

from . import pages
from .services import services, session
from .views import elm_items

bp = Blueprint("opendata", __name__)
page_bp = Blueprint("opendata_page", __name__, url_prefix="/<lang>")
page_bp.url_value_preprocessor(pages.pull_lang)
page_bp.url_defaults(pages.add_lang)
log = logging.getLogger(__name__)


def folder(app: Flask | None = None) -> Path:
    """DUMPS_DIR, else ``dumps/`` beside the embedded index (the instance folder)."""
    config = (app or current_app).config
    return Path(config.get("DUMPS_DIR") or Path(config["SEARCH_SQLITE_PATH"]).parent / "dumps")


def refresh(app: Flask, force: bool = False) -> dict | None:
    """Makes the dumps again when the catalogue changed since they were made (or ``force``).
    One process at a time: another that finds the lock taken leaves it to the first. A failure
    is logged and keeps the last good files; it never fails the harvest that asked."""
    target = folder(app)
    target.mkdir(parents=True, exist_ok=True)
    with open(target / ".lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None
        base = app.config.get("PUBLIC_URL") or "http://127.0.0.1:5000"
        with app.test_request_context("/", base_url=base), services().sessions() as s:
            before = dumps.made(target)
            if not force and before and before["state"] == dumps.state(s):
                return before
            try:
                lang = app.config["BABEL_DEFAULT_LOCALE"]
                return dumps.write(target, s, lambda offers: elm_items(offers, lang))
            except Exception:  # noqa: BLE001 (a disk or database failure: say so, keep the last)
                log.exception("the open-data dumps were not made again")
                return None


@page_bp.get("/open-data")
def page():
    meta = dumps.made(folder())
    files = []
    if meta:
        made = dt.datetime.fromisoformat(meta["made"])
        for kind, info in meta["files"].items():
            files.append({"kind": kind, "name": info["name"], "bytes": info["bytes"],
                          "url": url_for("opendata.download", name=info["name"],
                                         _external=True)})
    else:
        made = None
    config = current_app.config
    return render_template(
        "open_data.html", files=files, meta=meta, made=made,
        stale=bool(meta) and meta["state"] != dumps.state(session()),
        licence=(config["OPEN_DATA_LICENCE_NAME"], config["OPEN_DATA_LICENCE_URL"]))


@bp.get("/open-data/<name>")
def download(name: str):
    path = folder() / name
    if name not in dumps.FILES.values() or dumps.made(folder()) is None:
        abort(404)
    return send_file(path, mimetype="application/gzip", as_attachment=True, download_name=name,
                     conditional=True, etag=True, max_age=300)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(page_bp)
