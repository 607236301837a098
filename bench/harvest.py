"""Benchmark a harvest end to end (fetch, parse, validate, upsert, commit) on the largest real
feed in ../shared/data, against a raw lxml parse of the same file in the same run.

    python bench/harvest.py [--rounds 5] [--file PATH --format NAME]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lxml import etree  # noqa: E402

import harvesters  # noqa: E402,F401
from catalogue.db import make_engine, session_factory, upgrade  # noqa: E402
from catalogue.models import Provider, Source  # noqa: E402
from harvesters.runner import run  # noqa: E402

SHARED = Path(os.environ.get("LEARNCAT_SHARED_DATA", ROOT.parent / "shared" / "data"))


def largest_feed() -> Path:
    feeds = [p for p in (SHARED / "xcri-cap" / "feeds").glob("*.xml")]
    return max(feeds, key=lambda p: p.stat().st_size)


def harvest_once(path: Path, fmt: str) -> tuple[float, int]:
    """Seconds for one complete first harvest into a new catalogue, and the records stored."""
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/c.sqlite")
        upgrade(engine)
        with session_factory(engine)() as session:
            provider = Provider(slug="bench", name={"en": "Benchmark"}, country="GB")
            session.add(provider)
            session.flush()
            source = Source(provider_id=provider.id, name="feed", format=fmt, location=str(path))
            session.add(source)
            session.commit()
            started = time.perf_counter()
            result = run(session, source)
            elapsed = time.perf_counter() - started
        engine.dispose()
    return elapsed, result.added


def raw_parse(path: Path) -> tuple[float, int]:
    """Seconds to read and parse the file with lxml and walk every element: the floor."""
    started = time.perf_counter()
    root = etree.fromstring(path.read_bytes(), etree.XMLParser(resolve_entities=False))
    count = sum(1 for _ in root.iter())
    return time.perf_counter() - started, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--file", type=Path)
    parser.add_argument("--format", default="xcri-cap")
    args = parser.parse_args()
    path = args.file or largest_feed()
    harvest_once(path, args.format)  # warm-up
    harvests, raws = [], []
    for _ in range(args.rounds):
        harvests.append(harvest_once(path, args.format))
        raws.append(raw_parse(path))
    records = harvests[0][1]
    harvest_s = statistics.median(t for t, _ in harvests)
    raw_s = statistics.median(t for t, _ in raws)
    print(f"{path.name}: {path.stat().st_size / 1e6:.1f} MB, {records} records stored, "
          f"{raws[0][1]:,} XML elements")
    print(f"harvest (fetch, parse, validate, upsert, commit): median {harvest_s * 1000:.0f} ms = "
          f"{records / harvest_s:,.0f} records/s")
    print(f"raw lxml parse of the same file:                  median {raw_s * 1000:.0f} ms = "
          f"{records / raw_s:,.0f} records/s")
    print(f"ratio harvest/raw time: {harvest_s / raw_s:.1f}x (medians of {args.rounds})")


if __name__ == "__main__":
    main()
