"""A search as CSV (GET /api/v1/search.csv): learncat's own template, streamed, so that the file
harvested again by the CSV harvester gives the same offers; the search's 400s; the page's link."""
import csv
import io
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from catalogue import csv_export
from catalogue.models import Opportunity, Provider
from catalogue.record import OpportunityRecord
from indexer.sync import sync_pending
from portal import search_export
from tests.conftest import harvest_feed, offer, scratch_app, write_csv

ROWS = [
    offer("W-1", title_en="Welding basics", title_de="Schweißen Grundlagen",
          description_en='Arc welding, "MIG" and MAG, on steel', ects="2.5", eqf_level="4",
          languages="de|en", learning_outcomes_de="Eine Naht schweißen|Sicher arbeiten",
          place_city="Berlin|Köln", place_nuts="DE30|DEA23", place_country="DE|DE",
          place_geo="52.52 13.4|50.94 6.96", start_dates="2027-03-01|2027-09-01",
          duration="6 weeks", price="1250.50", currency="EUR", funding="employer",
          isced_f="0715", target_groups="employees", url="https://feed.test/w-1",
          further_info_url="https://feed.test/w-1/info",
          application_url="https://feed.test/w-1/apply", application_deadline="2027-02-01"),
    offer("W-2", title_en="Pipe welding", title_fr="Soudage de tuyaux", ects="6",
          eqf_level="5", awarding_body="Guild of Pipe Welders", start_anytime="yes",
          participation_form="blended", qa_type="internal|eqavet", workload_hours="150",
          place_city="Lyon", esco_skills="http://data.europa.eu/esco/skill/test-1"),
    offer("D-1", title_en="Data analysis with Python", participation_form="onsite",
          eqf_level="6", ects="5", languages="en|fr", prerequisites_en="Basic algebra"),
]
# what the catalogue holds that the template has no column for (csv_export says so)
NOT_IN_TEMPLATE = {"remote_id", "awarding_bodies", "credits", "prices", "sessions",
                   "subject_codes", "concept_labels", "extras"}


def app_with(tmp_path):
    return scratch_app(tmp_path, ENCODER="none")


def harvest(app, slug: str, feed) -> int:
    from portal.services import services
    added = harvest_feed(app, feed, (slug, slug.title(), "DE")).added
    with app.app_context(), services().sessions() as s:
        sync_pending(s, services().search)
    return added


@pytest.fixture
def catalogue(tmp_path):
    app = app_with(tmp_path)
    assert harvest(app, "feed-college", write_csv(tmp_path / "feed.csv", ROWS)) == 3
    return app


def records(app, slug: str) -> dict[str, OpportunityRecord]:
    from portal.services import services
    with app.app_context(), services().sessions() as s:
        rows = s.scalars(select(Opportunity).join(Provider).where(Provider.slug == slug))
        return {o.to_record().title["en"]: o.to_record() for o in rows}


def table(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True), newline="")))


def test_the_export_harvested_again_gives_the_same_offers(catalogue, tmp_path):
    response = catalogue.test_client().get("/api/v1/search.csv")
    assert response.status_code == 200 and response.is_streamed
    exported = tmp_path / "export.csv"
    exported.write_bytes(response.data)
    assert harvest(catalogue, "re-harvest", exported) == 3  # no row rejected

    before, after = records(catalogue, "feed-college"), records(catalogue, "re-harvest")
    assert set(before) == set(after) == {r["title_en"] for r in ROWS}
    for title, original in before.items():
        again = after[title]
        for name in vars(original).keys() - NOT_IN_TEMPLATE:
            assert getattr(again, name) == getattr(original, name), (title, name)
    welding = after["Welding basics"]  # the values themselves, not only their equality
    assert (welding.eqf_level, welding.ects, welding.languages) == (4, 2.5, ["de", "en"])
    assert welding.title["de"] == "Schweißen Grundlagen" and welding.awarding_body == "Test Academy"
    assert welding.url == "https://feed.test/w-1" and welding.price == 1250.5
    assert [p["nuts"] for p in welding.places] == ["DE30", "DEA23"]
    assert after["Pipe welding"].awarding_body == "Guild of Pipe Welders"


