"""The learned extractor's build throughput against bare spaCy running the same
components, and against the rule extractor (issue 13).

    .venv/bin/python -m benchmarks.extractors --docs 1000 --repeat 3

Three commands on the same generated corpus (benchmarks/corpus.py), run in turn
``--repeat`` times (interleaved, so a busy moment of the shared machine falls on
each), and the medians compared:

- ``kg build --extractor hankegraph.learned.v1 --workers 2 --no-cache`` (the default);
- ``kg build --extractor hankegraph.rules.v1 --workers 2 --no-cache``;
- ``nlp.pipe`` with two processes over the same texts, the Finnish model loaded with
  the components the build loads (``kg.extract.nlp.UNUSED_COMPONENTS`` excluded:
  no parser, no lemmatizer) and all of them run on every text (the build runs the
  entity recogniser only on lines that may name a person). Model load excluded.

Each build's time is wall time of the whole command (Python start-up, model load,
reading, resolution, graph, validation and writing included).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.corpus import write
from benchmarks.run import KG, run

_PIPE = """
import sys, time
from pathlib import Path
import spacy
from kg.extract.nlp import MODEL, UNUSED_COMPONENTS
texts = [p.read_text(encoding="utf-8") for p in sorted(Path(sys.argv[1]).glob("*.txt"))]
nlp = spacy.load(MODEL, exclude=UNUSED_COMPONENTS)  # the components the build loads
t0 = time.perf_counter()
for _ in nlp.pipe(texts, n_process=2, batch_size=32):
    pass
print(time.perf_counter() - t0)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args()
    times: dict[str, list[float]] = {"learned": [], "rules": [], "pipe": []}
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        corpus = Path(tmp) / "docs"
        write(corpus, args.docs)
        for i in range(args.repeat):
            for name in ("hankegraph.learned.v1", "hankegraph.rules.v1"):
                secs, _ = run([*KG, str(corpus), "--out", str(Path(tmp) / f"out-{i}"),
                               "--no-cache", "--workers", "2", "--extractor", name])
                times[name.split(".")[1]].append(secs)
            out: list[str] = []
            run([sys.executable, "-c", _PIPE, str(corpus)], out)
            times["pipe"].append(float(out[0].strip().splitlines()[-1]))
            print(json.dumps({k: v[-1] for k, v in times.items()}), flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    result = {"documents": args.docs, "repeat": args.repeat, "runs": times, "medians": med,
              "learned_vs_pipe": med["pipe"] / med["learned"],
              "rules_vs_pipe": med["pipe"] / med["rules"],
              "load_average_end": os.getloadavg()}
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"| docs | learned build | rules build | nlp.pipe (same components) "
          f"| learned / bare throughput | rules / bare |\n|---|---|---|---|---|---|\n"
          f"| {args.docs} | {med['learned']:.1f} s | {med['rules']:.1f} s | {med['pipe']:.1f} s "
          f"| {result['learned_vs_pipe']:.0%} | {result['rules_vs_pipe']:.0%} |")
    print(f"machine: {os.cpu_count()} cores, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} at the end")


if __name__ == "__main__":
    main()
