"""``kg site OUT``: every entity's page as a static site that works from disk.

One HTML file per entity at its IRI's path under the base IRI
(``OUT/organisation/xamk.html``), its Turtle beside it (``…/xamk.ttl``), and
``OUT/index.html`` listing every entity with a search box. Links are relative,
the pages load nothing from the network. Written into a fresh folder beside
OUT and moved into place, so a failure leaves the previous site as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from kg.pages import describe, entities, render_html, render_index, serialize


@dataclass
class SiteReport:
    out: Path
    pages: int = 0
    by_class: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> str:
        kinds = ", ".join(f"{n} {k}" for k, n in self.by_class.items())
        return (f"wrote {self.pages} entity pages ({kinds}) and index.html to {self.out}\n"
                f"time: {self.seconds:.1f} s")


def relative_path(iri: str, base: str) -> str | None:
    """The page's path under OUT without a suffix, or None outside the base IRI."""
    if not iri.startswith(base):
        return None
    rest = iri[len(base):].strip("/")
    parts = [p for p in rest.split("/") if p not in ("", ".", "..")]
    return "/".join(parts) if parts and all(_safe(p) for p in parts) else None


def _safe(part: str) -> bool:
    return not any(c in part for c in '\\:*?"<>|#') and not part.startswith(".")


def write_site(data: str | Path, out: str | Path, base: str) -> SiteReport:
    from kg.store import open_store

    t0 = time.perf_counter()
    store = open_store(data)
    items = [e for e in entities(store) if relative_path(e[0], base)]
    pages = {iri: relative_path(iri, base) for iri, _, _ in items}
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    report = SiteReport(out)
    try:
        for iri, _label, kind in items:
            rel = pages[iri]
            depth = rel.count("/")
            up = "../" * depth

            def href(other: str, up=up) -> str | None:
                target = pages.get(other)
                return f"{up}{target}.html" if target else None

            name = rel.rsplit("/", 1)[-1]
            page = render_html(describe(store, iri), href, f"{up}index.html",
                               {"text/turtle": f"{name}.ttl"})
            path = staging / f"{rel}.html"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(page, encoding="utf-8")
            (staging / f"{rel}.ttl").write_bytes(serialize(store, iri, "turtle"))
            report.pages += 1
            report.by_class[kind] = report.by_class.get(kind, 0) + 1
        (staging / "index.html").write_text(
            render_index(items, lambda i: f"{pages[i]}.html"), encoding="utf-8")
        if out.exists():
            old = out.with_name(f".{out.name}-old-{os.getpid()}")
            out.rename(old)
            staging.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    report.seconds = time.perf_counter() - t0
    return report
