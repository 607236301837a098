"""Offer vectors: which text is embedded, computed once per text, kept in the catalogue database.

An offer is embedded from one passage per language it has a title in (the title, the start of
the description and the first two learning outcomes in that language), the passages averaged.
Measured with bench/relevance.py's judged queries (vector retrieval alone, hit@10 over 463
queries on the demo catalogue): titles alone 0.827, titles with the description 0.853, titles with
description and outcomes 0.868 (synonyms 0.627 -> 0.821), at about four times the encoding time
of titles alone (about 70 ms a passage on this CPU). Vectors are stored by (model, text hash), so
a re-harvest of an unchanged feed, a rebuild and offers sharing a text embed nothing again.

The similarity floor of a query is relative to the catalogue: the mean and spread of the query's
similarity to every offer follow from the vectors' mean and covariance (q.mu and q'Cq), so one
z-score describes "clearly closer than the rest" for a short or a long query, a small or a large
catalogue, and both backends receive the same absolute floor.
"""
from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalogue.models import Embedding

from .encoders import Encoder, EncoderUnavailable, normalised

BATCH = 64          # passages per encoder call
FLOOR_Z = 1.5       # vector neighbours: this many standard deviations above the mean (about the
                    # closest 7% of the catalogue; bench/relevance.py: 2.0 loses 6 points of hit@10)
GOOD_Z = 2.5        # neighbours this far above the mean match well; below, the page says
                    # that nothing matches well and shows the results as the closest offers
MIN_FLOOR = 0.80    # and never below this cosine (e5's similarities rarely fall below 0.7)
MIN_SAMPLE = 50     # fewer vectors say too little of the spread: a fixed floor instead
SMALL_FLOOR = 0.83  # (measured on the demo: relevant neighbours score 0.84-0.90)
SMALL_GOOD = 0.85
STATS_SAMPLE = 5_000  # offers whose vectors make the statistics
STATS_TTL = 600.0   # seconds before the catalogue's vector statistics are read again
log = logging.getLogger(__name__)


DESCRIPTION_CHARS = 200
OUTCOMES = 2


def passage_texts(doc: dict) -> list[str]:
    """The texts an offer is embedded from: a passage per title language."""
    passages = []
    for lang, title in doc["title"].items():
        if not (title and title.strip()):
            continue
        description = (doc["description"].get(lang) or "").strip()
        if len(description) > DESCRIPTION_CHARS:
            description = description[:DESCRIPTION_CHARS].rsplit(" ", 1)[0]
        outcomes = "; ".join((doc["outcomes"].get(lang) or "").split(" · ")[:OUTCOMES])
        passages.append(" ".join(p for p in (f"{title.strip()}.", description, outcomes) if p))
    return list(dict.fromkeys(passages))


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f2").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<f2").astype(np.float32)


class Embedder:
    """Attaches ``doc["vector"]`` to documents, encoding only texts it has never stored."""

    def __init__(self, session: Session, encoder: Encoder):
        self.session = session
        self.encoder = encoder
        self.error: EncoderUnavailable | None = None

    def attach(self, docs: list[dict]) -> list[dict]:
        """Sets each document's vector (a list of floats); raises EncoderUnavailable."""
        hashes = [{text_hash(t): t for t in passage_texts(doc)} for doc in docs]
        texts = {h: t for per_doc in hashes for h, t in per_doc.items()}
        known = self._stored(list(texts))
        missing = [h for h in texts if h not in known]
        for start in range(0, len(missing), BATCH):
            chunk = missing[start:start + BATCH]
            vectors = self.encoder.encode_passages([texts[h] for h in chunk])
            for h, v in zip(chunk, vectors):
                known[h] = v
                self.session.add(Embedding(model=self.encoder.name, text_hash=h, vector=to_bytes(v)))
            self.session.flush()
        for doc, per_doc in zip(docs, hashes):
            # float16 values, as the embedded index stores them: both backends see the same
            doc["vector"] = offer_vector([known[h] for h in per_doc]).astype(
                np.float16).astype(float).tolist() if per_doc else None
        return docs

    def _stored(self, hashes: list[str]) -> dict[str, np.ndarray]:
        found = {}
        for start in range(0, len(hashes), 500):
            rows = self.session.execute(select(Embedding.text_hash, Embedding.vector).where(
                Embedding.model == self.encoder.name,
                Embedding.text_hash.in_(hashes[start:start + 500])))
            found.update((h, from_bytes(v)) for h, v in rows)
        return found


