"""kg serve on uvicorn against kg serve on its former hand-written HTTP server (issue 14).

Both servers run side by side on the same generated dataset (in memory, the
default workers), each from its own copy of the code: this checkout, and an
older one given with --old (for example `git archive 289961d | tar -x -C DIR`,
the last commit with kg/serve/http.py). The queries of benchmarks/serve.py (5 ms
to about a second on a million triples) alternate between the two servers, and
the median of each is reported; then the throughput of 8 concurrent clients
running the whole set, measured `--rounds` times alternately, with the median.
The clients ask for uncompressed answers (the former server had no gzip), unless
--gzip. Everything runs on 127.0.0.1.

    .venv/bin/python benchmarks/serve_http.py --old DIR [--triples 1000000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from benchmarks import serve  # noqa: E402
from benchmarks.generate import generate  # noqa: E402
from benchmarks.serve import QUERIES, latencies, throughput  # noqa: E402
from tests.servers import VENV_BIN, free_port, running  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--old", type=Path, required=True,
                    help="a copy of the code with the hand-written server (kg/serve/http.py)")
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5, help="timed runs per query and server")
    ap.add_argument("--min-seconds", type=float, default=3.0,
                    help="a fast query runs until the slower server has spent this long")
    ap.add_argument("--rounds", type=int, default=3, help="throughput runs per server")
    ap.add_argument("--gzip", action="store_true",
                    help="let the clients accept gzip (only the new server compresses; "
                         "by default they ask for identity, so both send the same bytes)")
    args = ap.parse_args()
    if not args.gzip:
        serve.ACCEPT["Accept-Encoding"] = "identity"  # read by serve.ask at each request
    if not (args.old / "kg" / "serve" / "http.py").is_file():
        raise SystemExit(f"{args.old}: no kg/serve/http.py there (see --help)")
    with tempfile.TemporaryDirectory(prefix="kg-bench-http-") as tmp:
        data = Path(tmp) / "bench.trig"
        quads = generate(data, args.triples)
        print(f"Generated {quads} quads; at least {args.runs} timed runs per query and server "
              f"after one warm-up (a fast query until {args.min_seconds:g} s on the slower "
              f"server); {platform.node()}, {os.cpu_count()} cores, load average "
              f"{Path('/proc/loadavg').read_text().split()[0]} at the start.\n", flush=True)
        new_port, old_port = free_port(), free_port()
        common = ["serve", "--data", str(data), "--timeout", "600", "--max-rows", "10000000"]
        new = [str(VENV_BIN / "kg"), *common, "--port", str(new_port)]
        old = [sys.executable, "-m", "kg.cli", *common, "--port", str(old_port)]
        env = {**os.environ, "PYTHONPATH": str(args.old.resolve())}
        with running(new, f"http://127.0.0.1:{new_port}/sparql", wait=3600), \
                running(old, f"http://127.0.0.1:{old_port}/sparql", wait=3600,
                        cwd=args.old, env=env):
            endpoints = {"uvicorn": f"http://127.0.0.1:{new_port}/sparql",
                         "hand-written": f"http://127.0.0.1:{old_port}/sparql"}
            lat = latencies(endpoints, args.runs, args.min_seconds)
            tput: dict[str, list[float]] = {name: [] for name in endpoints}
            order = list(endpoints.items())
            for r in range(args.rounds):
                for name, url in order if r % 2 == 0 else order[::-1]:
                    tput[name].append(throughput(url))
                    time.sleep(1)
    lines = ["| query | rows | runs | uvicorn median | hand-written median | ratio |",
             "|---|---:|---:|---:|---:|---:|"]
    for qname in QUERIES:
        m = lat[qname]
        lines.append(f"| {qname} | {m['rows']} | {m['runs']} | {m['uvicorn'] * 1000:.1f} ms | "
                     f"{m['hand-written'] * 1000:.1f} ms | "
                     f"{m['uvicorn'] / m['hand-written']:.2f}× |")
    med = {name: statistics.median(v) for name, v in tput.items()}
    lines += ["", "Throughput, 8 concurrent clients running the set, "
              f"{args.rounds} runs each alternately (queries/s): uvicorn "
              + ", ".join(f"{v:.2f}" for v in tput["uvicorn"]) + f" (median {med['uvicorn']:.2f}); "
              "hand-written " + ", ".join(f"{v:.2f}" for v in tput["hand-written"])
              + f" (median {med['hand-written']:.2f}); ratio "
              f"{med['uvicorn'] / med['hand-written']:.2f}×.",
              f"Load average {Path('/proc/loadavg').read_text().split()[0]} at the end."]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
