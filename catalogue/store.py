"""CatalogueStore: the one writer of opportunities.

Identity is (source, remote id); a content hash decides ADDED / UPDATED / UNCHANGED, so that
re-harvesting an unchanged feed changes nothing and marks nothing for re-indexing.
"""
from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, load_only, selectinload

from .models import Opportunity, Source, Status, utcnow
from .record import OpportunityRecord


class Outcome(enum.Enum):
    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


class CatalogueStore:
    """Upserts look records up in an index of the source's rows loaded once (identity and hash
    columns only) and are flushed in batches: a harvest costs a few queries, not one per record.
    A new row's id is known after ``flush()``."""
    BATCH = 500

    def __init__(self, session: Session):
        self.session = session
        self._rows: dict[int, dict[str, Opportunity]] = {}
        self._pending = 0

    def get(self, source_id: int, remote_id: str) -> Opportunity | None:
        return self._index(source_id).get(remote_id)

    def _index(self, source_id: int) -> dict[str, Opportunity]:
        if source_id not in self._rows:
            rows = self.session.scalars(select(Opportunity).options(load_only(
                Opportunity.id, Opportunity.remote_id, Opportunity.content_hash,
                Opportunity.status)).where(Opportunity.source_id == source_id))
            self._rows[source_id] = {row.remote_id: row for row in rows}
        return self._rows[source_id]

    def flush(self) -> None:
        self.session.flush()
        self._pending = 0

    def upsert(self, source: Source, record: OpportunityRecord) -> tuple[Outcome, Opportunity]:
        digest = record.content_hash()
        now = utcnow()
        row = self.get(source.id, record.remote_id)
        if row is None:
            row = Opportunity(source_id=source.id, provider_id=source.provider_id,
                              remote_id=record.remote_id, first_seen_at=now)
            self.session.add(row)
            self._index(source.id)[record.remote_id] = row
            outcome = Outcome.ADDED
        elif row.content_hash == digest and row.status is Status.ACTIVE:
            row.last_seen_at = now
            return Outcome.UNCHANGED, row
        else:
            outcome = Outcome.UPDATED
        row.apply(record)
        row.content_hash = digest
        row.status, row.retired_at = Status.ACTIVE, None
        row.updated_at = row.last_seen_at = now
        row.index_pending = True
        self._pending += 1
        if self._pending >= self.BATCH:
            self.flush()
        return outcome, row

    def retire_missing(self, source_id: int, seen: Iterable[str],
                       unseen_since: datetime | None = None) -> list[Opportunity]:
        """Retire the source's active records not in ``seen`` (and, with a grace period,
        not seen since ``unseen_since``). Only call this after a complete, successful harvest."""
        seen = set(seen)
        query = select(Opportunity.id, Opportunity.remote_id).where(
            Opportunity.source_id == source_id, Opportunity.status == Status.ACTIVE)
        if unseen_since is not None:
            query = query.where(Opportunity.last_seen_at < unseen_since)
        self.flush()
        gone = [row_id for row_id, remote_id in self.session.execute(query)
                if remote_id not in seen]  # identities only: most runs retire nothing
        retired = [self.session.get(Opportunity, row_id) for row_id in gone]
        now = utcnow()
        for row in retired:
            row.status, row.retired_at, row.index_pending = Status.RETIRED, now, True
        self.flush()
        return retired

    def retire(self, source_id: int, remote_id: str) -> list[Opportunity]:
        """Retire one record the source withdrew; [] when it was not active."""
        row = self.get(source_id, remote_id)
        if row is None or row.status is Status.RETIRED:
            return []
        row.status, row.retired_at, row.index_pending = Status.RETIRED, utcnow(), True
        self.session.flush()
        return [row]

    def iter_indexable(self, pending_only: bool = False, batch: int = 500) -> Iterator[Opportunity]:
        """Stream opportunities (active and retired: the indexer deletes the retired ones)."""
        query = (select(Opportunity).options(selectinload(Opportunity.provider))
                 .order_by(Opportunity.id).execution_options(yield_per=batch))
        if pending_only:
            query = query.where(Opportunity.index_pending.is_(True))
        else:
            query = query.where(Opportunity.status == Status.ACTIVE)
        yield from self.session.scalars(query)

    def mark_indexed(self, ids: Iterable[int]) -> None:
        ids = list(ids)
        for start in range(0, len(ids), 500):
            self.session.execute(update(Opportunity)
                                 .where(Opportunity.id.in_(ids[start:start + 500]))
                                 .values(index_pending=False))
