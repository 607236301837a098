"""Handouts for a client (issue 10): the print stylesheet, and the PDF made on the server in the
client's language (portal/handout.py)."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import cssselect2
import pytest
import tinycss2
import tinyhtml5

from catalogue.models import Source
from harvesters.runner import run
from portal.services import services
from tests.conftest import harvest_feed, offer, scratch_app, write_csv

STYLE = Path(__file__).resolve().parents[2] / "portal" / "static" / "style.css"
MADE_ON = dt.date(2031, 1, 15)  # a fixed clock: the handout's "Made on" date
OFFERS = [
    offer("H1", title_en="Welding basics", title_de="Schweißen für Einsteiger", ects="3",
          eqf_level="4", price="0", participation_form="onsite", place_city="Graz"),
    offer("H2", title_en="Pipeline welding", ects="5", eqf_level="4", price="450", currency="EUR"),
    offer("H3", title_en="Welding safety", ects="1", eqf_level="3"),
]


@pytest.fixture
def portal(tmp_path):
    feed = write_csv(tmp_path / "feed.csv", OFFERS)
    app = scratch_app(tmp_path, ENCODER="none", TODAY=MADE_ON)
    harvested = harvest_feed(app, feed, ("weld", "Weld Academy", "AT"))
    assert harvested.added == len(OFFERS)
    app.ids, app.feed, app.source_id = harvested.ids, feed, harvested.source_id
    return app


def text(response) -> str:
    return response.get_data(as_text=True)


# --- the print stylesheet ----------------------------------------------------------------------

def print_rules() -> list:
    """The qualified rules inside the stylesheet's @media print blocks."""
    rules = tinycss2.parse_stylesheet(STYLE.read_text(), skip_comments=True, skip_whitespace=True)
    found = []
    for rule in rules:
        if rule.type == "at-rule" and rule.lower_at_keyword == "media" \
                and tinycss2.serialize(rule.prelude).strip() == "print":
            found += [r for r in tinycss2.parse_rule_list(rule.content, True, True)
                      if r.type == "qualified-rule"]
    assert found, "style.css has no @media print rules"
    return found


def declarations(rule) -> dict[str, str]:
    return {d.lower_name: tinycss2.serialize(d.value).strip()
            for d in tinycss2.parse_declaration_list(rule.content, True, True)
            if d.type == "declaration"}


def selector(rule) -> str:
    return tinycss2.serialize(rule.prelude).strip()


def test_the_print_stylesheet_prints_content_only_black_on_white():
    rules = print_rules()
    hidden = [selector(r) for r in rules if declarations(r).get("display") == "none"]
    assert hidden
    links = [declarations(r) for r in rules if 'a[href^="http"]::after' in selector(r)]
    assert links and 'attr(href)' in links[0]["content"]
    assert any(declarations(r).get("color", "").startswith("#000")
               and declarations(r).get("background", "").startswith("#fff") for r in rules)
    unbroken = [selector(r) for r in rules if declarations(r).get("break-inside") == "avoid"]
    assert any(".facts" in s for s in unbroken)


def hidden_in_print(page: str) -> list:
    """The elements of a page the print rules hide, matched as a browser would."""
    selectors = ", ".join(selector(r) for r in print_rules()
                          if declarations(r).get("display") == "none")
    matcher = cssselect2.Matcher()
    for compiled in cssselect2.compile_selector_list(selectors):
        matcher.add_selector(compiled, None)
    root = cssselect2.ElementWrapper.from_html_root(tinyhtml5.parse(page))
    return [element for element in root.iter_subtree() if matcher.match(element)]


def test_the_offer_page_marks_what_paper_does_not_need(portal):
    page = text(portal.test_client().get(f"/en/opportunities/{portal.ids['H1']}"))
    hidden = hidden_in_print(page)
    names = {(e.local_name, e.etree_element.get("class", ""), e.etree_element.get("aria-label"))
             for e in hidden}
    assert ("nav", "languages", "Language") in names  # the language list
    assert any(n == "footer" for n, _, _ in names)  # the footer and its links
    assert any(n == "form" and "offer-actions" in c for n, c, _ in names)  # workspace buttons
    assert any("handout-link" in c for _, c, _ in names)
    inside = {id(x) for e in hidden for x in e.iter_subtree()}
    root = cssselect2.ElementWrapper.from_html_root(tinyhtml5.parse(page))
    kept = [e for e in root.iter_subtree() if id(e) not in inside]
    assert any(e.local_name == "h1" for e in kept)  # the content stays: title, facts
    assert any(e.local_name == "dl" and "facts" in e.etree_element.get("class", "") for e in kept)


