"""Generate ``ontology/hankegraph.html`` from ``ontology/hankegraph.ttl`` with pyLODE.

    python -m kg.graph.ontology_doc            # rewrite the page
    python -m kg.graph.ontology_doc --check    # exit 1 when the page is stale

The page must open without the internet: pyLODE inlines its CSS, and any script or
stylesheet that would still be fetched from elsewhere is removed here.
"""

from __future__ import annotations

import argparse
import re
import sys
from html.parser import HTMLParser

from kg.settings import REPO_ROOT

ONTOLOGY = REPO_ROOT / "ontology" / "hankegraph.ttl"
TARGET = REPO_ROOT / "ontology" / "hankegraph.html"

_REMOTE = r"""["']?(?:https?:)?//"""
_REMOTE_SCRIPT = re.compile(rf"<script\b[^>]*\bsrc={_REMOTE}[^>]*>\s*</script>\s*", re.I)
_REMOTE_LINK = re.compile(
    rf"<link\b(?=[^>]*\brel=[\"']?(?:stylesheet|preload|modulepreload|import))"
    rf"[^>]*\bhref={_REMOTE}[^>]*>\s*", re.I)
_REMOTE_IMPORT = re.compile(rf"@import\s+(?:url\()?{_REMOTE}[^;]*;", re.I)


def strip_remote_resources(html: str) -> str:
    for pattern in (_REMOTE_SCRIPT, _REMOTE_LINK, _REMOTE_IMPORT):
        html = pattern.sub("", html)
    return html


class _Fetches(HTMLParser):
    """Collects what a browser would fetch on opening the page (not what a click fetches)."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "img", "iframe", "embed", "source", "audio", "video") and a.get("src"):
            self.urls.append(a["src"])
        if tag == "link" and a.get("href") and (a.get("rel") or "").lower() != "canonical":
            self.urls.append(a["href"])


def remote_fetches(html: str) -> list[str]:
    """Scripts, styles, images and frames the page would load from another host."""
    p = _Fetches()
    p.feed(html)
    urls = [u for u in p.urls if re.match(r"(?:https?:)?//", u)]
    return urls + _REMOTE_IMPORT.findall(html)


def render() -> str:
    """pyLODE collects the members of an owl:unionOf in a ``set`` of HTML elements, whose
    order follows their memory addresses; in a child process (so that this process's
    pyLODE stays as shipped) its module-level ``set`` becomes an insertion-ordered one,
    which keeps the members in list order, and the hash seed is fixed."""
    import os
    import subprocess

    code = ("import sys; import pylode.utils as u\n"
            "class InsertionOrdered(dict):\n"
            "    def add(self, item): self[item] = None\n"
            "u.set = InsertionOrdered\n"
            "from pylode import OntPub\n"
            "sys.stdout.write(OntPub(ontology=sys.argv[1], sort_subjects=True).make_html())")
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run([sys.executable, "-c", code, str(ONTOLOGY)], env=env,
                          capture_output=True, check=True)
    html = strip_remote_resources(done.stdout.decode("utf-8"))
    return html if html.endswith("\n") else html + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if the page is out of date")
    args = ap.parse_args(argv)
    html = render()
    if args.check:
        if not TARGET.is_file() or TARGET.read_text(encoding="utf-8") != html:
            print(f"{TARGET} is out of date: run python -m kg.graph.ontology_doc",
                  file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(html, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
