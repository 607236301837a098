"""The embedded search backend: SQLite FTS5 for words, numpy columns for filters and facets.

Text is analysed in Python (Snowball stems per language, folded) and stored in an FTS5 table
whose BM25 ranking weighs title above outcomes above description. Filters, multi-select facet
counts, sorting and paging run over per-facet (document, value) arrays loaded once per index
generation: each facet's counts apply every other filter but not its own.
"""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from .. import analysis, fusion, wording
from ..documents import analysed_text, completions, text_languages
from ..encoders import DIMENSIONS
from ..highlight import highlights, matcher
from ..places import distances_km
from ..protocol import (CONCEPT_FIELDS, FACETS, HOURS_PER_ECTS, Hit, SearchQuery, SearchResult,
                        SearchUnavailable)

TEXT_COLUMNS = ("title", "outcomes", "description", "other")
WEIGHTS = (10.0, 4.0, 1.0, 2.0)  # BM25 column weights, in TEXT_COLUMNS order
READER_BOOST = 1.5  # offers with text in the reader's own language rank higher
# A word found in more than this share of the offers gets a small constant score instead of
# its BM25 (whose inverse document frequency is near nil, and which costs most to compute:
# about 35 ms for a word of 24,000 offers out of 100,000); the other words and the vector
# ranking order those offers.
BROAD_SHARE, BROAD_MIN = 0.1, 2_000  # (below 2,000 offers BM25 is cheap: always computed)
BROAD_SCORE = 0.1
TEXT_LANGUAGE = "text_language"  # facet_values rows for the languages an offer has text in
TABLES = {
    # body: the document as JSON; the other columns are what Columns.load reads, so that it
    # needs no JSON parsing: ECTS, start any time, Annex I completeness, folded title for
    # sorting, start dates (space-separated), coordinates ("lat lon" pairs), the vector
    # (float16 bytes, or NULL) and when the offer last changed (seconds since 1970, UTC)
    "docs": "CREATE TABLE IF NOT EXISTS {name} (rowid INTEGER PRIMARY KEY, body TEXT NOT NULL,"
            " ects REAL, anytime INTEGER, completeness INTEGER, title_key TEXT, starts TEXT,"
            " coordinates TEXT, vector BLOB, updated REAL, hours REAL)",
    "facet_values": "CREATE TABLE IF NOT EXISTS {name} (doc INTEGER NOT NULL, facet TEXT NOT NULL,"
                    " value TEXT NOT NULL)",
    "fts": "CREATE VIRTUAL TABLE IF NOT EXISTS {name} USING fts5(title, outcomes, description,"
           " other, tokenize = 'unicode61 remove_diacritics 2')",
    "meta": "CREATE TABLE IF NOT EXISTS {name} (key TEXT PRIMARY KEY, value TEXT)",
}
SCHEMA_VERSION = "9"
INDEXES = ("CREATE INDEX IF NOT EXISTS facet_values_doc ON facet_values (doc)",
           "CREATE INDEX IF NOT EXISTS facet_values_value ON facet_values (facet, value, doc)",
           "INSERT OR IGNORE INTO meta VALUES ('generation', '0')",
           f"INSERT OR REPLACE INTO meta VALUES ('schema', '{SCHEMA_VERSION}')")
SWAPPED = ("docs", "facet_values", "fts")
# The vector product runs on a thread of its own while the word queries run (about 8 ms of
# each at 100,000 offers, overlapped on a machine of two cores or more).
_SIMILARITY = ThreadPoolExecutor(max_workers=2, thread_name_prefix="similarity")


