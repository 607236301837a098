"""One contract, both backends, the same catalogue (the demo, loaded through the harvester, with
its vectors): identical totals and facet counts for filter-only queries and for text queries
(words, vectors and corrections prepared once by the search service); expected offers near the
top for text queries."""
import dataclasses
import datetime as dt
import os

import pytest
from sqlalchemy import select

from catalogue.models import Opportunity
from catalogue.store import CatalogueStore
from indexer.documents import to_document
from indexer.embeddings import Embedder
from indexer.protocol import SearchQuery
from tests.indexer.test_sqlite_backend import random_queries


@pytest.fixture(scope="module")
def catalogue(demo_app):
    from portal.services import services
    with demo_app.app_context(), services().sessions() as s:
        docs = Embedder(s, services().encoder).attach(
            [to_document(o) for o in CatalogueStore(s).iter_indexable()])
        remote = dict(s.execute(select(Opportunity.remote_id, Opportunity.id)).all())
        return docs, remote, services().search


@pytest.fixture(scope="module")
def backends(catalogue, opensearch_client):
    from indexer.opensearch import OpenSearchBackend
    docs, _, embedded = catalogue
    prefix = f"test-{os.getpid()}-contract-"
    engine = OpenSearchBackend(opensearch_client, prefix)
    engine.ensure_ready()
    assert engine.rebuild(docs) == len(docs)
    yield {"sqlite": embedded, "opensearch": engine}
    opensearch_client.indices.delete(index=f"{prefix}*", ignore_unavailable=True)


