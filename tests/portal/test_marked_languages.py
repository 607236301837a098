"""Text in another language than the page says which (lang="..."), so that a screen reader
reads it with the right voice and a reader is told the right language: result titles and
snippets whichever language matched, harvest problems (the harvester's English); error pages
speak the address's language."""
import re

import pytest

from indexer.highlight import Snippet, highlights
from indexer.opensearch.backend import OpenSearchBackend

ESTONIAN_FIRST = {"et": "Eetiline häkkimine ja läbistustestimine",
                  "en": "Ethical hacking and penetration testing"}


def card(page: str, title_part: str) -> str:
    """The result card whose title contains ``title_part``."""
    return next(c for c in re.findall(r'<li class="card".*?</li>', page, re.S) if title_part in c)


def test_the_embedded_backend_highlight_knows_its_language():
    doc = {"title": ESTONIAN_FIRST, "outcomes": {"en": "Test a web application as an attacker"},
           "description": {}}
    found = highlights(doc, [{"hack"}, {"attack"}], "el")
    assert isinstance(found["title"], Snippet) and found["title"].lang == "en"
    assert "<mark>" in found["title"] and found["outcomes"].lang == "en"


def test_the_opensearch_highlight_knows_its_language():
    hit = OpenSearchBackend._hit({"_id": "7", "_score": 1.0, "_source": {"title": ESTONIAN_FIRST},
                                  "highlight": {"title.en": ["<mark>Ethical</mark> hacking"],
                                                "description.et": ["<mark>häkkimine</mark>"]}},
                                 "el")
    assert hit.highlights["title"].lang == "en" and hit.highlights["description"].lang == "et"
    assert str(hit.highlights["title"]) == "<mark>Ethical</mark> hacking"


def test_a_title_matched_in_english_is_marked_and_named_english_on_a_greek_page(client):
    page = client.get("/el/", query_string={"q": "ethical hacking"}).get_data(as_text=True)
    offer = card(page, "<mark>Ethical</mark>")
    assert '<span lang="en"><mark>Ethical</mark> <mark>hacking</mark>' in offer
    assert "Εμφανίζεται στα Αγγλικά" in offer  # "Shown in English", not in Estonian
    assert "Εσθονικά" not in offer


def test_a_title_matched_in_another_language_than_the_readers_is_marked_as_such(client):
    page = client.get("/et/", query_string={"q": "ethical hacking"}).get_data(as_text=True)
    offer = card(page, "<mark>Ethical</mark>")  # the words were English: so is what matched
    assert '<span lang="en"><mark>Ethical</mark>' in offer
    assert 'class="note-small"' not in offer  # the provider did give an Estonian title


def test_snippets_in_another_language_are_marked(client):
    page = client.get("/el/", query_string={"q": "ethical hacking"}).get_data(as_text=True)
    snippets = re.findall(r'<p class="snippet"([^>]*)>', page)
    assert snippets and all(attrs == ' lang="en"' for attrs in snippets)  # the demo's are English
    english = client.get("/en/", query_string={"q": "ethical hacking"}).get_data(as_text=True)
    assert re.findall(r'<p class="snippet"([^>]*)>', english) == [""] * len(snippets)


@pytest.mark.parametrize("lang, title", [("de", "Seite nicht gefunden"),
                                         ("el", "Η σελίδα δεν βρέθηκε")])
def test_a_page_that_does_not_exist_is_a_404_in_the_addresss_language(client, lang, title):
    for path in (f"/{lang}/no-such-page", f"/{lang}/opportunities/999999"):
        response = client.get(path, headers={"Accept-Language": "en"})
        page = response.get_data(as_text=True)
        assert response.status_code == 404
        assert f'<html lang="{lang}"' in page and f"<h1>{title}</h1>" in page
        assert f'href="/{lang}/"' in page  # "start a new search" stays in that language


def test_a_404_outside_any_language_follows_the_browser(client):
    response = client.get("/no/such/page", headers={"Accept-Language": "de"})
    assert response.status_code == 404 and '<html lang="de"' in response.get_data(as_text=True)


def test_harvest_problems_are_marked_english_and_their_stage_translated(client):
    page = client.get("/de/providers/hogeschool-maasdelta/harvests").get_data(as_text=True)
    rows = re.findall(r"<tr class=\"(?:warning|error)\">(.*?)</tr>", page, re.S)
    assert rows and all('<span lang="en">' in row for row in rows)
    assert "Prüfen eines Eintrags" in page and ">validate<" not in page
    assert re.search(r"Zuletzt [^<]*: (erfolgreich|teilweise erfolgreich)", page)
    assert 'role="region"' in page and 'class="table-scroll"' in page  # scrolls in its own box
    english = client.get("/en/providers/hogeschool-maasdelta/harvests").get_data(as_text=True)
    assert '<span lang="en">' not in english and "Checking a record" in english
