"""The OpenSearch query builders are pure: their output is checked as data."""
import dataclasses
import datetime as dt
import json
import re

from indexer import analysis, fusion
from indexer.opensearch import queries
from indexer.protocol import FACETS, HOURS_PER_ECTS, Concepts, Near, SearchQuery
from indexer.sqlite import backend as embedded

TODAY = dt.date(2027, 1, 10)


def word_terms(clause: dict) -> set[tuple[str, str, str]]:
    """(kind, field, term) of one word's clause."""
    return {(kind, field, spec["value"]) for option in clause["bool"]["should"]
            for kind, body in option.items() for field, spec in body.items()}


def test_enough_words_must_match_as_the_embedded_backend_matches_them():
    q = SearchQuery(text="Schweißen Kurs Lyon technik", locale="fr",
                    corrections={"technik": "technique"})
    lexical = queries.lexical_query(q, ["de", "fr"], filters=[])
    scored = lexical["bool"]["must"][0]["bool"]["should"][0]["bool"]
    words = scored["must"][0]["bool"]
    # the generic word "Kurs" is dropped: three words, of which two must match
    assert len(words["should"]) == 3 and words["minimum_should_match"] == 2
    schweissen = word_terms(words["should"][0])
    assert ("prefix", "terms.title", "schweiss") in schweissen  # the German stem, as a prefix
    assert ("term", "terms.other", "schweiss") not in schweissen
    assert {t for _, _, t in word_terms(words["should"][2])} >= {"technik", "techniqu"}
    # the reader's language adds to the words' score, never to a concept's, nor to the set
    assert scored["should"] == [queries.reader_boost("fr")] and "should" not in lexical["bool"]


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


def test_field_weights_are_the_embedded_backends_bm25_weights():
    """A word weighs in each field as in the embedded BM25, or the two rank differently."""
    boosts = {field: spec["boost"] for option in queries.word_query({"welding"})["bool"]["should"]
              for body in option.values() for field, spec in body.items()}
    assert boosts == {f"terms.{column}": weight
                      for column, weight in zip(embedded.TEXT_COLUMNS, embedded.WEIGHTS)}


def test_a_words_terms_are_those_of_the_embedded_fts5_expression():
    """Long stems (MIN_PREFIX letters or more) match as prefixes, shorter ones exactly, and an
    alternative a prefix already covers (or an empty one) is dropped, as in match_expression."""
    exact = "weldingtechnique"[:analysis.MIN_PREFIX]
    alternatives = {exact, "weldingtechnique", "rivet"[:analysis.MIN_PREFIX - 1], "soldering", ""}
    clause = queries.word_query(alternatives)
    assert clause["bool"]["minimum_should_match"] == 1  # any one term in any one field
    fts5 = {("prefix" if star else "term", term) for term, star in
            re.findall(r'"([^"]*)"(\*?)', embedded.match_expression([alternatives]))}
    assert fts5 == {("prefix", exact), ("prefix", "soldering"), ("term", "rive")}
    for field in queries.TERM_FIELDS:
        assert {(k, t) for k, f, t in word_terms(clause) if f == field} == fts5


def test_the_words_or_a_concept_they_name_suffice_and_concepts_score_below_words():
    """One of the alternatives (the words, or each concept) is enough; a concept match alone
    adds less than a word found in the least weighted field, yet something (OpenSearch refuses
    negative boosts)."""
    q = SearchQuery(text="saldatura", concepts=Concepts(isced=("0715",)))
    alternatives = queries.lexical_query(q, ["it"], filters=[])["bool"]["must"][0]["bool"]
    assert alternatives["minimum_should_match"] == 1 and len(alternatives["should"]) == 2
    (concept,) = queries.concept_query(q.concepts)
    assert concept in alternatives["should"]
    assert 0 < concept["constant_score"]["boost"] < min(embedded.WEIGHTS)
    assert "text_languages" not in json.dumps(concept)  # no reader's language boost alone


def test_generic_words_alone_sort_as_no_words():
    """"Kurs training" says nothing to rank by: the order of a search without words."""
    assert queries.sort_clause(SearchQuery(text="Kurs training"), TODAY) == \
        queries.sort_clause(SearchQuery(), TODAY)


def test_rrf_uses_the_embedded_fusions_rank_constant():
    (processor,) = queries.HYBRID_PIPELINE["phase_results_processors"]
    combination = processor["score-ranker-processor"]["combination"]
    assert combination == {"technique": "rrf", "rank_constant": fusion.K}


def test_pagination_depth_covers_the_page_asked_for():
    """Fusion must see every hit up to the page's end, whatever the page or size passed."""
    q = SearchQuery(text="saldatura", vector=(0.1,) * 384, page=30, per_page=20)
    assert queries.search_body(q, TODAY)["query"]["hybrid"]["pagination_depth"] >= 600
    body = queries.search_body(q, TODAY, size=50, offset=1_000)
    assert body["query"]["hybrid"]["pagination_depth"] >= 1_050
    assert (body["from"], body["size"]) == (1_000, 50)


def test_past_the_result_window_a_plain_sorted_query_from_the_start():
    """search_after needs sort values: no hybrid query there, and a sort ending in the id."""
    q = SearchQuery(text="saldatura", vector=(0.1,) * 384, page=600)
    body = queries.search_body(q, TODAY, offset=0, hybrid=False)
    assert "hybrid" not in body["query"] and body["from"] == 0
    assert body["sort"][0] == "_score" and body["sort"][-1] == {"id": "asc"}


