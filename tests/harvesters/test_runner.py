"""Runner bookkeeping with a harvester written for the test (no file format involved)."""
from catalogue.models import ItemOutcome, RunStatus, Stage
from catalogue.record import OpportunityRecord
from harvesters.base import Harvester, RawRecord, SkipRecord, SourceError
from harvesters.runner import last_good_run, run


class ListHarvester(Harvester):
    name = "list"

    def __init__(self, items, fail_after=None):
        super().__init__()
        self.items, self.fail_after = items, fail_after

    def gather(self, source, fetch):
        for n, item in enumerate(self.items):
            if n == self.fail_after:
                raise SourceError("connection reset while reading")
            yield RawRecord(item, item, n + 1)

    def parse(self, raw):
        if raw.data == "skip":
            raise SkipRecord()
        if raw.data == "bug":
            raise KeyError("title")
        return OpportunityRecord(remote_id=raw.remote_id, title={"en": f"Offer {raw.data}"})


def test_a_bug_on_one_record_does_not_abort_the_run(session, make_source):
    result = run(session, make_source(), ListHarvester(["a", "bug", "skip", "b"]))
    assert result.status is RunStatus.PARTIAL and result.added == 2
    (error,) = [e for e in result.errors if e.stage is Stage.PARSE]
    assert error.remote_id == "bug" and "KeyError" in error.message
    assert ItemOutcome.REJECTED in {i.outcome for i in result.items}


def test_a_source_failing_midway_rolls_back_the_whole_run(session, make_source):
    source = make_source()
    good = run(session, source, ListHarvester(["a", "b"]))
    failed = run(session, source, ListHarvester(["a", "c", "d"], fail_after=2))
    assert failed.status is RunStatus.FAILED and failed.added == 0
    assert "connection reset" in failed.message
    assert last_good_run(session, source.id).id == good.id
    again = run(session, source, ListHarvester(["a", "b"]))
    assert (again.added, again.unchanged) == (0, 2)  # "c" never reached the catalogue


class IncrementalHarvester(ListHarvester):
    name = "incremental"
    incremental = True

    def __init__(self, items, deleted=()):
        super().__init__(items)
        self.deleted = deleted

    def gather(self, source, fetch):
        yield from super().gather(source, fetch)
        for rid in self.deleted:
            yield RawRecord(rid, None, None, deleted=True)


def test_incremental_runs_resume_after_the_last_clean_run_and_retire_nothing(session, make_source):
    source = make_source()
    first = IncrementalHarvester(["a", "b", "c"])
    assert run(session, source, first).complete and first.since is None
    second = IncrementalHarvester(["b"])  # only what changed since then
    result = run(session, source, second)
    assert second.since == first_run_start(session, source) and not result.complete
    assert result.retired == 0  # "a" and "c" were not in the answer, but that means unchanged
    third = IncrementalHarvester([], deleted=["c"])  # the source says "c" was withdrawn
    assert run(session, source, third).retired == 1
    full = IncrementalHarvester(["a"])
    assert run(session, source, full, full=True).retired == 1 and full.since is None  # "b"


def first_run_start(session, source):
    from catalogue.models import HarvestRun
    return session.query(HarvestRun).filter_by(source_id=source.id).order_by(HarvestRun.id).first().started_at


class Mixed(ListHarvester):
    """Records of every kind in one feed: each bad one is passed over, never the rest."""
    name = "mixed"
    incremental = True

    def gather(self, source, fetch):
        yield RawRecord("a", "a", 1)
        yield RawRecord("gone", None, 2, deleted=True)
        yield RawRecord("a", "a", 3)                      # a duplicate
        yield RawRecord("broken", "broken", 4)            # its check raises
        yield RawRecord("b", "b", 5)

    def parse(self, raw):
        record = super().parse(raw)
        if raw.data == "broken":
            record.languages = 42  # not a list: validation cannot iterate it
        return record


def test_records_after_a_withdrawn_a_duplicate_or_a_broken_one_are_still_read(session, make_source):
    heard = []
    result = run(session, make_source(), Mixed([]), progress=heard.append)
    assert result.added == 2 and {i.remote_id for i in result.items
                                  if i.outcome is ItemOutcome.ADDED} == {"a", "b"}
    assert sum(heard) == 5  # one for every record read
    assert any("cannot check this record" in e.message and e.remote_id == "broken"
               for e in result.errors)


def test_a_failed_run_is_not_complete_and_its_reason_is_one_short_line(session, make_source):
    from harvesters.runner import one_line
    failed = run(session, make_source(), ListHarvester(["a", "b"], fail_after=1))
    assert failed.status is RunStatus.FAILED and failed.complete is False
    assert one_line(SourceError("x" * 300)) == "x" * 300
    long = one_line(SourceError("y" * 1000))
    assert len(long) == 300 and long.endswith("…")
    assert one_line(SourceError("two\nlines  here")) == "two lines here"


def test_an_identifier_of_300_characters_is_usable(session, make_source):
    assert run(session, make_source(), ListHarvester(["x" * 300])).added == 1


def test_a_grace_period_keeps_a_record_missing_from_the_feed(session, make_source):
    from datetime import timedelta
    source = make_source()
    assert run(session, source, ListHarvester(["a", "b"])).added == 2
    kept = run(session, source, ListHarvester(["a"]), retire_grace=timedelta(days=30))
    assert kept.retired == 0
    gone = run(session, source, ListHarvester(["a"]))
    assert gone.retired == 1
