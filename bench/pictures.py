"""The benchmark's pictures as plain SVG (no plotting library): written by bench/run.py --out.

    write_latency(path, results, chats)  latency by percentile: scenario a (and c, and a against
                                         ejabberd) against the direct XMPP hop, the floor
    write_memory(path, results)          seshat's resident memory against idle SSE visitors

The percentile axis is in "nines" (50%, 90%, 99%, 99.9%, then the maximum), so the tail that
the targets judge takes most of the width; the latency axis is logarithmic.
"""

import math
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 760, 440
LEFT, RIGHT, TOP, BOTTOM = 70, 230, 40, 50
COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf",
           "#e377c2"]


def _nines(percentile):
    """x position of a percentile: -log10(1 - p); the maximum (100) is drawn at 3.5."""
    if percentile >= 100:
        return 3.5
    return -math.log10(1 - percentile / 100)


def _frame(title, x_label, y_label):
    return [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
            f'font-family="sans-serif" font-size="12">',
            f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
            f'<text x="{LEFT}" y="22" font-size="15" font-weight="bold">{escape(title)}</text>',
            f'<text x="{(LEFT + WIDTH - RIGHT) / 2}" y="{HEIGHT - 12}" text-anchor="middle">'
            f'{escape(x_label)}</text>',
            f'<text x="16" y="{(TOP + HEIGHT - BOTTOM) / 2}" text-anchor="middle" '
            f'transform="rotate(-90 16 {(TOP + HEIGHT - BOTTOM) / 2})">{escape(y_label)}</text>',
            f'<rect x="{LEFT}" y="{TOP}" width="{WIDTH - LEFT - RIGHT}" '
            f'height="{HEIGHT - TOP - BOTTOM}" fill="none" stroke="#444"/>']


def _legend(parts, entries):
    """entries: (label, colour, SVG dash pattern or "" for a solid line)."""
    for i, (label, colour, pattern) in enumerate(entries):
        y = TOP + 10 + 18 * i
        x = WIDTH - RIGHT + 12
        dash = f' stroke-dasharray="{pattern}"' if pattern else ""
        parts.append(f'<line x1="{x}" y1="{y}" x2="{x + 24}" y2="{y}" stroke="{colour}" '
                     f'stroke-width="2"{dash}/>')
        parts.append(f'<text x="{x + 30}" y="{y + 4}">{escape(label)}</text>')


def _a_floor(results):
    """a's floor: the hop in a's shape (results of older runs: two clients' hop)."""
    return results.get("hop") or results.get("direct", {})


def _curves(results, chats):
    """(label, points [(percentile, ms)], dashed) for every distribution in the results."""
    curves = []

    def add(label, summary, dashed=False):
        if summary and summary.get("points"):
            curves.append((label, summary["points"], dashed))

    relay = results.get("relay", {})
    add(f"a. visitor->operator", relay.get("v2o_all"))
    add(f"a. operator->visitor", relay.get("o2v_all"))
    idle = results.get("idle", {})
    if idle:
        add(f"c. v->op, {idle.get('idle', 0)} idle", idle.get("v2o_all"))
        add(f"c. op->v, {idle.get('idle', 0)} idle", idle.get("o2v_all"))
        among = idle.get("hop_among") or idle.get("hop_after") or {}
        add(f"c. floor of v->op, {idle.get('idle', 0)} idle", among.get("a_to_b"), True)
    hop = _a_floor(results)
    add("floor of v->op: direct hop A->B", hop.get("a_to_b"), True)
    add("floor of op->v: direct hop B->A", hop.get("b_to_a"), True)
    ejabberd = results.get("ejabberd")
    if ejabberd:
        add("ejabberd a. v->op", ejabberd["relay"].get("v2o_all"))
        add("ejabberd floor A->B", _a_floor(ejabberd).get("a_to_b"), True)
    return curves


