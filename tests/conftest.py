"""Shared fixtures: a migrated database per test, CSV writers, and one demo portal per run."""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

import harvesters  # noqa: F401  (registers the formats)
from catalogue.db import make_engine, session_factory, upgrade
from catalogue.models import Provider, Source
from tests import vector_cache

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("LEARNCAT_SHARED_DATA", ROOT.parent / "shared" / "data"))
# every app a test makes runs without rate limits (hundreds of requests from one address);
# tests/portal/test_limits.py turns them on with small limits of its own
os.environ["RATELIMIT_ENABLED"] = "false"
# apps on PostgreSQL need a session key, as a deployment does (tests/portal/test_operator.py
# checks that one without it refuses to start)
os.environ.setdefault("SECRET_KEY", "learncat-tests-only")
vector_cache.install()


@pytest.fixture
def shared_data() -> Path:
    """../shared/data: skipped when absent, unless REQUIRE_SHARED_DATA=1 (CI)."""
    if not SHARED_DATA.is_dir():
        if os.environ.get("REQUIRE_SHARED_DATA") == "1":
            pytest.fail(f"REQUIRE_SHARED_DATA=1 but {SHARED_DATA} is missing")
        pytest.skip("../shared/data is not here")
    return SHARED_DATA


def required_service(variable: str, what: str) -> str:
    """A service URL from the environment: skipped without it, except under CI=true."""
    value = os.environ.get(variable)
    if not value:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {variable} is not set: {what} must run (make test starts it)")
        pytest.skip(f"{variable} is not set: run the tests with `make test` to include {what}")
    return value


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    """A freshly migrated catalogue database: embedded SQLite, and the PostgreSQL server that
    `make test` starts (DATABASE_TEST_URL)."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'catalogue.sqlite'}")
    else:
        engine = make_engine(required_service("DATABASE_TEST_URL", "the PostgreSQL tests"))
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine):
    with session_factory(engine)() as s:
        yield s


@pytest.fixture
def make_source(session, tmp_path):
    """make_source(location=None, country="DE", slug=...) -> a Source of a new provider."""
    counter = iter(range(1, 1000))

    def make(location: str | Path | None = None, country: str = "DE", fmt: str = "csv",
             slug: str | None = None) -> Source:
        n = next(counter)
        provider = Provider(slug=slug or f"provider-{n}", name={"en": f"Test provider {n}"},
                            country=country)
        session.add(provider)
        session.flush()
        source = Source(provider_id=provider.id, name=f"source {n}", format=fmt,
                        location=str(location or tmp_path / f"feed-{n}.csv"))
        session.add(source)
        session.commit()
        return source

    return make


def write_csv(path: Path, rows: list[dict], encoding: str = "utf-8", delimiter: str = ",") -> Path:
    """Write rows (dicts) with the union of their keys as the header, in the given encoding."""
    header = list(dict.fromkeys(k for row in rows for k in row))
    with open(path, "w", newline="", encoding=encoding) as fh:
        writer = csv.DictWriter(fh, fieldnames=header, delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def scratch_app(tmp_path: Path, **config):
    """A portal on a throw-away SQLite catalogue and index under ``tmp_path``."""
    from portal import create_app
    return create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite'}",
                       "SEARCH_SQLITE_PATH": str(tmp_path / "s.sqlite"), "TESTING": True, **config})


@dataclass
class Harvested:
    source_id: int
    added: int
    ids: dict[str, int]  # the offers' ids by their remote ids


def harvest_feed(app, location: Path, provider: tuple[str, str, str], fmt: str = "csv") -> Harvested:
    """Harvest one feed through the real runner for a new provider (slug, English name,
    country)."""
    from sqlalchemy import select

    from catalogue.models import Opportunity
    from harvesters.runner import run
    from portal.services import services

    slug, name, country = provider
    with app.app_context(), services().sessions() as s:
        row = Provider(slug=slug, name={"en": name}, country=country)
        s.add(row)
        s.flush()
        source = Source(provider_id=row.id, name=fmt, format=fmt, location=str(location))
        s.add(source)
        s.commit()
        added = run(s, source).added
        ids = dict(s.execute(select(Opportunity.remote_id, Opportunity.id)
                             .where(Opportunity.source_id == source.id)).all())
        return Harvested(source.id, added, ids)


def offer(remote_id: str, **cells) -> dict:
    """A complete template row (all nine mandatory elements), overridable cell by cell."""
    row = {
        "id": remote_id, "title_en": f"Course {remote_id}",
        "learning_outcomes_en": "Plan a small project|Report results to a team",
        "awarding_body": "Test Academy", "ects": "3", "eqf_level": "5",
        "assessment_type": "project-work", "participation_form": "online", "qa_type": "internal",
        "languages": "en",
    }
    row.update(cells)
    return row


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def demo_app(request, tmp_path_factory):
    """The portal on the demo catalogue, loaded once through the real harvester: on the
    embedded SQLite database and on the PostgreSQL server `make test` starts (a database of
    its own, which the per-test schemas of the `engine` fixture never touch)."""
    from portal import create_app, demo
    from portal.services import services

    folder = tmp_path_factory.mktemp("demo-instance")
    url = f"sqlite:///{folder / 'learncat.sqlite'}"
    if request.param == "postgresql":
        url = portal_database(required_service("DATABASE_TEST_URL", "the PostgreSQL tests"))
    app = create_app({"DATABASE_URL": url,
                      "SEARCH_SQLITE_PATH": str(folder / "search.sqlite"), "TESTING": True})
    with app.app_context(), services().sessions() as s:
        demo.load(s, services().search, encoder=services().encoder)
    return app


def portal_database(test_url: str) -> str:
    """A fresh, migrated database beside the test one on the same server."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(test_url).set(database="learncat_portal")
    server = create_engine(make_url(test_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS learncat_portal WITH (FORCE)"))
        connection.execute(text("CREATE DATABASE learncat_portal"))
    server.dispose()
    engine = make_engine(url.render_as_string(hide_password=False))
    upgrade(engine)
    engine.dispose()
    return url.render_as_string(hide_password=False)


@pytest.fixture
def client(demo_app):
    return demo_app.test_client()


@pytest.fixture
def cli(tmp_path):
    """``cli(*args)``: the learncat command on a fresh embedded catalogue, as an operator runs it."""
    from portal import create_app
    from portal.cli import main
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite'}",
                      "SEARCH_SQLITE_PATH": str(tmp_path / "s.sqlite"),
                      "FETCH_CACHE_DIR": str(tmp_path / "cache")})
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(main, args=[str(a) for a in args])


