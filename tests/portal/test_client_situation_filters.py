"""Funding and target groups as filters (issue 10): a guidance counsellor narrows the search
to what the client can pay with and is eligible for."""
import re

from catalogue.store import CatalogueStore
from portal.services import services


def stated(demo_app, field: str, code: str) -> int:
    """Offers in the index that state ``code`` in ``field``, counted from the catalogue."""
    with demo_app.app_context(), services().sessions() as s:
        return sum(code in getattr(o, field) for o in CatalogueStore(s).iter_indexable())


def found(page: str) -> int:
    match = re.search(r"(\d+) offers? found", page)
    assert match, "no count of results on the page"
    return int(match[1])


def test_funding_and_audience_are_labelled_filters_that_narrow_the_results(demo_app, client):
    page = client.get("/en/").get_data(as_text=True)
    assert "<legend>Funding you may use</legend>" in page and "<legend>Meant for</legend>" in page
    assert re.search(r'name="funding" value="ila"\s*>\s*<label for="[^"]+">Individual learning '
                     r'account <span class="count">', page)
    assert re.search(r'name="audience" value="job-seekers"\s*>\s*<label for="[^"]+">Job seekers '
                     r'<span class="count">', page)
    everything = found(page)
    for param, field, code in (("funding", "funding", "ila"),
                               ("audience", "target_groups", "job-seekers")):
        expected = stated(demo_app, field, code)
        assert 0 < expected < everything, (field, code)
        narrowed = client.get("/en/", query_string={param: code}).get_data(as_text=True)
        assert found(narrowed) == expected, param
        assert re.search(rf'name="{param}" value="{code}" checked', narrowed)
    german = client.get("/de/", query_string={"funding": "ila"}).get_data(as_text=True)
    assert "Individuelles Lernkonto" in german


def test_the_api_filters_by_funding_and_refuses_unknown_codes(demo_app, client):
    body = client.get("/api/v1/search", query_string={"funding": "ila", "lang": "en"}).get_json()
    assert body["total"] == stated(demo_app, "funding", "ila") and body["query"]["filters"] == {
        "funding": ["ila"]}
    assert {"value": "ila", "label": "Individual learning account",
            "count": body["total"], "selected": True} in body["facets"]["funding"]
    assert body["results"] and all("ila" in r["funding"] for r in body["results"])
    listed = client.get("/api/v1/search", query_string={"audience": "job-seekers"}).get_json()
    assert listed["results"] and all("job-seekers" in r["target_groups"]
                                     for r in listed["results"])
    bad = client.get("/api/v1/search", query_string={"audience": "astronauts"})
    assert bad.status_code == 400 and bad.mimetype == "application/problem+json"


def test_start_any_time_is_a_removable_filter(demo_app, client):
    with demo_app.app_context(), services().sessions() as s:
        expected = sum(bool(o.start_anytime) for o in CatalogueStore(s).iter_indexable())
    page = client.get("/en/", query_string={"anytime": "1"}).get_data(as_text=True)
    assert 0 < found(page) == expected
    assert re.search(r'id="anytime" name="anytime" value="1" checked>\s*<label for="anytime">'
                     r'Start any time</label>', page)
    assert '<span class="visually-hidden">Remove filter </span>Start any time' in page
    api = client.get("/api/v1/search", query_string={"anytime": "1"}).get_json()
    assert api["total"] == expected and api["query"]["start_anytime"] is True
    assert client.get("/api/v1/search", query_string={"anytime": "yes"}).status_code == 400


