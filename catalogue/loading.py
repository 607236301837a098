"""``loaded_once``: functools.cache for what takes seconds to build (the ESCO label index, the
gazetteer, word lists), made once even when many threads ask at the same moment.

functools.cache holds no lock: a cold worker's first 32 concurrent searches each built the
label index, 32 times over under one interpreter lock, and answered after minutes. Here the
first caller of a given argument builds while the others wait for its result.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

T = TypeVar("T")


def loaded_once(build: Callable[..., T]) -> Callable[..., T]:
    done: dict[tuple, T] = {}
    lock = threading.RLock()  # re-entrant: a loader may call another argument of itself

    @wraps(build)
    def load(*args) -> T:
        try:
            return done[args]
        except KeyError:
            pass
        with lock:
            if args not in done:
                done[args] = build(*args)
            return done[args]

    load.cache_clear = done.clear  # as functools.cache offers (tests use it)
    return load
