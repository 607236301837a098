"""The offer page shows every price with its condition and derived credits with their origin
(issue 9), on a small catalogue harvested here from an XCRI-CAP feed through the real runner."""
from sqlalchemy import select

from catalogue.models import Opportunity, Provider, Source
from harvesters.runner import run
from portal import create_app
from portal.services import services
from tests.harvesters.test_xcri_cap import xcri

COURSE = """
  <course><dc:identifier>MAR</dc:identifier><dc:title>Marine engineering</dc:title>
   <mlo:credit xmlns:credit="http://purl.org/net/cm"><credit:scheme>SCQF</credit:scheme>
    <credit:level>9</credit:level><credit:value>20</credit:value></mlo:credit>
   <presentation><dc:identifier>P1</dc:identifier>
    <mlo:cost>UK fee: GBP170.00; Ireland fee: GBP360.00; Continental Europe fee: GBP360.00</mlo:cost>
   </presentation>
  </course>"""


def offer_page(tmp_path, lang: str) -> str:
    feed = tmp_path / "feed.xml"
    feed.write_text(xcri(COURSE), encoding="utf-8")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite'}",
                      "SEARCH_SQLITE_PATH": str(tmp_path / "s.sqlite"), "TESTING": True})
    with app.app_context(), services().sessions() as s:
        provider = Provider(slug="fife-test-college", name={"en": "Fife Test College"}, country="GB")
        s.add(provider)
        s.flush()
        source = Source(provider_id=provider.id, name="xcri", format="xcri-cap", location=str(feed))
        s.add(source)
        s.commit()
        assert run(s, source).added == 1
        offer_id = s.scalar(select(Opportunity.id))
    return app.test_client().get(f"/{lang}/opportunities/{offer_id}").get_data(as_text=True)


def test_the_page_shows_every_price_and_where_derived_credits_come_from(tmp_path):
    page = offer_page(tmp_path, "en")
    assert "<li>£170.00 (UK fee)</li>" in page
    assert "<li>£360.00 (Ireland fee; Continental Europe fee)</li>" in page
    assert "10 ECTS (from 20 SCQF credits) (200 hours, from 20 SCQF credits)" in page
    assert "EQF 6 (from SCQF 9)" in page
    assert "20 SCQF credits (SCQF 9)" in page  # the credits as stated


def test_the_origin_is_told_in_the_readers_language(tmp_path):
    page = offer_page(tmp_path, "de")
    assert "20 SCQF-Credits" in page and "aus 20 SCQF-Credits" in page
