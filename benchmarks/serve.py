"""kg serve against a standalone Oxigraph server on the same generated data, side by side.

For each store kind (in memory; persistent on disk) both servers hold the same
dataset (the named graphs, and their union as a set in the default graph, as
`kg serve` loads it), the queries below alternate between them, and the median
latency of each is reported with the ratio kg/oxigraph, then the throughput of
8 concurrent clients running the whole set. Everything runs on 127.0.0.1.

    .venv/bin/python benchmarks/serve.py [--triples 1000000] [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from benchmarks.generate import generate  # noqa: E402
from tests.servers import VENV_BIN, free_port, running  # noqa: E402

PREFIXES = """PREFIX hg: <https://w3id.org/hankegraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
QUERIES = {
    "counts per funder": """
SELECT ?funder (COUNT(DISTINCT ?project) AS ?projects)
WHERE { ?funder hg:funds ?project } GROUP BY ?funder ORDER BY DESC(?projects)""",
    "funding per region": """
SELECT ?region (SUM(?amount) AS ?total)
WHERE { ?grant a hg:Grant ; hg:project ?p ; hg:amount ?amount .
        ?p hg:targetArea ?m . ?m hg:inRegion ?region }
GROUP BY ?region ORDER BY DESC(?total)""",
    "co-participation pairs": """
SELECT ?a ?b (COUNT(DISTINCT ?p) AS ?projects)
WHERE { ?x a hg:Participation ; hg:participant ?a ; hg:project ?p .
        ?y a hg:Participation ; hg:participant ?b ; hg:project ?p .
        FILTER (STR(?a) < STR(?b)) }
GROUP BY ?a ?b""",
    "label regex": """
SELECT ?org ?label
WHERE { ?org a hg:Organisation ; rdfs:label ?label .
        FILTER REGEX(?label, "ammattikorkeakoulu|yliopisto", "i") }""",
    "property path": """
SELECT ?org (COUNT(DISTINCT ?region) AS ?regions)
WHERE { ?org (hg:administers|hg:implements|hg:partnerIn)/hg:targetArea/hg:inRegion ?region }
GROUP BY ?org""",
}
ACCEPT = {"Accept": "application/sparql-results+json"}
MAX_RUNS = 200



def run_clients(client, clients: int) -> float:
    """Run ``client(i)`` in ``clients`` threads at once; the wall time until all end."""
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0

def ask(session: requests.Session, url: str, query: str) -> tuple[float, bytes]:
    t0 = time.perf_counter()
    r = session.post(url, data={"query": PREFIXES + query}, headers=ACCEPT, timeout=600)
    body = r.content
    elapsed = time.perf_counter() - t0
    r.raise_for_status()
    return elapsed, body


def latencies(endpoints: dict[str, str], runs: int, min_seconds: float) -> dict[str, dict]:
    """Median latency of each query on each server: one warm-up each, then at least
    `runs` timed runs each, more for a fast query (until the slower server has
    spent `min_seconds`, at most MAX_RUNS), alternating between the servers."""
    # one keep-alive connection per server: the warm-up and the timed runs of kg
    # serve reach the same worker process
    sessions = {name: requests.Session() for name in endpoints}
    out = {}
    for qname, query in QUERIES.items():
        times = {name: [] for name in endpoints}
        rows = {}
        for name, url in endpoints.items():  # warm-up, and the answers must agree
            _, body = ask(sessions[name], url, query)
            rows[name] = _count_rows(body)
        if len(set(rows.values())) != 1:
            raise SystemExit(f"{qname}: the servers disagree on the row count: {rows}")
        order = list(endpoints.items())
        n = 0
        while n < runs or (n < MAX_RUNS and max(map(sum, times.values())) < min_seconds):
            # alternate, so that load drifts hit both, and which goes first too
            for name, url in order if n % 2 == 0 else order[::-1]:
                times[name].append(ask(sessions[name], url, query)[0])
            n += 1
        out[qname] = {"rows": rows[next(iter(rows))], "runs": n,
                      **{name: statistics.median(ts) for name, ts in times.items()}}
    return out


def _count_rows(body: bytes) -> int:
    import json

    return len(json.loads(body)["results"]["bindings"])


def throughput(url: str, clients: int = 8, rounds: int = 2) -> float:
    """Queries per second with `clients` threads each running the set `rounds` times."""
    errors: list[Exception] = []

    def client(i: int) -> None:
        s = requests.Session()
        names = list(QUERIES)
        try:
            for r in range(rounds):
                for k in range(len(names)):
                    ask(s, url, QUERIES[names[(i + r + k) % len(names)]])
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    elapsed = run_clients(client, clients)
    if errors:
        raise SystemExit(f"throughput run failed: {errors[0]}")
    return clients * rounds * len(QUERIES) / elapsed


