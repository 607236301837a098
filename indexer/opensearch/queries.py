"""Pure functions from a SearchQuery to OpenSearch request bodies (tested by their output).

Semantics match the embedded backend exactly, so that totals and facet counts agree: the words
are matched as the same index terms (indexer.documents.analysed_text, stored in ``terms.*``),
each word through any of its stems (long ones as prefixes) or its correction, and enough of the
words must match (indexer.wording); offers tagged with a concept the words name match too;
the query's nearest neighbours at or above its floor match too (a k-NN search of the k-NN
plugin, cosine over the same float16-rounded vectors). With relevance order the two rankings
are fused by the neural-search plugin's score-ranker-processor (RRF, as indexer.fusion) in a
hybrid query. Facet values are OR-ed within a facet and AND-ed across; each facet's
aggregation applies every other facet filter but not its own (the facet filters go in
post_filter); ECTS, date and distance ranges narrow everything, the neighbours included.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

from .. import analysis, fusion, wording
from ..protocol import CONCEPT_FIELDS, FACETS, HOURS_PER_ECTS, SearchQuery

TEXT_FIELDS = ("title", "outcomes", "description")  # highlighted, each per language
TERM_FIELDS = {"terms.title": 10, "terms.outcomes": 4, "terms.description": 1, "terms.other": 2}
READER_BOOST = 2.0  # offers with text in the reader's own language, added to their score
CONCEPT_BOOST = 0.5  # tagged with a concept the words name, without the words themselves
# Every value of a facet, as the embedded backend counts them (NUTS alone has 2,123 codes at
# levels 1-3; the node's search.max_buckets, 65,535, bounds a whole response)
FACET_SIZE = 10_000
HIGHLIGHT = {"pre_tags": ["<mark>"], "post_tags": ["</mark>"], "encoder": "html"}
PIPELINE = "learncat-hybrid"
HYBRID_PIPELINE = {"description": "learncat: lexical and vector rankings fused by RRF",
                   "phase_results_processors": [{"score-ranker-processor": {
                       "combination": {"technique": "rrf", "rank_constant": fusion.K}}}]}
SOURCE_EXCLUDES = ["terms", "vector", "text_languages", "title_sort", "suggest"]


def word_query(alternatives: set[str]) -> dict:
    """One word: any of its index terms in any text field, long ones as prefixes (as FTS5)."""
    prefixes = {t for t in alternatives if len(t) >= analysis.MIN_PREFIX}
    kept = sorted(t for t in alternatives if t and not any(
        t != p and t.startswith(p) for p in prefixes))
    should = []
    for field, boost in TERM_FIELDS.items():
        for term in kept:
            kind = "prefix" if term in prefixes else "term"
            should.append({kind: {field: {"value": term, "boost": boost}}})
    return {"bool": {"should": should, "minimum_should_match": 1}}


def lexical_query(q: SearchQuery, languages, filters: list[dict]) -> dict | None:
    """Enough of the words (wording.required), or a concept they name; the reader's language
    adds to the score, never to the set."""
    groups = wording.terms(q.text, set(languages) | {q.locale}, q.corrections)
    matches = []
    if groups:  # the reader's language adds to the words' score, not to a concept's (as embedded)
        matches.append({"bool": {"must": [{"bool": {
            "should": [word_query(g) for g in groups],
            "minimum_should_match": wording.required(len(groups))}}],
            "should": [reader_boost(q.locale)]}})
    matches += concept_query(q.concepts)
    if not matches:
        return None
    return {"bool": {"must": [{"bool": {"should": matches, "minimum_should_match": 1}}],
                     "filter": filters}}


def vector_query(q: SearchQuery, filters: list[dict], floor: float | None = None) -> dict:
    """The q.neighbours offers nearest to the words under the range filters, those at or above
    the floor (q.vector_floor unless given): a k-NN search (HNSW, Lucene engine) whose scores,
    (1 + cosine) / 2, function_score cuts at the floor. At 100,000 offers the thousand nearest
    cost 16 ms; a radial search for all the offers above the floor (about 7% of them) cost
    70-90 ms, exact script scoring 70-110. With one shard the k nearest are exactly those of
    the embedded backend; each further shard would add its own k."""
    knn: dict = {"vector": list(q.vector), "k": q.neighbours}
    if filters:
        knn["filter"] = {"bool": {"filter": filters}}
    floor = q.vector_floor if floor is None else floor
    if floor <= -1:  # no floor: the nearest offers (see "closest")
        return {"knn": {"vector": knn}}
    return {"function_score": {"query": {"knn": {"vector": knn}}, "min_score": (1.0 + floor) / 2}}


def reader_boost(locale: str) -> dict:
    return {"constant_score": {"filter": {"term": {"text_languages": locale}},
                               "boost": READER_BOOST}}


def highlight(text: str) -> dict:
    """Marks the words (and their corrections) as each language's analyser stems them."""
    return {**HIGHLIGHT, "highlight_query": {"multi_match": {
        "query": text, "fields": [f"{name}.*" for name in TEXT_FIELDS]}}, "fields": {
        "title.*": {"number_of_fragments": 0},
        "outcomes.*": {"fragment_size": 160, "number_of_fragments": 1},
        "description.*": {"fragment_size": 160, "number_of_fragments": 1},
    }}