class SqliteBackend:
    def __init__(self, path: str | Path):
        # One BLAS thread: the vector product is memory-bound, and idle OpenBLAS threads
        # spinning after it slowed the encoder's own threads from 7 to 50-100 ms a query.
        threadpool_limits(1, user_api="blas")
        self.path = str(path)
        self._local = threading.local()
        self._columns: Columns | None = None
        self._lock = threading.Lock()

    # -- connections and schema -------------------------------------------------------------
    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA busy_timeout=10000")
            self._local.db = db
        return db

    def ensure_ready(self) -> None:
        """Create the index tables; an index of an older layout is dropped (rebuild it)."""
        db = self._db()
        with _transaction(db):
            if self._schema(db) not in (None, SCHEMA_VERSION):
                for table in SWAPPED:
                    db.execute(f"DROP TABLE IF EXISTS {table}")
            for name, create in TABLES.items():
                db.execute(create.format(name=name))
            for statement in INDEXES:
                db.execute(statement)

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    @staticmethod
    def _schema(db) -> str | None:
        try:
            row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        except sqlite3.OperationalError:
            return None  # a new file
        return row[0] if row else "1"

    def _generation(self, db) -> int:
        try:
            return int(db.execute("SELECT value FROM meta WHERE key='generation'").fetchone()[0])
        except (sqlite3.OperationalError, TypeError) as exc:
            raise SearchUnavailable("the search index has not been built") from exc

    # -- writing ----------------------------------------------------------------------------
    def upsert(self, docs: Iterable[dict]) -> int:
        db = self._db()
        n = 0
        with _transaction(db):
            for doc in docs:
                _delete(db, [doc["id"]])
                _insert(db, "", doc)
                n += 1
            _bump(db)
        return n

    def delete(self, ids: Iterable[int]) -> int:
        db = self._db()
        ids = list(ids)
        with _transaction(db):
            _delete(db, ids)
            _bump(db)
        return len(ids)

    def rebuild(self, docs: Iterable[dict]) -> int:
        """Load into new tables, then swap them in within one transaction; readers keep the
        old index until the commit."""
        self.ensure_ready()
        db = self._db()
        n = 0
        with _transaction(db):
            for table in SWAPPED:
                db.execute(f"DROP TABLE IF EXISTS new_{table}")
                db.execute(TABLES[table].format(name=f"new_{table}"))
            for doc in docs:
                _insert(db, "new_", doc)
                n += 1
            for table in SWAPPED:
                db.execute(f"DROP TABLE {table}")
                db.execute(f"ALTER TABLE new_{table} RENAME TO {table}")
            for statement in INDEXES:
                db.execute(statement)
            _bump(db)
        return n

    def count(self) -> int:
        return self._db().execute("SELECT count(*) FROM docs").fetchone()[0]

    def needs_rebuild(self) -> bool:
        """Empty: new, or dropped by ensure_ready because its layout was older."""
        return self.count() == 0

    # -- searching --------------------------------------------------------------------------
    def columns(self) -> Columns:
        """The in-memory filter and facet columns of the current index generation."""
        db = self._db()
        generation = self._generation(db)
        columns = self._columns
        if columns is None or columns.generation != generation or columns.day != dt.date.today():
            with self._lock:
                if self._columns is None or self._columns.generation != generation \
                        or self._columns.day != dt.date.today():
                    self._columns = Columns.load(db, generation)
                columns = self._columns
        return columns

    def search(self, query: SearchQuery) -> SearchResult:
        try:
            return self._search(query)
        except sqlite3.Error as exc:
            raise SearchUnavailable(f"the embedded index cannot be read: {exc}") from exc

    def _search(self, query: SearchQuery) -> SearchResult:
        db = self._db()
        cols = self.columns()
        scores = None
        terms: list[set[str]] = []
        base = cols.range_mask(query)
        if query.near:
            base &= cols.near_mask(query.near)
        good = worded = None
        if query.has_words:
            terms = wording.terms(query.text, cols.languages | {query.locale}, query.corrections)
            found, scores, good, worded = self._matches(db, cols, query, terms, base)
            base &= found
        masks = {name: cols.facet_mask(name, values)
                 for name, values in query.filters.items() if values}
        result = base.copy()
        for mask in masks.values():
            result &= mask
        facets = {}
        for name in FACETS:
            scope = base.copy()
            for other, mask in masks.items():
                if other != name:
                    scope &= mask
            facets[name] = cols.counts(name, scope)
        order = cols.order(result, query.sort, scores)
        page = order[query.offset: query.offset + query.per_page]
        hits = self._hits(db, cols.rowids[page], scores[page] if scores is not None else None,
                          terms, query.locale, None if worded is None else worded[page])
        return SearchResult(total=int(result.sum()), hits=hits, facets=facets,
                            matches_well=None if good is None else bool((good & result).any()))

    def _matches(self, db, cols: Columns, query: SearchQuery, terms: list[set[str]],
                 allowed: np.ndarray):
        """The offers the words find and their fused relevance (higher is better): lexical
        matches of enough words, offers tagged with a concept the words name (ranked after
        them), and the nearest neighbours among the allowed offers, above the query's floor
        (indexer.protocol.NEIGHBOURS, as the OpenSearch backend); and which of them match well
        (the words, or a neighbour above the good floor); and which contain a word at all
        (None: not searched by words), the only ones whose snippets can mark one."""
        lexical = np.zeros(cols.size, dtype=bool)
        bm25 = np.zeros(cols.size)
        worded = pending = None
        if query.semantic and cols.vectors is not None:  # beside the word queries: both
            pending = _SIMILARITY.submit(  # release the interpreter lock
                cols.similarity, np.asarray(query.vector, dtype=np.float32))
        if query.lexical:
            counts, bm25 = _word_scores(db, cols, terms)
            worded = counts > 0
            lexical = counts >= wording.required(len(terms))
            bm25[~lexical] = 0.0
            bm25[cols.facet_mask(TEXT_LANGUAGE, [query.locale])] *= READER_BOOST
        if query.lexical and query.concepts:
            tagged = cols.concept_mask(query.concepts) & ~lexical
            bm25[tagged] = 0.0  # after every offer whose own words match
            lexical |= tagged
        rankings = [fusion.ranked(lexical, bm25)]
        near = np.zeros(cols.size, dtype=bool)
        good = lexical.copy()
        if pending is not None:
            similarity = pending.result()
            above = allowed & cols.has_vector & (similarity >= query.vector_floor)
            near = nearest(similarity, above, query.neighbours)
            good |= near & (similarity >= query.good_floor)
            rankings.append(fusion.ranked(near, similarity))
        return lexical | near, fusion.rrf(rankings, cols.size), good, worded

    def autocomplete(self, prefix: str, locale: str, size: int = 8) -> list[str]:
        try:
            return _autocomplete(self, prefix, locale, size)
        except sqlite3.Error as exc:
            raise SearchUnavailable(f"the embedded index cannot be read: {exc}") from exc

    def _hits(self, db, rowids, scores, terms, locale, worded=None) -> list[Hit]:
        if not len(rowids):
            return []
        ids = [int(r) for r in rowids]
        marks = ",".join("?" * len(ids))
        bodies = dict(db.execute(f"SELECT rowid, body FROM docs WHERE rowid IN ({marks})", ids))
        marking = matcher(terms)
        hits = []
        for i, rowid in enumerate(ids):
            doc = json.loads(bodies[rowid])
            hits.append(Hit(id=rowid, doc=doc,
                            score=None if scores is None else float(scores[i]),
                            highlights=highlights(doc, marking, locale)
                            if terms and (worded is None or worded[i]) else {}))
        return hits


