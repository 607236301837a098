"""Pages on the demo catalogue: searches a newcomer would try, pages and their accessibility."""
import re

import pytest
from sqlalchemy import select

from catalogue.models import Opportunity, Provider
from portal.services import services


def html(response) -> str:
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def first_result_titles(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", t).strip()
            for t in re.findall(r'<h3><a href="/en/opportunities/\d+(?:\?results=[^"]*)?">(.*?)</a></h3>', page, re.S)]


def test_search_page_has_form_facets_and_results(client):
    page = html(client.get("/en/"))
    assert '<form class="search" method="get"' in page
    assert '<label for="q">' in page and 'id="q"' in page
    assert "<main" in page and "<header" in page and "<footer" in page
    assert re.search(r"\d+ offers found", page)
    for legend in ("EQF level", "Country", "Form of participation", "Language of instruction"):
        assert f"<legend>{legend}</legend>" in page
    # every checkbox has its label
    for box in re.findall(r'<input type="checkbox" id="([^"]+)"', page):
        assert f'<label for="{box}">' in page


@pytest.mark.parametrize("query, expected", [
    ("Schweißen", "Schweiß"),
    ("schweissen", "Schweiß"),
    ("soins infirmiers", "infirmi"),  # infirmiers, infirmière...
])
def test_real_needs_find_offers(client, query, expected):
    page = html(client.get("/en/", query_string={"q": query}))
    titles = first_result_titles(page)
    assert titles and expected in titles[0]
    assert "<mark>" in page


def test_words_that_name_filters_become_visible_filters(client):
    page = html(client.get("/en/", query_string={"q": "data analysis online, EQF 6"}))
    assert "with filters read from your words" in page
    assert "EQF level: EQF 6" in page and "Form of participation: Online" in page
    assert first_result_titles(page)
    literal = html(client.get("/en/", query_string={"q": "data analysis online, EQF 6", "literal": "1"}))
    assert "with filters read from your words" not in literal


def test_selected_filter_is_removable_and_other_values_stay(client):
    page = html(client.get("/en/", query_string={"form": "online"}))
    assert ('<span class="visually-hidden">Remove filter </span>Form of participation: Online'
            in page)
    assert re.search(r'value="onsite"\s*>', page)  # multi-select: other forms still offered


def test_pagination_links_keep_the_query(client):
    page = html(client.get("/en/", query_string={"sort": "title", "per_page": "10"}))
    link = re.search(r'<a rel="next" href="([^"]+)"', page).group(1)
    assert "sort=title" in link and "page=2" in link and "per_page=10" in link


def test_bad_parameters_are_a_400_page_not_a_stack_trace(client):
    response = client.get("/en/", query_string={"eqf": "12", "ects_min": "abc", "page": "-1"})
    assert response.status_code == 400
    page = html(response)
    assert "Invalid search parameters" in page and "Traceback" not in page
    assert "<code>eqf</code>" in page and "<code>ects_min</code>" in page and "<code>page</code>" in page


def test_opportunity_page_explains_every_element(demo_app, client):
    with demo_app.app_context(), services().sessions() as s:
        o = s.scalar(select(Opportunity).where(Opportunity.remote_id == "HWK-SCHW-01"))
    page = html(client.get(f"/en/opportunities/{o.id}"))
    assert "Standard elements of a micro-credential" in page
    for label in ("Awarding body", "Learning outcomes", "Notional workload", "Type of assessment",
                  "Form of participation", "Type of quality assurance", "Recognition policy"):
        assert label in page
    assert "9 of 9 mandatory elements stated by the provider" in page
    assert 'lang="de"' in page  # German text marked as such on an English page


def test_missing_mandatory_elements_are_shown_as_not_stated(demo_app, client):
    with demo_app.app_context(), services().sessions() as s:
        o = s.scalar(select(Opportunity).where(Opportunity.remote_id.like("%nll-mkt-03")))
    page = html(client.get(f"/en/opportunities/{o.id}"))
    assert "7 of 9 mandatory elements stated by the provider" in page
    assert page.count("Not stated by the provider") >= 2


def test_provider_page_lists_policy_and_offers(demo_app, client):
    with demo_app.app_context(), services().sessions() as s:
        provider = s.scalar(select(Provider).where(Provider.slug == "univ-rhone-confluence-fc"))
        offers = len(s.scalars(select(Opportunity).where(
            Opportunity.provider_id == provider.id)).all())
    page = html(client.get("/en/providers/univ-rhone-confluence-fc"))
    assert "Recognition policy" in page and "Quality assurance" in page
    assert f"{offers} offers" in page
    assert "Catalogue updates" in page


def test_unknown_pages_are_404_pages(client):
    assert client.get("/en/opportunities/999999").status_code == 404
    response = client.get("/en/providers/nobody")
    assert response.status_code == 404 and "Page not found" in html(response)


def test_an_offer_opened_from_results_leads_back_to_the_same_results(client):
    import re
    from html import unescape
    page = client.get("/de/", query_string={"q": "Schweißen", "form": "onsite", "page": "1"})
    link = unescape(re.search(r'<h3><a href="(/de/opportunities/\d+\?results=[^"]+)"',
                              page.get_data(as_text=True))[1])
    offer = client.get(link).get_data(as_text=True)
    back = unescape(re.search(r'<p class="back"><a href="([^"]+)">Zurück zu den Ergebnissen</a>',
                              offer)[1])
    assert back.startswith("/de/?") and "form=onsite" in back and "q=Schwei" in back
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', offer)[1]
    assert "results" not in canonical
    # whatever the parameter holds, the way back stays a search on this site
    hostile = client.get(link.split("?")[0], query_string={
        "results": "q=x&endpoint=evil&_external=1&next=//evil.example"}).get_data(as_text=True)
    assert re.search(r'<p class="back"><a href="/de/\?q=x">', hostile)
    assert '<p class="back">' not in client.get(link.split("?")[0]).get_data(as_text=True)
