"""Extract: Document → Mentions and Claims.

Extractors share one small protocol and are registered under versioned names
(``hankegraph.rules.v1``), so a test can swap in a fake and a better extractor
can replace a worse one without touching the pipeline.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from kg.model import Document, Extraction


class Extractor(Protocol):
    """``extractor(document)``; an extractor may also offer
    ``pipe(documents) -> Iterator[Extraction | Exception]`` to read a batch at
    once (kg/parallel.py uses it when it is there)."""

    name: str

    def __call__(self, document: Document) -> Extraction: ...


_REGISTRY: dict[str, Callable[..., Extractor]] = {}


def register(name: str):
    """Register an extractor factory under a versioned name."""

    def deco(factory):
        _REGISTRY[name] = factory
        return factory

    return deco


def get_extractor(name: str, **kwargs) -> Extractor:
    if name not in _REGISTRY:
        # registers the built-in extractors
        from kg.extract import learned, rules  # noqa: F401
    try:
        return _REGISTRY[name](**kwargs)
    except KeyError:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise KeyError(f"unknown extractor {name!r} (registered: {known})") from None


def extractor_problem(name: str, model_dir) -> str | None:
    """Why an extractor cannot run with these settings (an unknown name, a missing or
    foreign model folder), or None: asked before a build starts, so that the message
    names the problem instead of a worker's traceback."""
    from kg.extract import learned, rules  # noqa: F401  (registers the built-in extractors)

    if name not in _REGISTRY:
        return f"unknown extractor {name!r} (registered: {', '.join(sorted(_REGISTRY))})"
    if name == learned.NAME:
        from kg.extract.model import Model

        try:
            Model.load(model_dir)
        except (FileNotFoundError, ValueError) as e:
            return str(e)
    return None
