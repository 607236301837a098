"""runner.run: harvest one source into the catalogue, the only writer during a harvest.

The whole run is one transaction: a source that cannot be read, that comes back empty when it
had records, that runs past its deadline or trips any other failure leaves the catalogue exactly
as it was; the run row says why in one line. One harvest per source at a time: a lease on the
source row (a conditional UPDATE, so it works alike on SQLite and PostgreSQL) that lapses on its
own after the deadline, so a killed process blocks nothing for long; its run is closed as failed
by the next one. Callable without Flask or queues, so tests and the CLI call it directly.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from catalogue.models import (HarvestError, HarvestItem, HarvestRun, ItemOutcome, Opportunity,
                              RunStatus, Severity, Source, Stage, Status, utcnow)
from catalogue.normalise import normalise
from catalogue.sanitize import clean_record, scrub
from catalogue.store import CatalogueStore
from catalogue.validation import validate

from .base import Fetch, Harvester, InvalidRecord, SkipRecord, SourceError, registry
from .fetch import fetch as default_fetch, for_source

log = logging.getLogger(__name__)
DEADLINE = 3600.0  # seconds a run may take, reading and writing
LEASE_MARGIN = timedelta(minutes=5)


class SourceBusy(SourceError):
    """Another harvest of the source is running: this one did not start."""


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
        progress: Callable[[int], None] | None = None,
        deadline: float = DEADLINE) -> HarvestRun:
    """Harvest ``source``; returns the committed HarvestRun with its counts and errors.
    ``full`` asks an incremental format for everything (and so allows retiring);
    ``progress(n)`` hears of every record read. Raises SourceBusy, having changed nothing,
    when another harvest of the source holds its lease."""
    source_id = source.id
    _take_lease(session, source_id, timedelta(seconds=deadline) + LEASE_MARGIN)
    try:
        harvest = HarvestRun(source_id=source_id, dry_run=dry_run, started_at=utcnow())
        session.add(harvest)
        session.flush()
        session.execute(update(Source).where(Source.id == source_id)
                        .values(lease_run_id=harvest.id))
        session.commit()
        return _run(session, source, harvest.id, harvester, fetch, dry_run, retire_grace, full,
                    progress, time.monotonic() + deadline, deadline)
    finally:  # release the lease, if it is still this run's
        session.rollback()
        session.execute(update(Source).where(Source.id == source_id,
                                             or_(Source.lease_run_id == harvest.id,
                                                 Source.lease_run_id.is_(None)))
                        .values(lease_run_id=None, lease_until=None))
        session.commit()


def _run(session, source, run_id, harvester, fetch, dry_run, retire_grace, full, progress,
         stop_at, deadline) -> HarvestRun:
    errors: list[_Error] = []
    items: list[tuple[str | None, int | None, ItemOutcome, Opportunity | None]] = []
    try:
        harvester = harvester or registry.for_format(source.format)
        if harvester.incremental and not full:
            previous = last_clean_run(session, source.id, before=run_id)
            harvester.since = previous.started_at if previous else None
        _harvest(session, source, harvester, for_source(fetch, source.location, stop_at),
                 retire_grace, errors, items, progress, stop_at, deadline)
    except Exception as exc:  # any failure of the source fails its run, never the caller
        session.rollback()
        if not isinstance(exc, SourceError):
            log.exception("harvest of source %s stopped", source.id)
        reason = one_line(exc)
        return _finish(session, run_id, RunStatus.FAILED, reason,
                       [_Error(Stage.FETCH, reason)], [], complete=False)
    complete = harvester.complete and harvester.since is None  # a format may learn it late
    if dry_run:
        session.rollback()
        items = [(remote_id, pos, outcome, None) for remote_id, pos, outcome, _ in items]
    else:
        session.flush()  # the new rows' ids, for the item rows
    rejected = any(e.severity is Severity.ERROR for e in errors)
    return _finish(session, run_id, RunStatus.PARTIAL if rejected else RunStatus.SUCCEEDED,
                   None, errors, items, complete)


def one_line(exc: BaseException) -> str:
    """A failure as the public report shows it: one line, no traceback, no local path."""
    if isinstance(exc, SourceError):
        text = str(exc)
    elif isinstance(exc, RecursionError):
        text = "the document is nested too deeply to read"
    elif isinstance(exc, OSError):
        text = f"{type(exc).__name__}: {exc.strerror or 'system error'}"
    else:
        text = f"unexpected {type(exc).__name__}: {exc}"
    text = " ".join(text.split())
    return text if len(text) <= 300 else text[:299] + "…"


def _take_lease(session: Session, source_id: int, length: timedelta) -> None:
    now = utcnow()
    try:
        taken = session.execute(
            update(Source).where(Source.id == source_id,
                                 or_(Source.lease_until.is_(None), Source.lease_until < now))
            .values(lease_until=now + length, lease_run_id=None)
            .execution_options(synchronize_session=False)).rowcount
        session.commit()
    except OperationalError as exc:  # SQLite: another harvest holds the write lock
        session.rollback()
        raise SourceBusy("the catalogue is busy with another harvest: try again later") from exc
    if taken != 1:
        holder = session.scalar(select(Source.lease_run_id).where(Source.id == source_id))
        raise SourceBusy(f"another harvest of this source is running (run {holder}): "
                         "this one did not start" if holder else
                         "another harvest of this source is starting: this one did not start")
    close_abandoned_runs(session, source_id)


def close_abandoned_runs(session: Session, source_id: int | None = None) -> int:
    """Close as failed the runs left "running" by a process that stopped: those of sources
    whose lease is free or held by another run. Returns how many."""
    now = utcnow()
    live = select(Source.lease_run_id).where(Source.lease_run_id.is_not(None),
                                             Source.lease_until >= now)
    query = update(HarvestRun).where(HarvestRun.status == RunStatus.RUNNING,
                                     HarvestRun.id.not_in(live))
    if source_id is not None:
        query = query.where(HarvestRun.source_id == source_id)
    closed = session.execute(query.values(
        status=RunStatus.FAILED, finished_at=now,
        message="interrupted: the harvesting process stopped before the end; nothing it read "
                "was kept").execution_options(synchronize_session=False)).rowcount
    session.commit()
    return closed


def _harvest(session, source, harvester, fetch, retire_grace, errors, items, progress,
             stop_at, deadline) -> None:
    store = CatalogueStore(session)
    seen: set[str] = set()
    for raw in harvester.gather(source, fetch):
        if time.monotonic() > stop_at:
            raise SourceError(f"the harvest took longer than the {deadline:g} s allowed: "
                              "nothing was changed")
        if progress:
            progress(1)
        rid, pos = raw.remote_id, raw.position
        if not rid or not _usable_id(rid):
            errors.append(_Error(Stage.GATHER, "the record has no identifier" if not rid else
                                 "the identifier is not a text of at most 300 characters",
                                 "id", None, pos))
            items.append((None, pos, ItemOutcome.REJECTED, None))
            continue
        if raw.deleted:
            for row in store.retire(source.id, rid):
                items.append((rid, pos, ItemOutcome.RETIRED, row))
            seen.add(rid)
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
            errors.append(_Error(Stage.PARSE, f"cannot read this record: {one_line(exc)}", None,
                                 rid, pos))
            items.append((rid, pos, ItemOutcome.REJECTED, None))
            continue
        try:
            record.country = record.country or source.provider.country
            clean_record(record)
            normalise(record)
            check = validate(record)
        except Exception as exc:  # one bad record is one rejected record
            errors.append(_Error(Stage.VALIDATE, f"cannot check this record: {one_line(exc)}",
                                 None, rid, pos))
            items.append((rid, pos, ItemOutcome.REJECTED, None))
            continue
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
    if not seen:  # read in full, yet nothing to catalogue: say what the source held instead
        errors.append(_Error(Stage.GATHER, harvester.nothing_found(), severity=Severity.WARNING))
        active = session.scalar(select(func.count()).select_from(Opportunity).where(
            Opportunity.source_id == source.id, Opportunity.status == Status.ACTIVE))
        if active:
            raise SourceError(f"the source is empty but had {active} records: keeping them")
    unseen_since = utcnow() - retire_grace if retire_grace else None
    for row in store.retire_missing(source.id, seen, unseen_since):
        items.append((row.remote_id, None, ItemOutcome.RETIRED, row))


def _usable_id(rid) -> bool:
    if not isinstance(rid, str) or len(rid) > 300:
        return False
    try:
        rid.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return True


def _finish(session: Session, run_id: int, status: RunStatus, message: str | None,
            errors: list[_Error], items, complete: bool) -> HarvestRun:
    harvest = session.get(HarvestRun, run_id)
    harvest.status, harvest.message, harvest.finished_at = status, scrub(message), utcnow()
    harvest.complete = complete
    if items:
        session.execute(insert(HarvestItem), [
            {"run_id": run_id, "remote_id": remote_id, "position": position, "outcome": outcome,
             "opportunity_id": row.id if row is not None else None}
            for remote_id, position, outcome, row in items])
    if errors:
        session.execute(insert(HarvestError), [
            {"run_id": run_id, "stage": e.stage, "severity": e.severity, "field": scrub(e.field),
             "message": scrub(e.message), "remote_id": e.remote_id, "position": e.position}
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
