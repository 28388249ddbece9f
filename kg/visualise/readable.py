"""Readable pages: no node or label on top of another, and labels by importance.

The force layout (layout.py) places nodes as points; a node on the page is a
shape with a label under it, and with real names those boxes overlap. Here,
after the layout:

1. every node gets a label: the name, wrapped on two lines when long, and for
   a project a short name (its acronym, or its first words) with the full name
   in the tooltip;
2. nodes are ranked by importance (degree; in the funding network also money),
   and the label's font size, in the network's own units, is chosen so that at
   the starting view (vis-network's zoom-to-fit on a canvas of at least
   ``VIEWPORT``) the top nodes' labels are ``TARGET_PX`` or more on screen,
   the next tiers readable after zooming in 2×, 4×…; vis-network hides a label
   smaller than ``HIDDEN_BELOW_PX`` on screen (``scaling.label.drawThreshold``);
3. a noverlap pass (as Gephi's) pushes apart any two nodes whose boxes (shape
   and label at full size, plus a margin) intersect, so that there is no
   overlap at any zoom: labels grow and shrink with the network;
4. nodes without any link go to a strip under the network, hidden until the
   page's "isolated nodes" toggle shows them.

The starting scale depends on the extent, which depends on the label sizes:
the two are settled by a few rounds of the same computation.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

#: The network canvas this page is planned for, in CSS pixels (a 1366×768
#: laptop's browser window, less the page's header and details panel).
VIEWPORT = (1000.0, 600.0)
#: On-screen size of the most important labels at the starting view.
TARGET_PX = 12.0
#: vis-network does not draw a label smaller than this on screen.
HIDDEN_BELOW_PX = 11.0
#: Labels at full size never take more than this on screen (zoomed in).
MAX_VISIBLE_PX = 26.0
#: Nodes whose labels are readable at the starting view: the most connected
#: (and in the funding network, TOP_FUNDED of the best funded).
TOP = 20
TOP_FUNDED = 10
#: Nodes are never drawn smaller than this radius on screen at the starting view.
MIN_RADIUS_PX = 1.5
#: Font size of an ordinary label, in network units (vis-network's default).
BASE_FONT = 14.0
#: Rounds of sizing labels for a zoom and laying out to find the zoom.
ROUNDS = 10
#: The smallest label font, in network units (readable after zooming in far).
MIN_FONT = 2.0
#: Space kept around each node box, in network units.
MARGIN = 3.0
#: Labels are wrapped at this many characters, on at most two lines.
WRAP = 26
#: A project's short name: at most this many characters of its first words.
SHORT = 22
#: Average advance of a character of the page's font (Arial or its metric
#: twin), in ems, rounded up: box widths err on the wide side.
CHAR_EM = 0.56

_ACRONYM = re.compile(r"^[0-9A-ZÅÄÖ][0-9A-Za-zÅÄÖåäö&+\-]{1,14}$")


def _is_acronym(text: str) -> bool:
    return bool(_ACRONYM.match(text)) and sum(c.isupper() for c in text) >= 2


def short_name(name: str, aliases=()) -> str:
    """A project's label: its acronym (an alias, or a trailing ``(ACRONYM)`` in the
    name), else its first words up to ``SHORT`` characters."""
    candidates = [a for a in aliases if _is_acronym(a)]
    m = re.search(r"\(([^()]+)\)\s*$", name)
    if m and _is_acronym(m.group(1).strip()):
        candidates.append(m.group(1).strip())
    if candidates:
        return min(candidates, key=lambda a: (len(a), a))
    if len(name) <= SHORT:
        return name
    words, out = name.split(), ""
    for w in words:
        if len(out) + len(w) + (1 if out else 0) > SHORT - 1:
            break
        out = f"{out} {w}" if out else w
    return (out or name[:SHORT - 1]).rstrip(" ,.:;–-") + "…"


def wrap(text: str, width: int = WRAP) -> str:
    """At most two lines, the second cut with an ellipsis."""
    if len(text) <= width:
        return text
    lines, line = [], ""
    for w in text.split():
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    lines.append(line)
    if len(lines) > 2:
        second = " ".join(lines[1:])
        lines = [lines[0], second[:width - 1].rstrip() + "…"]
    return "\n".join(lines)


def label_of(attrs: dict) -> str:
    if attrs["type"] == "Project":
        return short_name(attrs["name"], attrs.get("aliases", ()))
    return wrap(attrs["name"])


def importance(graph, kind: str) -> tuple[list[str], set[str]]:
    """Nodes from the most to the least important (degree, then the IRI), and the
    set whose labels are to be readable at the starting view."""
    ranked = sorted(graph.nodes, key=lambda v: (-graph.degree(v), v))
    top = {v for v in ranked[:TOP] if graph.degree(v) > 0}
    if kind == "funding":
        funded = sorted((v for v, a in graph.nodes(data=True) if a.get("euros")),
                        key=lambda v: (-graph.nodes[v]["euros"], v))
        top |= set(funded[:TOP_FUNDED])
        ranked = sorted(graph.nodes, key=lambda v: (v not in top, -graph.degree(v), v))
    return ranked, top


@dataclass(frozen=True)
class Readable:
    positions: dict[str, tuple[float, float]]
    labels: dict[str, str]
    fonts: dict[str, float]  # label font size in network units
    sizes: dict[str, float]  # node radius in network units
    isolated: frozenset[str]  # nodes without links, hidden at first
    top: frozenset[str]  # labels readable at the starting view
    scale: float  # the starting view's planned zoom (at VIEWPORT)


def _text_width(label: str, font: float) -> float:
    return max(len(line) for line in label.split("\n")) * CHAR_EM * font + 4


def _boxes(nodes, pos, sizes, labels, fonts, margin):
    """Centre and half-extent of each node's box: the shape (a circle or square
    of radius ``size``) and the label under it."""
    import numpy as np

    half_w = np.empty(len(nodes))
    half_h = np.empty(len(nodes))
    dy = np.empty(len(nodes))
    for i, v in enumerate(nodes):
        r, f = sizes[v], fonts[v]
        lines = labels[v].count("\n") + 1
        width = max(2 * r, _text_width(labels[v], f))
        height = 2 * r + lines * f * 1.2 + 4
        half_w[i], half_h[i] = width / 2 + margin, height / 2 + margin
        dy[i] = height / 2 - r  # box centre below the node's centre
    centre = pos + np.stack([np.zeros(len(nodes)), dy], axis=1)
    return centre, half_w, half_h, dy


def _candidate_pairs(centre, half_w, half_h):
    """Pairs of boxes close enough that they may intersect."""
    import numpy as np
    from scipy.spatial import cKDTree

    reach = np.hypot(half_w, half_h)
    cut = float(np.quantile(reach, 0.95))
    pairs = [cKDTree(centre).query_pairs(2 * cut, output_type="ndarray")]
    # the few big boxes (top labels) against every box, by brute force
    big = np.flatnonzero(reach > cut)
    if len(big):
        dx = np.abs(centre[big, 0][:, None] - centre[None, :, 0])
        dy = np.abs(centre[big, 1][:, None] - centre[None, :, 1])
        near = (dx < half_w[big][:, None] + half_w[None, :]) & \
            (dy < half_h[big][:, None] + half_h[None, :])
        i, j = np.nonzero(near)
        keep = big[i] != j
        pairs.append(np.stack([big[i][keep], j[keep]], axis=1))
    pairs = np.sort(np.concatenate(pairs).reshape(-1, 2), axis=1)
    return np.unique(pairs, axis=0)


def overlapping_pairs(centre, half_w, half_h):
    """Pairs (i, j) whose boxes intersect, and by how much along x and y."""
    import numpy as np

    if len(centre) < 2:
        return np.empty((0, 2), dtype=np.int64), np.empty(0), np.empty(0)
    return _overlaps(centre, half_w, half_h, _candidate_pairs(centre, half_w, half_h))


def _overlaps(centre, half_w, half_h, pairs):
    """Those of the candidate ``pairs`` whose boxes intersect, and by how much."""
    import numpy as np

    if not len(pairs):
        return pairs, np.empty(0), np.empty(0)
    a, b = pairs[:, 0], pairs[:, 1]
    ox = half_w[a] + half_w[b] - np.abs(centre[a, 0] - centre[b, 0])
    oy = half_h[a] + half_h[b] - np.abs(centre[a, 1] - centre[b, 1])
    hit = (ox > 0) & (oy > 0)
    return pairs[hit], ox[hit], oy[hit]


def noverlap(pos, half_w, half_h, dy, max_rounds: int = 200):
    """Push overlapping boxes apart along the axis of least overlap, a little
    more than half the overlap each, until none overlap (or ``max_rounds``)."""
    import numpy as np

    pos = pos.copy()
    n = len(pos)
    if n < 2:
        return pos
    best = n + 1
    offset = np.stack([np.zeros(n), dy], axis=1)
    # candidate pairs are found for boxes grown by ``slack`` and kept while no
    # node has moved more than half of it (a Verlet list): far fewer searches
    slack = float(np.median(np.minimum(half_w, half_h)))
    candidates, anchor = None, None
    for rounds in range(max_rounds):
        if candidates is None or np.abs(pos - anchor).max() > slack / 2:
            anchor = pos.copy()
            candidates = _candidate_pairs(pos + offset, half_w + slack, half_h + slack)
        pairs, ox, oy = _overlaps(pos + offset, half_w, half_h, candidates)
        if not len(pairs):
            break
        a, b = pairs[:, 0], pairs[:, 1]
        d = (pos[a] + offset[a]) - (pos[b] + offset[b])
        # ties (the same centre) are broken by the index, so that runs agree
        sx = np.where(d[:, 0] != 0, np.sign(d[:, 0]), np.where(a < b, -1.0, 1.0))
        sy = np.where(d[:, 1] != 0, np.sign(d[:, 1]), np.where(a < b, -1.0, 1.0))
        along_x = ox <= oy
        push = np.zeros((len(pairs), 2))
        push[along_x, 0] = sx[along_x] * ox[along_x] * 0.55
        push[~along_x, 1] = sy[~along_x] * oy[~along_x] * 0.55
        count = np.bincount(np.concatenate([a, b]), minlength=n).astype(float)
        disp = np.zeros((n, 2))
        for axis in (0, 1):
            disp[:, axis] += np.bincount(a, push[:, axis], minlength=n)
            disp[:, axis] -= np.bincount(b, push[:, axis], minlength=n)
        # a node pushed by many neighbours moves by their mean push, not the sum,
        # so that a crowded node does not overshoot; the rounds finish the job
        pos += disp / np.sqrt(np.maximum(count, 1))[:, None]
        # a jam (pushes that cancel out) is undone by spreading everything a little
        if rounds % 10 == 9:
            if len(pairs) >= best:
                pos = (pos - pos.mean(axis=0)) * 1.06 + pos.mean(axis=0)
            best = min(best, len(pairs))
    return pos


def _fonts(ranked, top, scale: float) -> dict[str, float]:
    """Top labels at TARGET_PX on screen at ``scale``; then tiers of twice as many
    nodes each, at BASE_FONT, half that, a quarter… (never below MIN_FONT), each
    readable after zooming in twice as far as the one before. Only the top
    labels grow as the network's zoom-to-fit shrinks, so the sizes settle."""
    fonts = {}
    rest = [v for v in ranked if v not in top]
    for v in top:
        fonts[v] = round(max(BASE_FONT, TARGET_PX / scale), 1)
    for i, v in enumerate(rest):
        tier = int(math.log2(i / (2 * TOP) + 1))
        fonts[v] = round(max(MIN_FONT, BASE_FONT / 2 ** tier), 1)
    return fonts