def test_the_search_page_hides_its_form_and_filters_in_print(portal):
    page = text(portal.test_client().get("/en/?q=welding"))
    classes = " ".join(e.etree_element.get("class", "") for e in hidden_in_print(page))
    assert "search" in classes.split() and "facets" in classes.split()


# --- the handout ---------------------------------------------------------------------------------

def test_an_offer_handout_is_a_pdf(portal):
    response = portal.test_client().get(f"/en/opportunities/{portal.ids['H2']}/handout.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert "noindex" in response.headers["X-Robots-Tag"]


def test_the_handout_page_has_title_provider_facts_link_and_date(portal):
    oid = portal.ids["H2"]
    page = text(portal.test_client().get(f"/en/opportunities/{oid}/handout.html"))
    assert '<html lang="en"' in page
    assert re.search(r"<h1[^>]*>Pipeline welding</h1>", page)
    assert "Weld Academy" in page and '<dl class="facts">' in page and "5 ECTS" in page
    assert "€450.00" in page
    assert f'href="http://localhost/en/opportunities/{oid}"' in page
    assert "Made on January 15, 2031" in page
    assert 'class="foreign"' not in page  # everything was given in English


def test_the_handout_page_style_is_allowed_by_its_nonce_only(portal):
    """A browser printing the .html twin applies its style: the strict policy names its nonce."""
    response = portal.test_client().get(f"/en/opportunities/{portal.ids['H2']}/handout.html")
    nonce = re.search(r'<style nonce="([^"]+)">', text(response)).group(1)
    policy = response.headers["Content-Security-Policy"]
    assert f"style-src 'self' 'nonce-{nonce}'" in policy
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy


def test_the_client_language_is_chosen_apart_from_the_interface(portal):
    client = portal.test_client()
    german = text(client.get(f"/en/opportunities/{portal.ids['H1']}/handout.html?client_lang=de"))
    assert '<html lang="de"' in german
    assert re.search(r'<h1>Schweißen für Einsteiger</h1>\s*<p class="provider">Angeboten von', german)
    assert "15. Januar 2031" in german
    assert f'href="http://localhost/de/opportunities/{portal.ids["H1"]}"' in german
    # the provider's name and outcomes were given in English only: marked, in German
    assert german.count('class="foreign"') == 2 and 'lang="en">Weld Academy' in german
    assert "Nicht verfügbar auf Deutsch; angezeigt auf Englisch." in german
    english_title = text(client.get(f"/de/opportunities/{portal.ids['H2']}/handout.html?client_lang=fr"))
    assert '<html lang="fr"' in english_title and english_title.count('class="foreign"') == 3


def test_bad_client_language_is_400_and_unknown_or_withdrawn_offer_404(portal):
    client = portal.test_client()
    oid = portal.ids["H1"]
    for kind in ("pdf", "html"):
        assert client.get(f"/en/opportunities/{oid}/handout.{kind}?client_lang=xx").status_code == 400
        assert client.get(f"/en/opportunities/999999/handout.{kind}").status_code == 404
    write_csv(portal.feed, OFFERS[1:])  # H1 leaves the provider's catalogue
    with portal.app_context(), services().sessions() as s:
        assert run(s, s.get(Source, portal.source_id)).status.value == "succeeded"
    assert client.get(f"/en/opportunities/{oid}").status_code == 410
    assert client.get(f"/en/opportunities/{oid}/handout.pdf").status_code == 404


def csrf(client) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', text(client.get("/en/"))).group(1)


def test_a_shortlist_handout_lists_its_offers(portal):
    client = portal.test_client()
    for remote_id in ("H1", "H3"):
        response = client.post("/en/shortlist/items", data={
            "csrf_token": csrf(client), "opportunity": portal.ids[remote_id]})
        assert response.status_code in (302, 303)
    with client.session_transaction() as session:
        token = session["shortlist"]
    page = text(client.get(f"/en/shortlists/{token}"))
    assert f'href="/en/shortlists/{token}/handout.pdf"' in page and "Handout (PDF)" in page
    handout = text(client.get(f"/en/shortlists/{token}/handout.html"))
    assert re.findall(r"<h2[^>]*>([^<]+)</h2>", handout) == ["Welding basics", "Welding safety"]
    pdf = client.get(f"/en/shortlists/{token}/handout.pdf?client_lang=de")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    assert "private" in pdf.headers["Cache-Control"]
    assert client.get(f"/en/shortlists/{token}/handout.pdf?client_lang=xx").status_code == 400
    assert client.get(f"/en/shortlists/{'A' * 32}/handout.pdf").status_code == 404


def test_the_offer_page_links_its_handout(portal):
    page = text(portal.test_client().get(f"/en/opportunities/{portal.ids['H1']}"))
    assert f'href="/en/opportunities/{portal.ids["H1"]}/handout.pdf"' in page
    assert 'name="client_lang"' in page