def offer_vector(passages: list[np.ndarray]) -> np.ndarray:
    """An offer's vector: its passages' vectors averaged, normalised."""
    return normalised(np.mean(passages, axis=0))[0]


def with_vectors(docs: Iterable[dict], embedder: Embedder | None,
                 unembedded: list[int], chunk: int = 256) -> Iterator[dict]:
    """Documents in chunks with their vectors. When the encoder is unavailable the documents go
    on without one (lexical search still finds them) and their ids are noted in ``unembedded``,
    so that they stay pending; the encoder is not asked again in this run."""
    batch: list[dict] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) >= chunk:
            yield from _embedded(batch, embedder, unembedded)
            batch = []
    yield from _embedded(batch, embedder, unembedded)


def _embedded(batch: list[dict], embedder: Embedder | None, unembedded: list[int]) -> list[dict]:
    if batch and embedder is not None and embedder.error is None:
        try:
            embedder.attach(batch)
        except EncoderUnavailable as exc:
            embedder.error = exc
            log.warning("offers indexed without vectors, embedding stays pending: %s", exc)
    for doc in batch:
        if doc.setdefault("vector", None) is None and embedder is not None and passage_texts(doc):
            unembedded.append(doc["id"])
    return batch


@dataclass
class VectorStats:
    """Mean and covariance of the catalogue's vectors, for the query-relative floor."""
    mean: np.ndarray
    covariance: np.ndarray
    read_at: float
    size: int

    def floor(self, query: np.ndarray) -> float:
        """The result set's floor: about the closest 7% of the catalogue."""
        return self._floor(query, FLOOR_Z, SMALL_FLOOR)

    def good_floor(self, query: np.ndarray) -> float:
        """Neighbours this close match well."""
        return self._floor(query, GOOD_Z, SMALL_GOOD)

    def _floor(self, query: np.ndarray, z: float, small: float) -> float:
        if self.size < MIN_SAMPLE:
            return small
        spread = float(np.sqrt(max(query @ self.covariance @ query, 1e-12)))
        return max(MIN_FLOOR, float(query @ self.mean) + z * spread)


def vector_stats(session: Session, model: str) -> VectorStats | None:
    """Statistics over the offer vectors of (an even sample of) the active offers, as the
    backends hold them; None when no offer has a stored vector."""
    from catalogue.models import Opportunity, Status

    from .documents import text_fields
    ids = session.scalars(select(Opportunity.id).where(Opportunity.status == Status.ACTIVE)
                          .order_by(Opportunity.id)).all()
    step = max(1, len(ids) // STATS_SAMPLE)
    docs = []
    for start in range(0, len(ids), 500 * step):
        chunk = ids[start:start + 500 * step:step]
        docs += [text_fields(o) for o in session.scalars(
            select(Opportunity).where(Opportunity.id.in_(chunk)))]
    hashes = [[text_hash(t) for t in passage_texts(doc)] for doc in docs]
    known = Embedder(session, _Named(model))._stored([h for per_doc in hashes for h in per_doc])
    vectors = [offer_vector([known[h] for h in per_doc]) for per_doc in hashes
               if per_doc and all(h in known for h in per_doc)]
    if not vectors:
        return None
    matrix = np.array(vectors, dtype=np.float32)
    mean = matrix.mean(axis=0)
    centred = matrix - mean
    covariance = centred.T @ centred / max(len(matrix) - 1, 1)
    return VectorStats(mean, covariance, time.monotonic(), len(matrix))


@dataclass
class _Named:
    """An encoder's name, to read stored vectors without encoding."""
    name: str
