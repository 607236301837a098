"""The search-parameter parser (portal.search_service.parse) under Hypothesis: request
parameters as werkzeug hands them over (any keys, values, repetitions) either make a
SearchQuery within the documented bounds or a ParamError (what the pages and the API answer with
400), never another exception; and the encoders that carry a search on in links give back the
same search when parsed again."""
import dataclasses
import datetime as dt
import math

import pytest
from hypothesis import HealthCheck, example, given, note, settings, strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from catalogue import vocabularies as vocab
from indexer.protocol import ECTS_RANGES, FACETS, SORTS, SearchQuery
from portal import labels, pages
from portal import search_service as service
from portal.search_service import PARAMETERS, ParamError

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
LOCALES = ("en", "de", "fr", "pl", "el", "ga")

# werkzeug decodes every request with replacement characters: a value never holds a lone
# surrogate, which st.text() leaves out too
TEXT = st.text(max_size=30)
WORDS = ["welding", "data analysis", "online", "hybrid", "in person", "on site", "EQF 6",
         "level 3", "niveau 5", "Munich", "München", "Berlin", "Salamanca", "near", "in", "of",
         "courses", "for", "ß", "İ", ",", ";"]
NUMBER = st.one_of(
    st.integers(-10, 10**6).map(str), st.floats().map(str),
    st.sampled_from(["1,5", " 7 ", "1e309", "nan", "-0", "٣", "1_000", "0x10", "9" * 5000]))
WHOLE = st.one_of(st.integers(-5, 1000).map(str), NUMBER)
DATE = st.one_of(st.dates().map(dt.date.isoformat),
                 st.sampled_from(["2027-02-30", "20270101", "2027-W01", "0000-01-01"]))
ZONE = st.none() | st.integers(-23, 23).map(lambda h: dt.timezone(dt.timedelta(hours=h)))
MOMENT = st.one_of(DATE, st.datetimes(timezones=ZONE).map(dt.datetime.isoformat),
                   st.sampled_from(["9999-12-31T23:59:59-01:00", "0001-01-01T00:00+01:00",
                                    "2027-01-01T25:00", "yesterday"]))


def codes(name: str) -> list[str]:
    """Codes a facet accepts, and near misses (other case, unknown)."""
    if name in labels.FACET_VOCABULARY:
        known = [term.code for term in vocab.get(labels.FACET_VOCABULARY[name])][:50]
    else:
        known = {"eqf": list(service.EQF_LEVELS), "ects": [c for c, _, _ in ECTS_RANGES],
                 "country": ["DE", "IE", "pl", "EU", "ZZ", "ß"],
                 "language": ["en", "DE", "ga", "xx"],
                 "provider": ["navigli-learning-lab", "-x", "a" * 81],
                 "price": list(service.PRICE_CLASSES) + ["Free"]}[name]
    return [*known, *(code.lower() for code in known[:5]), "", " "]


VALUES = {
    "q": st.lists(st.sampled_from(WORDS) | TEXT, max_size=6).map(" ".join) | st.text(max_size=250),
    "literal": st.sampled_from(["1", "0", ""]) | TEXT,
    **{name: st.sampled_from(codes(name)) | TEXT for name in FACETS},
    **{name: NUMBER for name in ("ects_min", "ects_max", "hours_min", "hours_max", "radius_km")},
    "start_from": DATE | TEXT, "start_to": DATE | TEXT, "updated_since": MOMENT | TEXT,
    "near": st.sampled_from(["Munich", "münchen", "Salamanca", "Atlantis", " "]) | TEXT,
    "lat": st.floats(-200, 200).map(str) | NUMBER, "lon": st.floats(-200, 200).map(str) | NUMBER,
    "online": st.sampled_from(["include", "exclude"]) | TEXT,
    "starts_within": WHOLE, "anytime": st.sampled_from(["1", "", "0"]) | TEXT,
    "sort": st.sampled_from(SORTS) | TEXT, "page": WHOLE, "per_page": WHOLE,
}
RESERVED = ["_anchor", "_external", "_method", "_scheme", "endpoint", "lang", "values", "q[]",
            "\x00", ""]
UNKNOWN = (st.sampled_from(RESERVED) | TEXT).filter(lambda key: key not in PARAMETERS)


def known_pair() -> st.SearchStrategy:
    """A parameter the parser reads, with a value of its kind or any text (a parameter added
    later is fuzzed with text)."""
    return st.sampled_from(PARAMETERS).flatmap(
        lambda name: st.tuples(st.just(name), VALUES.get(name, TEXT)))


ARGS = st.lists(known_pair() | st.tuples(UNKNOWN, TEXT), max_size=8).map(MultiDict)
# words the parser reads filters out of (a level, a form, a city), with a few other parameters
WORDED = st.builds(lambda words, pairs: MultiDict([("q", " ".join(words)), *pairs]),
                   st.lists(st.sampled_from(WORDS), min_size=1, max_size=6),
                   st.lists(known_pair(), max_size=3))


