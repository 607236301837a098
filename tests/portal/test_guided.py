"""Guided search (issue 10): a few plain questions whose answers are the search's own
parameters; answered, they land on the normal search page, where each is a filter that can be
removed; opened with a search, the questions show its answers."""
import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from lxml import html

from catalogue.store import CatalogueStore
from indexer import places
from indexer.places import distances_km
from portal.services import services

LEGENDS = ["How much time can you give to it in total?", "How do you want to take part?",
           "Near which place?", "At which level?",
           "Does it need to be free, or paid for by funding you can use?",
           "Funding you may use", "When can you start?"]


def guided_form(page: str):
    """The guided search's form, as lxml parses it (its controls and what they send)."""
    forms = html.fromstring(page).xpath('//form[contains(@class, "guided")]')
    assert len(forms) == 1
    return forms[0]


def submit(client, form, /, **answers):
    """Submit ``form`` as a browser would, with ``answers`` (name -> value, or a set of values
    for checkboxes) chosen: every successful control, hidden ones included."""
    for name, value in answers.items():
        if isinstance(value, set):  # tick these boxes, and only these
            for box in form.xpath(f'.//input[@type="checkbox"][@name="{name}"]'):
                box.checked = box.get("value") in value
        else:
            form.inputs[name].value = value
    return client.get(urlsplit(form.action).path, query_string=sent(form))


def sent(form) -> list[tuple[str, str]]:
    """What a browser sends of ``form`` (HTML's form data set): an empty value attribute is an
    empty value, where lxml's form_values() would send "on"."""
    values = []
    for control in form.xpath(".//input[@name] | .//select[@name]"):
        if control.tag == "select":
            options = control.xpath(".//option")
            chosen = [o for o in options if o.get("selected") is not None] or options[:1]
            values += [(control.get("name"), o.get("value", o.text_content())) for o in chosen]
        elif control.get("type") in ("checkbox", "radio"):
            if control.get("checked") is not None:
                values.append((control.get("name"), control.get("value", "on")))
        elif control.get("type") not in ("submit", "button", "reset", "image"):
            values.append((control.get("name"), control.get("value", "")))
    return values


def ticked(form, name: str) -> set[str]:
    return {box.get("value") for box in form.xpath(f'.//input[@name="{name}"]') if box.checked}


def offers(demo_app):
    with demo_app.app_context(), services().sessions() as s:
        return list(CatalogueStore(s).iter_indexable())


def search_params(response) -> dict[str, list[str]]:
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert location.path == "/en/"
    return parse_qs(location.query, keep_blank_values=True)


def api_ids(client, params: dict) -> set[int]:
    body = client.get("/api/v1/search", query_string={**params, "per_page": 100}).get_json()
    assert body["total"] <= 100
    return {r["id"] for r in body["results"]}


def found(page: str) -> int:
    match = re.search(r"(\d+) offers? found", page)
    assert match, "no count of results on the page"
    return int(match[1])


def chips(page: str) -> dict[str, str]:
    """The active filters of a search page: their words -> the link that removes each."""
    section = html.fromstring(page).xpath('//section[@class="active"]')
    if not section:
        return {}
    return {" ".join(a.text_content().replace("×", "").split()).removeprefix("Remove filter "):
            a.get("href") for a in section[0].xpath(".//li/a")}


@pytest.mark.parametrize("lang", ["en", "de", "el", "mt"])
def test_the_questions_are_asked_in_the_readers_language(client, lang):
    response = client.get(f"/{lang}/guided")
    assert response.status_code == 200
    doc = html.fromstring(response.get_data(as_text=True))
    assert doc.get("lang") == lang
    legends = [" ".join(e.text_content().split()) for e in guided_form(
        response.get_data(as_text=True)).xpath(".//legend")]
    assert len(legends) == len(LEGENDS)
    if lang == "en":
        assert legends == LEGENDS
    else:  # every question translated, none left in English
        assert all(mine != english for mine, english in zip(legends, LEGENDS)), legends
        button = doc.xpath('//form[contains(@class, "guided")]//button')[0].text_content()
        assert button.strip() not in ("", "Show the offers")
    if lang == "de":
        assert "Wie möchten Sie teilnehmen?" in legends
    if lang == "el":
        assert "Πότε μπορείτε να ξεκινήσετε;" in legends


