"""The counsellor's workspace: shortlists under a private link, saved searches, compare."""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask.testing import FlaskClient
from sqlalchemy import inspect, select
from werkzeug.serving import make_server

from catalogue import workspace
from catalogue.db import alembic_config, upgrade
from catalogue.models import Base, Opportunity, Source, Status
from harvesters.runner import run
from portal.services import services
from tests.conftest import harvest_feed, offer, scratch_app, write_csv

TABLES = {"shortlist", "shortlist_item", "saved_search"}
OFFERS = [
    offer("W1", title_en="Welding basics", ects="3", eqf_level="4", price="0",
          participation_form="onsite", place_city="Graz", start_dates="2031-03-02",
          funding="pes-voucher"),
    offer("W2", title_en="Welding for pipelines", ects="5", eqf_level="4", price="450",
          currency="EUR", participation_form="onsite", place_city="Linz",
          start_dates="2031-04-06"),
    offer("W3", title_en="Welding inspection", ects="3", eqf_level="5", price="0",
          participation_form="online", start_anytime="yes"),
    offer("W4", title_en="Robot welding", ects="6", eqf_level="5", price="900", currency="EUR"),
    offer("W5", title_en="Welding safety", ects="1", eqf_level="3", price="0"),
]


@dataclass
class Portal:
    app: object
    client: FlaskClient
    ids: dict[str, int]
    feed: Path
    source_id: int

    def harvest(self, rows: list[dict]) -> None:
        """Harvest the feed again, as it now reads: missing offers are retired."""
        write_csv(self.feed, rows)
        with self.app.app_context(), services().sessions() as s:
            assert run(s, s.get(Source, self.source_id)).status.value == "succeeded"

    def token(self) -> str:
        with self.client.session_transaction() as session:
            return session["shortlist"]


@pytest.fixture
def portal(tmp_path) -> Portal:
    feed = write_csv(tmp_path / "feed.csv", OFFERS)
    app = scratch_app(tmp_path, ENCODER="none")
    harvested = harvest_feed(app, feed, ("weld-academy", "Weld Academy", "AT"))
    assert harvested.added == len(OFFERS)
    return Portal(app, app.test_client(), harvested.ids, feed, harvested.source_id)


def html(response) -> str:
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def csrf(client: FlaskClient, path: str = "/en/") -> str:
    page = html(client.get(path))
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def post(client: FlaskClient, path: str, **form):
    form.setdefault("csrf_token", csrf(client))
    return client.post(path, data=form)


def add(portal: Portal, remote_id: str, **form):
    return post(portal.client, "/en/shortlist/items", opportunity=portal.ids[remote_id], **form)


def shortlist_path(response) -> str:
    assert response.status_code == 303
    path = urlsplit(response.headers["Location"]).path
    assert re.fullmatch(r"/en/shortlists/[A-Za-z0-9_-]{32}", path)
    return path


def card_titles(page: str) -> list[str]:
    return [unescape(re.sub(r"<[^>]+>", "", t)).strip()
            for t in re.findall(r'<h3 id="offer-[^"]+">(.*?)</h3>', page, re.S)]


# --- shortlist ---------------------------------------------------------------------------------

def test_first_add_makes_a_private_shortlist_and_later_adds_go_to_it(portal):
    first = add(portal, "W1", next="/en/?q=welding")
    path = shortlist_path(first)  # the first add shows the new shortlist
    page = html(portal.client.get(path))
    assert "Your shortlist has been made" in page
    assert card_titles(page) == ["Welding basics"]
    assert f'value="http://localhost{path}"' in page  # its link, to keep or send
    again = add(portal, "W3", next="/en/?q=welding")
    assert again.status_code == 303  # later adds return to where they were made
    assert again.headers["Location"].endswith(f"/en/?q=welding#offer-{portal.ids['W3']}")
    assert card_titles(html(portal.client.get(path))) == ["Welding basics", "Welding inspection"]
    twice = add(portal, "W3", next="/en/")
    assert twice.status_code == 303
    assert card_titles(html(portal.client.get(path))).count("Welding inspection") == 1


