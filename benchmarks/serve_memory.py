"""Memory of kg serve against oxigraph serve on the same generated million quads,
after the same mixed query load (issue 14).

The data is `benchmarks/generate.py`'s (deterministic: projects, organisations,
participations, grants with amounts, provenance statements, one named graph per
document). Each server in turn is started on 127.0.0.1, answers the same mix of
SELECT, ASK and CONSTRUCT queries of different costs from several clients at
once (a new connection per request, so that every kg serve worker gets its
share), and then its memory is read: PSS (proportional set size: a page shared
by n processes counts 1/n in each) summed over the server process and all its
descendants from /proc/PID/smaps_rollup, right after the load and at its peak
during the load (sampled every 0.5 s). For the servers whose data is on disk
the page cache held by the store's files is given too (`fincore`): it is shared
with the whole system and the kernel can take it back, so it is not in PSS.

Servers (`--servers`, in this order by default):
  kg              `kg serve` as a researcher starts it (default workers and store),
                  from an empty project cache: first start timed, then a second
                  start (the store reused) timed and measured
  kg-memory       `kg serve --in-memory` (the store in each worker's memory, as
                  before issue 14's fix)
  oxigraph        `oxigraph serve` with no --location (in memory), loaded over HTTP
  oxigraph-disk   `oxigraph serve --location DIR` on a store `oxigraph load` filled

Every server holds the named graphs and their union, as a set, in the default
graph (as kg serve loads it), so the answers agree; the row counts are checked.
kg serve runs with --timeout 600 and a large --max-rows, so that no query of the
load is cut short and no worker is replaced during it.

    .venv/bin/python benchmarks/serve_memory.py [--triples 1000000] [--clients 8] [--rounds 2]
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
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
from benchmarks.serve import run_clients  # noqa: E402
from tests.servers import VENV_BIN, descendants, free_port, running  # noqa: E402

PREFIXES = """PREFIX hg: <https://w3id.org/hankegraph/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""
B = "https://w3id.org/hankegraph/"
# (name, form, query): cheap lookups to whole-graph joins, over the data, the
# grants and participations and the provenance statements
MIX = [
    ("ask: a funded project", "ask", "ASK { ?p hg:fundedBy ?f }"),
    ("counts per funder", "select", """
SELECT ?funder (COUNT(DISTINCT ?project) AS ?projects)
WHERE { ?funder hg:funds ?project } GROUP BY ?funder ORDER BY DESC(?projects)"""),
    ("funding per region", "select", """
SELECT ?region (SUM(?amount) AS ?total)
WHERE { ?grant a hg:Grant ; hg:project ?p ; hg:amount ?amount .
        ?p hg:targetArea ?m . ?m hg:inRegion ?region }
GROUP BY ?region ORDER BY DESC(?total)"""),
    ("label regex", "select", """
SELECT ?org ?label
WHERE { ?org a hg:Organisation ; rdfs:label ?label .
        FILTER REGEX(?label, "ammattikorkeakoulu|yliopisto", "i") }"""),
    ("evidence of one funder", "select", f"""
SELECT ?project ?sentence ?doc
WHERE {{ ?st rdf:subject <{B}organisation/f3> ; rdf:predicate hg:funds ; rdf:object ?project ;
         hg:sentence ?sentence ; prov:wasDerivedFrom ?doc }}"""),
    ("projects per graph", "select", """
SELECT (COUNT(DISTINCT ?g) AS ?graphs) (COUNT(?p) AS ?projects)
WHERE { GRAPH ?g { ?p a hg:Project } }"""),
    ("grants as a graph", "construct", """
CONSTRUCT { ?g hg:funder ?f ; hg:amount ?a ; hg:project ?p }
WHERE { ?g a hg:Grant ; hg:funder ?f ; hg:amount ?a ; hg:project ?p }"""),
    ("property path", "select", """
SELECT ?org (COUNT(DISTINCT ?region) AS ?regions)
WHERE { ?org (hg:administers|hg:implements|hg:partnerIn)/hg:targetArea/hg:inRegion ?region }
GROUP BY ?org"""),
    ("co-participation pairs", "select", """
SELECT ?a ?b (COUNT(DISTINCT ?p) AS ?projects)
WHERE { ?x a hg:Participation ; hg:participant ?a ; hg:project ?p .
        ?y a hg:Participation ; hg:participant ?b ; hg:project ?p .
        FILTER (STR(?a) < STR(?b)) }
GROUP BY ?a ?b"""),
]
ACCEPT = {"select": "application/sparql-results+json", "ask": "application/sparql-results+json",
          "construct": "application/n-triples"}


