"""The demo catalogue: register the project's fictional providers and harvest their files
through the real harvester, provider by provider, then build the search index."""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalogue.models import HarvestRun, Provider, Source
from harvesters import runner
from indexer.protocol import SearchBackend
from indexer.sync import rebuild

DEMO = Path(__file__).resolve().parent.parent / "catalogue" / "demo"
PROVIDER_FIELDS = ("name", "legal_name", "identifier", "kind", "country", "region", "city",
                   "website", "deqar_id", "qa_statement", "recognition_policy",
                   "recognition_policy_url", "contact_email")


def providers(folder: Path = DEMO) -> list[dict]:
    return json.loads((folder / "providers.json").read_text("utf-8"))


def register(session: Session, entry: dict, folder: Path = DEMO) -> Source:
    """Create or update a demo provider and its file source."""
    provider = session.scalar(select(Provider).where(Provider.slug == entry["slug"]))
    if provider is None:
        provider = Provider(slug=entry["slug"])
        session.add(provider)
    for name in PROVIDER_FIELDS:
        setattr(provider, name, entry.get(name) or ({} if name in (
            "name", "qa_statement", "recognition_policy") else None))
    session.flush()
    location = str(folder / entry["source"]["file"])
    source = session.scalar(select(Source).where(Source.provider_id == provider.id,
                                                 Source.location == location))
    if source is None:
        source = Source(provider_id=provider.id, location=location,
                        name=Path(location).name, format=entry["source"]["format"])
        session.add(source)
    session.commit()
    return source


def load(session: Session, backend: SearchBackend,
         report: Callable[[Source, HarvestRun], None] = lambda s, r: None,
         folder: Path = DEMO) -> int:
    """Harvest every demo provider, then rebuild the index; returns the indexed count."""
    for entry in providers(folder):
        source = register(session, entry, folder)
        report(source, runner.run(session, source))
    return rebuild(session, backend)