def test_the_token_is_long_random_and_only_its_hash_is_stored(portal):
    path = shortlist_path(add(portal, "W1"))
    token = path.rsplit("/", 1)[1]
    assert len(token) >= 24 and token == portal.token()
    other = FlaskClient(portal.app)  # another device
    shortlist_path(post(other, "/en/shortlist/items", opportunity=portal.ids["W2"]))
    with portal.client.session_transaction() as session:
        mine = session["shortlist"]
    with other.session_transaction() as session:
        theirs = session["shortlist"]
    assert mine != theirs
    with portal.app.app_context(), services().sessions() as s:
        stored = s.scalars(select(workspace.Shortlist.token_hash)).all()
    assert len(stored) == 2 and token not in stored and workspace.digest(token) in stored


def test_unknown_or_malformed_token_is_404(portal):
    shortlist_path(add(portal, "W1"))
    real = portal.token()
    for bad in ("A" * 32, real[:-1], real + "x", "..%2F..", "1"):
        response = portal.client.get(f"/en/shortlists/{bad}")
        assert response.status_code == 404, bad
        assert "Page not found" in html(response)
    response = post(portal.client, f"/en/shortlists/{'B' * 32}/name", name="x")
    assert response.status_code == 404


def test_name_remove_and_open_on_another_device(portal):
    path = shortlist_path(add(portal, "W1"))
    add(portal, "W2")
    named = post(portal.client, f"{path}/name", name="  Anna,   welding, spring ")
    assert named.status_code == 303 and named.headers["Location"].endswith(path)
    page = html(portal.client.get(path))
    assert "<h1>Anna, welding, spring</h1>" in page and "The name has been saved." in page
    assert "<title>Anna, welding, spring · learncat</title>" in page
    removed = post(portal.client, f"{path}/items/remove", opportunity=portal.ids["W1"])
    assert removed.status_code == 303
    assert card_titles(html(portal.client.get(path))) == ["Welding for pipelines"]

    other = FlaskClient(portal.app)  # the link alone opens it, and it becomes that device's list
    page = html(other.get(path))
    assert "<h1>Anna, welding, spring</h1>" in page
    post(other, "/en/shortlist/items", opportunity=portal.ids["W5"], next="/en/")
    assert card_titles(html(portal.client.get(path))) == ["Welding for pipelines", "Welding safety"]


def test_remove_from_a_result_card_returns_to_the_results(portal):
    add(portal, "W1")
    response = post(portal.client, "/en/shortlist/items/remove", opportunity=portal.ids["W1"],
                    next="/en/?q=welding")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/en/?q=welding#offer-{portal.ids['W1']}")
    assert "No offers yet" in html(portal.client.get(f"/en/shortlists/{portal.token()}"))


def test_way_back_never_leaves_the_site(portal):
    add(portal, "W1")
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"):
        response = add(portal, "W2", next=target)
        assert urlsplit(response.headers["Location"]).netloc in ("", "localhost"), target
        remove = post(portal.client, "/en/shortlist/items/remove", opportunity=portal.ids["W2"],
                      next=target)
        assert urlsplit(remove.headers["Location"]).netloc in ("", "localhost"), target


def test_every_change_needs_the_csrf_token(portal):
    path = shortlist_path(add(portal, "W1"))
    attempts = [("/en/shortlist/items", {"opportunity": portal.ids["W2"]}),
                ("/en/shortlist/items/remove", {"opportunity": portal.ids["W1"]}),
                ("/en/shortlist/searches", {"query": "q=welding", "name": "x"}),
                ("/en/shortlists", {}),
                (f"{path}/name", {"name": "stolen"}),
                (f"{path}/items/remove", {"opportunity": portal.ids["W1"]})]
    for url, form in attempts:
        for token in (None, "wrong"):
            data = dict(form, **({"csrf_token": token} if token else {}))
            assert portal.client.post(url, data=data).status_code == 400, (url, token)
    page = html(portal.client.get(path))
    assert card_titles(page) == ["Welding basics"] and "stolen" not in page
    assert "x</a>" not in page


def test_the_same_offer_added_twice_at_once_is_kept_once(portal, monkeypatch):
    path = shortlist_path(add(portal, "W1"))

    def racing(session, shortlist, opportunity):  # the other tab's insert won meanwhile
        shortlist.items.append(workspace.ShortlistItem(opportunity=opportunity))
        session.flush()
    monkeypatch.setattr(workspace, "add", racing)
    response = add(portal, "W1", next="/en/")
    assert response.status_code == 303
    assert card_titles(html(portal.client.get(path))) == ["Welding basics"]