def test_vector_neighbours_k_and_floor():
    """k is the query's neighbours; the cut is the floor on the engine's (1 + cos) / 2 scale;
    a floor of -1 (the closest offers, whatever their similarity) is a plain k-NN search."""
    q = SearchQuery(text="saldatura", vector=(0.1,) * 384, neighbours=50)
    for floor in (0.0, -0.5, 0.84):
        cut = queries.vector_query(q, [], floor=floor)["function_score"]
        assert cut["min_score"] == (1 + floor) / 2
        assert cut["query"]["knn"]["vector"]["k"] == 50
    plain = queries.vector_query(dataclasses.replace(q, vector_floor=-1.0), [])
    assert plain == {"knn": {"vector": {"vector": list(q.vector), "k": 50}}}


def test_close_body_only_asks_whether_any_offer_is_close():
    """No hits fetched, but a total that counts at least one (zero would always say none)."""
    q = SearchQuery(text="saldatura", vector=(0.1,) * 384, good_floor=0.9, ects_max=5)
    body = queries.close_body(q)
    assert body["size"] == 0 and body["track_total_hits"] >= 1
    good = body["query"]["bool"]["must"][0]["function_score"]
    assert good["min_score"] == (1 + 0.9) / 2
    assert good["query"]["knn"]["vector"]["filter"]["bool"]["filter"] == [
        {"range": {"ects": {"lte": 5}}}]


def test_words_alone_or_a_vector_alone_are_searched_and_highlighted():
    """Either retrieval alone is a query of its own (not all offers), with the words (and
    their corrections) marked as the embedded backend marks every hit found by words."""
    words = SearchQuery(text="saldatura", corrections={"saldatura": "saldature"})
    body = queries.search_body(words, TODAY)
    assert body["query"]["bool"]["should"] == [queries.lexical_query(words, (), [])]
    assert body["highlight"]["highlight_query"]["multi_match"]["query"] == "saldatura saldature"
    vector = SearchQuery(text="saldatura", vector=(0.1,) * 384, retrieval="vector")
    body = queries.search_body(vector, TODAY)
    assert body["query"]["bool"]["should"] == [queries.vector_query(vector, [])]
    assert "highlight" in body
    assert "highlight" not in queries.search_body(SearchQuery(), TODAY)


def test_highlights_are_cut_as_the_embedded_snippets():
    """The whole title, and one snippet of outcomes and of the description (the backend shows
    the first fragment), as indexer.highlight marks them."""
    fields = queries.highlight("saldatura")["fields"]
    assert fields["title.*"]["number_of_fragments"] == 0  # no fragments: the whole field
    for name in ("outcomes.*", "description.*"):
        assert fields[name]["number_of_fragments"] == 1 and fields[name]["fragment_size"] > 0


def test_totals_are_exact():
    """Totals agree with the embedded backend's, past OpenSearch's default of 10,000."""
    assert queries.search_body(SearchQuery(), TODAY)["track_total_hits"] is True


def test_either_start_bound_alone_and_start_any_time():
    """One bound is enough to filter; an offer one can start any time is inside any window."""
    for q, bounds in ((SearchQuery(start_from=dt.date(2027, 2, 1)), {"gte": "2027-02-01"}),
                      (SearchQuery(start_to=dt.date(2027, 3, 1)), {"lte": "2027-03-01"})):
        assert queries.range_filters(q) == [{"bool": {"should": [
            {"range": {"start_dates": bounds}}, {"term": {"start_anytime": True}}],
            "minimum_should_match": 1}}]
    assert queries.range_filters(SearchQuery(start_anytime=True)) == [
        {"term": {"start_anytime": True}}]


def test_workload_is_the_stated_hours_or_else_the_ects_hours_range():
    """As the embedded range_mask: stated hours count as they are; an offer stated only in
    ECTS meets [fewest, most] when its credits' hours (HOURS_PER_ECTS) can."""
    low, high = HOURS_PER_ECTS
    (workload,) = queries.range_filters(SearchQuery(hours_min=60, hours_max=150))
    stated, credits = workload["bool"]["should"]
    assert workload["bool"]["minimum_should_match"] == 1
    assert stated == {"range": {"workload_hours": {"gte": 60, "lte": 150}}}
    assert credits["bool"]["must_not"] == [{"exists": {"field": "workload_hours"}}]
    assert credits["bool"]["filter"] == [{"range": {"ects": {"gte": 60 / high, "lte": 150 / low}}}]
    for one_bound in (SearchQuery(hours_max=150), SearchQuery(hours_min=60)):
        assert len(queries.range_filters(one_bound)) == 1  # either bound alone filters
    only_most = queries.workload_filter(None, 150)["bool"]["should"]
    assert only_most[0] == {"range": {"workload_hours": {"lte": 150}}}
    assert only_most[1]["bool"]["filter"] == [{"range": {"ects": {"lte": 150 / low}}}]


def test_only_words_are_ranked_by_score():
    """Another order asked for wins over the words; with no words, relevance is the most
    complete offers first, then the soonest (as the embedded backend)."""
    assert "_script" in queries.sort_clause(SearchQuery(text="saldatura", sort="start"), TODAY)[0]
    assert queries.sort_clause(SearchQuery(), TODAY)[:2] == [
        {"completeness": "desc"}, queries.sort_clause(SearchQuery(sort="start"), TODAY)[0]]
