"""The app's catalogue database and search backend, made once per app."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

import harvesters  # noqa: F401  (registers the harvest formats for the CLI)
from catalogue import db
from indexer.protocol import SearchBackend


@dataclass
class Services:
    engine: Engine
    sessions: sessionmaker[Session]
    search: SearchBackend


def make_backend(config) -> SearchBackend:
    """The one place that picks a search backend from the configuration."""
    name = config["SEARCH_BACKEND"]
    if name == "sqlite":
        from indexer.sqlite import SqliteBackend
        return SqliteBackend(config["SEARCH_SQLITE_PATH"])
    raise ValueError(f"SEARCH_BACKEND must be 'sqlite', not {name!r}")


def init_app(app: Flask) -> None:
    engine = db.make_engine(app.config["DATABASE_URL"])
    if app.config["AUTO_MIGRATE"] and engine.dialect.name == "sqlite":
        db.upgrade(engine)
    backend = make_backend(app.config)
    backend.ensure_ready()
    app.extensions["learncat"] = Services(engine, db.session_factory(engine), backend)
    app.teardown_appcontext(_close_session)


def services() -> Services:
    return current_app.extensions["learncat"]


def session() -> Session:
    if "db_session" not in g:
        g.db_session = services().sessions()
    return g.db_session


def _close_session(_exc) -> None:
    s = g.pop("db_session", None)
    if s is not None:
        s.close()