def test_bad_offer_numbers_are_400_and_unknown_offers_404(portal):
    assert post(portal.client, "/en/shortlist/items", opportunity="abc").status_code == 400
    assert post(portal.client, "/en/shortlist/items", opportunity="9" * 30).status_code == 400
    assert post(portal.client, "/en/shortlist/items", opportunity="999999").status_code == 404


def test_the_shortlist_holds_at_most_max_items(portal, monkeypatch):
    monkeypatch.setattr(workspace, "MAX_ITEMS", 2)
    path = shortlist_path(add(portal, "W1"))
    add(portal, "W2")
    full = add(portal, "W3", next="/en/")
    assert full.status_code == 303 and full.headers["Location"].endswith(path)
    page = html(portal.client.get(path))
    assert "This shortlist is full: it holds at most 2 offers." in page
    assert card_titles(page) == ["Welding basics", "Welding for pipelines"]


def test_a_retired_offer_stays_on_the_shortlist_as_withdrawn(portal):
    path = shortlist_path(add(portal, "W1"))
    add(portal, "W2")
    renamed = [dict(row, title_en="Pipeline welding, new edition") if row["id"] == "W2" else row
               for row in OFFERS if row["id"] != "W1"]
    portal.harvest(renamed)  # W1 left the provider's feed, W2 changed its title
    with portal.app.app_context(), services().sessions() as s:
        assert s.get(Opportunity, portal.ids["W1"]).status is Status.RETIRED
    page = html(portal.client.get(path))
    assert card_titles(page) == ["Welding basics", "Pipeline welding, new edition"]
    cards = page.split('<li class="card')[1:]
    assert "Withdrawn" in cards[0] and "no longer in the provider's catalogue" in cards[0]
    assert "Withdrawn" not in cards[1]
    # a withdrawn offer cannot be added again, and says why
    other = FlaskClient(portal.app)
    refused = post(other, "/en/shortlist/items", opportunity=portal.ids["W1"])
    page = html(other.get(refused.headers["Location"]))
    assert "no longer in the provider's catalogue" in unescape(page) and card_titles(page) == []


def test_result_cards_and_offer_pages_carry_the_shortlist_buttons(portal):
    page = html(portal.client.get("/en/", query_string={"q": "welding"}))
    assert page.count('form="shortlist-add"') == len(OFFERS)
    assert '<form id="shortlist-add" method="post" action="/en/shortlist/items">' in page
    # the forms the cards' buttons submit are not nested in the search form
    search_form = page[page.index('<form class="search"'):page.index("</form>")]
    assert "<form" not in search_form[1:]
    assert 'value="/en/?q=welding"' in page  # the way back
    add(portal, "W2")
    page = html(portal.client.get("/en/", query_string={"q": "welding"}))
    assert page.count('form="shortlist-remove"') == 1
    assert f'form="shortlist-remove" name="opportunity" value="{portal.ids["W2"]}"' in page
    offer_page = html(portal.client.get(f"/en/opportunities/{portal.ids['W2']}"))
    assert "This offer is on your shortlist." in offer_page and "Remove from shortlist" in offer_page
    offer_page = html(portal.client.get(f"/en/opportunities/{portal.ids['W3']}"))
    assert 'action="/en/shortlist/items"' in offer_page and "Add to shortlist" in offer_page


def test_without_a_shortlist_the_page_says_how_to_start_one(portal):
    page = html(portal.client.get("/en/shortlist"))
    assert "There is no shortlist on this device yet" in page
    made = post(portal.client, "/en/shortlists")
    path = shortlist_path(made)
    assert "A new, empty shortlist has been made" in html(portal.client.get(path))
    assert portal.client.get("/en/shortlist").headers["Location"].endswith(path)


def test_shortlist_pages_are_private_and_translated(portal):
    path = shortlist_path(add(portal, "W1"))
    response = portal.client.get(path)
    assert "noindex" in response.headers["X-Robots-Tag"]
    assert "private" in response.headers["Cache-Control"]
    page = html(response)
    assert f'href="{path.replace("/en/", "/de/")}" hreflang="de"' in page  # the language list
    german = html(portal.client.get(path.replace("/en/", "/de/")))
    assert '<html lang="de"' in german and "Merkliste" in german


# --- saved searches ----------------------------------------------------------------------------