def nearest(similarity: np.ndarray, candidates: np.ndarray, k: int) -> np.ndarray:
    """The k candidates most similar (all of them if there are fewer), as a mask."""
    positions = np.flatnonzero(candidates)
    if len(positions) > k:
        positions = positions[np.argpartition(-similarity[positions], k - 1)[:k]]
    mask = np.zeros(len(similarity), dtype=bool)
    mask[positions] = True
    return mask


def _word_scores(db, cols: Columns, terms: list[set[str]]) -> tuple[np.ndarray, np.ndarray]:
    """How many of the words each offer matches, and their BM25 (higher is better). When every
    word is required, one AND query scores the offers matching them all (FTS5's BM25 of an AND
    is the sum of its words' scores), at the cost of those offers rather than of each word's
    matches: about 25 ms for a word of 9,000 offers out of 100,000. A set of more offers than
    BROAD gets a constant score instead (see BROAD_SHARE)."""
    counts = np.zeros(cols.size, dtype=np.int16)
    bm25 = np.zeros(cols.size)
    scored = []
    for group in terms:
        expression = match_expression([group])
        if expression:
            (found,) = db.execute("SELECT group_concat(rowid) FROM fts WHERE fts MATCH ?",
                                  (expression,)).fetchone()  # one string: no row objects
            positions = cols.position(np.array(found.split(","), dtype=np.int64)
                                      if found else np.zeros(0, dtype=np.int64))
            counts[positions] += 1
            scored.append((expression, positions))
    if len(terms) > 1 and wording.required(len(terms)) == len(terms):
        scored = [(match_expression(terms), np.flatnonzero(counts == len(terms)))]
    broad = max(BROAD_SHARE * cols.size, BROAD_MIN)
    for expression, positions in scored:
        if len(positions) > broad:
            bm25[positions] += BROAD_SCORE  # says little; BM25 of it costs the most
        elif len(positions):
            found = np.array(db.execute(
                f"SELECT rowid, bm25(fts, {', '.join(map(str, WEIGHTS))}) FROM fts "
                "WHERE fts MATCH ?", (expression,)).fetchall(), dtype=float)
            bm25[cols.position(found[:, 0].astype(np.int64))] -= found[:, 1]  # negative
    return counts, bm25


