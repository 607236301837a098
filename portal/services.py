"""The app's catalogue database and search backend, made once per app."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

import harvesters  # noqa: F401  (registers the harvest formats for the CLI)
from pathlib import Path

from sqlalchemy import select

from catalogue import db
from catalogue.models import Opportunity, Status
from harvesters.fetch import Fetcher
from indexer.encoders import Encoder, make_encoder
from indexer.protocol import SearchBackend, SearchUnavailable
from indexer.sync import autosync, rebuild


@dataclass
class Services:
    engine: Engine
    sessions: sessionmaker[Session]
    search: SearchBackend
    encoder: Encoder | None  # None: search by words only (ENCODER=none)


def make_backend(config, name: str | None = None) -> SearchBackend:
    """The one place that picks a search backend from the configuration."""
    name = name or config["SEARCH_BACKEND"]
    if name == "sqlite":
        from indexer.sqlite import SqliteBackend
        return SqliteBackend(config["SEARCH_SQLITE_PATH"])
    if name == "opensearch":
        from indexer.opensearch import OpenSearchBackend
        backend = OpenSearchBackend.from_config(config)
        if config["SEARCH_FALLBACK"]:
            from indexer.fallback import FallbackBackend
            return FallbackBackend(backend, make_backend(config, config["SEARCH_FALLBACK"]))
        return backend
    raise ValueError(f"SEARCH_BACKEND must be 'sqlite' or 'opensearch', not {name!r}")


def init_app(app: Flask) -> None:
    engine = db.make_engine(app.config["DATABASE_URL"])
    if app.config["AUTO_MIGRATE"] and engine.dialect.name == "sqlite":
        db.upgrade(engine)
    backend = make_backend(app.config)
    try:
        backend.ensure_ready()
    except SearchUnavailable as exc:  # the portal starts anyway; searches answer 503 meanwhile
        app.logger.error("search backend not ready: %s", exc)
    sessions = db.session_factory(engine)
    encoder = make_encoder(app.config)
    if _needs_rebuild(backend):
        with sessions() as s:  # a new or outdated index: fill it from the catalogue
            if s.scalar(select(Opportunity.id).where(Opportunity.status == Status.ACTIVE).limit(1)):
                app.logger.warning("the search index is empty or outdated: rebuilding it from "
                                   "the catalogue")
                rebuild(s, backend, encoder=encoder)
    autosync(sessions, backend, encoder)
    app.extensions["learncat"] = Services(engine, sessions, backend, encoder)
    app.teardown_appcontext(_close_session)


def _needs_rebuild(backend) -> bool:
    try:
        return backend.needs_rebuild()
    except SearchUnavailable:
        return False  # the engine is down: searches answer 503; the next start tries again


def fetcher() -> Fetcher:
    """The harvest fetcher configured for this deployment."""
    config = current_app.config
    networks = tuple(n.strip() for n in config["FETCH_ALLOW_NETWORKS"].split(",") if n.strip())
    return Fetcher(allow_networks=networks, cache_dir=Path(config["FETCH_CACHE_DIR"]),
                   deadline=config["FETCH_DEADLINE"])


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
