"""Change feeds: a search as Atom, newest changes first; a re-harvest that changes an offer and
adds one puts both at the top, and `updated_since` (feed and API) gives exactly those two."""
import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select, update

from catalogue.models import Opportunity, Source
from harvesters.runner import run
from indexer.sync import sync_pending
from tests.conftest import harvest_feed, offer, scratch_app, write_csv

ATOM = "{http://www.w3.org/2005/Atom}"
LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)  # the first harvest, set back


@pytest.fixture
def catalogue(tmp_path):
    """An app with three harvested offers, all last changed on LONG_AGO; ``reharvest(rows)``
    harvests the feed again with new rows."""
    from portal.services import services
    app = scratch_app(tmp_path, ENCODER="none")
    feed = tmp_path / "feed.csv"
    rows = [offer("W-1", title_en="Welding basics"), offer("W-2", title_en="Pipe welding"),
            offer("D-1", title_en="Data analysis with Python", participation_form="onsite")]
    write_csv(feed, rows)
    harvested = harvest_feed(app, feed, ("feed-college", "Feed College", "DE"))
    assert harvested.added == 3
    source_id = harvested.source_id
    with app.app_context(), services().sessions() as s:
        s.execute(update(Opportunity).values(updated_at=LONG_AGO, first_seen_at=LONG_AGO,
                                             index_pending=True))
        s.commit()
        sync_pending(s, services().search)

    def reharvest(new_rows):
        write_csv(feed, new_rows)
        with app.app_context(), services().sessions() as s:
            return run(s, s.get(Source, source_id))
    return app, rows, reharvest


def entries(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.content_type == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.data)
    assert root.tag == f"{ATOM}feed" and root.find(f"{ATOM}id").text
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == "http://localhost" + url
    return root, [{"id": e.find(f"{ATOM}id").text, "title": e.find(f"{ATOM}title").text,
                   "updated": e.find(f"{ATOM}updated").text,
                   "link": e.find(f"{ATOM}link").get("href")} for e in root.findall(f"{ATOM}entry")]


def test_a_reharvest_puts_the_changed_and_the_new_offer_first(catalogue):
    app, rows, reharvest = catalogue
    client = app.test_client()
    _, before = entries(client, "/en/feed.atom")
    assert len(before) == 3 and {e["updated"] for e in before} == {"2000-01-01T00:00:00+00:00"}
    with app.app_context():
        from portal.services import services
        with services().sessions() as s:
            ids = dict(s.execute(select(Opportunity.remote_id, Opportunity.id)).all())
    assert {e["id"] for e in before} == {f"http://localhost/api/v1/opportunities/{i}"
                                         for i in ids.values()}
    run_ = reharvest([rows[0], {**rows[1], "title_en": "Pipe welding, advanced"}, rows[2],
                      offer("W-3", title_en="Underwater welding")])
    assert (run_.added, run_.updated) == (1, 1)
    root, after = entries(client, "/en/feed.atom")
    assert {e["title"] for e in after[:2]} == {"Pipe welding, advanced", "Underwater welding"}
    assert all(e["updated"] > "2000-01-01T00:00:00+00:00" for e in after[:2])
    assert [e["updated"] for e in after] == sorted((e["updated"] for e in after), reverse=True)
    assert root.find(f"{ATOM}updated").text == after[0]["updated"]
    # the same since a moment: only what changed, for a feed reader and for the API
    _, since = entries(client, "/en/feed.atom?updated_since=2000-01-02")
    assert {e["title"] for e in since} == {"Pipe welding, advanced", "Underwater welding"}
    api = client.get("/api/v1/search?updated_since=2000-01-02T00:00:00Z&sort=-updated").get_json()
    assert api["total"] == 2 and api["query"]["updated_since"] == "2000-01-02T00:00:00+00:00"
    assert {r["title"]["en"] for r in api["results"]} == {"Pipe welding, advanced",
                                                         "Underwater welding"}


def test_a_feed_keeps_the_search_and_its_filters(catalogue):
    app, _, _ = catalogue
    client = app.test_client()
    root, found = entries(client, "/de/feed.atom?q=welding&form=online")
    assert {e["title"] for e in found} == {"Welding basics", "Pipe welding"}
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "de"
    assert all("/de/opportunities/" in e["link"] for e in found)
    alternate = root.find(f"{ATOM}link[@rel='alternate']").get("href")
    assert "/de/?" in alternate and "q=welding" in alternate and "form=online" in alternate
    assert "sort=" not in alternate
    _, none = entries(client, "/en/feed.atom?q=zzzzqqqq+xxyyzz")
    assert none == []  # never the closest offers standing in for a match


def test_a_long_feed_pages_on_with_a_next_link(catalogue):
    app, _, _ = catalogue
    root, first = entries(app.test_client(), "/en/feed.atom?per_page=2")
    assert len(first) == 2
    assert "page=2" in root.find(f"{ATOM}link[@rel='next']").get("href")
    root, last = entries(app.test_client(), "/en/feed.atom?per_page=2&page=2")
    assert len(last) == 1 and root.find(f"{ATOM}link[@rel='next']") is None


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01", "9999-12-31T23:59:59-05:00",
                                   "1" * 5000])
def test_a_bad_moment_is_a_400_naming_it(catalogue, value):
    app, _, _ = catalogue
    client = app.test_client()
    assert client.get("/en/feed.atom", query_string={"updated_since": value}).status_code == 400
    problem = client.get("/api/v1/search", query_string={"updated_since": value})
    assert problem.status_code == 400
    assert problem.get_json()["errors"][0]["param"] == "updated_since"


def test_the_search_page_offers_its_feed(catalogue):
    app, _, _ = catalogue
    html = app.test_client().get("/en/?q=welding&form=online").get_data(as_text=True)
    links = [line for line in html.splitlines() if 'type="application/atom+xml"' in line]
    assert len(links) == 2  # in the head, for feed readers, and on the page, for people
    assert all("/en/feed.atom?q=welding" in line and "form=online" in line for line in links)
