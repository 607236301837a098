"""Keeping a search backend in step with the catalogue (the source of truth)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from catalogue.models import Status
from catalogue.store import CatalogueStore

from .documents import to_document
from .protocol import SearchBackend


def rebuild(session: Session, backend: SearchBackend) -> int:
    """Re-index every active opportunity; searches keep answering from the old index meanwhile."""
    store = CatalogueStore(session)
    ids: list[int] = []

    def documents():
        for row in store.iter_indexable():
            ids.append(row.id)
            yield to_document(row)

    count = backend.rebuild(documents())
    store.mark_indexed(ids)
    session.commit()
    return count


def sync_pending(session: Session, backend: SearchBackend) -> tuple[int, int]:
    """Apply the opportunities changed since the last sync; returns (upserted, deleted).
    Call after the harvest commit: a backend that is down leaves the marks for next time."""
    store = CatalogueStore(session)
    changed, retired = [], []
    for row in store.iter_indexable(pending_only=True):
        (retired if row.status is Status.RETIRED else changed).append(row)
    backend.upsert(to_document(row) for row in changed)
    backend.delete(row.id for row in retired)
    store.mark_indexed(row.id for row in changed + retired)
    session.commit()
    return len(changed), len(retired)
