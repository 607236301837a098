from dataclasses import fields

from sqlalchemy import select

from catalogue.models import Opportunity, Status
from catalogue.record import OpportunityRecord
from catalogue.store import CatalogueStore, Outcome


def record(remote_id="A1", **fields) -> OpportunityRecord:
    base = dict(title={"en": "Heat pump installation"}, eqf_level=4, ects=2.0)
    base.update(fields)
    return OpportunityRecord(remote_id=remote_id, **base)


def test_upsert_added_unchanged_updated(session, make_source):
    source = make_source()
    store = CatalogueStore(session)
    outcome, row = store.upsert(source, record())
    store.flush()  # upserts are flushed in batches; the id comes with the flush
    assert outcome is Outcome.ADDED and row.id and row.index_pending
    row.index_pending = False
    session.commit()

    outcome, same = store.upsert(source, record())
    assert outcome is Outcome.UNCHANGED and same.id == row.id
    assert not same.index_pending  # nothing to re-index

    outcome, changed = store.upsert(source, record(eqf_level=5))
    assert outcome is Outcome.UPDATED and changed.id == row.id
    assert changed.eqf_level == 5 and changed.index_pending


def test_identity_is_source_and_remote_id(session, make_source):
    one, two = make_source(), make_source()
    store = CatalogueStore(session)
    a = store.upsert(one, record("X"))[1]
    b = store.upsert(two, record("X"))[1]
    store.flush()
    assert a.id != b.id
    assert session.scalar(select(Opportunity.provider_id).where(Opportunity.id == b.id)) == \
        two.provider_id


def test_retire_missing_and_reactivate(session, make_source):
    source = make_source()
    store = CatalogueStore(session)
    for rid in ("A", "B", "C"):
        store.upsert(source, record(rid))
    retired = store.retire_missing(source.id, {"A", "C"})
    assert [r.remote_id for r in retired] == ["B"]
    b = store.get(source.id, "B")
    assert b.status is Status.RETIRED and b.retired_at is not None and b.index_pending
    assert {o.remote_id for o in store.iter_indexable()} == {"A", "C"}

    outcome, again = store.upsert(source, record("B"))  # same content, back in the feed
    assert outcome is Outcome.UPDATED and again.status is Status.ACTIVE and again.retired_at is None


def changed_value(value):
    """A value of the same kind as ``value`` that differs from it."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 1
    if isinstance(value, list):
        return [*value, {"x": 1}]
    if isinstance(value, dict):
        return {**value, "xx": "changed"}
    return (value or "") + "changed"


def test_content_hash_covers_every_field():
    base = record()
    twin = record()
    assert twin is not base and twin.content_hash() == base.content_hash()
    for f in fields(OpportunityRecord):
        if f.name == "remote_id":
            continue
        other = record(**{f.name: changed_value(getattr(base, f.name))})
        assert other.content_hash() != base.content_hash(), f.name
