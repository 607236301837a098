"""What the search service adds to the words before any backend sees them: their embedding and
its similarity floor, corrections of typing errors, and the catalogue-wide data both need.

Everything here is computed once per query for every backend, so the embedded and the
OpenSearch backend receive the same vector, floor and corrections and cannot drift apart.
The speller and the vector statistics are read from the catalogue (the source of truth) and
kept for a while per process; an encoder that is down leaves the search lexical.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict

import numpy as np
from flask import current_app
from sqlalchemy import func, select

from catalogue.models import Opportunity, Status
from indexer import wording
from indexer.embeddings import STATS_TTL, VectorStats, vector_stats
from indexer.encoders import EncoderUnavailable
from indexer.spelling import Speller, known_words, word_counts

from .services import services

log = logging.getLogger(__name__)
QUERY_CACHE = 2_000  # query vectors kept per process (paging a search re-uses its vector)


class Understanding:
    def __init__(self):
        self._lock = threading.Lock()
        self._speller: tuple[tuple, float, Speller] | None = None
        self._stats: VectorStats | None = None
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()

    def corrections(self, text: str, lang: str | None = None) -> dict[str, str]:
        return self.speller().corrections(wording.content_words(text), lang)

    def speller(self) -> Speller:
        """Built from the active offers' words; rebuilt when the catalogue changed, checked at
        most once a minute."""
        now = time.monotonic()
        cached = self._speller
        if cached and now - cached[1] < 60:
            return cached[2]
        with services().sessions() as s:
            state = tuple(s.execute(select(func.count(), func.max(Opportunity.updated_at)).where(
                Opportunity.status == Status.ACTIVE)).one())
            if cached and cached[0] == state:
                self._speller = (state, now, cached[2])
                return cached[2]
            rows = s.execute(select(Opportunity.title, Opportunity.learning_outcomes,
                                    Opportunity.description).where(
                Opportunity.status == Status.ACTIVE)).yield_per(1000)
            counts = word_counts(text for title, outcomes, description in rows for text in (
                *title.values(), *description.values(),
                *(o for items in outcomes.values() for o in items)))
        speller = Speller(counts, known_words(current_app.config["BABEL_TRANSLATION_DIRECTORIES"]))
        self._speller = (state, now, speller)
        return speller

    def vector(self, text: str, corrections: dict[str, str] | None = None) -> np.ndarray | None:
        """The words' embedding (without generic words, misspelt ones corrected), or None when
        there is no encoder."""
        encoder = services().encoder
        if encoder is None:
            return None
        key = wording.content_text(text, corrections).casefold()
        with self._lock:
            if key in self._vectors:
                self._vectors.move_to_end(key)
                return self._vectors[key]
        try:
            vector = encoder.encode_queries([key])[0]
        except EncoderUnavailable as exc:
            log.warning("searching by words only: %s", exc)
            return None
        with self._lock:
            self._vectors[key] = vector
            while len(self._vectors) > QUERY_CACHE:
                self._vectors.popitem(last=False)
        return vector

    def floors(self, vector: np.ndarray) -> tuple[float, float] | None:
        """The similarity floor of the result set, and the one of offers that match well."""
        stats = self._stats
        if stats is None or time.monotonic() - stats.read_at > STATS_TTL:
            with services().sessions() as s:
                stats = vector_stats(s, services().encoder.name)
            self._stats = stats
        if stats is None:
            return None
        return stats.floor(vector), stats.good_floor(vector)


def understanding() -> Understanding:
    return current_app.extensions.setdefault("learncat.understanding", Understanding())
