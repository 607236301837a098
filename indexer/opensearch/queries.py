"""Pure functions from a SearchQuery to OpenSearch request bodies (tested by their output).

Semantics match the embedded backend: every word must match somewhere (any text field, any
language, stemmed or folded, with fuzziness for typing errors); facet values are OR-ed within a
facet and AND-ed across; each facet's aggregation applies every other facet filter but not its
own (the facet filters go in post_filter); ECTS and date ranges narrow everything.
"""
from __future__ import annotations

import datetime as dt

from ..protocol import CONCEPT_FIELDS, FACETS, SearchQuery

TEXT_FIELDS = {"title": 10, "outcomes": 4, "description": 1}
OTHER_FIELDS = {"provider_name.*": 2, "awarding_body": 2, "cities": 2, "skill_labels": 2}
READER_BOOST = 1.5  # the reader's own language, where the offer has text in it
FUZZY_BOOST = 0.3  # a near miss counts, but less than the word itself
CONCEPT_BOOST = 0.5
MAX_WORDS = 8  # each word expands to a clause per language field; OpenSearch allows 1,024  # tagged with a concept the words name, without the words themselves
FACET_SIZE = 500
HIGHLIGHT = {"pre_tags": ["<mark>"], "post_tags": ["</mark>"], "encoder": "html"}


def text_fields(locale: str) -> list[str]:
    fields = []
    for name, weight in TEXT_FIELDS.items():
        fields += [f"{name}.*^{weight}", f"{name}.{locale}^{weight * READER_BOOST:g}"]
    return fields + [f"{name}^{weight}" for name, weight in OTHER_FIELDS.items()]


def text_query(text: str, locale: str) -> dict | None:
    """Each word: stemmed in any language's fields, or, for typing errors, fuzzily in the one
    folded catch-all field (fuzziness over every language subfield would cost ten times more)."""
    words = text.split()[:MAX_WORDS]
    if not words:
        return None
    fields = text_fields(locale)
    return {"bool": {
        "must": [{"bool": {"should": [
            {"multi_match": {"query": word, "fields": fields, "type": "best_fields"}},
            {"match": {"all_text": {"query": word, "fuzziness": "AUTO", "prefix_length": 1,
                                    "boost": FUZZY_BOOST}}},
        ], "minimum_should_match": 1}} for word in words],
        "should": [{"multi_match": {"query": text, "fields": fields, "type": "phrase",
                                    "slop": 2, "boost": 2}}],
    }}


def highlight(text: str) -> dict:
    """Marks the words as typed or stemmed; near misses found by fuzziness are not marked
    (fuzzy highlighting over every language subfield costs five times the search)."""
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


def range_filters(q: SearchQuery) -> list[dict]:
    filters = []
    if q.ects_min is not None or q.ects_max is not None:
        bounds = {k: v for k, v in (("gte", q.ects_min), ("lte", q.ects_max)) if v is not None}
        filters.append({"range": {"ects": bounds}})
    if q.start_from or q.start_to:
        bounds = {k: v.isoformat() for k, v in (("gte", q.start_from), ("lte", q.start_to)) if v}
        filters.append({"bool": {"should": [{"range": {"start_dates": bounds}},
                                            {"term": {"start_anytime": True}}],
                                 "minimum_should_match": 1}})
    return filters


def aggregations(q: SearchQuery) -> dict:
    """One filtered terms aggregation per facet, excluding that facet's own selection."""
    selected = {name: facet_filter(name, values) for name, values in q.filters.items() if values}
    aggs = {}
    for name, field in FACETS.items():
        others = [clause for other, clause in selected.items() if other != name]
        aggs[name] = {"filter": {"bool": {"filter": others}} if others else {"match_all": {}},
                      "aggs": {"values": {"terms": {"field": field, "size": FACET_SIZE}}}}
    return aggs


def sort_clause(q: SearchQuery, today: dt.date) -> list:
    tie = [{"title_sort": "asc"}, {"id": "asc"}]
    upcoming = {"_script": {"type": "number", "order": "asc", "script": {
        "lang": "painless", "params": {"today": today.toordinal() * 86_400_000 - EPOCH_MS},
        "source": UPCOMING}}}
    if q.sort == "relevance" and q.text.strip():
        return ["_score", *tie]
    if q.sort == "relevance":
        return [{"completeness": "desc"}, upcoming, *tie]
    if q.sort == "start":
        return [upcoming, *tie]
    if q.sort in ("ects", "-ects"):
        return [{"ects": {"order": "desc" if q.sort == "-ects" else "asc", "missing": "_last"}},
                *tie]
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
                offset: int | None = None) -> dict:
    must = text_query(q.text, q.locale)
    if must and q.concepts:
        must = {"bool": {"should": [must, *concept_query(q.concepts)], "minimum_should_match": 1}}
    body = {
        "query": {"bool": {"must": [must] if must else [{"match_all": {}}],
                           "filter": range_filters(q)}},
        "aggs": aggregations(q),
        "sort": sort_clause(q, today),
        "size": q.per_page if size is None else size,
        "from": q.offset if offset is None else offset,
        "track_total_hits": True,
    }
    selected = [facet_filter(n, v) for n, v in q.filters.items() if v]
    if selected:
        body["post_filter"] = {"bool": {"filter": selected}}
    if must:
        body["highlight"] = highlight(q.text)
    return body


def autocomplete_body(prefix: str, size: int) -> dict:
    return {
        "size": size,
        "_source": ["title", "skill_labels"],
        "query": {"multi_match": {"query": prefix, "type": "bool_prefix",
                                  "fields": ["suggest", "suggest._2gram", "suggest._3gram"]}},
    }