def test_the_search_page_leads_to_the_questions_with_its_search(client):
    page = client.get("/en/", query_string={"q": "welding", "eqf": "4"}).get_data(as_text=True)
    links = html.fromstring(page).xpath('//a[contains(., "Answer a few questions")]')
    assert len(links) == 1
    href = urlsplit(links[0].get("href"))
    assert href.path == "/en/guided" and parse_qs(href.query) == {"q": ["welding"], "eqf": ["4"]}
    form = guided_form(client.get(links[0].get("href")).get_data(as_text=True))
    assert form.inputs["q"].value == "welding" and ticked(form, "eqf") == {"4"}


def test_every_control_has_a_label_and_every_group_a_legend(client):
    for lang in ("en", "el"):
        form = guided_form(client.get(f"/{lang}/guided").get_data(as_text=True))
        controls = form.xpath('.//input[not(@type="hidden")] | .//select')
        assert len(controls) > 20
        for control in controls:
            labels = form.xpath(f'.//label[@for="{control.get("id")}"]')
            assert control.get("id") and len(labels) == 1, html.tostring(control)
            assert labels[0].text_content().strip(), control.get("id")
            if control.get("type") in ("radio", "checkbox"):
                legend = control.xpath("ancestor::fieldset[1]/legend")
                assert legend and legend[0].text_content().strip(), control.get("id")
        assert len(set(form.xpath(".//@id"))) == len(form.xpath(".//@id"))  # ids unique
        assert form.get("method") == "get" and not html.fromstring(
            client.get(f"/{lang}/guided").get_data(as_text=True)).xpath("//script")


def test_online_and_free_land_on_a_search_of_online_free_offers(demo_app, client):
    form = guided_form(client.get("/en/guided").get_data(as_text=True))
    response = submit(client, form, form={"online"}, price={"free"})
    params = search_params(response)
    assert params == {"form": ["online"], "price": ["free"]}  # no empty answer comes along
    expected = {o.id for o in offers(demo_app) if o.participation_form == "online" and o.price == 0}
    assert expected and api_ids(client, params) == expected
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert found(page) == len(expected)
    active = chips(page)
    assert set(active) == {"Form of participation: Online", "Cost: Free"}
    unfree = client.get(active["Cost: Free"]).get_data(as_text=True)  # each can be removed
    assert chips(unfree).keys() == {"Form of participation: Online"}
    assert found(unfree) == sum(o.participation_form == "online" for o in offers(demo_app))


def test_start_any_time_is_an_answer_and_a_filter(demo_app, client):
    form = guided_form(client.get("/en/guided").get_data(as_text=True))
    response = submit(client, form, anytime={"1"})
    assert search_params(response) == {"anytime": ["1"]}
    expected = {o.id for o in offers(demo_app) if o.start_anytime}
    assert expected and api_ids(client, {"anytime": "1"}) == expected
    active = chips(client.get(response.headers["Location"]).get_data(as_text=True))
    assert set(active) == {"Start any time"}
    assert found(client.get(active["Start any time"]).get_data(as_text=True)) == len(
        offers(demo_app))


def within(offer, most: float) -> bool:
    """The workload rule written out: stated hours, else ECTS credits at 25 to 30 hours."""
    if offer.workload_hours is not None:
        return offer.workload_hours <= most
    return offer.ects is not None and offer.ects * 25 <= most