def compare(kind: str, kg_args: list[str], oxi_args: list[str], data: Path, runs: int,
            min_seconds: float, prepare_oxigraph) -> list[str]:
    kg_port, oxi_port = free_port(), free_port()
    kg_base, oxi_base = f"http://127.0.0.1:{kg_port}", f"http://127.0.0.1:{oxi_port}"
    t0 = time.perf_counter()
    with running([str(VENV_BIN / "kg"), "serve", "--data", str(data), "--port", str(kg_port),
                  "--timeout", "600", "--max-rows", "10000000", *kg_args],
                 f"{kg_base}/sparql", wait=3600):
        kg_ready = time.perf_counter() - t0
        t0 = time.perf_counter()
        with running([str(VENV_BIN / "oxigraph"), "serve", "--bind", f"127.0.0.1:{oxi_port}",
                      *oxi_args], f"{oxi_base}/query", wait=3600):
            prepare_oxigraph(oxi_base)
            oxi_ready = time.perf_counter() - t0
            endpoints = {"kg serve": f"{kg_base}/sparql", "oxigraph": f"{oxi_base}/query"}
            lat = latencies(endpoints, runs, min_seconds)
            tput = {name: throughput(url) for name, url in endpoints.items()}
    lines = [f"### {kind}", "",
             f"Ready to answer: kg serve {kg_ready:.1f} s, oxigraph serve {oxi_ready:.1f} s "
             "(start and load).", "",
             "| query | rows | runs | kg serve median | oxigraph median | ratio |",
             "|---|---:|---:|---:|---:|---:|"]
    for qname, m in lat.items():
        lines.append(f"| {qname} | {m['rows']} | {m['runs']} | {m['kg serve'] * 1000:.1f} ms | "
                     f"{m['oxigraph'] * 1000:.1f} ms | {m['kg serve'] / m['oxigraph']:.2f}× |")
    lines += ["", f"Throughput, 8 concurrent clients running the set: kg serve "
              f"{tput['kg serve']:.2f} queries/s, oxigraph serve {tput['oxigraph']:.2f} queries/s.",
              ""]
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=7,
                    help="timed runs per query and server, at least")
    ap.add_argument("--min-seconds", type=float, default=5.0,
                    help="a fast query runs until the slower server has spent this long "
                         f"on it (at most {MAX_RUNS} runs)")
    ap.add_argument("--workdir", type=Path, help="where the data and stores go (default: temp)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        data = work / "bench.trig"
        quads = generate(data, args.triples)

        # the union of the graphs as a set, for Oxigraph's default graph: loaded
        # as a file, since an INSERT … WHERE of a million triples is slow on disk
        import pyoxigraph as ox

        union = work / "union.nt"
        ox.serialize({q.triple for q in ox.parse(path=str(data), format=ox.RdfFormat.TRIG)},
                     str(union), format=ox.RdfFormat.N_TRIPLES)

        def load_over_http(base: str) -> None:
            for path, ctype, params in ((data, "application/trig", {}),
                                        (union, "application/n-triples", {"default": ""})):
                with open(path, "rb") as f:
                    requests.post(f"{base}/store", params=params, data=f, timeout=3600,
                                  headers={"Content-Type": ctype}).raise_for_status()

        oxi_dir, kg_dir = work / "oxigraph-store", work / "kg-store"
        for d in (oxi_dir, kg_dir):
            subprocess.run(["rm", "-rf", str(d)], check=True)
        out = [f"Generated {quads} quads ({data.stat().st_size // 2**20} MiB of TriG); "
               f"at least {args.runs} timed runs per query and server after one warm-up "
               f"(a fast query until {args.min_seconds:g} s on the slower server, at most "
               f"{MAX_RUNS}); "
               f"{platform.node()}, {os.cpu_count()} cores, load average "
               f"{Path('/proc/loadavg').read_text().split()[0]} at the start.", ""]
        print("\n".join(out), flush=True)
        out = compare("In memory: kg serve --in-memory vs oxigraph serve (no --location)",
                      ["--in-memory"], [], data,
                      args.runs, args.min_seconds, load_over_http)
        print("\n".join(out), flush=True)
        for path in (data, union):
            subprocess.run([str(VENV_BIN / "oxigraph"), "load", "--location", str(oxi_dir),
                            "--file", str(path)], check=True, capture_output=True)
        # compacted, as kg serve compacts its store after loading it: a store just
        # loaded is compacted by the server's background threads during its first
        # queries, which then compete with both servers for the CPUs
        subprocess.run([str(VENV_BIN / "oxigraph"), "optimize", "--location", str(oxi_dir)],
                       check=True, capture_output=True)
        out = compare("Persistent: kg serve --store DIR vs oxigraph serve --location DIR",
                       ["--store", str(kg_dir)], ["--location", str(oxi_dir)], data, args.runs,
                       args.min_seconds, lambda base: None)
        print("\n".join(out))
        print(f"Load average {Path('/proc/loadavg').read_text().split()[0]} at the end.")


if __name__ == "__main__":
    main()
