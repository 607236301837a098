"""The bundled model's vectors kept on disk between test runs, for the mutation run only.

A mutation run starts pytest once per mutant, and each start would embed the demo catalogue
again (about 45 s of the model on two cores). The model is deterministic, so a vector read back
is the one it would compute: ``LEARNCAT_TEST_VECTOR_CACHE`` names an SQLite file that keeps them
by model, kind and text. Unset (``make test``, CI), nothing changes.
"""
from __future__ import annotations

import hashlib
import os
import sqlite3

import numpy as np

from indexer.encoders import DIMENSIONS, BundledEncoder


def install() -> None:
    path = os.environ.get("LEARNCAT_TEST_VECTOR_CACHE")
    if not path:
        return
    compute = BundledEncoder._encode
    db = sqlite3.connect(path, timeout=60, check_same_thread=False, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB)")

    def cached(self, texts, is_query: bool) -> np.ndarray:
        keys = [hashlib.sha256(f"{self.name}|{is_query}|{t}".encode()).digest() for t in texts]
        found = dict(db.execute(f"SELECT key, vector FROM vectors WHERE key IN "
                                f"({','.join('?' * len(keys))})", keys)) if keys else {}
        missing = [i for i, k in enumerate(keys) if k not in found]
        if missing:
            computed = compute(self, [texts[i] for i in missing], is_query)
            rows = [(keys[i], computed[j].tobytes()) for j, i in enumerate(missing)]
            db.executemany("INSERT OR IGNORE INTO vectors VALUES (?, ?)", rows)
            found.update(rows)
        return np.array([np.frombuffer(found[k], dtype=np.float32) for k in keys],
                        dtype=np.float32).reshape(-1, DIMENSIONS)

    BundledEncoder._encode = cached
