"""A backend that answers from a second one while the first cannot (SEARCH_FALLBACK)."""
from __future__ import annotations

import logging
from collections.abc import Iterable

from .protocol import SearchBackend, SearchQuery, SearchResult, SearchUnavailable

log = logging.getLogger(__name__)


class FallbackBackend:
    """Writes go to both indexes, so the fallback stays current; searches use the primary and,
    when it is unavailable, the fallback."""

    def __init__(self, primary: SearchBackend, fallback: SearchBackend):
        self.primary, self.fallback = primary, fallback

    def ensure_ready(self) -> None:
        self.fallback.ensure_ready()
        self.primary.ensure_ready()

    def upsert(self, docs: Iterable[dict]) -> int:
        docs = list(docs)
        self.fallback.upsert(docs)
        return self.primary.upsert(docs)

    def delete(self, ids: Iterable[int]) -> int:
        ids = list(ids)
        self.fallback.delete(ids)
        return self.primary.delete(ids)

    def rebuild(self, docs: Iterable[dict]) -> int:
        docs = list(docs)
        self.fallback.rebuild(docs)
        return self.primary.rebuild(docs)

    def count(self) -> int:
        return self.primary.count()

    def needs_rebuild(self) -> bool:
        return self.primary.needs_rebuild()

    def search(self, query: SearchQuery) -> SearchResult:
        try:
            return self.primary.search(query)
        except SearchUnavailable as exc:
            log.warning("answering from the fallback index: %s", exc)
            return self.fallback.search(query)

    def autocomplete(self, prefix: str, locale: str, size: int = 8) -> list[str]:
        try:
            return self.primary.autocomplete(prefix, locale, size)
        except SearchUnavailable:
            return self.fallback.autocomplete(prefix, locale, size)
