"""The demo catalogue is what the README promises: varied enough to show every feature."""
from sqlalchemy import select

from catalogue.models import HarvestRun, Opportunity, Provider, RunStatus
from catalogue.validation import validate
from portal import demo
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
