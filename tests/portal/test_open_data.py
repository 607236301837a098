"""Open data: the whole catalogue as gzip files (CSV and ELM JSON-LD) made after each harvest,
harvested back by learncat's own harvesters into the same offers, on a page with its licence;
any search in ELM as well."""
import gzip
import json
import os
from types import SimpleNamespace

import pytest
from rdflib import RDF, URIRef
from sqlalchemy import func, select

from catalogue import dumps
from catalogue.models import Opportunity, Source, Status
from harvesters.csv_feed import CsvHarvester
from harvesters.elm import ElmJsonLdHarvester
from harvesters.runner import run
from portal import opendata
from portal.services import services
from tests.conftest import harvest_feed, offer, scratch_app, write_csv
from tests.portal.test_elm_export import shapes, to_graph, violations  # noqa: F401 (a fixture)

PUBLIC = "https://learncat.example"


@pytest.fixture(scope="module")
def made(demo_app):
    """The demo catalogue's dumps, made as after a harvest, with its public address."""
    demo_app.config["PUBLIC_URL"] = PUBLIC
    try:
        meta = opendata.refresh(demo_app, force=True)
    finally:
        demo_app.config["PUBLIC_URL"] = ""
    assert meta is not None
    return demo_app, meta, opendata.folder(demo_app)


def listed(app) -> dict[int, Opportunity]:
    with app.app_context(), services().sessions() as s:
        rows = s.scalars(select(Opportunity).where(Opportunity.status == Status.ACTIVE)).all()
        s.expunge_all()
        return {o.id: o for o in rows}


def graph_of(data: bytes) -> list[dict]:
    doc = json.loads(gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data)
    assert doc["@context"][0] == "http://data.europa.eu/snb/model/context/edc-ap"
    return doc["@graph"]


def harvested(harvester, path) -> list:
    raws = list(harvester.gather(SimpleNamespace(location=str(path), options={}),
                                 lambda location: open(location, "rb").read()))
    return [harvester.parse(raw) for raw in raws]


def test_the_dumps_hold_every_listed_offer_named_by_the_public_address(made):
    app, meta, folder = made
    offers = listed(app)
    assert meta["offers"] == len(offers) > 100
    graph = graph_of((folder / dumps.FILES["jsonld"]).read_bytes())
    assert [n["id"] for n in graph] == [
        f"{PUBLIC}/api/v1/opportunities/{i}.jsonld" for i in sorted(offers)]
    assert {n["type"] for n in graph} == {"LearningOpportunity"}
    lines = gzip.decompress((folder / dumps.FILES["csv"]).read_bytes()).decode().splitlines()
    assert lines[0].startswith("id,title_")
    for kind, info in meta["files"].items():
        assert (folder / info["name"]).stat().st_size == info["bytes"] > 0, kind


def test_the_elm_dump_harvests_back_into_the_same_offers(made, tmp_path):
    app, _, folder = made
    offers = listed(app)
    path = tmp_path / "dump.jsonld"
    path.write_bytes(gzip.decompress((folder / dumps.FILES["jsonld"]).read_bytes()))
    records = harvested(ElmJsonLdHarvester(), path)
    assert len(records) == len(offers)
    for record in records:
        o = offers[int(record.remote_id.rsplit("/", 1)[1].split(".")[0])]
        assert record.title == o.title
        assert record.eqf_level == o.eqf_level and record.ects == o.ects
        assert record.languages == o.languages
        assert record.learning_outcomes == o.learning_outcomes
        assert record.participation_form == o.participation_form


def test_the_csv_dump_harvests_back_into_the_same_offers(made, tmp_path):
    app, _, folder = made
    with app.app_context(), services().sessions() as s:
        offers = {f"{o.provider.slug}:{o.remote_id}": (o.title, o.ects, o.eqf_level)
                  for o in s.scalars(select(Opportunity).where(Opportunity.status == Status.ACTIVE))}
    path = tmp_path / "dump.csv"
    path.write_bytes(gzip.decompress((folder / dumps.FILES["csv"]).read_bytes()))
    records = harvested(CsvHarvester(), path)
    assert {r.remote_id: (r.title, r.ects, r.eqf_level) for r in records} == offers


def test_the_elm_dump_meets_the_loq_shapes_but_for_what_providers_did_not_state(made, shapes):
    """The whole graph, validated: only the three elements an offer may lack are flagged."""
    _, _, folder = made
    graph = graph_of((folder / dumps.FILES["jsonld"]).read_bytes())
    doc = {"@context": ["http://data.europa.eu/snb/model/context/edc-ap",
                        {"id": "@id", "type": "@type"}], "@graph": graph}
    rdf = to_graph(doc, shapes[1])
    elm = "http://data.europa.eu/snb/model/elm/"
    assert len(set(rdf.subjects(RDF.type, URIRef(elm + "LearningOpportunity")))) == len(graph)
    paths = {path.rsplit("/", 1)[-1] for _, path in violations(doc, shapes)}
    assert paths <= {"learningOutcome", "language", "ISCEDFCode"}


def test_the_page_offers_both_files_with_the_licence_in_every_language(made):
    app, meta, _ = made
    client = app.test_client()
    for lang in ("en", "de", "el"):
        page = client.get(f"/{lang}/open-data")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert 'rel="license"' in html and "creativecommons.org/licenses/by/4.0" in html
        for info in meta["files"].values():
            assert f"/open-data/{info['name']}" in html
    assert "Offene Daten" in client.get("/de/open-data").get_data(as_text=True)
    assert "/en/open-data" in client.get("/en/").get_data(as_text=True)  # the footer's link