def test_save_a_search_keeps_known_parameters_only(portal):
    page = html(portal.client.get("/en/", query_string={"q": "welding", "eqf": "4"}))
    assert "Save this search to my shortlist" in page
    query = unescape(re.search(r'name="query" value="([^"]*)"', page).group(1))
    assert parse_qs(query) == {"q": ["welding"], "eqf": ["4"]}
    saved = post(portal.client, "/en/shortlist/searches", name="Anna: welding",
                 query=query + "&page=3&_external=1&endpoint=x")
    assert saved.status_code == 303 and saved.headers["Location"].endswith("#searches")
    page = html(portal.client.get(saved.headers["Location"]))
    link = re.search(r'<a id="search-\d+" href="([^"]+)">Anna: welding</a>', page).group(1)
    assert parse_qs(urlsplit(unescape(link)).query) == {"q": ["welding"], "eqf": ["4"]}
    assert "The search has been saved in your shortlist." in page
    results = html(portal.client.get(unescape(link)))
    assert "Welding basics" in results and "Robot welding" not in results  # EQF 4 only
    feed = re.search(r'<a href="([^"]+)" type="application/atom\+xml"', page).group(1)
    atom = portal.client.get(unescape(feed))  # a feed reader follows the saved search
    assert atom.status_code == 200 and atom.mimetype == "application/atom+xml"
    titles = re.findall(r"<title[^>]*>([^<]+)</title>", atom.get_data(as_text=True))[1:]
    assert "Welding basics" in titles and "Robot welding" not in titles
    search_id = re.search(r'id="search-(\d+)"', page).group(1)
    gone = post(portal.client, f"/en/shortlists/{portal.token()}/searches/{search_id}/remove")
    assert "No saved searches yet" in html(portal.client.get(gone.headers["Location"]))


# --- compare -----------------------------------------------------------------------------------

def compare(portal: Portal, *remote_ids: str, **extra):
    ids = [portal.ids[r] if r in portal.ids else r for r in remote_ids]
    return portal.client.get("/en/compare", query_string={"id": ids, **extra})


def rows(page: str) -> dict[str, tuple[bool, list[str]]]:
    """Row label -> (marked as differing, cell texts)."""
    found = {}
    for attrs, th, cells in re.findall(r'<tr( class="differs")?>\s*<th scope="row">(.*?)</th>(.*?)</tr>',
                                       page, re.S):
        label = unescape(re.sub(r"<span.*", "", th, flags=re.S)).strip()
        texts = [" ".join(unescape(re.sub(r"<[^>]+>", " ", c)).split())
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)]
        found[label] = (bool(attrs) and "Differs" in th, texts)
    return found


@pytest.mark.parametrize("count", [2, 3, 4])
def test_compare_two_to_four_offers_side_by_side(portal, count):
    chosen = ["W1", "W2", "W3", "W4"][:count]
    response = compare(portal, *chosen)
    assert response.status_code == 200
    page = html(response)
    headers = re.findall(r'<th scope="col"><a href="/en/opportunities/(\d+)"', page)
    assert headers == [str(portal.ids[r]) for r in chosen] * 2  # both tables, in the order asked
    table = rows(page)
    for label in ("Awarding body", "Learning outcomes", "Notional workload", "Level",
                  "Type of assessment", "Form of participation", "Type of quality assurance",
                  "Starts", "Cost", "Language of instruction", "Offered by"):
        assert len(table[label][1]) == count, label
    assert 'class="table-scroll" role="region"' in page and "<caption" in page


def test_differing_rows_are_marked_in_words(portal):
    table = rows(html(compare(portal, "W1", "W3")))
    assert table["Notional workload"] == (False, ["3 ECTS", "3 ECTS"])
    assert table["Cost"] == (False, ["Free", "Free"])
    assert table["Level"] == (True, ["EQF 4", "EQF 5"])
    assert table["Form of participation"] == (True, ["On site", "Online"])
    assert table["Starts"][0] and table["Starts"][1][1] == "Start any time"
    assert table["Funding you may use"] == (True, ["Employment service voucher", "Not stated"])
    only = rows(html(compare(portal, "W1", "W3", differing="1")))
    assert "Notional workload" not in only and "Level" in only
    assert all(marked for marked, _ in only.values())


def test_compare_shows_a_withdrawn_offer_as_withdrawn(portal):
    portal.harvest(OFFERS[1:])
    page = html(compare(portal, "W1", "W2"))
    head = page[page.index("<thead>"):page.index("</thead>")]
    assert head.count("Withdrawn") == 1 and head.index("Welding basics") < head.index("Withdrawn")