def concept_query(concepts) -> list[dict]:
    """Offers tagged with a concept the words name, scored below the words themselves."""
    return [{"constant_score": {"filter": {"terms": {field: list(codes)}}, "boost": CONCEPT_BOOST}}
            for kind, fields in CONCEPT_FIELDS.items() if (codes := getattr(concepts, kind))
            for field in fields]


def facet_filter(name: str, values: tuple[str, ...]) -> dict:
    field = FACETS[name]
    if name == "eqf":
        return {"terms": {field: [int(v) for v in values]}}
    return {"terms": {field: list(values)}}


def facet_filters(q: SearchQuery) -> list[dict]:
    """The selected facet values: in post_filter, and wherever a count must match the hits."""
    return [facet_filter(n, v) for n, v in q.filters.items() if v]


def range_filters(q: SearchQuery) -> list[dict]:
    """ECTS, workload, start dates, distance and change date: they narrow the result set and
    every facet."""
    filters = []
    if q.near:
        near = {"geo_distance": {"distance": f"{q.near.radius_km}km",
                                 "locations": {"lat": q.near.lat, "lon": q.near.lon}}}
        filters.append({"bool": {"should": [near, *([{"term": {"form": "online"}}]
                                                    if q.near.include_online else [])],
                                 "minimum_should_match": 1}})
    if q.ects_min is not None or q.ects_max is not None:
        bounds = {k: v for k, v in (("gte", q.ects_min), ("lte", q.ects_max)) if v is not None}
        filters.append({"range": {"ects": bounds}})
    if q.hours_min is not None or q.hours_max is not None:
        filters.append(workload_filter(q.hours_min, q.hours_max))
    if q.start_from or q.start_to:
        bounds = {k: v.isoformat() for k, v in (("gte", q.start_from), ("lte", q.start_to)) if v}
        filters.append({"bool": {"should": [{"range": {"start_dates": bounds}},
                                            {"term": {"start_anytime": True}}],
                                 "minimum_should_match": 1}})
    if q.start_anytime:
        filters.append({"term": {"start_anytime": True}})
    if q.updated_since:
        filters.append({"range": {"updated": {"gte": q.updated_since.isoformat()}}})
    return filters


def workload_filter(fewest: float | None, most: float | None) -> dict:
    """The hours of work stated, or else the ECTS credits' range of hours, meet the range."""
    low, high = HOURS_PER_ECTS
    stated = {k: v for k, v in (("gte", fewest), ("lte", most)) if v is not None}
    credits = {k: v for k, v in (("gte", None if fewest is None else fewest / high),
                                 ("lte", None if most is None else most / low)) if v is not None}
    return {"bool": {"should": [
        {"range": {"workload_hours": stated}},
        {"bool": {"must_not": [{"exists": {"field": "workload_hours"}}],
                  "filter": [{"range": {"ects": credits}}]}}], "minimum_should_match": 1}}


def aggregations(q: SearchQuery) -> dict:
    """One terms aggregation per facet, under every other facet's selection but not its own.
    Facets under the same selections share one filter aggregation (the unselected facets all
    share one): at 100,000 offers, p95 68 -> 47 ms against one filter aggregation per facet."""
    selected = {name: facet_filter(name, values) for name, values in q.filters.items() if values}
    groups: dict[tuple[str, ...], dict] = {}
    for name, field in FACETS.items():
        others = tuple(other for other in selected if other != name)
        groups.setdefault(others, {})[name] = {"terms": {"field": field, "size": FACET_SIZE}}
    aggs = groups.pop((), {})
    for others, terms in groups.items():
        aggs[GROUP + "-".join(others)] = {
            "filter": {"bool": {"filter": [selected[other] for other in others]}}, "aggs": terms}
    return aggs


