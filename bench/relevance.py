"""Relevance: judged queries against the search service, lexical, vector and hybrid, per backend.

    python bench/relevance.py                   # the demo catalogue, embedded backend
    python bench/relevance.py --set catalogues  # the larger catalogue made from ../shared/data
    python bench/relevance.py --backend both    # also OpenSearch (OPENSEARCH_URL)
    python bench/relevance.py --by-language     # a line per language too

Query sets (bench/relevance/*.tsv, written by the project): language, kind (cross, same, typo,
synonym, place), query, the ids of every offer judged relevant by meaning. Each query goes
through the search service's parsing (interpreted filters, places, corrections, embedding and
floor) and then to the backend with the retrieval restricted to words, vectors or both.
Printed per kind: hit@10 (a relevant offer in the first ten), recall@10, MRR, and the share of
queries with no result at all ("none"; hybrid pages then show the closest offers instead).
"""
from __future__ import annotations

import argparse
import csv
import dataclasses
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402
from werkzeug.datastructures import MultiDict  # noqa: E402

from catalogue.models import Opportunity, Provider, Source, Status  # noqa: E402
from harvesters.runner import run  # noqa: E402
from indexer.sync import rebuild  # noqa: E402
from portal import create_app, demo, search_service  # noqa: E402
from portal.services import make_backend, services  # noqa: E402

SETS = ROOT / "bench" / "relevance"
MODES = ("lexical", "vector", "hybrid")
KINDS = ("cross", "same", "typo", "synonym", "place")
SHARED = Path(os.environ.get("LEARNCAT_SHARED_DATA", ROOT.parent / "shared" / "data"))


def judged(name: str) -> list[dict]:
    with open(SETS / f"{name}.tsv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [{**r, "relevant": set(r["relevant"].split())} for r in rows]


def load(name: str, folder: Path):
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'catalogue.sqlite'}",
                      "SEARCH_SQLITE_PATH": str(folder / "search.sqlite"), "TESTING": True})
    with app.app_context(), services().sessions() as s:
        started = time.perf_counter()
        if name == "demo":
            demo.load(s, services().search, encoder=services().encoder)
        else:
            sys.path.insert(0, str(SETS))
            from catalogues import write_csv
            path = folder / "catalogues.csv"
            write_csv(SHARED, path)
            provider = Provider(slug="bench-catalogues", name={"en": "Course catalogues"})
            s.add(provider)
            s.flush()
            source = Source(provider_id=provider.id, name="catalogues", format="csv",
                            location=str(path))
            s.add(source)
            s.commit()
            run(s, source)
            rebuild(s, services().search, encoder=services().encoder)
        print(f"{name}: catalogue loaded and embedded in {time.perf_counter() - started:.0f} s",
              file=sys.stderr)
    return app


def remote_ids(app) -> dict[int, str]:
    """Offer id -> the id the judgements use (the CSV id; feeds' remote ids end with it)."""
    with app.app_context(), services().sessions() as s:
        rows = s.execute(select(Opportunity.id, Opportunity.remote_id).where(
            Opportunity.status == Status.ACTIVE)).all()
    return {i: r.rsplit("/", 1)[-1].rsplit(":", 1)[-1].upper() for i, r in rows}


def evaluate(app, backend, queries: list[dict], ids: dict[int, str]) -> dict:
    """mode -> list of (query row, ranked judged ids, total)."""
    out = {mode: [] for mode in MODES}
    languages = set(app.config["LANGUAGES"])
    with app.test_request_context():
        for row in queries:
            locale = row["lang"] if row["lang"] in languages else "en"
            query, _ = search_service.parse(MultiDict({"q": row["query"]}), locale)
            for mode in MODES:
                if mode != "lexical" and query.vector is None:
                    result_ids, total = [], 0
                else:
                    result = backend.search(dataclasses.replace(query, retrieval=mode,
                                                                per_page=10, page=1))
                    result_ids, total = [ids.get(h.id, "") for h in result.hits], result.total
                out[mode].append((row, result_ids, total))
    return out