def test_time_level_funding_and_start_become_their_filters(demo_app, client, monkeypatch):
    catalogue = offers(demo_app)
    dated = sorted({d for o in catalogue for d in o.start_dates})
    today = dt.date.fromisoformat(dated[len(dated) // 4])
    monkeypatch.setitem(demo_app.config, "TODAY", today)
    form = guided_form(client.get("/en/guided").get_data(as_text=True))
    response = submit(client, form, hours_max="150", eqf={"5", "6"}, funding={"ila", "employer"},
                      starts_within="26")
    params = search_params(response)
    assert params == {"hours_max": ["150"], "eqf": ["5", "6"], "funding": ["ila", "employer"],
                      "starts_within": ["26"]}
    latest = today + dt.timedelta(weeks=26)
    expected = {o.id for o in catalogue if within(o, 150) and o.eqf_level in (5, 6)
                and {"ila", "employer"} & set(o.funding) and (o.start_anytime or any(
                    today <= dt.date.fromisoformat(d) <= latest for d in o.start_dates))}
    assert expected and api_ids(client, params) == expected
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert found(page) == len(expected)
    assert set(chips(page)) == {
        "EQF level: EQF 5", "EQF level: EQF 6", "Funding you may use: Individual learning account",
        "Funding you may use: Employer-funded", "Hours of work at most: 150",
        "Starts within 26 weeks"}


def test_a_place_and_online_offers_too(demo_app, client):
    form = guided_form(client.get("/en/guided").get_data(as_text=True))
    response = submit(client, form, near="Lyon", radius_km="50", online={"include"})
    params = search_params(response)
    assert params == {"near": ["Lyon"], "radius_km": ["50"], "online": ["include"]}
    lyon = places.lookup("Lyon")
    near = {o.id for o in offers(demo_app) if o.participation_form == "online" or any(
        distances_km(lyon.lat, lyon.lon, np.array([p["lat"]]), np.array([p["lon"]]))[0] <= 50
        for p in o.places if p.get("lat") is not None)}
    online = {o.id for o in offers(demo_app) if o.participation_form == "online"}
    assert near - online and near & online  # places near Lyon and online offers both
    assert api_ids(client, params) == near
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert set(chips(page)) == {"Within 50 km of Lyon, online offers included"}
    # a distance or "online offers too" with no place says nothing: it is left out
    form = guided_form(client.get("/en/guided").get_data(as_text=True))
    assert search_params(submit(client, form, radius_km="100", online={"include"})) == {}


def test_a_place_the_search_does_not_know_is_asked_again(client):
    form = guided_form(client.get("/en/guided").get_data(as_text=True))
    response = submit(client, form, near="Atlantis", form={"onsite"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "“Atlantis” is not a place we know." in page
    again = guided_form(page)
    assert again.inputs["near"].value == "Atlantis"
    assert again.xpath('.//input[@name="near"]/@aria-invalid') == ["true"]
    assert ticked(again, "form") == {"onsite"}  # the other answers are kept
    fixed = submit(client, again, near="Madrid")
    assert search_params(fixed) == {"form": ["onsite"], "near": ["Madrid"]}


def test_a_search_fills_in_the_answers_and_keeps_its_other_filters(client):
    page = client.get("/en/guided", query_string=[
        ("q", "data analysis"), ("hours_max", "40"), ("form", "online"), ("form", "blended"),
        ("near", "Porto"), ("radius_km", "100"), ("eqf", "6"), ("price", "free"),
        ("funding", "pes-voucher"), ("starts_within", "8"), ("anytime", "1"),
        ("language", "pt"), ("ects_min", "2"), ("sort", "start")]).get_data(as_text=True)
    form = guided_form(page)
    assert form.inputs["q"].value == "data analysis"
    assert form.inputs["hours_max"].value == "40" and form.inputs["starts_within"].value == "8"
    assert ticked(form, "form") == {"online", "blended"}
    assert form.inputs["near"].value == "Porto" and form.inputs["radius_km"].value == "100"
    assert ticked(form, "eqf") == {"6"} and ticked(form, "price") == {"free"}
    assert ticked(form, "funding") == {"pes-voucher"}
    assert ticked(form, "anytime") == {"1"} and ticked(form, "online") == set()
    assert "Language of instruction: Portuguese" in page and "ECTS at least: 2" in page
    # changed and sent again: the new answer, with the search's other filters as they were
    params = search_params(submit(client, form, hours_max="", eqf={"5"}))
    assert params == {"q": ["data analysis"], "form": ["online", "blended"], "near": ["Porto"],
                      "radius_km": ["100"], "eqf": ["5"], "price": ["free"],
                      "funding": ["pes-voucher"], "starts_within": ["8"], "anytime": ["1"],
                      "language": ["pt"], "ects_min": ["2"], "sort": ["start"]}


def test_an_answer_the_questions_do_not_offer_is_shown_chosen(client):
    form = guided_form(client.get("/en/guided", query_string={
        "hours_max": "25", "starts_within": "3", "radius_km": "30"}).get_data(as_text=True))
    assert form.inputs["hours_max"].value == "25"
    assert form.inputs["starts_within"].value == "3"
    assert form.inputs["radius_km"].value == "30"
    labels = {" ".join(label.text_content().split()) for label in form.xpath(".//label")}
    assert {"Hours of work at most: 25", "Starts within 3 weeks"} <= labels


@pytest.mark.parametrize("query", [
    {"eqf": "99"}, {"form": "teleport"}, {"price": "cheap"}, {"hours_max": "lots"},
    {"hours_min": "80", "hours_max": "40"}, {"lat": "abc", "lon": "3"}, {"lat": "91"},
    {"starts_within": "9" * 5000}, {"start_from": "2999-01-01", "starts_within": "4"},
    {"near": "x" * 5000}, {"q": "q" * 5000}, {"radius_km": "-1", "near": "Lyon"},
    {"sort": "<script>"}, {"page": "0"}, {"country": "ZZ", "region": "??"},
    {"provider": "../../etc"}, {"updated_since": "yesterday"}, {"go": "1", "eqf": "0"},
    {"go": "1", "near": "\x00"}, {"per_page": "1e9"}, {"_external": "1", "endpoint": "x"},
])
def test_hostile_parameters_are_left_out_never_an_error(client, query):
    response = client.get("/el/guided", query_string=query)
    assert response.status_code in (200, 400), query
    if response.status_code != 200:
        return
    form = guided_form(response.get_data(as_text=True))
    assert len(form.inputs["q"].value) <= 200 and len(form.inputs["near"].value) <= 100
    again = submit(client, form)  # sent on as it stands: what it carries, the search can use
    if again.status_code == 303:
        assert client.get(again.headers["Location"]).status_code == 200, query
    else:  # a place it does not know, asked again
        assert again.status_code == 200 and guided_form(again.get_data(as_text=True)).xpath(
            './/input[@name="near"][@aria-invalid="true"]'), query


def test_valid_answers_with_a_refused_one_are_kept(client):
    form = guided_form(client.get("/en/guided", query_string=[
        ("eqf", "5"), ("eqf", "99"), ("form", "online")]).get_data(as_text=True))
    assert ticked(form, "eqf") == {"5"} and ticked(form, "form") == {"online"}
    page = client.get("/en/guided", query_string={"eqf": "99"}).get_data(as_text=True)
    assert "could not be used" in page
    assert "could not be used" not in client.get("/en/guided").get_data(as_text=True)


@pytest.mark.parametrize("demo_app", ["sqlite"], indirect=True)
@pytest.mark.parametrize("width", [1280, 320])
def test_answered_by_keyboard_alone_without_javascript(browser, base_url, width):
    """In a real browser (tests/portal/conftest.py), no script, keyboard only: tick two answers,
    send the form with Enter, land on the search with those filters."""
    context = browser.new_context(java_script_enabled=False,
                                  viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        page.goto(base_url + "/en/guided")
        for name, value in (("form", "online"), ("price", "free")):
            for _ in range(80):
                page.keyboard.press("Tab")
                if page.evaluate(f"(e => e.name === '{name}' && e.value === '{value}')"
                                 "(document.activeElement)"):
                    break
            else:
                raise AssertionError(f"{name}={value} not reached by Tab")
            page.keyboard.press("Space")
            assert page.evaluate("document.activeElement.checked")
        for _ in range(80):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.type === 'submit'"):
                break
        page.keyboard.press("Enter")
        page.wait_for_url("**/en/?form=online&price=free")
        assert page.get_by_role("link", name="Remove filter Cost: Free").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()
