"""Refresh the screenshots of the README and docs/visualise.md:
docs/visualise-KIND.png from the pages `make run` writes (visualisations/KIND.html),
as headless Chromium (Debian's chromium, through Playwright) shows them at their
starting view.

    .venv/bin/python scripts/screenshots.py [PAGES_DIR] [OUT_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

from kg.visualise.browser import readability

KINDS = ("collaboration", "projects", "funding")


def main(pages: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for kind in KINDS:
        seen = readability(pages / f"{kind}.html", size=(1280, 760),
                           screenshot=out / f"visualise-{kind}.png")
        print(f"{kind}: {seen.visible} nodes shown, {len(seen.overlapping)} overlapping, "
              f"smallest top label {seen.smallest_top_label():.1f} px → "
              f"{out / f'visualise-{kind}.png'}")


if __name__ == "__main__":
    args = [Path(a) for a in sys.argv[1:]]
    main(args[0] if args else Path("visualisations"), args[1] if len(args) > 1 else Path("docs"))
