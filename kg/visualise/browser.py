"""Open a page in headless Chromium and report what a person would get: how
long until the network is drawn, how many nodes it holds, console errors and
requests to other hosts. Used by the browser tests and the scale benchmark.

Debian's ``chromium`` (installed by scripts/setup.sh) driven by Playwright; no
browser is downloaded (never ``playwright install``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = os.environ.get("KG_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@dataclass
class PageReport:
    drawn_seconds: float  # from navigation until vis-network's first afterDrawing
    usable_seconds: float  # until a zoom-to-fit answers and redraws
    nodes: int  # nodes in the page's network data
    console_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    screenshot: bytes = b""


def chromium_path() -> str:
    if not Path(CHROMIUM).is_file():
        raise FileNotFoundError(f"{CHROMIUM}: no Chromium here; run scripts/setup.sh "
                                "(apt-get install chromium) or set KG_CHROMIUM")
    return CHROMIUM


def open_page(path: str | Path, timeout: float = 60.0, size=(1400, 900)) -> PageReport:
    """Load ``path`` (a local file) and wait for the network to be drawn."""
    from playwright.sync_api import sync_playwright

    url = Path(path).resolve().as_uri()
    profile = tempfile.mkdtemp(prefix="kg-chromium-")
    errors: list[str] = []
    outside: list[str] = []
    try:
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                profile, executable_path=chromium_path(), headless=True, args=FLAGS,
                viewport={"width": size[0], "height": size[1]})
            try:
                page = context.new_page()
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.on("request", lambda r: outside.append(r.url)
                        if not r.url.startswith(("file:", "data:", "blob:", "about:")) else None)
                t0 = time.perf_counter()
                page.goto(url, wait_until="load", timeout=timeout * 1000)
                page.wait_for_function("window.networkDrawn === true", timeout=timeout * 1000)
                drawn = time.perf_counter() - t0
                page.evaluate("""() => new Promise(done => {
                    network.once("afterDrawing", () => done(true));
                    network.fit({animation: false}); })""")
                usable = time.perf_counter() - t0
                count = page.evaluate("network.body.data.nodes.length")
                shot = page.screenshot()
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return PageReport(round(drawn, 2), round(usable, 2), count, errors, outside, shot)


def blank(png: bytes) -> bool:
    """True when the screenshot of the network area holds a single colour."""
    import io

    from matplotlib.image import imread

    pixels = imread(io.BytesIO(png))
    area = pixels[60:, : int(pixels.shape[1] * 0.7)]  # below the header, left of details
    return bool((area == area[0, 0]).all())
