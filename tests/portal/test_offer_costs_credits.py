"""The offer page shows every price with its condition and derived credits with their origin
(issue 9), on a small catalogue harvested here from an XCRI-CAP feed through the real runner."""
import pytest

COURSE = """
  <course><dc:identifier>MAR</dc:identifier><dc:title>Marine engineering</dc:title>
   <mlo:credit xmlns:credit="http://purl.org/net/cm"><credit:scheme>SCQF</credit:scheme>
    <credit:level>9</credit:level><credit:value>20</credit:value></mlo:credit>
   <presentation><dc:identifier>P1</dc:identifier>
    <mlo:cost>UK fee: GBP170.00; Ireland fee: GBP360.00; Continental Europe fee: GBP360.00</mlo:cost>
   </presentation>
  </course>"""


@pytest.fixture
def offer_page(xcri_offer_page):
    return xcri_offer_page(COURSE)


def test_the_page_shows_every_price_and_where_derived_credits_come_from(offer_page):
    page = offer_page("en")
    assert "<li>£170.00 (UK fee)</li>" in page
    assert "<li>£360.00 (Ireland fee; Continental Europe fee)</li>" in page
    assert "10 ECTS (from 20 SCQF credits) (200 hours, from 20 SCQF credits)" in page
    assert "EQF 6 (from SCQF 9)" in page
    assert "20 SCQF credits (SCQF 9)" in page  # the credits as stated


def test_the_origin_is_told_in_the_readers_language(offer_page):
    page = offer_page("de")
    assert "20 SCQF-Credits" in page and "aus 20 SCQF-Credits" in page