@pytest.fixture
def request_context(demo_app):
    """parse() translates its messages and reads the catalogue's words: a request of the demo
    portal."""
    with demo_app.test_request_context("/en/"):
        yield demo_app


def outcome(args: MultiDict, locale: str = "en"):
    """("query", SearchQuery) or ("refused", problems); any other exception escapes the test."""
    try:
        query, _ = service.parse(args, locale)
    except ParamError as error:
        return "refused", error.problems
    return "query", query


def assert_within_bounds(query: SearchQuery, locale: str) -> None:
    assert query.locale == locale
    assert 1 <= query.page <= service.MAX_PAGE and 1 <= query.per_page <= service.MAX_PER_PAGE
    assert len(query.text) <= service.MAX_TEXT and query.sort in SORTS
    for name, values in query.filters.items():
        valid, _ = service.VALIDATORS[name]
        assert name in FACETS and values and list(values) == sorted(set(values)), name
        assert all(valid(value) for value in values), (name, values)
    for low, high in ((query.ects_min, query.ects_max), (query.hours_min, query.hours_max)):
        assert all(v is None or (math.isfinite(v) and v >= 0) for v in (low, high))
        assert low is None or high is None or low <= high
    assert not (query.start_from and query.start_to) or query.start_from <= query.start_to
    assert query.updated_since is None or query.updated_since.utcoffset() == dt.timedelta(0)
    if query.near:
        assert abs(query.near.lat) <= 90 and abs(query.near.lon) <= 180
        assert 0 < query.near.radius_km <= service.MAX_RADIUS_KM


@SETTINGS
@given(args=ARGS, locale=st.sampled_from(LOCALES))
def test_parse_makes_a_query_within_bounds_or_a_param_error(request_context, args, locale):
    """Whatever it is given: a query the backends can run as it is (within the documented
    bounds, every filter value valid), or problems that each name a parameter of the search."""
    note(f"given {list(args.items(multi=True))}")
    kind, result = outcome(args, locale)
    if kind == "refused":
        assert result, "a ParamError names at least one problem"
        for problem in result:
            assert problem["param"] in PARAMETERS and isinstance(problem["message"], str), problem
            assert problem["message"].strip(), problem
    else:
        assert_within_bounds(result, locale)


@SETTINGS
@given(args=ARGS, extra=st.lists(st.tuples(UNKNOWN, TEXT), min_size=1, max_size=4),
       at_front=st.booleans())
def test_keys_the_parser_does_not_read_change_nothing(request_context, args, extra, at_front):
    """A page reads a search from its known parameters only (the API refuses the others before
    parsing): any other key, before or after them, leaves the outcome as it was."""
    pairs = list(args.items(multi=True))
    mixed = MultiDict(extra + pairs if at_front else pairs + extra)
    note(f"given {pairs}, with the others {list(mixed.items(multi=True))}")
    assert outcome(mixed) == outcome(args)


def as_served(url: str) -> MultiDict:
    """The parameters of a link as the portal reads them when it is followed."""
    return Request(EnvironBuilder(path=url).get_environ()).args


@SETTINGS
@given(args=ARGS)
@example(args=MultiDict([("q", ""), ("q", "welding")]))  # the page reads the first q
def test_the_way_back_from_an_offer_is_the_same_search(request_context, args):
    """The search page gives each offer link ``results`` (pages.results_query); the offer page
    turns it back into a link to the search (pages.back_to_results). Followed, that link is the
    same search: the same query, or the same problems. (The page passes the parameters with the
    filters from the words written out: the next test shows those are the same search too.)"""
    results = pages.results_query(args)
    note(f"given {list(args.items(multi=True))}")
    with request_context.test_request_context("/en/opportunities/1",
                                              query_string={"results": results}):
        back = pages.back_to_results()
    if back is None:  # documented: none for a search longer than 2,000 characters
        assert len(results) > 2000 or not results
        return
    assert outcome(as_served(back)) == outcome(args)


def same_search(query: SearchQuery) -> SearchQuery:
    """The query without the label of its place, which says how it was given (a city's name, or
    the coordinates written out), not where."""
    return query if query.near is None else \
        dataclasses.replace(query, near=dataclasses.replace(query.near, label=""))


@SETTINGS
@given(args=WORDED)
@example(args=MultiDict([("q", "data analysis in Munich near Berlin")]))  # two cities
def test_the_filters_written_out_from_the_words_are_the_same_search(request_context, args):
    """Links and forms start from search_service.explicit_args: the filters read out of the
    words ("welding online EQF 6 Munich") written out as parameters and the words without them.
    Parsed again, they are the same search, so that changing one filter keeps the others."""
    try:
        query, interpretation = service.parse(args, "en")
    except ParamError:
        return  # a refused search has no links
    explicit = service.explicit_args(args, interpretation)
    note(f"given {list(args.items(multi=True))}, written out {list(explicit.items(multi=True))}")
    again, _ = service.parse(explicit, "en")
    assert same_search(again) == same_search(query)