def metrics(results) -> dict:
    n = len(results) or 1
    hit = recall = mrr = none = 0.0
    for row, ranked, total in results:
        relevant = {r.upper() for r in row["relevant"]}
        found = [i for i, r in enumerate(ranked[:10]) if r in relevant]
        hit += bool(found)
        recall += len(found) / min(len(relevant), 10)
        mrr += 1 / (found[0] + 1) if found else 0
        none += total == 0
    return {"n": len(results), "hit@10": hit / n, "recall@10": recall / n, "MRR": mrr / n,
            "none": none / n}


def misses(evaluated: dict) -> None:
    """The hybrid queries with no relevant offer in their first ten: what to look at next."""
    for row, ranked, total in evaluated["hybrid"]:
        if not {r.upper() for r in row["relevant"]} & set(ranked[:10]):
            print(f"  miss {row['kind']:<8}{row['lang']:<4}{row['query']!r:<40} total {total}: "
                  f"{' '.join(ranked[:5])} | wanted {' '.join(sorted(row['relevant'])[:5])}")


def report(label: str, evaluated: dict, by_language: bool) -> None:
    print(f"\n== {label}")
    print(f"{'group':<14}{'n':>5}" + "".join(f"{m + ' hit@10':>16}{'rec@10':>8}{'MRR':>7}{'none':>7}"
                                           for m in MODES))
    groups: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for mode, results in evaluated.items():
        for item in results:
            groups["all"][mode].append(item)
            groups[item[0]["kind"]][mode].append(item)
            if by_language:
                groups[f"lang {item[0]['lang']}"][mode].append(item)
    order = ["all", *KINDS, *sorted(g for g in groups if g.startswith("lang "))]
    for group in order:
        if group not in groups:
            continue
        line = f"{group:<14}{len(groups[group]['hybrid']):>5}"
        for mode in MODES:
            m = metrics(groups[group][mode])
            line += f"{m['hit@10']:>16.3f}{m['recall@10']:>8.3f}{m['MRR']:>7.3f}{m['none']:>7.3f}"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=["demo", "catalogues", "both"], default="demo")
    parser.add_argument("--backend", choices=["sqlite", "opensearch", "both"], default="sqlite")
    parser.add_argument("--by-language", action="store_true")
    parser.add_argument("--misses", action="store_true", help="list the hybrid misses")
    args = parser.parse_args()
    for name in (["demo", "catalogues"] if args.set == "both" else [args.set]):
        with tempfile.TemporaryDirectory() as tmp:
            app = load(name, Path(tmp))
            ids = remote_ids(app)
            queries = judged(name)
            backends = {"sqlite": lambda: services().search}
            if args.backend in ("opensearch", "both"):
                backends["opensearch"] = lambda: opensearch(app)
            if args.backend == "opensearch":
                backends.pop("sqlite")
            for label, make in backends.items():
                with app.app_context():
                    backend = make()
                    evaluated = evaluate(app, backend, queries, ids)
                    report(f"{name} ({len(ids)} offers, {len(queries)} queries), {label}",
                           evaluated, args.by_language)
                    if args.misses:
                        misses(evaluated)


def opensearch(app):
    """An OpenSearch backend of its own, filled from the same catalogue and stored vectors."""
    config = {**app.config, "SEARCH_BACKEND": "opensearch", "SEARCH_FALLBACK": "",
              "OPENSEARCH_URL": os.environ.get("OPENSEARCH_URL", app.config["OPENSEARCH_URL"]),
              "OPENSEARCH_INDEX_PREFIX": f"bench-relevance-{os.getpid()}-"}
    backend = make_backend(config)
    backend.ensure_ready()
    with services().sessions() as s:
        rebuild(s, backend, encoder=services().encoder)
    backend.refresh()
    return backend


if __name__ == "__main__":
    main()
