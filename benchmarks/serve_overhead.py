"""The fixed cost of one request to kg serve and to oxigraph serve: server CPU time
per request (all processes and threads of the server, from /proc) beside the
wall-clock latency, for `ASK {}` (almost nothing to evaluate) and a short query.

Wall-clock latency on a shared machine moves with everyone else's load; the CPU
a server spends per request moves much less, so this is the figure to compare
when changing the request path (kg.serve.app, engine, workers). Both servers
open the same kind of persistent store, loaded beforehand and untimed; the
requests alternate between the servers in blocks, once both are idle.

    .venv/bin/python benchmarks/serve_overhead.py [--triples 1000000] [--requests 300]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from benchmarks.generate import generate  # noqa: E402
from benchmarks.serve import ACCEPT, PREFIXES, QUERIES  # noqa: E402
from tests.servers import VENV_BIN, descendants, free_port, running  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
CASES = {"ASK {}": "ASK {}", "counts per funder": QUERIES["counts per funder"]}


def cpu_seconds(pids: set[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime + stime, all threads
    return total / TICKS


def settle(pids: set[int], most: float = 120.0) -> float:
    """Wait until the server is idle (a store just loaded is compacted in the
    background for a while after it opens); how long that took."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < most:
        c0 = cpu_seconds(pids)
        time.sleep(1)
        if cpu_seconds(pids) - c0 < 0.03:
            break
    return time.monotonic() - t0


def measure(servers: dict[str, tuple[str, set[int]]], query: str, n: int,
            blocks: int = 6) -> dict[str, tuple[float, float]]:
    """(median wall seconds per request, median server CPU seconds per request)."""
    sessions = {name: requests.Session() for name in servers}
    data = {"query": PREFIXES + query}
    for name, (url, _) in servers.items():
        for _ in range(5):
            sessions[name].post(url, data=data, headers=ACCEPT).raise_for_status()
    wall: dict[str, list[float]] = {name: [] for name in servers}
    cpu: dict[str, list[float]] = {name: [] for name in servers}
    order = list(servers.items())
    for b in range(blocks):
        for name, (url, pids) in order if b % 2 == 0 else order[::-1]:
            c0, t0 = cpu_seconds(pids), time.perf_counter()
            for _ in range(n):
                sessions[name].post(url, data=data, headers=ACCEPT).raise_for_status()
            wall[name].append((time.perf_counter() - t0) / n)
            cpu[name].append((cpu_seconds(pids) - c0) / n)
    return {name: (statistics.median(wall[name]), statistics.median(cpu[name]))
            for name in servers}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--requests", type=int, default=300, help="per block (6 blocks a server)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="kg-overhead-") as tmp:
        work = Path(tmp)
        data = work / "bench.trig"
        generate(data, args.triples)
        import pyoxigraph as ox

        union = work / "union.nt"
        ox.serialize({q.triple for q in ox.parse(path=str(data), format=ox.RdfFormat.TRIG)},
                     str(union), format=ox.RdfFormat.N_TRIPLES)
        oxi_dir, kg_dir = work / "oxigraph-store", work / "kg-store"
        for path in (data, union):
            subprocess.run([str(VENV_BIN / "oxigraph"), "load", "--location", str(oxi_dir),
                            "--file", str(path)], check=True, capture_output=True)
        # as benchmarks/serve.py does: no compaction in the background while measuring
        subprocess.run([str(VENV_BIN / "oxigraph"), "optimize", "--location", str(oxi_dir)],
                       check=True, capture_output=True)
        from kg.serve.dataset import load_persistent

        kg_dir.mkdir()
        load_persistent(data, kg_dir)  # as kg serve's first start does, untimed here
        kg_port, oxi_port = free_port(), free_port()
        with running([str(VENV_BIN / "kg"), "serve", "--data", str(data), "--port",
                      str(kg_port), "--store", str(kg_dir), "--timeout", "600"],
                     f"http://127.0.0.1:{kg_port}/sparql") as kg, \
             running([str(VENV_BIN / "oxigraph"), "serve", "--bind", f"127.0.0.1:{oxi_port}",
                      "--location", str(oxi_dir)], f"http://127.0.0.1:{oxi_port}/query") as oxi:
            servers = {"kg serve": (f"http://127.0.0.1:{kg_port}/sparql",
                                    {kg.pid} | descendants(kg.pid)),
                       "oxigraph": (f"http://127.0.0.1:{oxi_port}/query", {oxi.pid})}
            for name, (_, pids) in servers.items():
                print(f"{name} idle after {settle(pids):.0f} s", flush=True)
            print(f"load average {Path('/proc/loadavg').read_text().split()[0]} at the start",
                  flush=True)
            print("| query | server | wall per request | server CPU per request |")
            print("|---|---|---:|---:|")
            for label, query in CASES.items():
                n = args.requests if label == "ASK {}" else max(1, args.requests // 3)
                for name, (w, c) in measure(servers, query, n).items():
                    print(f"| {label} | {name} | {w * 1000:.3f} ms | {c * 1000:.3f} ms |",
                          flush=True)
            print(f"load average {Path('/proc/loadavg').read_text().split()[0]} at the end")


if __name__ == "__main__":
    main()
