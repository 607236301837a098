"""Benchmark the OpenSearch backend against the raw client, on the synthetic catalogue.

    scripts/opensearch start          # or point OPENSEARCH_URL at a node
    OPENSEARCH_URL=http://127.0.0.1:9250 python bench/opensearch.py [-n 100000]

1. Indexing: the backend's rebuild (new index, refresh off, merge to one segment, settings
   restored, alias swap) against a raw helpers.bulk of the same documents into a plain index
   with the same mapping, refreshed and merged to one segment as well (the same end state).
2. Queries: the 200-query mix of bench/search.py through the portal's search service on
   OpenSearch (the words' embedding included), the same request bodies sent raw with the
   client (embedding excluded), and the service on the embedded backend, for comparison. The catalogue is SYNTHETIC (see bench/search.py).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from opensearchpy import OpenSearch, helpers  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from bench.search import as_args, build, percentiles, query_mix  # noqa: E402
from catalogue.store import CatalogueStore  # noqa: E402
from indexer.documents import to_document  # noqa: E402
from indexer.opensearch import OpenSearchBackend, queries  # noqa: E402
from indexer.opensearch.backend import mapping, to_source  # noqa: E402
from portal import create_app, search_service  # noqa: E402
from portal.services import services  # noqa: E402
from portal.understanding import understanding  # noqa: E402
from indexer.embeddings import Embedder  # noqa: E402


def raw_bulk(client: OpenSearch, docs: list[dict], index: str = "bench-raw-bulk") -> None:
    """The baseline: a plain index with the same mapping, helpers.bulk, a refresh, a merge."""
    client.indices.delete(index=index, ignore_unavailable=True)
    client.indices.create(index=index, body=mapping())
    helpers.bulk(client, ({"_index": index, "_id": d["id"], "_source": to_source(d)}
                          for d in docs), chunk_size=500)
    client.indices.refresh(index=index)
    client.indices.forcemerge(index=index, max_num_segments=1, request_timeout=3_600)
    client.indices.delete(index=index)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--queries-only", action="store_true",
                        help="skip indexing: query the index a previous run left")
    args = parser.parse_args()
    url = os.environ.get("OPENSEARCH_URL", "http://127.0.0.1:9250")
    folder = ROOT / "instance" / f"bench-{args.n}"
    config = {"DATABASE_URL": f"sqlite:///{folder / 'catalogue.sqlite'}",
              "SEARCH_SQLITE_PATH": str(folder / "search.sqlite")}
    embedded = create_app(config)
    if not (folder / "search.sqlite").exists():
        build(create_app({**config, "ENCODER": "none"}), embedded, args.n)
    engine = create_app({**config, "SEARCH_BACKEND": "opensearch", "OPENSEARCH_URL": url,
                         "OPENSEARCH_INDEX_PREFIX": "bench-", "OPENSEARCH_TIMEOUT": 60})
    client = OpenSearch(url, timeout=120)

    with engine.app_context():
        if not args.queries_only:
            indexing(engine, client, args.rounds)
    queries_mix(engine, embedded, client, args.rounds)


def indexing(engine, client: OpenSearch, rounds: int) -> None:
    """The backend's rebuild against a raw bulk load of the same documents."""
    sessions = sessionmaker(services().engine)  # no autosync: this only reads
    with sessions() as s:
        started = time.perf_counter()
        docs = [to_document(o) for o in CatalogueStore(s).iter_indexable()]
        mapped = time.perf_counter() - started
        for start in range(0, len(docs), 1000):  # the stored vectors (bench/search.py made them)
            Embedder(s, services().encoder).attach(docs[start:start + 1000])
    backend: OpenSearchBackend = services().search
    print(f"{len(docs):,} synthetic offers; to_document {len(docs) / mapped:,.0f}/s")

    rates: dict[str, list[float]] = {"rebuild": [], "raw": []}
    for _ in range(rounds):  # alternate, so neither gains from a warmer node
        started = time.perf_counter()
        raw_bulk(client, docs)
        rates["raw"].append(len(docs) / (time.perf_counter() - started))
        started = time.perf_counter()
        backend.rebuild(docs)
        rates["rebuild"].append(len(docs) / (time.perf_counter() - started))
    rebuild_rate, raw_rate = (statistics.median(rates[k]) for k in ("rebuild", "raw"))
    print(f"\nindexing (median of {rounds})   rebuild {rebuild_rate:,.0f} docs/s   "
          f"raw helpers.bulk {raw_rate:,.0f} docs/s   ratio {rebuild_rate / raw_rate:.2f} "
          "(target >= 0.8)")



def queries_mix(engine, embedded, client: OpenSearch, rounds: int) -> None:
    """The service on OpenSearch (each search embedding its words, and again with the words'
    embedding kept from the first), the same bodies sent raw, and the service embedded."""
    mix = query_mix(random.Random(42))
    timings: dict[str, list[float]] = {"service": [], "kept": [], "raw": [], "embedded": []}
    today = dt.date.today()
    with engine.test_request_context():
        languages = services().search._languages()
        for round_ in range(rounds + 1):
            for params in mix:
                multi = as_args(params)
                understanding()._vectors.clear()  # each search embeds its words
                t0 = time.perf_counter()
                search_service.search(multi, "en")
                t1 = time.perf_counter()
                search_service.search(multi, "en")
                kept = time.perf_counter() - t1
                query, _ = search_service.parse(multi, "en")
                body = queries.search_body(query, today, languages=languages)
                hybrid = {"search_pipeline": queries.PIPELINE} if "hybrid" in body["query"] else {}
                t2 = time.perf_counter()
                client.search(index="bench-opportunities", body=body, params=hybrid)
                t3 = time.perf_counter()
                if round_:
                    timings["service"].append(t1 - t0)
                    timings["kept"].append(kept)
                    timings["raw"].append(t3 - t2)
    with embedded.test_request_context():
        for round_ in range(rounds + 1):
            for params in mix:
                multi = as_args(params)
                understanding()._vectors.clear()
                t0 = time.perf_counter()
                search_service.search(multi, "en")
                if round_:
                    timings["embedded"].append(time.perf_counter() - t0)
    print(f"\n{'200 queries x ' + str(rounds):<28}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for name, label in (("service", "service on OpenSearch"),
                        ("kept", "  its embedding kept"), ("raw", "raw client, same bodies"),
                        ("embedded", "service on embedded SQLite")):
        p50, p95, p99 = percentiles(timings[name])
        print(f"{label:<28}{p50:>9.1f}{p95:>9.1f}{p99:>9.1f}")
    r = percentiles(timings["raw"])
    print("\nagainst raw (target <= 1.3; the raw bodies carry the embedding already)")
    for name in ("service", "kept"):
        s = percentiles(timings[name])
        print(f"{name:<10} p50 {s[0] / r[0]:.2f}, p95 {s[1] / r[1]:.2f}")


if __name__ == "__main__":
    main()