def _autocomplete(backend: SqliteBackend, prefix: str, locale: str, size: int) -> list[str]:
    """Titles (and skills) of offers matching the words typed, the last one as a prefix of a
    title word. The index holds stems, so candidates come from a shorter prefix and are then
    checked against the words themselves."""
    words = analysis.words(prefix)
    if not words:
        return []
    last = analysis.fold(words[-1])
    expression = f'title : "{last[:max(3, len(last) - 3)]}"*'
    if len(words) > 1:
        languages = backend.columns().languages
        expression += " AND " + match_expression(
            analysis.query_alternatives(" ".join(words[:-1]), languages))
    rows = backend._db().execute(
        "SELECT body FROM docs WHERE rowid IN (SELECT rowid FROM fts WHERE fts MATCH ? "
        "ORDER BY rank LIMIT 200)", (expression,))
    return completions((json.loads(body) for (body,) in rows), prefix, locale, size)


def match_expression(terms: list[set[str]]) -> str:
    """FTS5 query: every word must match, each through any of its stems (long ones as prefixes).
    An alternative that a shorter prefix already covers is dropped, so that no word is counted
    twice by BM25 (an unstemmed word would otherwise outrank its stemmed twin)."""
    groups = []
    for alternatives in terms:
        prefixes = {t for t in alternatives if len(t) >= analysis.MIN_PREFIX}
        kept = sorted(t for t in alternatives if t and not any(
            t != p and t.startswith(p) for p in prefixes))
        options = [f'"{t}"*' if t in prefixes else f'"{t}"' for t in kept]
        if options:
            groups.append("(" + " OR ".join(options) + ")")
    return " AND ".join(groups)