def write_latency(path, results, chats):
    curves = _curves(results, chats)
    values = [ms for _, points, _ in curves for _, ms in points if ms > 0]
    low = 10 ** math.floor(math.log10(min(values))) if values else 0.01
    high = 10 ** math.ceil(math.log10(max(values))) if values else 100
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_of(percentile):
        return LEFT + plot_w * _nines(percentile) / 3.5

    def y_of(ms):
        ms = max(ms, low)
        return TOP + plot_h * (1 - (math.log10(ms) - math.log10(low)) /
                               (math.log10(high) - math.log10(low)))

    parts = _frame(f"Latency by percentile, {chats} open chats (Prosody unless named)",
                   "percentile", "latency (ms, log)")
    for percentile, label in ((0, "0"), (50, "50%"), (90, "90%"), (99, "99%"), (99.9, "99.9%"),
                              (100, "max")):
        x = x_of(percentile)
        parts.append(f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{HEIGHT - BOTTOM}" '
                     f'stroke="#ddd"/>')
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
                     f'{label}</text>')
    decade = low
    while decade <= high * 1.001:
        y = y_of(decade)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
                     f'stroke="#ddd"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{decade:g}</text>')
        decade *= 10
    entries = []
    for i, (label, points, dashed) in enumerate(curves):
        colour = COLOURS[i % len(COLOURS)]
        line = " ".join(f"{x_of(p):.1f},{y_of(ms):.1f}" for p, ms in points)
        dash = ' stroke-dasharray="5 4"' if dashed else ""
        parts.append(f'<polyline points="{line}" fill="none" stroke="{colour}" '
                     f'stroke-width="2"{dash}/>')
        entries.append((label, colour, "5 4" if dashed else ""))
    # a's p99 target: 2 ms over the floor's p99 (drawn at 2 ms + v->op's floor p99), named in
    # the legend: a label beside the line would sit on the curves that cross it.
    hop = _a_floor(results)
    if hop.get("a_to_b"):
        y = y_of(2 + hop["a_to_b"]["p99_ms"])
        parts.append(f'<line x1="{x_of(99):.1f}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
                     f'stroke="#000" stroke-width="1.5" stroke-dasharray="2 3"/>')
        entries.append(("target p99: floor + 2 ms", "#000", "2 3"))
    _legend(parts, entries)
    parts.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")


def write_memory(path, results):
    idle = results.get("idle", {})
    curve = idle.get("rss_curve") or []
    base = curve[0][1] if curve else 0
    points = [(n, (kb - base) / 1024) for n, kb in curve]
    most = max([n for n, _ in points] + [1])
    top = max([mb for _, mb in points] + [400 * most / 100000, 1])
    x_max = most * 1.05
    y_max = top * 1.15
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_of(n):
        return LEFT + plot_w * n / x_max

    def y_of(mb):
        return TOP + plot_h * (1 - mb / y_max)

    measure = idle.get("curve_measure", "RSS")  # several processes: their PSS summed
    parts = _frame("seshat's resident memory against idle SSE visitors",
                   "idle SSE streams open", f"{measure} growth (MB)")
    for i in range(6):
        n = x_max * i / 5
        parts.append(f'<text x="{x_of(n):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
                     f'{n:,.0f}</text>')
        mb = y_max * i / 5
        parts.append(f'<line x1="{LEFT}" y1="{y_of(mb):.1f}" x2="{WIDTH - RIGHT}" '
                     f'y2="{y_of(mb):.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y_of(mb) + 4:.1f}" text-anchor="end">'
                     f'{mb:.0f}</text>')
    # The target: 400 MB for 100,000 streams (4 KB each), drawn as that slope.
    parts.append(f'<line x1="{x_of(0):.1f}" y1="{y_of(0):.1f}" x2="{x_of(x_max):.1f}" '
                 f'y2="{y_of(400 * x_max / 100000):.1f}" stroke="#000" stroke-dasharray="5 4"/>')
    line = " ".join(f"{x_of(n):.1f},{y_of(mb):.1f}" for n, mb in points)
    parts.append(f'<polyline points="{line}" fill="none" stroke="{COLOURS[0]}" stroke-width="2"/>')
    if points and points[-1][0] > 0:
        n, mb = points[-1]
        parts.append(f'<text x="{x_of(n) - 4:.1f}" y="{y_of(mb) - 8:.1f}" text-anchor="end">'
                     f'{n:,} streams: {mb:.0f} MB ({mb * 1024 * 1024 / n:,.0f} B each)</text>')
    _legend(parts, [(f"seshat {measure} growth", COLOURS[0], ""),
                    ("target: 400 MB per 100k", "#000", "5 4")])
    parts.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")
