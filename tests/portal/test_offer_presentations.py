"""The offer page shows what an XCRI-CAP feed says about each presentation, its subjects and its
qualification (issue 9), on a small catalogue harvested here through the real runner."""
import pytest

COURSE = """
  <course><dc:identifier>MBA</dc:identifier><dc:title>Business and Marketing</dc:title>
   <dc:subject xsi:type="courseDataProgramme:JACS3" identifier="N500"/>
   <dc:subject xsi:type="courseDataProgramme:HECoS" identifier="100078">business studies</dc:subject>
   <mlo:qualification><dc:title>Master of Business Administration</dc:title></mlo:qualification>
   <presentation><dc:identifier>P1</dc:identifier>
    <mlo:start dtf="2026-09-01">September</mlo:start><end dtf="2027-07-01">July</end>
    <applyFrom dtf="2025-11-03">November</applyFrom><applyUntil dtf="2026-08-14">August</applyUntil>
    <studyMode identifier="PT">Part time</studyMode><mlo:places>50</mlo:places>
    <venue><provider><dc:title>Priory Campus</dc:title><mlo:location><mlo:street>Victoria Road</mlo:street>
     <mlo:town>Kirkcaldy</mlo:town><mlo:postcode>KY1 2QT</mlo:postcode></mlo:location></provider></venue>
   </presentation>
  </course>"""


@pytest.fixture
def offer_page(xcri_offer_page):
    return xcri_offer_page(COURSE)


def test_the_page_shows_each_presentation_subject_codes_and_qualification(offer_page):
    page = offer_page("en")
    assert ("<li>Sep 1, 2026 to Jul 1, 2027 · Apply from Nov 3, 2025 · Apply by Aug 14, 2026 · "
            "Part time · Places: 50 · Priory Campus, Victoria Road, Kirkcaldy, KY1 2QT</li>") in page
    assert "<dt>Qualification</dt><dd><span>Master of Business Administration</span></dd>" in page
    assert 'Marketing <span class="code">(JACS N500)</span>' in page
    assert 'business studies <span class="code">(HECoS 100078)</span>' in page


def test_the_presentation_is_described_in_the_readers_language(offer_page):
    page = offer_page("de")
    assert "Teilzeit" in page and "Plätze: 50" in page and "Qualifikation" in page
    assert "Part time" not in page
