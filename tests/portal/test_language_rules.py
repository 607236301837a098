"""The README's language rules, each one checked: `/` negotiates, the URL's language wins over the
browser's, the API follows ?lang=, the switcher and the hreflang alternates keep the search."""
import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from catalogue.models import Opportunity, Status
from portal.services import services
from tests.conftest import ROOT

LANGUAGES = ["en", *sorted(p.parent.parent.name
                           for p in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po"))]


def translated(lang: str, message: str) -> str:
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh).get(message).string


@pytest.mark.parametrize("accept, expected", [
    ("pl", "pl"), ("fr-CH, de;q=0.8", "fr"), ("de;q=0.5, sv", "sv"), ("pt-BR,pt;q=0.9", "pt"),
    ("ja, *;q=0.1", "en"), (None, "en"), ("ga-IE", "ga")])
def test_the_root_sends_a_visitor_to_the_language_their_browser_prefers(client, accept, expected):
    response = client.get("/", headers={"Accept-Language": accept} if accept else {})
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == f"/{expected}/"
    assert "Accept-Language" in response.headers.get("Vary", "")


def test_the_root_keeps_the_search_and_nothing_else(client):
    response = client.get("/?q=welding&form=online&endpoint=x&_external=1&lang=x",
                          headers={"Accept-Language": "de"})
    location = urlsplit(response.headers["Location"])
    assert location.path == "/de/"
    assert parse_qs(location.query) == {"q": ["welding"], "form": ["online"]}


def test_the_language_in_the_address_wins_over_the_browsers(client):
    page = client.get("/de/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="de"' in page
    assert translated("de", "Apply filters") in page
    assert translated("fr", "Apply filters") not in page


def test_the_api_follows_lang_before_accept_language(client):
    title = "Invalid search parameters"
    asked = client.get("/api/v1/search?eqf=12&lang=de", headers={"Accept-Language": "fr"})
    assert asked.get_json()["title"] == translated("de", title)
    browser = client.get("/api/v1/search?eqf=12", headers={"Accept-Language": "fr"})
    assert browser.get_json()["title"] == translated("fr", title)


def links(page: str, pattern: str) -> dict[str, str]:
    return {m.group("lang"): html.unescape(m.group("href")) for m in re.finditer(pattern, page)}


ALTERNATE = r'<link rel="alternate" hreflang="(?P<lang>[a-z]+)" href="(?P<href>[^"]+)">'
SWITCHER = r'<a href="(?P<href>[^"]+)" hreflang="(?P<lang>[a-z]+)" lang="[a-z]+"'


def test_the_switcher_and_the_alternates_keep_the_search_in_every_language(client):
    page = client.get("/en/?q=welding&form=online&page=2").get_data(as_text=True)
    for pattern, absolute in ((ALTERNATE, True), (SWITCHER, False)):
        found = links(page, pattern)
        assert sorted(found) == sorted(LANGUAGES)
        for lang, href in found.items():
            parts = urlsplit(href)
            assert bool(parts.netloc) is absolute and parts.path == f"/{lang}/"
            assert parse_qs(parts.query) == {"q": ["welding"], "form": ["online"], "page": ["2"]}


def test_an_offer_page_links_to_the_same_offer_in_every_language(demo_app, client):
    with demo_app.app_context(), services().sessions() as s:
        offer = s.scalar(select(Opportunity.id).where(Opportunity.status == Status.ACTIVE).limit(1))
    page = client.get(f"/sv/opportunities/{offer}?endpoint=x&opportunity_id=abc")
    assert page.status_code == 200
    found = links(page.get_data(as_text=True), ALTERNATE)
    assert sorted(found) == sorted(LANGUAGES)
    assert all(urlsplit(href).path == f"/{lang}/opportunities/{offer}" and not urlsplit(href).query
               for lang, href in found.items())
