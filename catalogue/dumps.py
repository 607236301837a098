"""Open-data dumps: every listed offer as learncat's CSV template and as one ELM v3 JSON-LD
document, each gzip-compressed, for whoever wants the whole catalogue at once.

Offers are read a batch at a time by id and written as they are read, so a dump of any size never
sits in memory. Each file is written beside its final name and renamed into place when complete:
a download never meets a half-written file, and a failed write leaves the last good dump.
``dumps.json`` beside them says when they were made, from which catalogue state, how many offers
and how large, which is what the open-data page shows and how staleness is seen.
"""
from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, load_only, selectinload

from harvesters.csv_feed import TEXT_COLUMNS

from . import csv_export, elm_export
from .models import Opportunity, Status

FILES = {"csv": "learncat-offers.csv.gz", "jsonld": "learncat-offers.jsonld.gz"}
META = "dumps.json"
BATCH = 500
LISTED = Opportunity.status == Status.ACTIVE

# offers -> (offer, provider, uri, page) for catalogue.elm_export.graph
Items = Callable[[Iterator[Opportunity]], Iterator[tuple]]


def listing(session: Session) -> tuple[int, dt.datetime | None, dt.datetime | None]:
    """What changes whenever a listed offer comes, goes or changes: how many are listed, the
    latest change of one, the latest retirement (the dumps' and the sitemaps' validators)."""
    count, updated = session.execute(select(func.count(Opportunity.id),
                                            func.max(Opportunity.updated_at)).where(LISTED)).one()
    return count, updated, session.scalar(select(func.max(Opportunity.retired_at)))


def state(session: Session, seen: tuple | None = None) -> str:
    return hashlib.sha256(repr(seen or listing(session)).encode()).hexdigest()[:32]


def listed(session: Session, *options) -> Iterator[Opportunity]:
    """Every listed offer in id order, a batch at a time (keyset, so each query is cheap)."""
    last = 0
    while True:
        batch = session.scalars(select(Opportunity).where(LISTED, Opportunity.id > last)
                                .order_by(Opportunity.id).limit(BATCH).options(*options)).all()
        if not batch:
            return
        yield from batch
        last = batch[-1].id
        session.expunge_all()


def csv_pieces(session: Session) -> Iterator[str]:
    """The template's CSV: a first pass finds the languages of the text columns."""
    texts = load_only(*(getattr(Opportunity, name) for name in TEXT_COLUMNS))
    columns = csv_export.header(csv_export.text_columns(listed(session, texts)))
    rows = (csv_export.row(o, f"{o.provider.slug}:{o.remote_id}")
            for o in listed(session, selectinload(Opportunity.provider)))
    return csv_export.write(rows, columns)


def elm_pieces(session: Session, items: Items) -> Iterator[str]:
    return elm_export.graph(items(listed(session, selectinload(Opportunity.provider))))


def write(folder: Path, session: Session, items: Items) -> dict:
    """Writes both dumps and their metadata into ``folder``; returns the metadata."""
    folder.mkdir(parents=True, exist_ok=True)
    seen = listing(session)
    made = {"state": state(session, seen), "offers": seen[0],
            "made": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "files": {}}
    for kind, pieces in (("csv", csv_pieces(session)),
                         ("jsonld", elm_pieces(session, items))):
        path = folder / FILES[kind]
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        try:
            # mtime 0: the same catalogue gives the same bytes; level 6 (zlib's default) is
            # twice as fast as gzip's 9 for a file a few per cent larger
            with open(partial, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0,
                                                           compresslevel=6) as z:
                for piece in pieces:
                    z.write(piece.encode("utf-8"))
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
        made["files"][kind] = {"name": path.name, "bytes": path.stat().st_size}
    partial = folder / f".{META}.{os.getpid()}.partial"
    partial.write_text(json.dumps(made, indent=1), encoding="utf-8")
    os.replace(partial, folder / META)
    return made


def made(folder: Path) -> dict | None:
    """The metadata of the dumps in ``folder``, or None when there are none (or unreadable)."""
    try:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not all((folder / FILES[k]).is_file() for k in FILES):
        return None
    return meta