def pss_kb(pids: set[int]) -> dict[str, int]:
    """Pss, Pss_Anon, Pss_File and Rss (kB) summed over `pids` (gone ones skipped)."""
    total = {"Pss": 0, "Pss_Anon": 0, "Pss_File": 0, "Rss": 0}
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in text.splitlines():
            key, _, rest = line.partition(":")
            if key in total:
                total[key] += int(rest.split()[0])
    return total


def tree(pid: int) -> set[int]:
    return {pid} | descendants(pid)


def page_cache_mb(folder: Path | None) -> float | None:
    """How much of the files under `folder` is in the page cache (`fincore`)."""
    if folder is None or not shutil.which("fincore"):
        return None
    files = [str(p) for p in folder.rglob("*") if p.is_file()]
    if not files:
        return 0.0
    out = subprocess.run(["fincore", "--bytes", "--noheadings", "--output", "RES", *files],
                         capture_output=True, text=True, check=True).stdout
    return sum(int(x) for x in out.split()) / 2**20


def ask(url: str, form: str, query: str) -> tuple[float, int]:
    """(seconds, rows or triples or the boolean) for one request on a new connection."""
    t0 = time.perf_counter()
    r = requests.post(url, data={"query": PREFIXES + query}, timeout=900,
                      headers={"Accept": ACCEPT[form], "Connection": "close"})
    body = r.content
    elapsed = time.perf_counter() - t0
    if r.status_code != 200:
        raise RuntimeError(f"{url}: {r.status_code} {body[:300]!r}")
    if form == "construct":
        return elapsed, body.count(b"\n")
    data = r.json()
    return elapsed, int(data["boolean"]) if form == "ask" else len(data["results"]["bindings"])


def load(url: str, pids_of, clients: int, rounds: int) -> dict:
    """Every client runs the mix `rounds` times (each starting at another query);
    memory is sampled meanwhile. Returns per-query medians, answer sizes, wall
    time and the peak PSS."""
    times: dict[str, list[float]] = {name: [] for name, _, _ in MIX}
    sizes: dict[str, set[int]] = {name: set() for name, _, _ in MIX}
    errors: list[Exception] = []
    lock = threading.Lock()

    def client(i: int) -> None:
        try:
            for r in range(rounds):
                for k in range(len(MIX)):
                    name, form, query = MIX[(i + r + k) % len(MIX)]
                    seconds, size = ask(url, form, query)
                    with lock:
                        times[name].append(seconds)
                        sizes[name].add(size)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    peak = {"Pss": 0}
    done = threading.Event()

    def sample() -> None:
        while True:
            now = pss_kb(pids_of())
            if now["Pss"] > peak["Pss"]:
                peak.update(now)
            if done.wait(0.5):
                return

    sampler = threading.Thread(target=sample)
    sampler.start()
    wall = run_clients(client, clients)
    done.set()
    sampler.join()
    if errors:
        raise SystemExit(f"the query load failed: {errors[0]}")
    return {"wall": wall, "peak": peak, "sizes": sizes,
            "medians": {name: statistics.median(ts) for name, ts in times.items()}}


def kg_args(data: Path, port: int, *extra: str) -> list[str]:
    return [str(VENV_BIN / "kg"), "serve", "--data", str(data), "--port", str(port),
            "--timeout", "600", "--max-rows", "10000000", *extra]


