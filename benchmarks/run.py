"""Build speed and memory: full vs incremental builds, worker processes vs bare
spaCy, at several corpus sizes. Figures go to benchmarks/README.md.

    .venv/bin/python -m benchmarks.run                # 100 and 1000 documents
    .venv/bin/python -m benchmarks.run --sizes 100    # a quick look
    .venv/bin/python -m benchmarks.run --incremental  # only cold cache / unchanged / one edit

Every build is a real `kg build` subprocess on a generated corpus
(benchmarks/corpus.py); its wall time includes Python's start-up, and its memory
is the peak of the summed resident set of the process and its workers, sampled
from /proc every 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.corpus import write

KG = [sys.executable, "-m", "kg.cli", "--no-progress", "build"]


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(ln.split()[1]) * 1024 for ln in f if ln.startswith("VmRSS"))
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    stack += [int(c) for c in f.read().split()]
        except (OSError, StopIteration):
            continue
    return total


def run(cmd: list[str]) -> tuple[float, int]:
    """Wall seconds and peak resident bytes of a command and its children."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        time.sleep(0.05)
    seconds = time.perf_counter() - t0
    if proc.returncode not in (0, 3):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr.read()}")
    return seconds, peak


_PIPE = """
import sys, time
from pathlib import Path
import spacy
from kg.extract.nlp import MODEL
texts = [p.read_text(encoding="utf-8") for p in sorted(Path(sys.argv[1]).glob("*.txt"))]
nlp = spacy.load(MODEL)  # the whole model, as it comes: the yardstick
t0 = time.perf_counter()
for _ in nlp.pipe(texts, n_process=int(sys.argv[2]), batch_size=32):
    pass
print(time.perf_counter() - t0)
"""


def bare_pipe(corpus: Path, processes: int) -> float:
    """Seconds of spaCy's own nlp.pipe over the same texts, model load excluded."""
    out = subprocess.run([sys.executable, "-c", _PIPE, str(corpus), str(processes)],
                         capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def bench(n: int, work: Path, incremental_only: bool = False) -> dict:
    corpus = work / f"docs{n}"
    files = write(corpus, n)
    out, cache = work / f"out{n}", work / f"cache{n}"
    r: dict = {"documents": n}
    for workers in () if incremental_only else (1, 2):
        secs, rss = run([*KG, str(corpus), "--out", str(out), "--no-cache",
                         "--workers", str(workers)])
        r[f"full_w{workers}_s"], r[f"full_w{workers}_rss_mb"] = secs, rss / 2**20
    # a full build that fills the cache, then the same corpus again, then one edit
    r["cold_cache_s"], _ = run([*KG, str(corpus), "--out", str(out), "--cache-dir", str(cache)])
    before = (out / "hankegraph.trig").read_bytes()
    mtimes = {f.name: f.stat().st_mtime_ns for f in out.iterdir()}
    r["unchanged_s"], r["unchanged_rss_mb"] = run(
        [*KG, str(corpus), "--out", str(out), "--cache-dir", str(cache)])
    r["unchanged_identical"] = (out / "hankegraph.trig").read_bytes() == before
    r["unchanged_wrote_nothing"] = mtimes == {f.name: f.stat().st_mtime_ns for f in out.iterdir()}
    r["unchanged_rss_mb"] /= 2**20
    with open(files[0], "a", encoding="utf-8") as f:
        f.write("\nHankkeen yhteistyökumppanina toimii Hämeen liitto.\n")
    r["one_changed_s"], _ = run([*KG, str(corpus), "--out", str(out), "--cache-dir", str(cache)])
    if incremental_only:
        return r
    r["pipe_p1_s"] = bare_pipe(corpus, 1)
    r["pipe_p2_s"] = bare_pipe(corpus, 2)
    return r


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    ap.add_argument("--json", help="also write the figures here")
    ap.add_argument("--incremental", action="store_true",
                    help="only the cold-cache (full) build, the unchanged one and one edit")
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        for n in args.sizes:
            results.append(bench(n, Path(tmp), args.incremental))
            print(json.dumps(results[-1]), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nmachine: {os.cpu_count()} cores, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} at the end")
    if args.incremental:
        print("| docs | cold cache (full) | unchanged | unchanged / full | one doc changed |")
        print("|---|---|---|---|---|")
        for r in results:
            print(f"| {r['documents']} | {r['cold_cache_s']:.1f} s | {r['unchanged_s']:.1f} s "
                  f"| {r['unchanged_s'] / r['cold_cache_s']:.1%} | {r['one_changed_s']:.1f} s |")
        return
    print("| docs | full, 1 worker | full, 2 workers | unchanged (cache) | one doc changed "
          "| nlp.pipe 1 proc | nlp.pipe 2 procs | peak RSS 1 w / 2 w / unchanged |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['documents']} | {r['full_w1_s']:.1f} s | {r['full_w2_s']:.1f} s "
              f"| {r['unchanged_s']:.1f} s | {r['one_changed_s']:.1f} s "
              f"| {r['pipe_p1_s']:.1f} s | {r['pipe_p2_s']:.1f} s "
              f"| {r['full_w1_rss_mb']:.0f} / {r['full_w2_rss_mb']:.0f} / "
              f"{r['unchanged_rss_mb']:.0f} MB |")


if __name__ == "__main__":
    main()
