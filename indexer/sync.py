"""Keeping a search backend in step with the catalogue (the source of truth)."""
from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from catalogue.models import Opportunity, Status
from catalogue.store import CatalogueStore

from .documents import to_document
from .embeddings import Embedder, with_vectors
from .encoders import Encoder
from .protocol import SearchBackend, SearchUnavailable

log = logging.getLogger(__name__)


def rebuild(session: Session, backend: SearchBackend,
            progress: Callable[[int], None] | None = None,
            encoder: Encoder | None = None) -> int:
    """Re-index every active opportunity; searches keep answering from the old index meanwhile.
    ``progress(n)`` is told of every n documents handed to the backend. Vectors come from the
    stored embeddings; only texts never embedded are encoded. Offers that could not be
    embedded (encoder down) are indexed without a vector and stay pending."""
    store = CatalogueStore(session)
    ids: list[int] = []
    unembedded: list[int] = []

    def documents():
        for row in store.iter_indexable():
            ids.append(row.id)
            yield to_document(row)
            if progress and len(ids) % 100 == 0:
                progress(100)

    embedder = Embedder(session, encoder) if encoder else None
    count = backend.rebuild(with_vectors(documents(), embedder, unembedded))
    store.mark_indexed(set(ids) - set(unembedded))
    session.commit()
    return count


def sync_pending(session: Session, backend: SearchBackend,
                 encoder: Encoder | None = None) -> tuple[int, int]:
    """Apply the opportunities changed since the last sync; returns (upserted, deleted).
    Call after the harvest commit: a backend (or an encoder) that is down leaves the marks for
    next time."""
    store = CatalogueStore(session)
    changed, retired = [], []
    for row in store.iter_indexable(pending_only=True):
        (retired if row.status is Status.RETIRED else changed).append(row)
    unembedded: list[int] = []
    embedder = Embedder(session, encoder) if encoder else None
    backend.upsert(with_vectors((to_document(row) for row in changed), embedder, unembedded))
    backend.delete(row.id for row in retired)
    store.mark_indexed(set(row.id for row in changed + retired) - set(unembedded))
    session.commit()
    return len(changed), len(retired)


def autosync(sessions: sessionmaker, backend: SearchBackend,
             encoder: Encoder | None = None) -> None:
    """After every commit that changed opportunities, apply the pending changes to the index.

    Runs after the commit, never before: the catalogue is the source of truth. When the engine
    is down the marks stay, and the next sync or rebuild catches up."""
    @event.listens_for(sessions, "after_flush")
    def remember(session, _context):
        if any(isinstance(o, Opportunity) and o.index_pending
               for o in (*session.new, *session.dirty)):
            session.info["index_pending"] = True

    @event.listens_for(sessions, "after_commit")
    def apply(session):
        if session.info.pop("index_pending", False):
            with sessions() as fresh:
                try:
                    sync_pending(fresh, backend, encoder)
                except SearchUnavailable as exc:
                    log.warning("index not updated, changes stay pending: %s", exc)

    @event.listens_for(sessions, "after_rollback")
    def forget(session):
        session.info.pop("index_pending", None)
