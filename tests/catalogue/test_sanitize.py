"""The paragraph rule for plain-text descriptions, in one place (catalogue.sanitize), for every
harvester: blank lines separate paragraphs; HTML is left to the sanitiser."""
from sqlalchemy import select

from catalogue.models import Opportunity
from catalogue.sanitize import paragraphs, plain, rich
from harvesters.runner import run
from tests.conftest import offer, write_csv


def test_blank_lines_make_paragraphs_of_plain_text():
    text = "Weld steel plates.\nWear a mask.\n\n  \nBring boots & gloves < size 12."
    assert rich(text) == ("<p>Weld steel plates.\nWear a mask.</p>"
                          "<p>Bring boots &amp; gloves &lt; size 12.</p>")
    assert rich("One paragraph,\nwrapped.") == "One paragraph,\nwrapped."  # stays bare text
    assert paragraphs("One.", always=True) == "<p>One.</p>"
    assert rich("Windows\r\n\r\nline ends") == "<p>Windows</p><p>line ends</p>"


def test_html_is_not_split_again_and_stripping_keeps_paragraphs_apart():
    markup = "<p>First</p>\n\n<p>Second <script>x</script></p>"
    assert rich(markup) == "<p>First</p>\n\n<p>Second </p>"
    assert plain("<p>First</p><p>Second</p>") == "First\n\nSecond"  # not "FirstSecond"
    assert plain("Fish &amp; chips") == "Fish & chips"


def test_a_plain_text_feed_other_than_xcri_gets_paragraphs(session, make_source, tmp_path):
    path = write_csv(tmp_path / "feed.csv", [offer(
        "P1", description_en="Day one: theory.\n\nDay two: practice in the workshop.")])
    run(session, make_source(path))
    o = session.scalars(select(Opportunity)).one()
    assert o.description["en"] == "<p>Day one: theory.</p><p>Day two: practice in the workshop.</p>"
