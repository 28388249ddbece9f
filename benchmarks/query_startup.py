"""`kg query` start-up against a bare pyoxigraph script doing the same work.

    .venv/bin/python benchmarks/query_startup.py            # 21 runs each
    .venv/bin/python benchmarks/query_startup.py --runs 41 --data data/ttl
    git archive fb1fb91 | tar -x -C /tmp/old &&
        .venv/bin/python benchmarks/query_startup.py --source /tmp/old   # another version

Both are fresh processes that load the dataset's TriG into an in-memory Oxigraph
store, fill the default graph with the union of the named graphs, run one query
and print it as CSV: `kg query` through its console script (as a person types
it), the bare script with nothing but pyoxigraph. Runs alternate (kg, bare, kg,
bare, …) so that a busy moment on the shared machine hits both alike; the figure
is the ratio of the medians. The target (issue 15) is within 2x.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERY = ("SELECT ?funder (COUNT(?p) AS ?n) WHERE { ?p <https://w3id.org/hankegraph/ontology"
         "#fundedBy> ?funder } GROUP BY ?funder ORDER BY ?funder")
BARE = """
import sys
import pyoxigraph as ox
store = ox.Store()
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.TRIG)
store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
sys.stdout.buffer.write(store.query(sys.argv[2]).serialize(format=ox.QueryResultsFormat.CSV))
"""

RUN_FROM = """
import runpy, sys
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in str(f)]
sys.path.insert(0, sys.argv.pop(1))
sys.argv[0] = "kg"
runpy.run_module("kg.cli", run_name="__main__")
"""


def _time(cmd: list[str]) -> tuple[float, bytes]:
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, check=True)
    return time.perf_counter() - start, done.stdout


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=21, help="runs of each (default: 21)")
    ap.add_argument("--data", default=str(ROOT / "data" / "ttl"), help="dataset folder")
    ap.add_argument("--source", help="run the `kg` of this source folder (its kg.cli as "
                    "__main__, the folder first on sys.path) instead of the console script")
    args = ap.parse_args(argv)
    trig = str(Path(args.data) / "hankegraph.trig")
    kg = [str(Path(sys.executable).with_name("kg"))]
    if args.source:
        # an editable install's finder would find the installed `kg` before
        # PYTHONPATH's, so the runner drops it first
        kg = [sys.executable, "-c", RUN_FROM, str(Path(args.source).resolve())]
    kg += ["query", "--data", args.data, "--format", "csv", "--query", QUERY]
    bare = [sys.executable, "-c", BARE, trig, QUERY]
    _, kg_out = _time(kg)  # warm the page cache, and check both answer alike
    _, bare_out = _time(bare)
    # the same rows (an older kg wrote its own CSV, with \n line ends)
    if kg_out.replace(b"\r\n", b"\n").strip() != bare_out.replace(b"\r\n", b"\n").strip():
        sys.exit(f"the answers differ:\n{kg_out!r}\n{bare_out!r}")
    times: dict[str, list[float]] = {"kg query": [], "bare pyoxigraph": []}
    for _ in range(args.runs):
        times["kg query"].append(_time(kg)[0])
        times["bare pyoxigraph"].append(_time(bare)[0])
    medians = {k: statistics.median(v) for k, v in times.items()}
    if args.source:
        print(f"kg from: {args.source}")
    print(f"dataset: {trig} ({Path(trig).stat().st_size} bytes); {args.runs} interleaved "
          "runs each")
    for name, values in times.items():
        print(f"{name:16} median {medians[name] * 1000:6.0f} ms  "
              f"(min {min(values) * 1000:.0f}, max {max(values) * 1000:.0f})")
    print(f"ratio: {medians['kg query'] / medians['bare pyoxigraph']:.2f}x")


if __name__ == "__main__":
    main()
