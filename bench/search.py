"""Benchmark the embedded search: the search service against raw FTS5 SQL, same queries.

    python bench/search.py            # 10,000 synthetic offers
    python bench/search.py --large    # 100,000
    python bench/search.py --cross-language   # the cross-language query set, per backend
The catalogue is SYNTHETIC: demo offers recombined (titles, outcomes, levels, credits, places,
dates, providers drawn at random with a fixed seed). It is built once per size under
instance/bench-N/ and reused; --rebuild forces a new one.
"""
from __future__ import annotations

import argparse
import copy
import os
import datetime as dt
import random
import sqlite3
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from werkzeug.datastructures import MultiDict  # noqa: E402

from catalogue.models import Provider, Source  # noqa: E402
from catalogue.store import CatalogueStore  # noqa: E402
from harvesters.csv_feed import CsvHarvester  # noqa: E402
from indexer import analysis  # noqa: E402
from indexer.sqlite.backend import WEIGHTS, match_expression  # noqa: E402
from indexer.encoders import Counted  # noqa: E402
from indexer.sync import rebuild  # noqa: E402
from portal import create_app, demo, search_service  # noqa: E402
from portal.services import services  # noqa: E402
from portal.understanding import understanding  # noqa: E402

import numpy as np  # noqa: E402

TEXTS = ["welding", "Schweißen", "soins infirmiers", "data analysis", "project management",
         "energía solar", "cybersecurity", "logistiek", "python", "pflege", "marketing digitale",
         "heat pump", "gestión", "andmeanalüüs", "palliative care", "excel", "circular economy",
         "électricité", "supply chain", "leadership", "infirmier", "schweissen", "hospitality",
         "accessibility", "research methods"]
FACETS = {"eqf": [str(i) for i in range(2, 9)], "form": ["online", "onsite", "blended"],
          "price": ["free", "paid"], "ects": ["0-2", "2-5", "5-10", "10+"],
          "stackable": ["stackable", "standalone"], "qa": ["esg-external", "sector-label", "internal"],
          "language": ["en", "de", "fr", "es", "it", "nl", "et"],
          "country": ["DE", "FR", "ES", "IT", "NL", "EE", "PL", "PT", "FI", "IE", "CZ", "BE", "SE"]}
COUNTRIES = FACETS["country"]


def demo_records() -> list:
    harvester = CsvHarvester()
    records = []
    for entry in demo.providers():
        source = Source(location=str(demo.DEMO / entry["source"]["file"]))
        for raw in harvester.gather(source, lambda loc: Path(loc).read_bytes()):
            records.append(harvester.parse(raw))
    return records


def synthesise(base: list, n: int, rng: random.Random):
    """n synthetic records: each takes one demo offer's text and another's facts."""
    today = dt.date.today()
    for i in range(n):
        r = copy.deepcopy(rng.choice(base))
        other = rng.choice(base)
        r.remote_id = f"SYN-{i:06d}"
        r.learning_outcomes = {**other.learning_outcomes, **r.learning_outcomes}
        r.eqf_level = rng.choice([2, 3, 4, 5, 5, 6, 6, 6, 7, 7, 8])
        r.ects = rng.choice([None, 0.5, 1, 2, 3, 4, 5, 6, 10, 15, 30])
        r.participation_form = rng.choice(["online", "onsite", "blended"])
        r.places, r.country = other.places, other.country
        r.start_anytime = rng.random() < 0.15
        r.start_dates = sorted({(today + dt.timedelta(days=rng.randint(-30, 300))).isoformat()
                                for _ in range(rng.randint(0, 3))})
        r.price = rng.choice([0, 0, 90, 250, 480, 900, 1500, None])
        r.stackability = rng.choice([None, "stackable", "standalone"])
        yield r


