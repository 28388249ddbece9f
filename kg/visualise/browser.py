"""Open a page in headless Chromium and report what a person would get: how
long until the network is drawn, how many nodes it holds, console errors and
requests to other hosts. Used by the browser tests and the scale benchmark.

Debian's ``chromium`` (installed by scripts/setup.sh) driven by Playwright; no
browser is downloaded (never ``playwright install``).
"""

from __future__ import annotations

import contextlib
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


@contextlib.contextmanager
def chromium():
    """Debian's headless Chromium through Playwright (a browser, closed on the way out)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


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


#: Measured in the page from vis-network's own geometry at the current view:
#: each visible node's shape (``options.size`` around its centre) and, when its
#: label is drawn at this zoom (``labelModule.visible()``), the node's bounding
#: box (``network.getBoundingBox``, shape and label). Two nodes overlap when
#: these rectangles intersect. Label sizes are the font size times the zoom,
#: capped as vis-network caps them (``scaling.label.maxVisible``).
_MEASURE = """() => {
  const scale = network.getScale();
  const ids = network.body.nodeIndices;
  const degree = {};
  ids.forEach(id => { degree[id] = 0; });
  network.body.data.edges.get().forEach(e => {
    if (e.from in degree && e.to in degree && e.from !== e.to) {
      degree[e.from] += 1; degree[e.to] += 1; } });
  const boxes = [], px = {};
  ids.forEach(id => {
    const n = network.body.nodes[id], r = n.options.size;
    let box = [n.x - r, n.y - r, n.x + r, n.y + r];
    const label = n.labelModule;
    px[id] = 0;
    if (n.options.label && label.visible()) {
      const bb = network.getBoundingBox(id);
      box = [Math.min(box[0], bb.left), Math.min(box[1], bb.top),
             Math.max(box[2], bb.right), Math.max(box[3], bb.bottom)];
      px[id] = Math.min(label.fontOptions.size * scale,
                        n.options.scaling.label.maxVisible);
    }
    boxes.push([id, box]);
  });
  const hit = new Set();
  for (let i = 0; i < boxes.length; i++) {
    const a = boxes[i][1];
    for (let j = i + 1; j < boxes.length; j++) {
      const b = boxes[j][1];
      if (a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]) {
        hit.add(boxes[i][0]); hit.add(boxes[j][0]); } } }
  const byDegree = ids.slice().sort((a, b) => degree[b] - degree[a] || (a < b ? -1 : 1));
  const nodes = network.body.data.nodes;
  const funded = ids.filter(id => nodes.get(id).euros > 0).sort(
    (a, b) => nodes.get(b).euros - nodes.get(a).euros || (a < b ? -1 : 1));
  return {scale: scale, visible: ids.length, overlapping: Array.from(hit).sort(),
          top_degree: byDegree.slice(0, 20).map(id => [id, px[id]]),
          top_funded: funded.slice(0, 10).map(id => [id, px[id]]),
          labels_drawn: ids.filter(id => px[id] > 0).length};
}"""


@dataclass
class Readability:
    scale: float  # vis-network's zoom at the starting view
    visible: int  # nodes shown (isolated ones are hidden at first)
    overlapping: list[str]  # nodes whose shape or drawn label meets another's
    top_degree: list[tuple[str, float]]  # the 20 most connected: on-screen label px
    top_funded: list[tuple[str, float]]  # the 10 best funded (funding pages)
    labels_drawn: int

    @property
    def overlap_share(self) -> float:
        return len(self.overlapping) / max(self.visible, 1)

    def smallest_top_label(self) -> float:
        sizes = [px for _, px in self.top_degree + self.top_funded]
        return min(sizes) if sizes else 0.0


def measure(page) -> Readability:
    """Overlaps and top label sizes on a Playwright ``page`` showing a network."""
    r = page.evaluate(_MEASURE)
    return Readability(r["scale"], r["visible"], r["overlapping"],
                       [tuple(x) for x in r["top_degree"]],
                       [tuple(x) for x in r["top_funded"]], r["labels_drawn"])


def readability(path: str | Path, size=(1400, 900), screenshot: str | Path | None = None
                ) -> Readability:
    """Open ``path`` (a network page) and measure its starting view."""
    with chromium() as browser:
        page = browser.new_page(viewport={"width": size[0], "height": size[1]})
        page.goto(Path(path).resolve().as_uri())
        page.wait_for_function("window.networkDrawn === true")
        result = measure(page)
        if screenshot:
            page.screenshot(path=str(screenshot))
    return result
