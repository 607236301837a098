"""The OpenSearch query builders are pure: their output is checked as data."""
import datetime as dt

from indexer.opensearch import queries
from indexer.protocol import FACETS, SearchQuery

TODAY = dt.date(2027, 1, 10)


def test_every_word_must_match_in_any_language_with_the_readers_boosted():
    body = queries.search_body(SearchQuery(text="soins infirmiers", locale="fr"), TODAY)
    must = body["query"]["bool"]["must"][0]["bool"]["must"]
    words = [m["bool"]["should"] for m in must]
    assert [w[0]["multi_match"]["query"] for w in words] == ["soins", "infirmiers"]
    fields = words[0][0]["multi_match"]["fields"]
    assert "title.*^10" in fields and "title.fr^15" in fields and "description.*^1" in fields
    assert words[1][1]["match"]["all_text"]["fuzziness"] == "AUTO"
    assert all(m["bool"]["minimum_should_match"] == 1 for m in must)
    assert set(body["highlight"]["fields"]) == {"title.*", "outcomes.*", "description.*"}


def test_facet_filters_go_to_post_filter_and_skip_their_own_aggregation():
    q = SearchQuery(filters={"eqf": ("6", "7"), "form": ("online",)})
    body = queries.search_body(q, TODAY)
    assert body["post_filter"] == {"bool": {"filter": [
        {"terms": {"eqf": [6, 7]}}, {"terms": {"form": ["online"]}}]}}
    aggs = body["aggs"]
    assert set(aggs) == set(FACETS)
    assert aggs["eqf"]["filter"] == {"bool": {"filter": [{"terms": {"form": ["online"]}}]}}
    assert aggs["form"]["filter"] == {"bool": {"filter": [{"terms": {"eqf": [6, 7]}}]}}
    assert aggs["country"]["filter"]["bool"]["filter"] == [
        {"terms": {"eqf": [6, 7]}}, {"terms": {"form": ["online"]}}]
    assert body["query"]["bool"]["must"] == [{"match_all": {}}]


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