def build(storing, app, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    with storing.app_context(), services().sessions() as session:
        base = demo_records()
        sources = []
        for k in range(max(12, n // 500)):
            country = COUNTRIES[k % len(COUNTRIES)]
            p = Provider(slug=f"synthetic-{k}", name={"en": f"Synthetic provider {k}"},
                         country=country)
            session.add(p)
            session.flush()
            s = Source(provider_id=p.id, name="synthetic", format="csv", location="synthetic")
            session.add(s)
            sources.append(s)
        session.commit()
        store = CatalogueStore(session)
        started = time.perf_counter()
        for i, record in enumerate(synthesise(base, n, rng)):
            store.upsert(sources[i % len(sources)], record)
            if i % 2000 == 1999:
                session.commit()
        session.commit()
        stored = time.perf_counter() - started
    with app.app_context(), services().sessions() as session:
        timings = []
        for _ in ("uncached", "cached"):  # the first rebuild embeds, the second reuses
            counting = Counted(services().encoder)
            started = time.perf_counter()
            rebuild(session, services().search, encoder=counting)
            timings.append((time.perf_counter() - started, counting.passages))
    print(f"built {n:,} synthetic offers: store {n / stored:,.0f}/s")
    for label, (seconds, passages) in zip(("uncached", "cached"), timings):
        print(f"  rebuild with {label} embeddings: {seconds:.1f} s ({n / seconds:,.0f} offers/s), "
              f"{passages:,} passages encoded")


def embedding_throughput(app, n: int = 256) -> None:
    """Offers embedded per second through the Embedder (hashing, lookups, storing) against the
    encoder's raw batch rate on the same passages, in the same run; the medians of 3."""
    from indexer.embeddings import Embedder, passage_texts
    from indexer.documents import to_document
    with app.app_context(), services().sessions() as session:
        rows = CatalogueStore(session).iter_indexable()
        docs = []
        for i, row in enumerate(rows):
            doc = to_document(row)
            doc["title"] = {lang: f"{t} ({i})" for lang, t in doc["title"].items()}  # unseen
            docs.append(doc)
            if len(docs) == n:
                break
        texts = [t for d in docs for t in passage_texts(d)]
        encoder = services().encoder
        raw, full = [], []
        for round_ in range(3):
            started = time.perf_counter()
            for i in range(0, len(texts), 64):
                encoder.encode_passages(texts[i:i + 64])
            raw.append(time.perf_counter() - started)
            batch = [{**d, "title": {k: f"{v} r{round_}" for k, v in d["title"].items()}}
                     for d in docs]
            started = time.perf_counter()
            Embedder(session, encoder).attach(batch)
            full.append(time.perf_counter() - started)
            session.rollback()
        raw_rate, full_rate = n / statistics.median(raw), n / statistics.median(full)
    print(f"embedding: {full_rate:.1f} offers/s through the indexer, raw encoder {raw_rate:.1f} "
          f"offers/s on the same passages ({len(texts) / n:.2f} a offer): ratio "
          f"{full_rate / raw_rate:.2f}")


def query_mix(rng: random.Random) -> list[dict]:
    """200 queries: 50 each of text only, filters only, text + filters, facet-heavy."""
    def filters(k_low, k_high, multi):
        chosen = {}
        for name in rng.sample(sorted(FACETS), rng.randint(k_low, k_high)):
            chosen[name] = rng.sample(FACETS[name], rng.randint(1, min(multi, len(FACETS[name]))))
        return chosen

    mix = []
    for _ in range(50):
        mix.append({"kind": "text", "q": rng.choice(TEXTS)})
    for _ in range(50):
        mix.append({"kind": "filters", **filters(1, 3, 1)})
    for _ in range(50):
        mix.append({"kind": "text+filters", "q": rng.choice(TEXTS), **filters(1, 2, 2)})
    for _ in range(50):
        mix.append({"kind": "facet-heavy", **filters(4, 6, 3), "ects_min": "1",
                    "start_from": dt.date.today().isoformat(),
                    "start_to": (dt.date.today() + dt.timedelta(days=120)).isoformat()})
    return mix


def as_args(params: dict) -> MultiDict:
    """A query of the mix as request parameters (lists become repeated parameters)."""
    return MultiDict([(k, v) for k, vs in params.items() if k != "kind"
                      for v in (vs if isinstance(vs, list) else [vs])])


def raw_sql(db: sqlite3.Connection, languages: set[str], params: dict) -> list[int]:
    """The same words and facet filters as hand-written SQL: match, rank, first 20 ids."""
    filters, args = [], []
    for name, values in params.items():
        if name in FACETS:
            filters.append(f"SELECT doc FROM facet_values WHERE facet = ? AND value IN "
                           f"({','.join('?' * len(values))})")
            args += [name, *values]
    if not params.get("q"):
        return [r[0] for r in db.execute(f"{' INTERSECT '.join(filters)} LIMIT 20", args)]
    expression = match_expression(analysis.query_alternatives(params["q"], languages | {"en"}))
    where = f"WHERE doc IN ({' INTERSECT '.join(filters)})" if filters else ""
    sql = (f"WITH m AS MATERIALIZED (SELECT rowid AS doc, bm25(fts, "
           f"{', '.join(map(str, WEIGHTS))}) AS score FROM fts WHERE fts MATCH ?) "
           f"SELECT doc FROM m {where} ORDER BY score LIMIT 20")
    return [r[0] for r in db.execute(sql, [expression, *args])]


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return q[49] * 1000, q[94] * 1000, q[98] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="100,000 offers")
    parser.add_argument("-n", type=int, help="number of offers (default 10,000)")
    parser.add_argument("--rebuild", action="store_true", help="build the catalogue anew")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cross-language", action="store_true",
                        help="only the cross-language query set, on the demo catalogue "
                             "(OpenSearch too when OPENSEARCH_URL is set)")
    args = parser.parse_args()
    if args.cross_language:
        cross_language(["sqlite"] + (["opensearch"] if os.environ.get("OPENSEARCH_URL") else []))
        return
    n = args.n or (100_000 if args.large else 10_000)
    folder = ROOT / "instance" / f"bench-{n}"
    if args.rebuild and folder.exists():
        for f in folder.iterdir():
            f.unlink()
    fresh = not (folder / "search.sqlite").exists()
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'catalogue.sqlite'}",
                      "SEARCH_SQLITE_PATH": str(folder / "search.sqlite")})
    if fresh:  # stored without vectors (no encoder), then rebuilt: uncached, then cached
        build(create_app({**app.config, "ENCODER": "none", "AUTO_MIGRATE": True}), app, n)
    embedding_throughput(app)
    mix = query_mix(random.Random(42))
    db = sqlite3.connect(folder / "search.sqlite")
    with app.test_request_context():
        backend = services().search
        started = time.perf_counter()
        columns = backend.columns()
        languages = columns.languages
        print(f"{backend.count():,} offers (synthetic); columns loaded in "
              f"{(time.perf_counter() - started) * 1000:.0f} ms")
        known = understanding()
        timings = {"service": {}, "raw": {}}
        for round_ in range(args.rounds + 1):  # round 0 warms caches
            for i, params in enumerate(mix):
                args_ = as_args(params)
                known._vectors.clear()  # every search embeds its words, as a new query does
                t0 = time.perf_counter()
                search_service.search(args_, "en")
                t1 = time.perf_counter()
                raw_sql(db, languages, {k: v for k, v in params.items() if k != "kind"})
                if params.get("q"):  # the raw vector search: encode, multiply, top 20
                    vector = services().encoder.encode_queries([params["q"]])[0]
                    np.argpartition(-(vector @ columns.vectors), 20)[:20]
                t2 = time.perf_counter()
                if round_:
                    timings["service"].setdefault(params["kind"], []).append(t1 - t0)
                    timings["raw"].setdefault(params["kind"], []).append(t2 - t1)
    print(f"\n{'queries':<14}{'service p50/p95/p99 ms':>26}{'raw SQL p50/p95/p99 ms':>26}"
          f"{'ratio p50':>11}{'ratio p95':>11}")
    kinds = [*timings["service"], "all"]
    for kind in kinds:
        service = sum(timings["service"].values(), []) if kind == "all" else timings["service"][kind]
        raw = sum(timings["raw"].values(), []) if kind == "all" else timings["raw"][kind]
        s, r = percentiles(service), percentiles(raw)
        print(f"{kind:<14}{s[0]:>10.1f}{s[1]:>8.1f}{s[2]:>8.1f}{r[0]:>10.1f}{r[1]:>8.1f}{r[2]:>8.1f}"
              f"{s[0] / r[0]:>11.2f}{s[1] / r[1]:>11.2f}")
    print("\nservice = parse + search (words, the words' embedding and corrections, place, "
          "filters, multi-select facet counts, sort, page, snippets) + labels; raw = FTS5 match / "
          "facet_values INTERSECT, ranked, LIMIT 20, no facet counts, plus for words the "
          "query's embedding and an exact top 20 over the vector matrix")