@pytest.mark.parametrize("ids, status", [
    ((), 400), (("W1",), 400), (("W1", "W1"), 400), (("W1", "W2", "W3", "W4", "W5"), 400),
    (("W1", "abc"), 400), (("W1", "-3"), 400), (("W1", "9" * 40), 400),
    (("W1", "999999"), 404),
])
def test_compare_refuses_clearly_what_it_cannot_compare(portal, ids, status):
    response = compare(portal, *ids)
    assert response.status_code == status
    page = html(response)
    assert "Traceback" not in page
    if status == 400:
        assert "Choose two to four offers to compare" in page and "<code>id</code>" in page


def test_compare_from_the_shortlist_and_from_ticked_results(portal):
    path = shortlist_path(add(portal, "W1"))
    add(portal, "W2")
    page = html(portal.client.get(path))
    assert '<form id="compare-shortlist" method="get" action="/en/compare">' in page
    assert page.count('form="compare-shortlist" name="id"') == 2
    results = html(portal.client.get("/en/", query_string={"q": "welding"}))
    assert '<form id="compare-ticked" method="get" action="/en/compare">' in results
    assert results.count('form="compare-ticked" name="id"') == len(OFFERS)
    for box in re.findall(r'<input type="checkbox" form="compare-ticked" name="id" value="\d+" id="([^"]+)"', results):
        assert f'<label for="{box}">' in results


def test_compare_in_another_language_keeps_the_offers(portal):
    page = html(compare(portal, "W1", "W2"))
    link = re.search(r'<a href="([^"]+)" hreflang="fr"', page).group(1)
    assert parse_qs(urlsplit(unescape(link)).query)["id"] == [str(portal.ids["W1"]),
                                                                str(portal.ids["W2"])]
    french = html(portal.client.get(unescape(link)))
    assert '<html lang="fr"' in french and "Niveau" in french


# --- in a browser, by keyboard, on a 320 px phone ----------------------------------------------

@pytest.fixture
def served(portal):
    server = make_server("127.0.0.1", 0, portal.app, threaded=True)  # a free port
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def fits(page, width: int = 320) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= width


def test_keyboard_journey_shortlist_then_compare_on_a_phone(browser, served):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        for title in ("Welding basics", "Welding inspection", "Robot welding"):
            page.goto(served + "/en/?q=welding")
            page.get_by_role("button", name=f"Add to shortlist {title}").focus()
            with page.expect_navigation():
                page.keyboard.press("Enter")
        assert re.search(r"/en/\?q=welding#offer-\d+$", page.url)  # back at the card
        page.goto(served + "/en/shortlist")
        assert re.search(r"/en/shortlists/[A-Za-z0-9_-]{32}$", page.url) and fits(page)
        boxes = page.get_by_role("checkbox", name="Compare")
        assert boxes.count() == 3
        for i in (0, 2):
            boxes.nth(i).focus()
            page.keyboard.press("Space")
        page.get_by_role("button", name="Compare the ticked offers").focus()
        with page.expect_navigation(url="**/en/compare?**"):
            page.keyboard.press("Enter")
        assert page.get_by_role("heading", name="Compare offers").is_visible()
        headers = page.locator("table.compare").first.locator("thead th").all_inner_texts()
        assert [h.strip() for h in headers] == ["Welding basics", "Robot welding"]
        assert fits(page)  # the page does not scroll sideways: the tables do, in their frame
        region = page.get_by_role("region", name="Standard elements of a micro-credential")
        assert region.evaluate("e => e.scrollWidth > e.clientWidth")
        region.focus()  # a keyboard user can scroll it
        assert region.evaluate("e => e === document.activeElement")
    finally:
        context.close()


# --- storage -----------------------------------------------------------------------------------

def test_the_migration_makes_the_tables_the_models_describe(engine):
    """The `engine` fixture migrates SQLite (and PostgreSQL under `make test`) to head."""
    assert TABLES <= set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert [d for d in diffs if TABLES & set(re.findall(r"'(\w+)'", repr(d)))] == []
    command.downgrade(alembic_config(engine), "0003")
    assert not TABLES & set(inspect(engine).get_table_names())
    upgrade(engine)
    assert TABLES <= set(inspect(engine).get_table_names())