def measure(name: str, args: list[str], url: str, ready_url: str, clients: int, rounds: int,
            store_dir: Path | None = None, prepare=None, cwd: Path | None = None) -> dict:
    t0 = time.perf_counter()
    with running(args, ready_url, wait=3600, cwd=cwd) as proc:
        if prepare:
            prepare()
        ready = time.perf_counter() - t0
        time.sleep(2)  # let the workers settle
        idle = pss_kb(tree(proc.pid))
        result = load(url, lambda: tree(proc.pid), clients, rounds)
        time.sleep(1)
        pids = tree(proc.pid)
        after = pss_kb(pids)
        cache = page_cache_mb(store_dir)
    print(f"{name}: ready in {ready:.1f} s, {len(pids)} processes, PSS idle "
          f"{idle['Pss'] / 1024:.0f} MB, after the load {after['Pss'] / 1024:.0f} MB "
          f"(peak {result['peak']['Pss'] / 1024:.0f} MB), load {result['wall']:.1f} s",
          flush=True)
    return {"name": name, "ready": ready, "processes": len(pids), "idle": idle, "after": after,
            "cache": cache, **result}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--clients", type=int, default=8, help="concurrent clients")
    ap.add_argument("--rounds", type=int, default=2, help="times each client runs the mix")
    ap.add_argument("--servers", default="kg,kg-memory,oxigraph,oxigraph-disk",
                    help="which servers, comma-separated (see above)")
    ap.add_argument("--workdir", type=Path, help="where the data and stores go (default: temp)")
    args = ap.parse_args()
    wanted = args.servers.split(",")
    unknown = set(wanted) - {"kg", "kg-memory", "oxigraph", "oxigraph-disk"}
    if unknown:
        raise SystemExit(f"unknown servers: {', '.join(sorted(unknown))}")
    with tempfile.TemporaryDirectory(prefix="kg-memory-") as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        data = work / "bench.trig"
        quads = generate(data, args.triples)
        started = datetime.datetime.now(datetime.UTC)
        print(f"{quads} quads ({data.stat().st_size / 2**20:.0f} MiB of TriG); "
              f"{args.clients} clients × {args.rounds} rounds of {len(MIX)} queries; "
              f"{platform.node()}, {os.cpu_count()} cores, "
              f"{os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') / 2**30:.0f} GiB; "
              f"{started:%Y-%m-%d %H:%M} UTC, load average "
              f"{Path('/proc/loadavg').read_text().split()[0]}", flush=True)
        results = []
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        common = (f"{base}/sparql", f"{base}/sparql", args.clients, args.rounds)
        if "kg" in wanted:
            project = work / "project"  # a project folder: its cache is project/.kgcache
            shutil.rmtree(project, ignore_errors=True)
            project.mkdir()
            t0 = time.perf_counter()
            with running(kg_args(data, port), f"{base}/sparql", wait=3600, cwd=project):
                first = time.perf_counter() - t0
            stores = project / ".kgcache" / "stores"
            store_dir = next((p for p in stores.iterdir() if p.is_dir()), None) \
                if stores.is_dir() else None
            size = sum(p.stat().st_size for p in store_dir.rglob("*") if p.is_file()) \
                if store_dir else 0
            print(f"kg serve, first start (empty cache, store loaded): ready in {first:.1f} s; "
                  f"store {size / 2**20:.0f} MiB on disk", flush=True)
            r = measure("kg serve (second start)", kg_args(data, port), *common,
                        store_dir=store_dir, cwd=project)
            r.update(first_start=first, store_mib=size / 2**20)
            results.append(r)
        if "kg-memory" in wanted:
            results.append(measure("kg serve --in-memory", kg_args(data, port, "--in-memory"),
                                   *common))
        if "oxigraph" in wanted or "oxigraph-disk" in wanted:
            # the union of the graphs as a set, for Oxigraph's default graph
            import pyoxigraph as ox

            union = work / "union.nt"
            ox.serialize({q.triple for q in ox.parse(path=str(data), format=ox.RdfFormat.TRIG)},
                         str(union), format=ox.RdfFormat.N_TRIPLES)
        if "oxigraph" in wanted:
            def load_over_http() -> None:
                for path, ctype, params in ((data, "application/trig", {}),
                                            (union, "application/n-triples", {"default": ""})):
                    with open(path, "rb") as f:
                        requests.post(f"{base}/store", params=params, data=f, timeout=3600,
                                      headers={"Content-Type": ctype}).raise_for_status()

            results.append(measure(
                "oxigraph serve (in memory)",
                [str(VENV_BIN / "oxigraph"), "serve", "--bind", f"127.0.0.1:{port}"],
                f"{base}/query", f"{base}/query", args.clients, args.rounds,
                prepare=load_over_http))
        if "oxigraph-disk" in wanted:
            oxi_dir = work / "oxigraph-store"
            shutil.rmtree(oxi_dir, ignore_errors=True)
            t0 = time.perf_counter()
            for path in (data, union):
                subprocess.run([str(VENV_BIN / "oxigraph"), "load", "--location", str(oxi_dir),
                                "--file", str(path)], check=True, capture_output=True)
            subprocess.run([str(VENV_BIN / "oxigraph"), "optimize", "--location", str(oxi_dir)],
                           check=True, capture_output=True)
            print(f"oxigraph load + optimize: {time.perf_counter() - t0:.1f} s", flush=True)
            results.append(measure(
                "oxigraph serve --location",
                [str(VENV_BIN / "oxigraph"), "serve", "--bind", f"127.0.0.1:{port}",
                 "--location", str(oxi_dir)],
                f"{base}/query", f"{base}/query", args.clients, args.rounds,
                store_dir=oxi_dir))
        report(results)
        print(f"load average {Path('/proc/loadavg').read_text().split()[0]} at the end")


