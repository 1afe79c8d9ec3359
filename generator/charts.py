"""Horizontal stacked bar charts as inline SVG, drawn at build time.

Each chart is a picture of a table printed beside it (the table is the text
alternative and the authority). Series differ by colour and by a hatch
pattern, and every segment wide enough carries its number, so a chart still
reads in black-and-white print.
"""
from __future__ import annotations

from markupsafe import Markup

from .stats import Figure
from .svg import FONT, clip, esc, num, text_width

COLOURS = {
    "高": "#c62828", "中": "#f2a900", "低": "#2e7d32",
    "个人承诺表": "#1565c0", "科室承诺表": "#6a1b9a", "单位承诺表": "#00838f",
    "已确认": "#2e7d32", "已公示待确认": "#1565c0", "未填报": "#c62828",
    "已完成": "#2e7d32", "未到期": "#1565c0", "逾期未完成": "#c62828",
    "公示中": "#1565c0", "待确认": "#f2a900",
    "优秀": "#2e7d32", "良好": "#1565c0", "一般": "#f2a900", "较差": "#c62828",
}
LIGHT = frozenset({"#f2a900"})  # fills that need dark ink
FALLBACK = ("#1565c0", "#f2a900", "#6a1b9a", "#00838f")
SIZE = 12
ROW_H = 24
BAR_H = 16
BAR_W = 360
LABEL_MAX = 150
MARGIN = 8


def colour(series: str, i: int) -> str:
    return COLOURS.get(series, FALLBACK[i % len(FALLBACK)])


def _patterns(pid: str, n: int) -> str:
    """Hatching per series index (0 solid): diagonal, dots, cross-hatch."""
    defs = []
    shapes = {
        1: '<path d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2" stroke="#fff" stroke-width="1.2" stroke-opacity="0.7"/>',
        2: '<circle cx="3" cy="3" r="1.1" fill="#fff" fill-opacity="0.75"/>',
        3: '<path d="M0,0 L6,6 M6,0 L0,6" stroke="#fff" stroke-width="1" stroke-opacity="0.7"/>',
    }
    for i in range(1, n):
        defs.append(f'<pattern id="{pid}-p{i}" width="6" height="6" patternUnits="userSpaceOnUse">{shapes[(i - 1) % 3 + 1]}</pattern>')
    return "<defs>" + "".join(defs) + "</defs>" if defs else ""


def _ticks(top: int) -> tuple[int, list[int]]:
    """A scale maximum and tick values: steps of 1, 2 or 5 × 10^k, at most 5 ticks."""
    top = max(top, 1)
    step = 1
    while True:
        for m in (1, 2, 5):
            s = step * m
            if -(-top // s) <= 5:
                n = -(-top // s)
                return n * s, [k * s for k in range(n + 1)]
        step *= 10


def bar_chart(fig: Figure) -> Markup:
    pid = f"lzc-{fig.id}"
    labels = [r.label for r in fig.rows]
    lw = min(LABEL_MAX, max((text_width(x, SIZE) for x in labels), default=40)) + 6
    x0 = MARGIN + lw
    legend_h = 26
    top_max, ticks = _ticks(max((r.total for r in fig.rows), default=0))
    scale = BAR_W / top_max
    width = x0 + BAR_W + 44 + MARGIN
    y0 = legend_h + 6
    height = y0 + len(fig.rows) * ROW_H + 22
    tot = "、".join(f"{s} {n}" for s, n in zip(fig.series, fig.totals))
    desc = f"合计 {fig.total}（{tot}）。各项数字见图旁的表格。"
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="lz-chart__svg" role="img" aria-labelledby="{pid}-title {pid}-desc" '
           f'viewBox="0 0 {num(width)} {num(height)}" width="{num(width)}" height="{num(height)}" font-family="{esc(FONT)}" '
           f'font-size="{SIZE}" data-figure="{esc(fig.id)}">',
           f'<title id="{pid}-title">{esc(fig.title)}</title><desc id="{pid}-desc">{esc(desc)}</desc>',
           _patterns(pid, len(fig.series))]
    # legend
    lx = MARGIN
    out.append('<g class="lz-chart__legend">')
    for i, s in enumerate(fig.series):
        fill = colour(s, i)
        out.append(f'<rect x="{num(lx)}" y="6" width="14" height="14" fill="{fill}" stroke="#333" stroke-width="0.5"/>')
        if i:
            out.append(f'<rect x="{num(lx)}" y="6" width="14" height="14" fill="url(#{pid}-p{i})"/>')
        out.append(f'<text x="{num(lx + 19)}" y="18" fill="#222">{esc(s)}</text>')
        lx += 19 + text_width(s, SIZE) + 16
    out.append("</g>")
    # grid and ticks
    bottom = y0 + len(fig.rows) * ROW_H
    out.append('<g class="lz-chart__axis">')
    for t in ticks:
        x = x0 + t * scale
        out.append(f'<line x1="{num(x)}" y1="{num(y0 - 2)}" x2="{num(x)}" y2="{num(bottom)}" stroke="#ddd" stroke-width="1"/>')
        out.append(f'<text x="{num(x)}" y="{num(bottom + 15)}" fill="#555" text-anchor="middle" font-size="11">{t}</text>')
    out.append(f'<line x1="{num(x0)}" y1="{num(y0 - 2)}" x2="{num(x0)}" y2="{num(bottom)}" stroke="#555" stroke-width="1"/>')
    out.append("</g>")
    # bars
    for k, row in enumerate(fig.rows):
        y = y0 + k * ROW_H + (ROW_H - BAR_H) / 2
        ty = y + BAR_H / 2 + SIZE * 0.38
        out.append(f'<g class="lz-chart__row" data-category="{esc(row.label)}">')
        out.append(f'<text x="{num(x0 - 6)}" y="{num(ty)}" text-anchor="end" fill="#222">{esc(clip(row.label, LABEL_MAX, SIZE))}</text>')
        x = x0
        for i, (s, v) in enumerate(zip(fig.series, row.values)):
            w = v * scale
            fill = colour(s, i)
            tip = f"{row.label} · {s}：{v}"
            out.append(f'<rect class="lz-chart__bar" x="{num(x)}" y="{num(y)}" width="{num(w)}" height="{BAR_H}" fill="{fill}" '
                       f'data-series="{esc(s)}" data-value="{v}"><title>{esc(tip)}</title></rect>')
            if i and w > 0:
                out.append(f'<rect x="{num(x)}" y="{num(y)}" width="{num(w)}" height="{BAR_H}" fill="url(#{pid}-p{i})" aria-hidden="true"/>')
            if v and w >= text_width(str(v), 11) + 6:
                ink = "#000" if fill in LIGHT else "#fff"
                out.append(f'<text x="{num(x + w / 2)}" y="{num(ty - 0.5)}" text-anchor="middle" font-size="11" font-weight="700" '
                           f'fill="{ink}" stroke="{fill}" stroke-width="2.5" paint-order="stroke" aria-hidden="true">{v}</text>')
            x += w
        out.append(f'<text class="lz-chart__total" x="{num(x + 5)}" y="{num(ty)}" fill="#222" font-weight="700">{row.total}</text>')
        out.append("</g>")
    out.append("</svg>")
    return Markup("\n".join(out))