def _fit_scale(centre, half_w, half_h) -> float:
    """vis-network's zoom-to-fit on VIEWPORT (its range × 1.1, at most 1)."""
    lo = (centre[:, 0] - half_w).min(), (centre[:, 1] - half_h).min()
    hi = (centre[:, 0] + half_w).max(), (centre[:, 1] + half_h).max()
    w, h = max(hi[0] - lo[0], 1.0) * 1.1, max(hi[1] - lo[1], 1.0) * 1.1
    return min(VIEWPORT[0] / w, VIEWPORT[1] / h, 1.0)


def readable(graph, kind: str, positions, sizes: dict[str, float]) -> Readable:
    """Positions without overlaps, labels and their font sizes, for ``graph``
    laid out at ``positions`` with node radii ``sizes`` (network units)."""
    import numpy as np

    labels = {v: label_of(a) for v, a in graph.nodes(data=True)}
    ranked, top = importance(graph, kind)
    und = graph.to_undirected(as_view=True) if graph.is_directed() else graph
    isolated = ({v for v in graph if und.degree(v) == 0} if graph.number_of_edges()
                else set())
    shown = [v for v in ranked if v not in isolated]
    base = np.array([positions[v] for v in shown], dtype=float).reshape(-1, 2)
    if len(base):
        base -= base.mean(axis=0)
    scale, pos, fit = 1.0, base, 1.0
    fonts, radii = _fonts(ranked, top, scale), dict(sizes)
    if len(shown) > 1:
        # a first guess of the zoom: the boxes at their ordinary sizes on a
        # quarter of the screen
        _, hw, hh, _ = _boxes(shown, base, radii, labels, fonts, MARGIN)
        area = float((4 * hw * hh).sum())
        scale = min(1.0, math.sqrt(VIEWPORT[0] * VIEWPORT[1] * 0.25 / area))
    # nodes are made visible at the first guess; only the top labels follow the
    # later guesses (growing every node with the zoom would never settle)
    radii = {v: round(max(r, MIN_RADIUS_PX / scale), 1) for v, r in sizes.items()}
    for round_ in range(ROUNDS):
        fonts = _fonts(ranked, top, scale)
        centre, hw, hh, dy = _boxes(shown, base, radii, labels, fonts, MARGIN)
        if round_ == 0 and len(shown) > 1:
            # spread or gather the layout so that boxes cover about a quarter
            # of it before the noverlap pass (which only spreads)
            span = np.ptp(base, axis=0).clip(min=1.0)
            ratio = math.sqrt(float((4 * hw * hh).sum()) / 0.25 / float(span[0] * span[1]))
            pos = base * min(max(ratio, 0.05), 20.0)
        # later rounds only grow the top labels: pushing their neighbours
        # aside from where they are keeps the rest in place
        pos = noverlap(pos, hw, hh, dy)
        fit = _fit_scale(pos + np.stack([np.zeros(len(dy)), dy], axis=1), hw, hh) \
            if len(shown) else 1.0
        if fit >= scale * 0.97:  # the labels were sized for about this zoom or less
            break
        scale = fit * 0.95
    out = {v: (round(float(x), 1), round(float(y), 1)) for v, (x, y) in zip(shown, pos,
                                                                             strict=True)}
    out.update(_strip(sorted(isolated, key=lambda v: (labels[v], v)), out, radii, labels,
                      fonts))
    return Readable(out, labels, fonts, radii, frozenset(isolated), frozenset(top), round(fit, 4))


def _strip(nodes, placed, sizes, labels, fonts) -> dict[str, tuple[float, float]]:
    """Isolated nodes in rows under the network, as wide as the network."""
    if not nodes:
        return {}
    xs = [x for x, _ in placed.values()] or [0.0]
    ys = [y for _, y in placed.values()] or [0.0]
    left, right = min(xs), max(max(xs), min(xs) + 600)
    y = max(ys) + 160
    x, row_h, out = left, 0.0, {}
    for v in nodes:
        w = max(2 * sizes[v], _text_width(labels[v], fonts[v])) + 20
        h = 2 * sizes[v] + (labels[v].count("\n") + 1) * fonts[v] * 1.2 + 24
        if x > left and x + w > right:
            x, y, row_h = left, y + row_h, 0.0
        out[v] = (round(x + w / 2, 1), round(y + sizes[v], 1))
        x += w
        row_h = max(row_h, h)
    return out
