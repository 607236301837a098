"""Benchmark the open-data dumps (catalogue/dumps.py) at 100,000 offers: time, memory peak and
size of the CSV and ELM JSON-LD files, against a raw baseline in the same run.

    python bench/dump.py              # 100,000 synthetic offers (built once, then reused)
    python bench/dump.py -n 10000

The catalogue is SYNTHETIC, as bench/search.py makes it (demo offers recombined), kept under
instance/bench-dump-N/. Each measurement runs in a fresh process, so its peak resident memory is
its own. raw = the same rows read with plain SQL and written as gzip JSON lines of the columns as
stored: the least any dump of this data costs. Medians of --rounds runs.
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def folder(n: int) -> Path:
    return ROOT / "instance" / f"bench-dump-{n}"


def app_for(n: int):
    from portal import create_app
    where = folder(n)
    return create_app({"DATABASE_URL": f"sqlite:///{where / 'catalogue.sqlite'}",
                       "SEARCH_SQLITE_PATH": str(where / "search.sqlite"), "ENCODER": "none",
                       "DUMPS_DIR": str(where / "dumps"), "PUBLIC_URL": "https://learncat.example"})


def build(n: int) -> None:
    """The synthetic catalogue, stored only (a dump reads the catalogue, not the index)."""
    from bench.search import COUNTRIES, demo_records, synthesise
    from catalogue.models import Provider, Source
    from catalogue.store import CatalogueStore
    from portal.services import services
    folder(n).mkdir(parents=True, exist_ok=True)
    app, rng = app_for(n), random.Random(1)
    with app.app_context(), services().sessions() as session:
        sources = []
        for k in range(max(12, n // 500)):
            p = Provider(slug=f"synthetic-{k}", name={"en": f"Synthetic provider {k}"},
                         country=COUNTRIES[k % len(COUNTRIES)])
            session.add(p)
            session.flush()
            sources.append(Source(provider_id=p.id, name="synthetic", format="csv",
                                  location="synthetic"))
            session.add(sources[-1])
        session.commit()
        store = CatalogueStore(session)
        for i, record in enumerate(synthesise(demo_records(), n, rng)):
            store.upsert(sources[i % len(sources)], record)
            if i % 2000 == 1999:
                session.commit()
        session.commit()


def dump(n: int) -> dict:
    from portal import opendata
    started = time.perf_counter()
    made = opendata.refresh(app_for(n), force=True)
    return {"seconds": time.perf_counter() - started, "offers": made["offers"],
            "bytes": {k: f["bytes"] for k, f in made["files"].items()}}


def raw(n: int) -> dict:
    started = time.perf_counter()
    db = sqlite3.connect(folder(n) / "catalogue.sqlite")
    cursor = db.execute("SELECT * FROM opportunity WHERE status = 'active' ORDER BY id")
    names = [c[0] for c in cursor.description]
    out = folder(n) / "raw.jsonl.gz"
    count = 0
    with gzip.open(out, "wt", encoding="utf-8") as z:
        while rows := cursor.fetchmany(500):
            for row in rows:
                z.write(json.dumps(dict(zip(names, row)), default=str, ensure_ascii=False) + "\n")
                count += 1
    return {"seconds": time.perf_counter() - started, "offers": count,
            "bytes": {"jsonl": out.stat().st_size}}


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not carried over from the
    parent that forked it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measured(kind: str, n: int) -> dict:
    """One run in a fresh process: its time, what it wrote, and its peak memory."""
    out = subprocess.run([sys.executable, __file__, "-n", str(n), "--one", kind],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--one", choices=("dump", "raw"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        result = (dump if args.one == "dump" else raw)(args.n)
        result["peak_mb"] = peak_mb()
        print(json.dumps(result))
        return
    if not (folder(args.n) / "catalogue.sqlite").exists():
        started = time.perf_counter()
        build(args.n)
        print(f"built {args.n:,} synthetic offers in {time.perf_counter() - started:.0f} s")
    runs = {kind: [measured(kind, args.n) for _ in range(args.rounds)] for kind in ("dump", "raw")}
    seconds = {k: statistics.median(r["seconds"] for r in v) for k, v in runs.items()}
    peak = {k: statistics.median(r["peak_mb"] for r in v) for k, v in runs.items()}
    offers = runs["dump"][0]["offers"]
    print(f"\n{offers:,} offers, medians of {args.rounds} runs, each in a fresh process")
    print(f"{'':<8}{'seconds':>9}{'offers/s':>10}{'peak MB':>9}  files")
    for kind in ("dump", "raw"):
        files = ", ".join(f"{k} {b / 1e6:.1f} MB" for k, b in runs[kind][0]["bytes"].items())
        print(f"{kind:<8}{seconds[kind]:>9.1f}{offers / seconds[kind]:>10,.0f}{peak[kind]:>9.0f}"
              f"  {files}")
    print(f"dump/raw: {seconds['dump'] / seconds['raw']:.2f} x the time; the dump writes both "
          "files (CSV in two passes: the text columns' languages, then the rows)")


if __name__ == "__main__":
    main()
