"""Reciprocal rank fusion of the lexical and the vector ranking, as pure functions.

A document's fused score is the sum over rankings of 1 / (K + rank), rank counted from 1, as
OpenSearch's score-ranker-processor computes it for a hybrid query (rank_constant 60), so both
backends order one result set the same way. The result set itself is the union of the
rankings: lexical matches (and concept matches after them) plus vector neighbours above the
query's similarity floor; totals and facet counts describe exactly that set.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

K = 60


def rrf(rankings: Sequence[np.ndarray], size: int, k: int = K) -> np.ndarray:
    """Fused scores for positions 0..size-1; each ranking lists positions best first."""
    scores = np.zeros(size, dtype=np.float64)
    for ranking in rankings:  # a ranking names each position once: plain indexing adds
        ranking = np.asarray(ranking, dtype=np.int64)
        scores[ranking] += 1.0 / (k + np.arange(1, len(ranking) + 1))
    return scores


def ranked(mask: np.ndarray, scores: np.ndarray, higher_first: bool = True) -> np.ndarray:
    """Positions where ``mask`` holds, by score (ties by position): one ranking for ``rrf``."""
    positions = np.flatnonzero(mask)
    keys = -scores[positions] if higher_first else scores[positions]
    return positions[np.lexsort((positions, keys))]