@pytest.fixture
def xcri_offer_page(tmp_path, harvested_offer):
    """``xcri_offer_page(course)``: one XCRI-CAP course of a test college harvested through the
    real runner; returns ``page(lang)``, its offer page in that language."""
    from tests.harvesters.test_xcri_cap import xcri

    def harvest(course: str):
        feed = tmp_path / "feed.xml"
        feed.write_text(xcri(course), encoding="utf-8")
        client, offer_id = harvested_offer(feed, "xcri-cap",
                                           ("fife-test-college", "Fife Test College", "GB"))
        return lambda lang: client.get(f"/{lang}/opportunities/{offer_id}").get_data(as_text=True)
    return harvest


@pytest.fixture
def harvested_offer(tmp_path):
    """An app with a small catalogue: ``harvest(path, fmt, provider)`` harvests one feed of one
    offer through the real runner for a provider given as (slug, English name, country) and
    returns the app's test client with the offer's id."""
    def harvest(path: Path, fmt: str, provider: tuple[str, str, str]):
        app = scratch_app(tmp_path)
        harvested = harvest_feed(app, path, provider, fmt)
        assert harvested.added == 1
        return app.test_client(), *harvested.ids.values()
    return harvest


@pytest.fixture(scope="session")
def opensearch_client():
    """A client of the real node `make test` starts (OPENSEARCH_URL)."""
    from opensearchpy import OpenSearch
    client = OpenSearch(required_service("OPENSEARCH_URL", "the OpenSearch tests"), timeout=30)
    yield client
    client.indices.delete(index=f"test-{os.getpid()}-*", ignore_unavailable=True)


@pytest.fixture
def opensearch_backend(opensearch_client, request):
    """An OpenSearch backend with an index prefix of its own (this run, this test)."""
    from indexer.opensearch import OpenSearchBackend
    prefix = f"test-{os.getpid()}-{abs(hash(request.node.nodeid)) % 10**8}-"
    backend = OpenSearchBackend(opensearch_client, prefix)
    backend.ensure_ready()
    yield backend
    opensearch_client.indices.delete(index=f"{prefix}*", ignore_unavailable=True)