def cross_language(backends: list[str]) -> None:
    """Share of cross-language queries whose expected offer is in the top 10, per backend, and
    what concept bridging costs in time. Queries are ISCED-F field labels in every interface
    language and ESCO skill labels (en, fr, es), each expecting an offer tagged with that
    concept but written in other languages; the catalogue is the demo."""
    import tempfile

    from babel.messages.pofile import read_po
    from sqlalchemy import select as sql_select

    from catalogue import vocabularies as vocabs
    from catalogue.models import Opportunity
    from indexer.documents import text_languages, to_document
    from portal import demo

    folder = Path(tempfile.mkdtemp())
    config = {"DATABASE_URL": f"sqlite:///{folder / 'c.sqlite'}",
              "SEARCH_SQLITE_PATH": str(folder / "s.sqlite"), "OPENSEARCH_INDEX_PREFIX": "xl-",
              "OPENSEARCH_URL": os.environ.get("OPENSEARCH_URL", "")}
    app = create_app(config)
    with app.app_context(), services().sessions() as s:
        demo.load(s, services().search, encoder=services().encoder)
        docs = [to_document(o) for o in s.scalars(sql_select(Opportunity))]
    labels = {"en": {t.code: t.label for t in vocabs.get("isced_f")}}
    for po in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po"):
        catalogue = read_po(open(po, "rb"))
        labels[po.parent.parent.name] = {t.code: catalogue.get(t.label).string
                                         for t in vocabs.get("isced_f") if catalogue.get(t.label)}
    cases = []  # (query, locale, expected ids)
    for lang, names in sorted(labels.items()):
        for code in sorted({c for d in docs for c in d["isced"] if len(c) == 4}):
            expected = {d["id"] for d in docs if code in d["isced"] and lang not in text_languages(d)}
            if expected and names.get(code):
                cases.append((names[code], lang, expected))
    for uri in sorted({u for d in docs for u in d["skills"]}):
        for lang, label in vocabs.esco_labels(uri).items():
            expected = {d["id"] for d in docs if uri in d["skills"] and lang not in text_languages(d)}
            if expected:
                cases.append((label, lang, expected))
    print(f"\ncross-language: {len(cases)} queries on the demo catalogue ({len(docs)} offers)")
    print(f"{'backend':<12}{'bridging':>9}{'top-10 share':>14}{'p50 ms':>9}{'p95 ms':>9}")
    for backend in backends:
        results = {}
        for bridging in (False, True):
            engine = create_app({**config, "SEARCH_BACKEND": backend, "AUTO_MIGRATE": False,
                                 "CONCEPT_BRIDGING": bridging})
            if backend == "opensearch":
                with engine.app_context(), services().sessions() as s:
                    from indexer.sync import rebuild as rebuild_index
                    rebuild_index(s, services().search, encoder=services().encoder)
                    services().search.refresh()
            hits, times = 0, []
            with engine.test_request_context():
                for text, lang, expected in cases:
                    t0 = time.perf_counter()
                    page = search_service.search(MultiDict({"q": text, "per_page": "10"}), lang)
                    times.append(time.perf_counter() - t0)
                    hits += bool(expected & {h.id for h in page.result.hits})
            p50, p95, _ = percentiles(times)
            results[bridging] = p50
            print(f"{backend:<12}{'on' if bridging else 'off':>9}{hits / len(cases):>14.0%}"
                  f"{p50:>9.1f}{p95:>9.1f}")
        print(f"{backend:<12} bridging costs x{results[True] / results[False]:.2f} at p50")


if __name__ == "__main__":
    main()
