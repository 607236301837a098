"""The demo catalogue is what the README promises: varied enough to show every feature."""
import csv
import datetime as dt
import io

from sqlalchemy import select

from catalogue.models import HarvestRun, Opportunity, Provider, RunStatus
from catalogue.validation import validate
from portal import demo, demo_dates
from tests.conftest import scratch_app
from portal.services import services


def test_demo_loads_through_the_harvester_without_rejections(demo_app):
    with demo_app.app_context(), services().sessions() as s:
        runs = s.scalars(select(HarvestRun)).all()
        assert len(runs) == len(demo.providers())
        assert all(r.status is RunStatus.SUCCEEDED and r.rejected == 0 for r in runs)


def test_demo_covers_what_users_need_to_see(demo_app):
    with demo_app.app_context(), services().sessions() as s:
        offers = s.scalars(select(Opportunity)).all()
        providers = s.scalars(select(Provider)).all()
        assert len(offers) >= 150 and len(providers) >= 12
        assert len({p.country for p in providers}) >= 8
        assert len({lang for o in offers for lang in o.title}) >= 5
        assert {o.eqf_level for o in offers} >= set(range(2, 9))
        ects = [o.ects for o in offers if o.ects is not None]
        assert min(ects) <= 0.5 and max(ects) >= 30
        assert {o.participation_form for o in offers} >= {"online", "onsite", "blended"}
        assert any(o.price == 0 for o in offers) and any(o.price and o.price > 0 for o in offers)
        completeness = [validate(o.to_record()).completeness[0] for o in offers]
        assert sum(c < 9 for c in completeness) >= 3  # a few with mandatory elements missing
        assert all(p.recognition_policy and p.qa_statement for p in providers)
        assert len({o.title.get("en") or next(iter(o.title.values())) for o in offers}) == len(offers)


def written_dates() -> tuple[set[dt.date], int]:
    """Every ISO date in the demo's files, and how many offers' application deadline is
    already past on the day the files are written for (a closed application, on purpose)."""
    dates, closed = set(), 0
    for entry in demo.providers():
        data = (demo.DEMO / entry["source"]["file"]).read_bytes()
        dates |= {dt.date.fromisoformat(m.decode()) for m in demo_dates.ISO_DATE.findall(data)}
        closed += sum(row["application_deadline"] < demo_dates.REFERENCE.isoformat()
                      for row in csv.DictReader(io.StringIO(data.decode("utf-8")))
                      if row["application_deadline"])
    return dates, closed


def test_demo_dates_move_with_the_day_it_is_loaded(tmp_path):
    app = scratch_app(tmp_path)
    days = (dt.date(2027, 6, 17), dt.date(2031, 2, 3))  # the second load reloads in place
    written, closed = written_dates()
    loads = []
    with app.app_context(), services().sessions() as s:
        for day in days:
            runs = []
            demo.load(s, services().search, lambda source, result: runs.append(result), today=day)
            assert all(r.status is RunStatus.SUCCEEDED and r.rejected == 0 for r in runs)
            loads.append({(o.source_id, o.remote_id): o.to_record()
                          for o in s.scalars(select(Opportunity))})
    assert set(loads[0]) == set(loads[1]) and len(loads[0]) >= 150
    moved = dt.timedelta(weeks=demo_dates.weeks(days[1]) - demo_dates.weeks(days[0]))
    starts = 0
    for day, load in zip(days, loads):
        back = dt.timedelta(weeks=demo_dates.weeks(day))
        for key, r in load.items():
            dated = r.start_dates + [r.application_deadline] + [
                v for session in r.sessions for k, v in session.items()
                if k in ("start", "end", "apply_from", "apply_until")]
            for value in filter(None, dated):  # each as written, moved by whole weeks
                assert dt.date.fromisoformat(value) - back in written, (key, value)
            for start in map(dt.date.fromisoformat, r.start_dates):
                assert start >= day, (key, start, day)  # no start in the past
                starts += 1
            if day == days[1]:  # every start moved with the day, on the same weekday
                assert r.start_dates == [(dt.date.fromisoformat(d) + moved).isoformat()
                                         for d in loads[0][key].start_dates]
        past = [k for k, r in load.items()
                if r.application_deadline and r.application_deadline < day.isoformat()]
        assert len(past) == closed >= 1  # only the application closed on purpose
    assert starts >= 200