GROUP = "under-"  # the name of a group of facet aggregations, before its selections' names


def facet_counts(aggs: dict) -> dict[str, list[tuple[str, int]]]:
    """Each facet's (value, count) pairs from a response's aggregations."""
    found = {name: agg for name, agg in aggs.items() if name in FACETS}
    for group in (agg for name, agg in aggs.items() if name.startswith(GROUP)):
        found.update((name, agg) for name, agg in group.items() if name in FACETS)
    return {name: [(str(b["key"]), b["doc_count"]) for b in found[name]["buckets"]]
            for name in FACETS}


def sort_clause(q: SearchQuery, today: dt.date) -> list:
    tie = [{"title_sort": "asc"}, {"id": "asc"}]
    upcoming = {"_script": {"type": "number", "order": "asc", "script": {
        "lang": "painless", "params": {"today": today.toordinal() * 86_400_000 - EPOCH_MS},
        "source": UPCOMING}}}
    if q.sort == "relevance" and q.has_words:  # generic words alone: as no words
        return ["_score", *tie]
    if q.sort == "relevance":
        return [{"completeness": "desc"}, upcoming, *tie]
    if q.sort == "start":
        return [upcoming, *tie]
    if q.sort in ("ects", "-ects"):
        return [{"ects": {"order": "desc" if q.sort == "-ects" else "asc", "missing": "_last"}},
                *tie]
    if q.sort == "-updated":
        return [{"updated": {"order": "desc", "missing": "_last"}}, *tie]
    return tie


EPOCH_MS = dt.date(1970, 1, 1).toordinal() * 86_400_000
# The soonest start on or after today (start any time counts as today); none: last.
UPCOMING = """
long today = params.today;
if (doc['start_anytime'].size() > 0 && doc['start_anytime'].value) { return today; }
long best = Long.MAX_VALUE;
for (def d : doc['start_dates']) {
  long t = d.toInstant().toEpochMilli();
  if (t >= today && t < best) { best = t; }
}
return best;
"""


def search_body(q: SearchQuery, today: dt.date, size: int | None = None,
                offset: int | None = None, languages=(), hybrid: bool = True) -> dict:
    """The request for one page. With words and an embedding under relevance order: a hybrid
    query (run it with ``search_pipeline=PIPELINE``); otherwise one bool query whose matches
    are the union of the lexical and the vector set, in the requested order."""
    filters = range_filters(q)
    lexical = lexical_query(q, languages, filters) if q.lexical else None
    vector = vector_query(q, filters) if q.semantic else None
    if hybrid and lexical and vector and q.sort == "relevance":
        body: dict = {"query": {"hybrid": {
            "queries": [lexical, vector],
            "pagination_depth": max((q.offset if offset is None else offset) +
                                    (q.per_page if size is None else size), 10)}}}
    elif lexical or vector:
        union = [c for c in (lexical, vector) if c]
        body = {"query": {"bool": {"should": union, "minimum_should_match": 1,
                                   "filter": filters}}}
    else:
        body = {"query": {"bool": {"must": [{"match_all": {}}], "filter": filters}}}
    body.update({
        "aggs": aggregations(q),
        "sort": sort_clause(q, today),
        "size": q.per_page if size is None else size,
        "from": q.offset if offset is None else offset,
        "track_total_hits": True,
        "_source": {"excludes": SOURCE_EXCLUDES},
    })
    if lexical:  # whether the words match any offer of the result (see close_body)
        body["aggs"]["lexical"] = {"filter": {"bool": {
            "must": [lexical], "filter": facet_filters(q)}}}
    if "hybrid" in body["query"]:
        body.pop("sort")  # the pipeline orders by the fused score
    selected = facet_filters(q)
    if selected:
        body["post_filter"] = {"bool": {"filter": selected}}
    if lexical or vector:
        words = " ".join([q.text, *q.corrections.values()])
        body["highlight"] = highlight(words)
    return body


def close_body(q: SearchQuery) -> dict:
    """Whether an offer of the result is a neighbour at or above the good floor: asked only
    when no word matched."""
    good = vector_query(q, range_filters(q), floor=q.good_floor)
    return {"size": 0, "track_total_hits": 1,
            "query": {"bool": {"must": [good], "filter": facet_filters(q)}}}


def autocomplete_body(prefix: str, size: int) -> dict:
    return {
        "size": size,
        "_source": ["title", "skill_labels"],
        "query": {"multi_match": {"query": prefix, "type": "bool_prefix",
                                  "fields": ["suggest", "suggest._2gram", "suggest._3gram"]}},
    }
