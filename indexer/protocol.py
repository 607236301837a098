"""The SearchBackend protocol and its query / result types, shared by every backend.

Facets, sorts and ECTS ranges are declared here once; backends, the portal and the API read them.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

# facet name -> the document field holding its values (a value or a list of values)
FACETS: dict[str, str] = {
    "eqf": "eqf", "ects": "ects_range", "country": "countries", "region": "regions",
    "language": "languages", "form": "form", "isced": "isced", "provider": "provider",
    "qa": "qa", "price": "price_class", "stackable": "stackability", "funding": "funding",
    "audience": "target_groups",
}
# ECTS ranges as (code, lower bound exclusive, upper bound inclusive)
ECTS_RANGES: tuple[tuple[str, float, float], ...] = (
    ("0-2", 0, 2), ("2-5", 2, 5), ("5-10", 5, 10), ("10+", 10, float("inf")))
# Hours of work per ECTS credit, a range: "ECTS Users' Guide 2015" (vocabularies/data/
# credit_schemes.csv). A workload filter finds an offer stated only in ECTS when this range of
# hours meets the one asked for; an offer's stated hours count as they are.
HOURS_PER_ECTS = (25.0, 30.0)
# The most neighbours by meaning a search adds to what its words find: more than anyone pages
# through, and the cost of finding them stays flat (bench/opensearch.py).
NEIGHBOURS = 1_000
SORTS = ("relevance", "start", "ects", "-ects", "title", "-updated")


def ects_range(ects: float | None) -> str | None:
    if ects is None:
        return None
    return next((code for code, low, high in ECTS_RANGES if low < ects <= high), None)


@dataclass(frozen=True)
class Concepts:
    """Concepts a query names (see indexer.concepts): offers tagged with any of them match
    too, whatever language they are written in."""
    skills: tuple[str, ...] = ()       # ESCO skill URIs (stated or suggested)
    occupations: tuple[str, ...] = ()  # ESCO occupation URIs
    isced: tuple[str, ...] = ()        # ISCED-F codes

    def __bool__(self) -> bool:
        return bool(self.skills or self.occupations or self.isced)


# concept kind -> the document fields that carry it
CONCEPT_FIELDS = {"skills": ("skills", "suggested_skills"), "occupations": ("occupations",),
                  "isced": ("isced",)}


@dataclass(frozen=True)
class Near:
    """Offers with a place within ``radius_km`` of a point; online offers by choice."""
    lat: float
    lon: float
    radius_km: float
    include_online: bool = False
    label: str = ""  # the place as the user named it


RETRIEVALS = ("hybrid", "lexical", "vector")


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # OR within, AND across
    ects_min: float | None = None
    ects_max: float | None = None
    hours_min: float | None = None  # workload in hours (see HOURS_PER_ECTS)
    hours_max: float | None = None
    start_from: dt.date | None = None
    start_to: dt.date | None = None
    start_anytime: bool = False  # only offers one can start at any time
    updated_since: dt.datetime | None = None  # added or changed at or after this (UTC)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    locale: str = "en"  # the reader's language, boosted in text matching where a backend can
    concepts: Concepts = field(default_factory=Concepts)  # found by the words, in any language
    vector: tuple[float, ...] | None = None  # the words' embedding: neighbours by meaning
    vector_floor: float = 1.0  # neighbours are at least this similar (see indexer.embeddings)
    neighbours: int = NEIGHBOURS  # and among the nearest this many (under the range filters)
    good_floor: float = 1.0  # neighbours this similar match well (the others only loosely)
    corrections: Mapping[str, str] = field(default_factory=dict)  # typed word -> likely word
    near: Near | None = None
    retrieval: str = "hybrid"  # "lexical" or "vector" alone: for measuring (bench/relevance.py)

    @property
    def has_words(self) -> bool:
        """Words that say what to find; generic words alone ("courses") constrain nothing."""
        from .wording import content_words
        return bool(content_words(self.text))

    @property
    def lexical(self) -> bool:
        return self.retrieval != "vector" and self.has_words

    @property
    def semantic(self) -> bool:
        return self.retrieval != "lexical" and self.vector is not None and self.has_words

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass
class Hit:
    id: int
    doc: dict
    score: float | None = None
    highlights: dict[str, str] = field(default_factory=dict)  # field -> HTML with <mark>, a
    # highlight.Snippet that knows its language (a title may match in any of its languages)


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]  # facet -> [(value, count)], counts > 0
    # whether any offer of the result matches the words or is close in meaning (None: no words);
    # when none does, the portal labels the results as the closest offers
    matches_well: bool | None = None


class SearchUnavailable(Exception):
    """The search engine cannot answer now (down, timing out, not built)."""


class SearchBackend(Protocol):
    def ensure_ready(self) -> None: ...
    def upsert(self, docs: Iterable[dict]) -> int: ...
    def delete(self, ids: Iterable[int]) -> int: ...
    def rebuild(self, docs: Iterable[dict]) -> int: ...
    def search(self, query: SearchQuery) -> SearchResult: ...
    def count(self) -> int: ...
    def needs_rebuild(self) -> bool: ...  # empty or of an older layout: fill from the catalogue
    def autocomplete(self, prefix: str, locale: str, size: int = 8) -> list[str]: ...