def test_starts_within_weeks_counts_from_the_fixed_today(demo_app, client, monkeypatch):
    """starts_within=N: a start from today to N weeks ahead, or any time; today is TODAY."""
    import datetime as dt
    with demo_app.app_context(), services().sessions() as s:
        offers = list(CatalogueStore(s).iter_indexable())
    dated = sorted({d for o in offers for d in o.start_dates})
    today = dt.date.fromisoformat(dated[len(dated) // 2])  # a day with starts before and after
    monkeypatch.setitem(demo_app.config, "TODAY", today)
    latest = today + dt.timedelta(weeks=4)
    expected = sum(o.start_anytime or any(today <= dt.date.fromisoformat(d) <= latest
                                          for d in o.start_dates) for o in offers)
    anytime = sum(bool(o.start_anytime) for o in offers)
    api = client.get("/api/v1/search", query_string={"starts_within": "4"}).get_json()
    assert anytime < api["total"] == expected < len(offers)
    assert api["query"]["start_from"] == today.isoformat()
    assert api["query"]["start_to"] == latest.isoformat()
    narrower = client.get("/api/v1/search", query_string={
        "starts_within": "4", "start_to": (today + dt.timedelta(days=3)).isoformat()}).get_json()
    assert narrower["query"]["start_to"] == (today + dt.timedelta(days=3)).isoformat()
    page = client.get("/en/", query_string={"starts_within": "4"}).get_data(as_text=True)
    assert found(page) == expected
    assert '<option value="4" selected>4 weeks</option>' in page
    assert '<span class="visually-hidden">Remove filter </span>Starts within 4 weeks' in page
    for bad in ("0", "105", "soon", "9" * 5000):
        response = client.get("/api/v1/search", query_string={"starts_within": bad})
        assert response.status_code == 400 and "starts_within" in response.get_data(as_text=True)


def within_workload(offer, fewest, most) -> bool:
    """The rule written out: stated hours as they are, else ECTS credits at 25 to 30 hours."""
    if offer.workload_hours is not None:
        low = high = offer.workload_hours
    elif offer.ects is not None:
        low, high = offer.ects * 25, offer.ects * 30
    else:
        return False
    return (fewest is None or high >= fewest) and (most is None or low <= most)


def test_workload_in_hours_finds_offers_stated_in_hours_or_in_ects(demo_app, client):
    with demo_app.app_context(), services().sessions() as s:
        offers = list(CatalogueStore(s).iter_indexable())
    hours_only = {o.id for o in offers if o.workload_hours is not None and o.ects is None}
    ects_only = {o.id for o in offers if o.ects is not None and o.workload_hours is None}
    assert hours_only and ects_only  # the demo states workloads both ways
    kinds = set()
    for fewest, most in ((None, 40), (20, 100), (100, None), (50, 60), (55, 55)):
        args = {k: v for k, v in (("hours_min", fewest), ("hours_max", most)) if v is not None}
        expected = {o.id for o in offers if within_workload(o, fewest, most)}
        body = client.get("/api/v1/search", query_string={**args, "per_page": 100}).get_json()
        assert {r["id"] for r in body["results"]} == expected, args
        assert (body["query"]["hours_min"], body["query"]["hours_max"]) == (fewest, most)
        kinds |= {"hours"} if expected & hours_only else set()
        kinds |= {"ects"} if expected & ects_only else set()
    assert kinds == {"hours", "ects"}  # both kinds were found by hours
    page = client.get("/en/", query_string={"hours_min": "20", "hours_max": "100"})
    html = page.get_data(as_text=True)
    assert "<legend>Workload in hours</legend>" in html
    assert re.search(r'id="hours_min" name="hours_min" inputmode="decimal" size="4" value="20"',
                     html)
    assert "Hours of work at least: 20" in html and "Hours of work at most: 100" in html
    german = client.get("/de/", query_string={"hours_min": "20"}).get_data(as_text=True)
    assert "Arbeitsaufwand in Stunden" in german and "Arbeitsstunden mindestens: 20" in german


def test_a_workload_that_is_no_range_of_hours_is_a_problem(client):
    for args, param in (({"hours_min": "lots"}, "hours_min"), ({"hours_max": "-5"}, "hours_max"),
                        ({"hours_min": "80", "hours_max": "40"}, "hours_max")):
        answer = client.get("/api/v1/search", query_string=args)
        assert answer.status_code == 400 and answer.mimetype == "application/problem+json"
        assert [p["param"] for p in answer.get_json()["errors"]] == [param], args
    assert client.get("/en/", query_string={"hours_min": "lots"}).status_code == 400