def filter_queries(docs):
    yield SearchQuery()
    # a window over the demo's own starts (they move with the day it is loaded, demo_dates)
    starts = sorted(d for doc in docs for d in doc["start_dates"])
    yield SearchQuery(start_from=dt.date.fromisoformat(starts[len(starts) // 4][:10]),
                      start_to=dt.date.fromisoformat(starts[len(starts) // 2][:10]))
    yield SearchQuery(filters={"region": ("DE2", "FRK")}, ects_max=6)
    for fewest, most in ((None, 40), (20, 100), (100, None), (50, 60)):  # hours, or ECTS at 25-30
        yield SearchQuery(hours_min=fewest, hours_max=most, filters={"form": ("online",)})
    yield from random_queries(docs, 60, seed=5)


def test_filter_only_queries_agree_exactly(catalogue, backends):
    docs = catalogue[0]
    for query in filter_queries(docs):
        embedded = backends["sqlite"].search(query)
        engine = backends["opensearch"].search(query)
        assert engine.total == embedded.total, query
        assert {k: dict(v) for k, v in engine.facets.items()} == \
            {k: dict(v) for k, v in embedded.facets.items()}, query


TEXTS = ["Schweißen Kurs", "kurs spawania", "corso di saldatura", "ανάλυση δεδομένων",
         "Datenanalyse", "weldng", "pythn pandas", "cybersecurity online", "soins infirmiers",
         "welding Munich", "courses in Porto", "data analysis python", "Staplerschein", "first aid",
         "projektledning", "heat pump installation", "zzzz qqqq", "astrophysics of black holes"]


def service_queries(app, texts):
    from werkzeug.datastructures import MultiDict

    from portal import search_service
    with app.test_request_context():
        for text in texts:
            for extra in ({}, {"eqf": "5"}, {"form": "online", "sort": "title"},
                          {"near": "Lyon", "radius_km": "300", "online": "include"}):
                yield search_service.parse(MultiDict({"q": text, **extra}), "en")[0]


def test_text_queries_agree_exactly(demo_app, backends):
    for query in service_queries(demo_app, TEXTS):
        embedded = backends["sqlite"].search(query)
        engine = backends["opensearch"].search(query)
        assert (engine.total, engine.matches_well) == (embedded.total, embedded.matches_well), \
            query.text
        assert {k: dict(v) for k, v in engine.facets.items()} == \
            {k: dict(v) for k, v in embedded.facets.items()}, query.text
        if query.sort == "title":
            assert [h.id for h in engine.hits] == [h.id for h in embedded.hits], query.text


def test_radius_search_agrees_without_words(demo_app, backends):
    queries = list(service_queries(demo_app, [""]))[-1:]
    assert queries[0].near and queries[0].near.include_online
    for query in [*queries, dataclasses.replace(queries[0], near=dataclasses.replace(
            queries[0].near, include_online=False, radius_km=5))]:
        embedded, engine = (backends[b].search(query) for b in ("sqlite", "opensearch"))
        assert 0 < engine.total == embedded.total, query.near
        assert {k: dict(v) for k, v in engine.facets.items()} == \
            {k: dict(v) for k, v in embedded.facets.items()}


def test_a_vector_widens_what_words_alone_find(demo_app, backends):
    query = next(service_queries(demo_app, ["kurs spawania"]))
    assert query.vector is not None and query.corrections == {}
    for backend in backends.values():
        words = backend.search(dataclasses.replace(query, retrieval="lexical"))
        both = backend.search(query)
        assert words.total == 0 < both.total


def test_neighbours_are_the_nearest_few_under_the_ranges_on_both(demo_app, backends):
    """At most query.neighbours offers join by meaning: the nearest under the range filters,
    which the facets then narrow like any other match."""
    for query in service_queries(demo_app, ["ανάλυση δεδομένων"]):
        few = dataclasses.replace(query, vector_floor=-1.0, neighbours=5)
        results = {name: [backend.search(q) for q in (few, dataclasses.replace(
            few, retrieval="vector"))] for name, backend in backends.items()}
        for embedded, engine in zip(results["sqlite"], results["opensearch"]):
            assert engine.total == embedded.total, query
            assert {k: dict(v) for k, v in engine.facets.items()} == \
                {k: dict(v) for k, v in embedded.facets.items()}, query
        vector_only = results["sqlite"][1].total
        assert vector_only == 5 if not query.filters else 0 < vector_only <= 5, query


@pytest.mark.parametrize("text, expected", [
    ("Schweißen", "HWK-SCHW-01"),
    ("schweissen", "HWK-SCHW-02"),
    ("soins infirmiers", "FC-SI-01"),
    ("data analysis", "HSM-DA-01"),
    ("instalacion solar fotovoltaica", "CIFP-ER-01"),
])
def test_text_queries_find_the_expected_offer_on_both(catalogue, backends, text, expected):
    remote = catalogue[1]
    for name, backend in backends.items():
        ids = [h.id for h in backend.search(SearchQuery(text=text, per_page=10)).hits]
        assert remote[expected] in ids, (name, text)


def test_sorted_pages_agree_for_title_order(backends):
    for page in (1, 2, 9):
        q = SearchQuery(sort="title", page=page, per_page=20)
        assert [h.id for h in backends["opensearch"].search(q).hits] == \
            [h.id for h in backends["sqlite"].search(q).hits]


@pytest.mark.parametrize("facet, field", [("funding", "funding"), ("audience", "target_groups")])
def test_funding_and_audience_filter_exactly_the_matching_offers(catalogue, backends, facet,
                                                                 field):
    docs = catalogue[0]
    stated = sorted({v for d in docs for v in d[field]})
    assert len(stated) >= 2, f"the demo states too few {field} to test with"
    for values in ([stated[0]], stated[:2], [stated[-1]]):
        expected = {d["id"] for d in docs if set(d[field]) & set(values)}
        counts = {v: sum(v in d[field] for d in docs) for v in stated}
        with_eqf = {d["id"] for d in docs if set(d[field]) & set(values) and d["eqf"] == 6}
        for name, backend in backends.items():
            result = backend.search(SearchQuery(filters={facet: tuple(values)}, per_page=100))
            assert {h.id for h in result.hits} == expected and result.total == len(expected), \
                (name, values)
            assert dict(result.facets[facet]) == counts, name  # its own selection: not narrowed
            narrowed = backend.search(SearchQuery(filters={facet: tuple(values), "eqf": ("6",)},
                                                  per_page=100))
            assert {h.id for h in narrowed.hits} == with_eqf, (name, values)
            assert dict(narrowed.facets["eqf"]).get("6", 0) == len(with_eqf), name


def test_start_any_time_keeps_exactly_those_offers_on_both(catalogue, backends):
    docs = catalogue[0]
    anytime = {d["id"] for d in docs if d["start_anytime"]}
    assert 0 < len(anytime) < len(docs)
    online = {i for i in anytime if next(d for d in docs if d["id"] == i)["form"] == "online"}
    for name, backend in backends.items():
        result = backend.search(SearchQuery(start_anytime=True, per_page=100))
        assert {h.id for h in result.hits} == anytime and result.total == len(anytime), name
        assert dict(result.facets["form"]).get("online", 0) == len(online), name  # counts too
