"""The OpenSearch query builders are pure: their output is checked as data."""
import dataclasses
import datetime as dt
import json

from indexer.opensearch import queries
from indexer.protocol import FACETS, Near, SearchQuery

TODAY = dt.date(2027, 1, 10)


def word_terms(clause: dict) -> set[tuple[str, str, str]]:
    """(kind, field, term) of one word's clause."""
    return {(kind, field, spec["value"]) for option in clause["bool"]["should"]
            for kind, body in option.items() for field, spec in body.items()}


def test_enough_words_must_match_as_the_embedded_backend_matches_them():
    q = SearchQuery(text="Schweißen Kurs Lyon technik", locale="fr",
                    corrections={"technik": "technique"})
    lexical = queries.lexical_query(q, ["de", "fr"], filters=[])
    words = lexical["bool"]["must"][0]["bool"]["should"][0]["bool"]
    # the generic word "Kurs" is dropped: three words, of which two must match
    assert len(words["should"]) == 3 and words["minimum_should_match"] == 2
    schweissen = word_terms(words["should"][0])
    assert ("prefix", "terms.title", "schweiss") in schweissen  # the German stem, as a prefix
    assert ("term", "terms.other", "schweiss") not in schweissen
    assert {t for _, _, t in word_terms(words["should"][2])} >= {"technik", "techniqu"}
    assert lexical["bool"]["should"] == [queries.reader_boost("fr")]


def test_generic_words_alone_constrain_nothing():
    body = queries.search_body(SearchQuery(text="Kurs training"), TODAY)
    assert body["query"]["bool"]["must"] == [{"match_all": {}}]


def test_words_and_a_vector_make_a_hybrid_query_and_vectors_have_a_floor():
    q = SearchQuery(text="saldatura", vector=(0.1,) * 384, vector_floor=0.84,
                    filters={"eqf": ("3",)}, ects_max=10)
    body = queries.search_body(q, TODAY, languages=["it"])
    lexical, vector = body["query"]["hybrid"]["queries"]
    assert vector["function_score"]["min_score"] == (1 + 0.84) / 2  # the engine's (1 + cos) / 2
    knn = vector["function_score"]["query"]["knn"]["vector"]
    assert knn["k"] == q.neighbours  # the nearest, under the ranges but not the facets
    assert knn["filter"]["bool"]["filter"] == [{"range": {"ects": {"lte": 10}}}]
    assert lexical["bool"]["filter"] == [{"range": {"ects": {"lte": 10}}}]
    assert "sort" not in body and body["post_filter"] == {"bool": {"filter": [
        {"terms": {"eqf": [3]}}]}}
    assert body["query"]["hybrid"]["pagination_depth"] >= q.per_page
    # another order than relevance: the same union as one bool query
    union = queries.search_body(dataclasses.replace(q, sort="title"), TODAY)["query"]["bool"]
    assert union["minimum_should_match"] == 1 and len(union["should"]) == 2
    # lexical only, for measuring: no vector clause
    lexical_only = queries.search_body(dataclasses.replace(q, retrieval="lexical"), TODAY)
    assert "knn" not in json.dumps(lexical_only["query"])


def test_near_a_place_is_a_distance_filter_with_online_offers_by_choice():
    near = Near(48.14, 11.58, 25)
    assert queries.range_filters(SearchQuery(near=near))[0] == {"bool": {"should": [
        {"geo_distance": {"distance": "25km", "locations": {"lat": 48.14, "lon": 11.58}}}],
        "minimum_should_match": 1}}
    with_online = queries.range_filters(SearchQuery(near=Near(48.14, 11.58, 25, True)))[0]
    assert {"term": {"form": "online"}} in with_online["bool"]["should"]


def test_facet_filters_go_to_post_filter_and_skip_their_own_aggregation():
    q = SearchQuery(filters={"eqf": ("6", "7"), "form": ("online",)})
    body = queries.search_body(q, TODAY)
    assert body["post_filter"] == {"bool": {"filter": [
        {"terms": {"eqf": [6, 7]}}, {"terms": {"form": ["online"]}}]}}
    under = facets_under(body["aggs"])
    assert set(under) == set(FACETS)
    assert under["eqf"] == [{"terms": {"form": ["online"]}}]
    assert under["form"] == [{"terms": {"eqf": [6, 7]}}]
    assert under["country"] == [{"terms": {"eqf": [6, 7]}}, {"terms": {"form": ["online"]}}]
    assert len(body["aggs"]) == 3  # the unselected facets share one filter
    assert body["query"]["bool"]["must"] == [{"match_all": {}}]
    assert facets_under(queries.search_body(SearchQuery(), TODAY)["aggs"]) == {
        name: [] for name in FACETS}


def facets_under(aggs: dict) -> dict[str, list[dict]]:
    """Each facet's aggregation and the filters it counts under."""
    under = {}
    for name, agg in aggs.items():
        if "terms" in agg:
            under[name] = []
        elif "filter" in agg:
            under.update((facet, agg["filter"]["bool"]["filter"]) for facet in agg["aggs"])
    return under


def test_facet_counts_are_read_from_the_grouped_aggregations():
    q = SearchQuery(filters={"eqf": ("6",)})
    response = {}
    for name, agg in queries.aggregations(q).items():
        buckets = {"buckets": [{"key": 6, "doc_count": 2}]}
        response[name] = buckets if "terms" in agg else {
            "doc_count": 9, **{facet: buckets for facet in agg["aggs"]}}
    assert queries.facet_counts(response) == {name: [("6", 2)] for name in FACETS}


def test_ranges_narrow_everything_and_start_any_time_counts():
    q = SearchQuery(ects_min=2, start_from=dt.date(2027, 2, 1), start_to=dt.date(2027, 3, 1))
    filters = queries.search_body(q, TODAY)["query"]["bool"]["filter"]
    assert filters[0] == {"range": {"ects": {"gte": 2}}}
    assert filters[1]["bool"]["should"] == [
        {"range": {"start_dates": {"gte": "2027-02-01", "lte": "2027-03-01"}}},
        {"term": {"start_anytime": True}}]


def test_sorts():
    assert queries.sort_clause(SearchQuery(text="x"), TODAY)[0] == "_score"
    assert queries.sort_clause(SearchQuery(sort="-ects"), TODAY)[0] == {
        "ects": {"order": "desc", "missing": "_last"}}
    assert queries.sort_clause(SearchQuery(sort="title"), TODAY) == [
        {"title_sort": "asc"}, {"id": "asc"}]
    script = queries.sort_clause(SearchQuery(sort="start"), TODAY)[0]["_script"]
    assert script["script"]["params"]["today"] == int(dt.datetime(2027, 1, 10).replace(
        tzinfo=dt.timezone.utc).timestamp() * 1000)


def test_paging():
    body = queries.search_body(SearchQuery(page=3, per_page=20), TODAY)
    assert (body["from"], body["size"]) == (40, 20)