def test_a_file_downloads_with_validators_and_nothing_else_is_served(made):
    app, _, folder = made
    client = app.test_client()
    name = dumps.FILES["csv"]
    response = client.get(f"/open-data/{name}")
    assert response.status_code == 200 and response.mimetype == "application/gzip"
    assert response.data == (folder / name).read_bytes()
    assert "attachment" in response.headers["Content-Disposition"]
    again = client.get(f"/open-data/{name}", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    for bad in (dumps.META, ".lock", "..%2Flearncat.sqlite", "learncat-offers.zip"):
        assert client.get(f"/open-data/{bad}").status_code == 404


def test_any_search_in_elm_is_the_search_s_offers(made):
    app, _, _ = made
    client = app.test_client()
    api = client.get("/api/v1/search?q=welding&per_page=50").get_json()
    response = client.get("/api/v1/search.jsonld?q=welding")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    graph = graph_of(response.data)
    assert int(response.headers["X-Total-Count"]) == api["total"] == len(graph) > 0
    assert [n["id"].rsplit("/", 1)[1] for n in graph] == [
        f"{h['id']}.jsonld" for h in api["results"]]
    single = client.get(f"/api/v1/opportunities/{api['results'][0]['id']}.jsonld").get_json()
    assert {k: v for k, v in single.items() if k != "@context"} == graph[0]
    bad = client.get("/api/v1/search.jsonld?funding=ila&radius=50")
    assert bad.status_code == 400 and bad.mimetype == "application/problem+json"


@pytest.fixture
def small(tmp_path):
    """A catalogue of two harvested offers; ``reharvest(rows)`` harvests the feed again."""
    app = scratch_app(tmp_path, ENCODER="none")
    feed = write_csv(tmp_path / "feed.csv", [offer("A-1", title_en="Welding basics"),
                                             offer("A-2", title_en="Pipe welding")])
    source_id = harvest_feed(app, feed, ("feed-college", "Feed College", "DE")).source_id

    def reharvest(rows):
        write_csv(feed, rows)
        with app.app_context(), services().sessions() as s:
            return run(s, s.get(Source, source_id))
    return app, reharvest


def test_a_catalogue_without_dumps_says_so_and_serves_none(small):
    app, _ = small
    client = app.test_client()
    assert "have not been made yet" in client.get("/en/open-data").get_data(as_text=True)
    assert client.get(f"/open-data/{dumps.FILES['csv']}").status_code == 404


def test_a_changed_catalogue_is_seen_and_made_again(small):
    app, reharvest = small
    first = opendata.refresh(app)
    assert first["offers"] == 2
    folder = opendata.folder(app)
    stamp = (folder / dumps.FILES["jsonld"]).stat().st_mtime_ns
    assert opendata.refresh(app) == first  # unchanged: nothing written
    assert (folder / dumps.FILES["jsonld"]).stat().st_mtime_ns == stamp
    reharvest([offer("A-1", title_en="Welding basics"), offer("A-2", title_en="Pipe welding"),
               offer("A-3", title_en="Welding inspection")])
    page = app.test_client().get("/en/open-data").get_data(as_text=True)
    assert "has changed since these files were made" in page
    second = opendata.refresh(app)
    assert second["offers"] == 3 and second["state"] != first["state"]
    titles = [n["title"]["en"] for n in graph_of((folder / dumps.FILES["jsonld"]).read_bytes())]
    assert titles == ["Welding basics", "Pipe welding", "Welding inspection"]
    assert "has changed" not in app.test_client().get("/en/open-data").get_data(as_text=True)


def test_the_same_catalogue_gives_the_same_bytes(small):
    app, _ = small
    opendata.refresh(app)
    folder = opendata.folder(app)
    before = {k: (folder / n).read_bytes() for k, n in dumps.FILES.items()}
    opendata.refresh(app, force=True)
    assert before == {k: (folder / n).read_bytes() for k, n in dumps.FILES.items()}


def test_a_failed_write_keeps_the_last_good_dump(small):
    app, reharvest = small
    good = opendata.refresh(app)
    folder = opendata.folder(app)
    kept = (folder / dumps.FILES["csv"]).read_bytes()
    reharvest([offer("A-1", title_en="Welding basics")])
    blocker = folder / f".{dumps.FILES['csv']}.{os.getpid()}.partial"
    blocker.mkdir()  # where the new file would be written: the write fails
    try:
        assert opendata.refresh(app) is None
    finally:
        blocker.rmdir()
    assert (folder / dumps.FILES["csv"]).read_bytes() == kept
    assert dumps.made(folder) == good
    assert opendata.refresh(app)["offers"] == 1


def test_the_harvest_command_makes_them(tmp_path):
    from portal.cli import main
    app = scratch_app(tmp_path, ENCODER="none")
    feed = write_csv(tmp_path / "feed.csv", [offer("A-1")])
    source_id = harvest_feed(app, feed, ("feed-college", "Feed College", "DE")).source_id
    write_csv(feed, [offer("A-1"), offer("A-2")])
    result = app.test_cli_runner().invoke(main, ["harvest", "--source", str(source_id)])
    assert result.exit_code == 0, result.output
    assert "open data: 2 offers" in result.output
    with app.app_context(), services().sessions() as s:
        assert dumps.made(opendata.folder(app))["state"] == dumps.state(s)
        assert s.scalar(select(func.count(Opportunity.id))) == 2
