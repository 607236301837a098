"""runner.run: harvest one source into the catalogue, the only writer during a harvest.

The whole run is one transaction: a source that cannot be read, or that comes back empty when it
had records, leaves the catalogue exactly as it was; the run row says why. Callable without
Flask or queues, so tests and the CLI call it directly.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from catalogue.models import (HarvestError, HarvestItem, HarvestRun, ItemOutcome, Opportunity,
                              RunStatus, Severity, Source, Stage, Status, utcnow)
from catalogue.sanitize import clean_record
from catalogue.store import CatalogueStore
from catalogue.validation import validate

from .base import Fetch, Harvester, InvalidRecord, SkipRecord, SourceError, registry
from .fetch import fetch as default_fetch


@dataclass
class _Error:
    stage: Stage
    message: str
    field: str | None = None
    remote_id: str | None = None
    position: int | None = None
    severity: Severity = Severity.ERROR


def run(session: Session, source: Source, harvester: Harvester | None = None, *,
        fetch: Fetch = default_fetch, dry_run: bool = False,
        retire_grace: timedelta | None = None, full: bool = False,
        progress: Callable[[int], None] | None = None) -> HarvestRun:
    """Harvest ``source``; returns the committed HarvestRun with its counts and errors.
    ``full`` asks an incremental format for everything (and so allows retiring);
    ``progress(n)`` hears of every record read."""
    harvest = HarvestRun(source_id=source.id, dry_run=dry_run, started_at=utcnow())
    session.add(harvest)
    session.commit()
    run_id = harvest.id
    errors: list[_Error] = []
    items: list[tuple[str | None, int | None, ItemOutcome, Opportunity | None]] = []
    try:
        harvester = harvester or registry.for_format(source.format)
        if harvester.incremental and not full:
            previous = last_clean_run(session, source.id, before=run_id)
            harvester.since = previous.started_at if previous else None
        _harvest(session, source, harvester, fetch, retire_grace, errors, items, progress)
    except SourceError as exc:
        session.rollback()
        return _finish(session, run_id, RunStatus.FAILED, str(exc),
                       [_Error(Stage.FETCH, str(exc))], [], complete=False)
    complete = harvester.complete and harvester.since is None  # a format may learn it late
    if dry_run:
        session.rollback()
        items = [(remote_id, pos, outcome, None) for remote_id, pos, outcome, _ in items]
    else:
        session.flush()  # the new rows' ids, for the item rows
    rejected = any(e.severity is Severity.ERROR for e in errors)
    return _finish(session, run_id, RunStatus.PARTIAL if rejected else RunStatus.SUCCEEDED,
                   None, errors, items, complete)


def _harvest(session, source, harvester, fetch, retire_grace, errors, items, progress) -> None:
    store = CatalogueStore(session)
    seen: set[str] = set()
    for raw in harvester.gather(source, fetch):
        if progress:
            progress(1)
        rid, pos = raw.remote_id, raw.position
        if raw.deleted and rid:
            for row in store.retire(source.id, rid):
                items.append((rid, pos, ItemOutcome.RETIRED, row))
            seen.add(rid)
            continue
        if not rid:
            errors.append(_Error(Stage.GATHER, "the record has no identifier", "id", None, pos))
            items.append((None, pos, ItemOutcome.REJECTED, None))
            continue
        if rid in seen:
            errors.append(_Error(Stage.GATHER, f"duplicate identifier {rid!r}: the first one wins",
                                 "id", rid, pos))
            items.append((rid, pos, ItemOutcome.DUPLICATE, None))
            continue
        seen.add(rid)
        try:
            record = harvester.parse(raw)
        except SkipRecord:
            continue
        except InvalidRecord as exc:
            errors.extend(_Error(Stage.PARSE, e.message, e.field, rid, pos) for e in exc.errors)
            items.append((rid, pos, ItemOutcome.REJECTED, None))
            continue
        except Exception as exc:  # a harvester bug on one record must not abort the run
            errors.append(_Error(Stage.PARSE, f"cannot read this record: {exc!r}", None, rid, pos))
            items.append((rid, pos, ItemOutcome.REJECTED, None))
            continue
        record.country = record.country or source.provider.country
        clean_record(record)
        check = validate(record)
        if not check.ok:
            errors.extend(_Error(Stage.VALIDATE, e.message, e.field, rid, pos) for e in check.errors)
            items.append((rid, pos, ItemOutcome.REJECTED, None))
            continue
        errors.extend(_Error(Stage.VALIDATE, "mandatory Annex I element not stated", element, rid,
                             pos, Severity.WARNING) for element in check.missing)
        outcome, row = store.upsert(source, record)
        items.append((rid, pos, ItemOutcome(outcome.value), row))
    errors.extend(_Error(Stage.GATHER, n.message, n.field, severity=Severity.WARNING)
                  for n in harvester.notices)
    if not (harvester.complete and harvester.since is None):
        return  # an incremental run retires nothing
    if not seen:
        active = session.scalar(select(func.count()).select_from(Opportunity).where(
            Opportunity.source_id == source.id, Opportunity.status == Status.ACTIVE))
        if active:
            raise SourceError(f"the source is empty but had {active} records: keeping them")
    unseen_since = utcnow() - retire_grace if retire_grace else None
    for row in store.retire_missing(source.id, seen, unseen_since):
        items.append((row.remote_id, None, ItemOutcome.RETIRED, row))


def _finish(session: Session, run_id: int, status: RunStatus, message: str | None,
            errors: list[_Error], items, complete: bool) -> HarvestRun:
    harvest = session.get(HarvestRun, run_id)
    harvest.status, harvest.message, harvest.finished_at = status, message, utcnow()
    harvest.complete = complete
    if items:
        session.execute(insert(HarvestItem), [
            {"run_id": run_id, "remote_id": remote_id, "position": position, "outcome": outcome,
             "opportunity_id": row.id if row is not None else None}
            for remote_id, position, outcome, row in items])
    if errors:
        session.execute(insert(HarvestError), [
            {"run_id": run_id, "stage": e.stage, "severity": e.severity, "field": e.field,
             "message": e.message, "remote_id": e.remote_id, "position": e.position}
            for e in errors])
    counts = {outcome: 0 for outcome in ItemOutcome}
    for _, _, outcome, _ in items:
        counts[outcome] += 1
    harvest.added, harvest.updated = counts[ItemOutcome.ADDED], counts[ItemOutcome.UPDATED]
    harvest.unchanged, harvest.retired = counts[ItemOutcome.UNCHANGED], counts[ItemOutcome.RETIRED]
    harvest.rejected = counts[ItemOutcome.REJECTED] + counts[ItemOutcome.DUPLICATE]
    session.commit()
    return harvest


def last_clean_run(session: Session, source_id: int, before: int) -> HarvestRun | None:
    """The newest error-free run before run ``before``: where an incremental harvest resumes."""
    return _last_run(session, source_id, [RunStatus.SUCCEEDED], HarvestRun.id < before)


def last_good_run(session: Session, source_id: int) -> HarvestRun | None:
    """The newest run that read the source (succeeded or partial), not a dry run."""
    return _last_run(session, source_id, [RunStatus.SUCCEEDED, RunStatus.PARTIAL])


def _last_run(session: Session, source_id: int, statuses, *conditions) -> HarvestRun | None:
    return session.scalar(select(HarvestRun).where(
        HarvestRun.source_id == source_id, HarvestRun.dry_run.is_(False),
        HarvestRun.status.in_(statuses), *conditions).order_by(HarvestRun.id.desc()).limit(1))
