"""Extraction in worker processes, for corpora large enough to pay for them.

Each worker loads the extractor (and so the spaCy model) once, in its
initializer; documents go out in order and come back in order
(``Executor.map``), and extraction is a pure function of the document, so the
result does not depend on the number of workers. Workers are *spawned*, not
forked: a fresh interpreter inherits no threads or open files of the build
(so a script calling ``kg.build.build`` needs the ``if __name__ == "__main__"``
guard that every spawning program needs).
A document that makes the extractor raise is reported as a string; a worker
that dies outright (out of memory, a crash in native code) loses no document:
what is left is extracted in the build's own process. A worker dies with the
build: the kernel kills it when the build process ends (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from kg.model import Document, Extraction
from kg.settings import Settings

_extractor = None  # the worker's own, loaded once by _load
BATCH = 16  # documents the model reads at once


def _load(name: str, options: dict) -> None:
    global _extractor
    from kg.extract import get_extractor

    _extractor = get_extractor(name, **options)


def extractor_options(settings: Settings) -> dict:
    """What every registered extractor factory is given (each takes what it uses)."""
    return {"authority_dir": settings.authority_dir, "model_dir": settings.model_dir,
            "min_confidence": settings.min_confidence}


def _worker_start(build: int, name: str, options: dict) -> None:
    """A worker's initializer: end with the build, then load the extractor."""
    _end_with(build)
    _load(name, options)


def _end_with(build: int) -> None:
    """Have the kernel SIGKILL this worker when the build process dies, however
    it dies (SIGKILL included), so that no worker of a killed build goes on
    holding its few hundred MB; and end now if the build is already gone.
    Linux only (prctl); elsewhere the pool's own shutdown is all there is."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != build:  # it died before the prctl
        os._exit(1)


def _failure(e: Exception) -> str:
    return f"extraction failed: {type(e).__name__}: {e}"


def _extract(doc: Document) -> Extraction | str:
    """The extraction, or the reason it failed (one bad document must not stop a build)."""
    try:
        return _extractor(doc)
    except Exception as e:  # noqa: BLE001
        return _failure(e)


def _extract_batch(docs: list[Document]) -> list[Extraction | str]:
    """A batch at once when the extractor can (``pipe``: the model runs faster on
    batches); when the batch as a whole fails, each document on its own."""
    pipe = getattr(_extractor, "pipe", None)
    if pipe is None or len(docs) == 1:
        return [_extract(d) for d in docs]
    try:
        return [_failure(r) if isinstance(r, Exception) else r for r in pipe(docs)]
    except Exception:  # noqa: BLE001 - which document broke it is found one by one
        return [_extract(d) for d in docs]


def _batches(documents: list[Document], size: int) -> list[list[Document]]:
    return [documents[i:i + size] for i in range(0, len(documents), size)]


def worker_count(settings: Settings, n_documents: int) -> int:
    """How many processes to use: 1 (in-process) for a small corpus."""
    if n_documents < max(settings.parallel_min_docs, 2):
        return 1
    return max(1, min(settings.workers, os.cpu_count() or 1, n_documents))


def extract_many(documents: list[Document], settings: Settings) -> Iterator[Extraction | str]:
    """Extract ``documents`` in order: an Extraction, or a failure reason, for each."""
    workers = worker_count(settings, len(documents))
    done = 0
    if workers > 1:
        # batches small enough that both workers stay busy to the end
        size = max(1, min(BATCH, len(documents) // (workers * 4)))
        options = extractor_options(settings)
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=_worker_start,
                                 initargs=(os.getpid(), settings.extractor, options)) as pool:
            try:
                for results in pool.map(_extract_batch, _batches(documents, size)):
                    for result in results:
                        done += 1
                        yield result
                return
            except BrokenProcessPool as e:
                print(f"warning: an extraction worker died ({e}); extracting the remaining "
                      f"{len(documents) - done} documents in this process", file=sys.stderr)
    _load(settings.extractor, extractor_options(settings))
    for batch in _batches(documents[done:], BATCH):
        yield from _extract_batch(batch)