def test_the_answer_is_an_attachment_in_the_templates_columns(catalogue):
    response = catalogue.test_client().get("/api/v1/search.csv?form=onsite")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="learncat-search.csv"'
    assert response.headers["X-Total-Count"] == "1"
    rows = table(response)
    assert [r["title_en"] for r in rows] == ["Data analysis with Python"]
    assert rows[0]["id"] == "feed-college:D-1"
    template = csv_export.TEMPLATE.read_text(encoding="utf-8").split("\n", 1)[0].split(",")
    plain = [c for c in template if c in csv_export.PLAIN_ORDER]
    assert [c for c in rows[0] if c in plain] == plain  # the template's order


def test_the_rows_follow_the_search_order_across_batches(catalogue, monkeypatch):
    client = catalogue.test_client()
    order = [r["title"]["en"] for r in
             client.get("/api/v1/search?sort=-ects").get_json()["results"]]
    assert order == ["Pipe welding", "Data analysis with Python", "Welding basics"]
    monkeypatch.setattr(search_export, "BATCH", 1)  # one hit per search request
    rows = table(client.get("/api/v1/search.csv?sort=-ects&page=3&per_page=1"))
    assert [r["title_en"] for r in rows] == order  # page and per_page do not cut the file


def test_the_rows_stop_at_the_cap_and_the_header_gives_the_total(catalogue, monkeypatch):
    monkeypatch.setattr(search_export, "CAP", 2)
    response = catalogue.test_client().get("/api/v1/search.csv")
    assert len(table(response)) == 2 and response.headers["X-Total-Count"] == "3"


@pytest.mark.parametrize("query", ["eqf=9", "sort=cheapest", "radius=50", "ects_min=x"])
def test_invalid_parameters_give_the_searchs_400(catalogue, query):
    client = catalogue.test_client()
    response = client.get(f"/api/v1/search.csv?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["errors"] == client.get(f"/api/v1/search?{query}").get_json()[
        "errors"]


def test_a_search_without_results_gives_the_header_alone(catalogue):
    response = catalogue.test_client().get("/api/v1/search.csv?eqf=8")
    lines = response.get_data(as_text=True).splitlines()
    assert len(lines) == 1 and lines[0].startswith("id,")


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self._href = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href = dict(attrs).get("href")

    def handle_data(self, data):
        if self._href and data.strip():
            self.links.append((self._href, data.strip()))
            self._href = None


@pytest.mark.parametrize("lang, text", [("en", "Download these results (CSV)"),
                                        ("de", "Diese Ergebnisse herunterladen (CSV)")])
def test_the_search_page_links_to_its_results_as_csv(catalogue, lang, text):
    client = catalogue.test_client()
    page = client.get(f"/{lang}/?q=welding&form=blended")
    assert page.status_code == 200
    parser = Links()
    parser.feed(page.get_data(as_text=True))
    href = next(h for h, t in parser.links if t == text)
    assert href.startswith("/api/v1/search.csv?") and "form=blended" in href
    rows = table(client.get(href))
    assert [r["title_en"] for r in rows] == ["Pipe welding"]


def test_a_row_never_breaks_the_templates_lists():
    record = OpportunityRecord(
        remote_id="x", title={"en": "A|B"}, learning_outcomes={"en": ["Plan a|b test", "Report"]},
        places=[{"city": "Berlin", "nuts": "DE30", "country": "DE", "lat": None, "lon": None},
                {"city": "Online hub", "nuts": None, "country": "DE", "lat": None, "lon": None}],
        duration_value=90.0, duration_unit="minute", price=0.125)
    cells = csv_export.row(record)
    assert cells["learning_outcomes_en"] == "Plan a/b test|Report"
    assert cells["place_city"] == "Berlin|Online hub" and cells["place_country"] == "DE|DE"
    assert "place_nuts" not in cells  # one place has none: the column cannot say which
    assert cells["duration"] == "1.5 hour" and cells["price"] == "0.12"
