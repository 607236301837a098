"""Closed-loop load on 127.0.0.1: the production server (gunicorn, as `learncat run` starts it)
against Flask's development server, on the demo catalogue.

    python bench/load.py                      # concurrency 1, 8 and 32, 30 s each
    python bench/load.py --seconds 10 --concurrency 8

Each of N clients sends its next request as soon as the last one is answered, for the search
page, an offer page and the search API in turn. Printed per server, concurrency and URL:
requests per second, p50, p95, p99 (ms) and errors (5xx or failed connections); then the ratio
of the production server's throughput to the development server's at each concurrency.
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
LEARNCAT = str(Path(sys.executable).parent / "learncat")
WARM_UP = 5.0  # seconds of each URL at the highest concurrency before anything is measured


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(kind: str, instance: Path, port: int) -> subprocess.Popen:
    # the load measures the servers, not the rate limits (one address sends it all)
    env = {**os.environ, "LEARNCAT_INSTANCE": str(instance), "RATELIMIT_ENABLED": "false"}
    args = [LEARNCAT, "run", "--port", str(port)]
    if kind == "development":  # Flask's server as `learncat run --debug` has it, minus the reloader
        args = [sys.executable, "-c", "from portal import create_app; create_app().run("
                f"port={port}, debug=False, threaded=True)"]
    server = subprocess.Popen(args, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/en/", timeout=5).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit(f"the {kind} server did not start")


def load(base: str, path: str, clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors = [0]
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def client() -> None:
        with httpx.Client(base_url=base, timeout=30) as http:
            while time.monotonic() < stop:
                started = time.perf_counter()
                try:
                    failed = http.get(path).status_code >= 500
                except httpx.HTTPError:
                    failed = True
                with lock:
                    latencies.append(time.perf_counter() - started)
                    errors[0] += failed
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ms = sorted(x * 1000 for x in latencies)
    quantile = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]  # noqa: E731
    return {"rps": len(ms) / seconds, "p50": statistics.median(ms), "p95": quantile(0.95),
            "p99": quantile(0.99), "errors": errors[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--concurrency", type=int, nargs="*", default=[1, 8, 32])
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="learncat-load-"))
    subprocess.run([LEARNCAT, "demo"], env={**os.environ, "LEARNCAT_INSTANCE": str(instance)},
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    offer = None
    totals: dict[tuple[str, int], float] = {}
    print(f"{'server':<12} {'clients':>7} {'url':<34} {'req/s':>7} {'p50':>7} {'p95':>7} "
          f"{'p99':>7} {'errors':>6}")
    for kind in ("production", "development"):
        port = free_port()
        server = start(kind, instance, port)
        base = f"http://127.0.0.1:{port}"
        try:
            if offer is None:
                offer = httpx.get(f"{base}/api/v1/search?q=welding").json()["results"][0]["id"]
            urls = ["/en/?q=welding", f"/en/opportunities/{offer}", "/api/v1/search?q=welding&eqf=3"]
            for url in urls:  # unmeasured: every worker and thread has served once
                load(base, url, max(args.concurrency), WARM_UP)
            for clients in args.concurrency:
                for url in urls:
                    r = load(base, url, clients, args.seconds)
                    totals[(kind, clients)] = totals.get((kind, clients), 0) + r["rps"]
                    print(f"{kind:<12} {clients:>7} {url:<34} {r['rps']:>7.0f} {r['p50']:>7.1f} "
                          f"{r['p95']:>7.1f} {r['p99']:>7.1f} {r['errors']:>6}")
        finally:
            server.terminate()
            server.wait(30)
    for clients in args.concurrency:
        ratio = totals[("production", clients)] / max(totals[("development", clients)], 1e-9)
        print(f"production/development throughput at {clients} clients: {ratio:.1f}x")


if __name__ == "__main__":
    main()