@dataclass
class Columns:
    """Per-generation arrays: positions are indexes into ``rowids`` (sorted)."""
    generation: int
    day: dt.date
    rowids: np.ndarray
    # per facet: the positions of its documents grouped by value, where each value's group
    # starts and ends (len(values) + 1 bounds), and the values; counting sums a group's slice
    facets: dict[str, tuple[np.ndarray, np.ndarray, list[str]]]
    ects: np.ndarray
    start_positions: np.ndarray
    start_days: np.ndarray
    anytime: np.ndarray
    next_start: np.ndarray
    title_rank: np.ndarray
    completeness: np.ndarray
    languages: set[str]
    place_positions: np.ndarray  # one entry per (document, coordinate)
    place_lat: np.ndarray
    place_lon: np.ndarray
    # (384, size) float32, a unit vector per column (zeros without one): BLAS multiplies
    # float32, not float16, and a query times this layout streams the matrix once, twice as
    # fast as the (size, 384) one on one thread (bench/search.py, 100,000 offers: 7 against 15 ms)
    vectors: np.ndarray | None
    has_vector: np.ndarray
    updated: np.ndarray  # seconds since 1970 (UTC); NaN when unknown
    hours: np.ndarray  # the workload in hours, stated or derived; NaN when not given

    @property
    def size(self) -> int:
        return len(self.rowids)

    def position(self, rowids: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.rowids, rowids)

    @classmethod
    def load(cls, db: sqlite3.Connection, generation: int) -> Columns:
        day = dt.date.today()
        rows = db.execute("SELECT rowid, ects, anytime, completeness, title_key, starts, "
                          "coordinates, vector, updated, hours FROM docs ORDER BY rowid").fetchall()
        n = len(rows)
        rowid, ects, anytime, completeness, titles, starts, coordinates, blobs, updated, hours = \
            zip(*rows) if rows else [()] * 10
        rowids = np.array(rowid, dtype=np.int64)
        ects = np.array([np.nan if e is None else e for e in ects], dtype=float)
        hours = np.array([np.nan if h is None else h for h in hours], dtype=float)
        anytime = np.array(anytime, dtype=bool)
        completeness = np.array(completeness, dtype=np.int8)
        start_pos = [i for i, text in enumerate(starts) for _ in text.split()]
        start_days = np.array([dt.date.fromisoformat(d).toordinal()
                               for text in starts for d in text.split()], dtype=np.int64)
        start_positions = np.array(start_pos, dtype=np.int64)
        next_start = np.full(n, np.iinfo(np.int64).max)
        upcoming = start_days >= day.toordinal()
        np.minimum.at(next_start, start_positions[upcoming], start_days[upcoming])
        next_start[anytime] = day.toordinal()
        title_rank = np.empty(n, dtype=np.int64)
        title_rank[np.argsort(np.array(titles, dtype=object), kind="stable")] = np.arange(n)
        grouped: dict[str, list[tuple[str, str]]] = {
            name: [] for name in (*FACETS, *CONCEPT_FIELDS, TEXT_LANGUAGE)}
        for facet, value, ids in db.execute("SELECT facet, value, group_concat(doc) "
                                            "FROM facet_values GROUP BY facet, value"):
            grouped[facet].append((value, ids))
        facets = {}
        for name, groups in grouped.items():
            values = [value for value, _ in groups]
            ids = [np.array(text.split(","), dtype=np.int64) for _, text in groups]
            positions = np.searchsorted(rowids, np.concatenate(ids)) if ids else \
                np.zeros(0, dtype=np.int64)
            bounds = np.cumsum([0, *(len(a) for a in ids)], dtype=np.int64)
            facets[name] = (positions, bounds, values)
        pairs = [(i, float(lat), float(lon)) for i, text in enumerate(coordinates) if text
                 for lat, lon in (p.split() for p in text.split(","))]
        place_positions, place_lat, place_lon = (np.array(c) for c in zip(*pairs)) if pairs \
            else (np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0))
        has_vector = np.array([b is not None for b in blobs], dtype=bool)
        vectors = None
        if has_vector.any():
            stored = np.frombuffer(b"".join(b for b in blobs if b is not None),
                                   dtype="<f2").reshape(-1, DIMENSIONS).astype(np.float32)
            stored /= np.maximum(np.linalg.norm(stored, axis=1), 1e-9)[:, None]
            vectors = np.zeros((DIMENSIONS, n), dtype=np.float32)
            vectors[:, has_vector] = stored.T
        return cls(generation, day, rowids, facets, ects, start_positions, start_days, anytime,
                   next_start, title_rank, completeness, set(facets[TEXT_LANGUAGE][2]),
                   place_positions.astype(np.int64), place_lat, place_lon, vectors, has_vector,
                   np.array([np.nan if u is None else u for u in updated], dtype=float), hours)

    def similarity(self, query: np.ndarray) -> np.ndarray:
        """Cosine similarity of every document to the query (-1 for documents without one),
        as OpenSearch's cosinesimil computes it (stored vectors are float16, not quite unit)."""
        similarity = (query / max(np.linalg.norm(query), 1e-9)) @ self.vectors
        similarity[~self.has_vector] = -1.0
        return similarity

    def near_mask(self, near) -> np.ndarray:
        """Documents with a place within the radius, and online ones if asked."""
        mask = np.zeros(self.size, dtype=bool)
        inside = distances_km(near.lat, near.lon, self.place_lat, self.place_lon) <= near.radius_km
        mask[self.place_positions[inside]] = True
        if near.include_online:
            mask |= self.facet_mask("form", ["online"])
        return mask

    def facet_mask(self, name: str, selected: Iterable[str]) -> np.ndarray:
        positions, bounds, values = self.facets[name]
        mask = np.zeros(self.size, dtype=bool)
        for v in set(selected):
            if v in values:
                i = values.index(v)
                mask[positions[bounds[i]:bounds[i + 1]]] = True
        return mask

    def concept_mask(self, concepts) -> np.ndarray:
        mask = np.zeros(self.size, dtype=bool)
        for kind in CONCEPT_FIELDS:
            codes = getattr(concepts, kind)
            if codes:
                mask |= self.facet_mask(kind, codes)
        return mask

    def counts(self, name: str, scope: np.ndarray) -> list[tuple[str, int]]:
        positions, bounds, values = self.facets[name]
        if not values:
            return []
        tally = np.add.reduceat(scope[positions].view(np.uint8), bounds[:-1], dtype=np.int64)
        return [(values[i], int(c)) for i, c in enumerate(tally) if c]

    def range_mask(self, q: SearchQuery) -> np.ndarray:
        mask = np.ones(self.size, dtype=bool)
        if q.ects_min is not None:
            mask &= self.ects >= q.ects_min
        if q.ects_max is not None:
            mask &= self.ects <= q.ects_max
        stated = ~np.isnan(self.hours)  # else the ECTS credits' range of hours (HOURS_PER_ECTS)
        fewest, most = HOURS_PER_ECTS
        if q.hours_min is not None:
            mask &= np.where(stated, self.hours >= q.hours_min, self.ects >= q.hours_min / most)
        if q.hours_max is not None:
            mask &= np.where(stated, self.hours <= q.hours_max, self.ects <= q.hours_max / fewest)
        if q.start_from or q.start_to:
            low = q.start_from.toordinal() if q.start_from else -1
            high = q.start_to.toordinal() if q.start_to else np.iinfo(np.int64).max
            inside = (self.start_days >= low) & (self.start_days <= high)
            window = self.anytime.copy()
            window[self.start_positions[inside]] = True
            mask &= window
        if q.start_anytime:
            mask &= self.anytime
        if q.updated_since:
            mask &= self.updated >= q.updated_since.timestamp()  # NaN: never
        return mask

    def order(self, mask: np.ndarray, sort: str, scores: np.ndarray | None) -> np.ndarray:
        """Positions of the matching documents in the requested order (ties: title)."""
        positions = np.flatnonzero(mask)
        tie = self.title_rank[positions]
        if sort == "relevance" and scores is not None:
            keys = (tie, -scores[positions])
        elif sort == "relevance":  # no words to rank by: most complete, then soonest
            keys = (tie, self.next_start[positions], -self.completeness[positions])
        elif sort == "start":
            keys = (tie, self.next_start[positions])
        elif sort in ("ects", "-ects"):
            ects = self.ects[positions]
            keys = (tie, -ects if sort == "-ects" else ects, np.isnan(ects))
        elif sort == "-updated":
            updated = self.updated[positions]
            keys = (tie, -updated, np.isnan(updated))
        else:
            keys = (tie,)
        return positions[np.lexsort(keys)]


