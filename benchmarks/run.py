"""Build speed and memory: full vs incremental builds, worker processes vs bare
spaCy, at several corpus sizes. Figures go to benchmarks/README.md.

    .venv/bin/python -m benchmarks.run                # 100 and 1000 documents
    .venv/bin/python -m benchmarks.run --sizes 100    # a quick look
    .venv/bin/python -m benchmarks.run --incremental  # only cold cache / unchanged / one edit
    .venv/bin/python -m benchmarks.run --throughput --sizes 100 1000 10000
                                 # only the 2-worker build against nlp.pipe with 2 processes

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


PEAKS: dict[str, int] = {}  # the last run's peaks: "parent" alone, "children" together


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (noting the peaks of the
    process alone and of its descendants together in PEAKS)."""
    total, stack, own = 0, [pid], 0
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                rss = next(int(ln.split()[1]) * 1024 for ln in f if ln.startswith("VmRSS"))
                total += rss
                own = rss if p == pid else own
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    stack += [int(c) for c in f.read().split()]
        except (OSError, StopIteration):
            continue
    PEAKS["parent"] = max(PEAKS.get("parent", 0), own)
    PEAKS["children"] = max(PEAKS.get("children", 0), total - own)
    return total


def run(cmd: list[str], output: list[str] | None = None) -> tuple[float, int]:
    """Wall seconds and peak resident bytes of a command and its children (its
    standard output appended to ``output``, if given)."""
    PEAKS.clear()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE if output is not None
                            else subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        time.sleep(0.05)
    seconds = time.perf_counter() - t0
    if proc.returncode not in (0, 3):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr.read()}")
    if output is not None:
        output.append(proc.stdout.read())
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
    return bare_pipe_rss(corpus, processes)[0]


def bare_pipe_rss(corpus: Path, processes: int) -> tuple[float, int]:
    """Seconds of nlp.pipe (model load excluded), and the peak resident bytes of its
    processes (model load included)."""
    output: list[str] = []
    _wall, peak = run([sys.executable, "-c", _PIPE, str(corpus), str(processes)], output)
    return float(output[0].strip().splitlines()[-1]), peak


def throughput(n: int, work: Path, pipe: bool = True) -> dict:
    """The issue-3 yardstick alone: a full 2-worker build against nlp.pipe with 2
    processes on the same documents, with the peak memory of each (without
    ``pipe``, the build alone)."""
    corpus = work / f"docs{n}"
    write(corpus, n)
    summary: list[str] = []
    secs, rss = run([*KG, str(corpus), "--out", str(work / f"out{n}"), "--no-cache",
                     "--workers", "2"], summary)
    parent, workers = PEAKS["parent"], PEAKS["children"]
    pipe_s, pipe_rss = bare_pipe_rss(corpus, 2) if pipe else (float("nan"), 0)
    stages = next((ln for ln in summary[0].splitlines() if ln.startswith("time:")), "")
    return {"documents": n, "full_w2_s": secs, "full_w2_rss_mb": rss / 2**20,
            "build_parent_rss_mb": parent / 2**20, "build_workers_rss_mb": workers / 2**20,
            "pipe_p2_s": pipe_s, "pipe_p2_rss_mb": pipe_rss / 2**20,
            "throughput_ratio": pipe_s / secs, "stages": stages,
            "chars_per_doc": sum(len(p.read_text(encoding="utf-8"))
                                 for p in corpus.glob("*.txt")) / n}


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
    ap.add_argument("--throughput", action="store_true",
                    help="only the full 2-worker build against nlp.pipe with 2 processes")
    ap.add_argument("--no-pipe", action="store_true",
                    help="with --throughput: the build alone (its time and memory), no nlp.pipe")
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        for n in args.sizes:
            results.append(throughput(n, Path(tmp), not args.no_pipe) if args.throughput
                           else bench(n, Path(tmp), args.incremental))
            print(json.dumps(results[-1]), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nmachine: {os.cpu_count()} cores, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} at the end")
    if args.throughput:
        print("| docs | full build, 2 workers | nlp.pipe, 2 procs | build / bare throughput "
              "| peak RSS: build (its main process; workers) / nlp.pipe | build stages |")
        print("|---|---|---|---|---|---|")
        for r in results:
            print(f"| {r['documents']} | {r['full_w2_s']:.1f} s | {r['pipe_p2_s']:.1f} s "
                  f"| {r['throughput_ratio']:.0%} | {r['full_w2_rss_mb']:.0f} MB "
                  f"({r['build_parent_rss_mb']:.0f}; {r['build_workers_rss_mb']:.0f}) / "
                  f"{r['pipe_p2_rss_mb']:.0f} MB | {r['stages']} |")
        return
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