def report(results: list[dict]) -> None:
    for name, _, _ in MIX:  # every server gave the same answer sizes
        seen = {r["name"]: r["sizes"][name] for r in results}
        if len({frozenset(s) for s in seen.values()}) > 1 or any(len(s) > 1 for s in seen.values()):
            print(f"warning: {name}: the servers' answers differ in size: {seen}")
    yardstick = next((r for r in results if r["name"] == "oxigraph serve (in memory)"), None)
    print()
    print("| server | processes | ready (s) | PSS idle (MB) | PSS after the load (MB) "
          "| of which anon / file | peak PSS during the load (MB) | page cache of the store (MB) "
          "| load wall time (s) | × oxigraph serve's PSS |")
    print("|---|---:|---:|---:|---:|---|---:|---:|---:|---:|")
    for r in results:
        ratio = (f"{r['after']['Pss'] / yardstick['after']['Pss']:.2f}×" if yardstick else "–")
        cache = "–" if r["cache"] is None else f"{r['cache']:.0f}"
        print(f"| {r['name']} | {r['processes']} | {r['ready']:.1f} "
              f"| {r['idle']['Pss'] / 1024:.0f} | {r['after']['Pss'] / 1024:.0f} "
              f"| {r['after']['Pss_Anon'] / 1024:.0f} / "
              f"{r['after']['Pss_File'] / 1024:.0f} | {r['peak']['Pss'] / 1024:.0f} | {cache} "
              f"| {r['wall']:.1f} | {ratio} |")
    print()
    print("Median latency under the load (ms):")
    print()
    print("| query | " + " | ".join(r["name"] for r in results) + " |")
    print("|---|" + "---:|" * len(results))
    for name, _, _ in MIX:
        sizes = {s for r in results for s in r["sizes"][name]}
        print(f"| {name} ({'/'.join(map(str, sorted(sizes)))}) | "
              + " | ".join(f"{r['medians'][name] * 1000:.0f}" for r in results) + " |")
    for r in results:
        if "first_start" in r:
            print(f"\n{r['name']}: first start (the store loaded into the project's cache) "
                  f"{r['first_start']:.1f} s, second start {r['ready']:.1f} s; store "
                  f"{r['store_mib']:.0f} MiB on disk")


if __name__ == "__main__":
    main()