def _insert(db: sqlite3.Connection, prefix: str, doc: dict) -> None:
    rowid = doc["id"]
    langs = text_languages(doc)
    title = analysis.fold(doc["title"][langs[0]]) if doc["title"] else ""
    vector = doc.get("vector")
    body = {k: v for k, v in doc.items() if k != "vector"}
    updated = doc.get("updated")
    db.execute(f"INSERT INTO {prefix}docs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (rowid, json.dumps(body, ensure_ascii=False), doc["ects"], doc["start_anytime"],
                doc["completeness"], title, " ".join(doc["start_dates"]),
                ",".join(f"{p['lat']} {p['lon']}" for p in doc["locations"]) or None,
                None if vector is None else np.asarray(vector, dtype="<f2").tobytes(),
                updated and dt.datetime.fromisoformat(updated).timestamp(),
                doc.get("workload_hours")))
    db.execute(f"INSERT INTO {prefix}fts (rowid, title, outcomes, description, other) "
               "VALUES (?, ?, ?, ?, ?)", (rowid, *analysed_text(doc).values()))
    rows = []
    for facet, field in FACETS.items():
        value = doc.get(field)
        for v in value if isinstance(value, list) else [value] if value is not None else []:
            rows.append((rowid, facet, str(v)))
    for kind, fields in CONCEPT_FIELDS.items():
        if kind not in FACETS:  # isced is a facet already
            rows += [(rowid, kind, v) for f in fields for v in doc.get(f) or []]
    rows += [(rowid, TEXT_LANGUAGE, lang) for lang in langs]
    db.executemany(f"INSERT INTO {prefix}facet_values VALUES (?, ?, ?)", rows)


def _delete(db: sqlite3.Connection, ids: list[int]) -> None:
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for table, key in (("docs", "rowid"), ("fts", "rowid"), ("facet_values", "doc")):
            db.execute(f"DELETE FROM {table} WHERE {key} IN ({marks})", chunk)


def _bump(db: sqlite3.Connection) -> None:
    db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key='generation'")


class _transaction:
    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, *_):
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
