"""The demo catalogue: register the project's fictional providers and harvest their files
through the real harvester, provider by provider, then build the search index.

A provider whose source format is not csv publishes its CSV file in that format (demo_feeds),
the others the file itself: each is served on loopback during the load, its dates moved to the
day of the load (demo_dates), and harvested over HTTP like any other feed."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalogue.models import HarvestRun, Provider, Source
from harvesters import runner
from harvesters.fetch import Fetcher
from indexer.encoders import Encoder
from indexer.protocol import SearchBackend
from indexer.sync import rebuild

from . import demo_dates, demo_feeds

DEMO = Path(__file__).resolve().parent.parent / "catalogue" / "demo"
PROVIDER_FIELDS = ("name", "legal_name", "identifier", "kind", "country", "region", "city",
                   "website", "deqar_id", "qa_statement", "recognition_policy",
                   "recognition_policy_url", "contact_email")
FETCH = Fetcher(allow_networks=("127.0.0.0/8",))  # the demo's feeds are served on loopback


def providers(folder: Path = DEMO) -> list[dict]:
    return json.loads((folder / "providers.json").read_text("utf-8"))


def register(session: Session, entry: dict, folder: Path = DEMO,
             location: str | None = None) -> Source:
    """Create or update a demo provider and its source: the feed at ``location`` in the entry's
    format, else (no feed served) the CSV file the feed is published from. The provider's first
    source is updated in place: a served feed's address changes with every load (a new port)."""
    provider = session.scalar(select(Provider).where(Provider.slug == entry["slug"]))
    if provider is None:
        provider = Provider(slug=entry["slug"])
        session.add(provider)
    for name in PROVIDER_FIELDS:
        setattr(provider, name, entry.get(name) or ({} if name in (
            "name", "qa_statement", "recognition_policy") else None))
    session.flush()
    fmt = entry["source"]["format"] if location else "csv"
    source = session.scalar(select(Source).where(Source.provider_id == provider.id)
                            .order_by(Source.id).limit(1))
    if source is None:
        source = Source(provider_id=provider.id)
        session.add(source)
    source.location = location or str(folder / entry["source"]["file"])
    source.format = fmt
    source.name = Path(entry["source"]["file"]).name if fmt == "csv" else f"{entry['slug']} ({fmt})"
    session.commit()
    return source


def load(session: Session, backend: SearchBackend,
         report: Callable[[Source, HarvestRun], None] = lambda s, r: None,
         folder: Path = DEMO, encoder: Encoder | None = None,
         today: dt.date | None = None) -> int:
    """Harvest every demo provider, with its dates moved for a load on ``today``
    (demo_dates.today), then rebuild the index; returns the indexed count. The feeds are served
    only during the load; afterwards their sources keep their last good records."""
    entries = providers(folder)
    with demo_feeds.published(entries, folder, demo_dates.today(today)) as locations:
        for entry in entries:
            before = session.scalar(select(Source.format).join(Provider)
                                    .where(Provider.slug == entry["slug"])
                                    .order_by(Source.id).limit(1))
            source = register(session, entry, folder, locations.get(entry["slug"]))
            # a source that changed format is read in full: an incremental (OAI-PMH) run would
            # otherwise keep what the old format loaded
            report(source, runner.run(session, source, fetch=FETCH,
                                      full=before != source.format))
    return rebuild(session, backend, encoder=encoder)
