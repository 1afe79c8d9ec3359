"""Small helpers for the SVG drawn at build time (flowcharts and charts).

SVG has no text wrapping, so text is measured by estimate: a CJK or full-width
character is one em, anything else a conservative 0.6 em. Every string that
reaches SVG goes through esc(); numbers through num() so that the same input
gives the same bytes.
"""
from __future__ import annotations

from html import escape

# unquoted: each name is plain CSS identifiers, and quotes cost an &#x27; escape each in an attribute
FONT = "Noto Sans CJK SC,Source Han Sans SC,PingFang SC,Microsoft YaHei,WenQuanYi Micro Hei,sans-serif"

# Level colours: fills for shapes, darker text colours that pass contrast on white.
LEVEL_FILL = {"高": "#c62828", "中": "#f2a900", "低": "#2e7d32"}
LEVEL_TEXT = {"高": "#b3261e", "中": "#8a5300", "低": "#1e6b34"}
LEVEL_CLASS = {"高": "high", "中": "mid", "低": "low"}


def esc(text: object) -> str:
    return escape(str(text), quote=True)


def num(v: float) -> str:
    """A coordinate without float noise: integers stay integers, else one decimal."""
    r = round(v, 1)
    return str(int(r)) if r == int(r) else f"{r:.1f}"


def char_em(ch: str) -> float:
    o = ord(ch)
    if o >= 0x2E80 or 0xFF00 <= o <= 0xFFEF:
        return 1.0
    return 0.6


def text_width(text: str, size: float) -> float:
    return sum(char_em(c) for c in text) * size


def wrap(text: str, max_px: float, size: float) -> list[str]:
    """Greedy wrap at any character (Chinese has no spaces); explicit newlines kept."""
    lines: list[str] = []
    for para in str(text).split("\n"):
        cur, w = "", 0.0
        for ch in para:
            cw = char_em(ch) * size
            if cur and w + cw > max_px:
                lines.append(cur.rstrip())
                cur, w = ("", 0.0) if ch == " " else (ch, cw)
                continue
            cur += ch
            w += cw
        lines.append(cur.rstrip())
    return [ln for ln in lines if ln] or [""]


def clip(text: str, max_px: float, size: float) -> str:
    """One line, cut with an ellipsis when it does not fit."""
    if text_width(text, size) <= max_px:
        return text
    out, w = "", char_em("…") * size
    for ch in text:
        cw = char_em(ch) * size
        if w + cw > max_px:
            break
        out += ch
        w += cw
    return out + "…"


def level_marker(level: str, cx: float, cy: float, r: float = 6.0, width: str = ' stroke-width="0.8"') -> str:
    """The shape cue for a risk level, so that colour is not the only cue:
    高 a triangle (warning sign), 中 a diamond, 低 a circle. `width` is the
    outline's attribute, empty when a group gives it."""
    fill = LEVEL_FILL[level]
    if level == "高":
        return (f'<polygon points="{num(cx)},{num(cy - r - 1)} {num(cx + r + 1.5)},{num(cy + r)} '
                f'{num(cx - r - 1.5)},{num(cy + r)}" fill="{fill}" stroke="#7f1d1d"{width}/>')
    if level == "中":
        return (f'<polygon points="{num(cx)},{num(cy - r - 1)} {num(cx + r + 1)},{num(cy)} '
                f'{num(cx)},{num(cy + r + 1)} {num(cx - r - 1)},{num(cy)}" fill="{fill}" stroke="#6b4a00"{width}/>')
    return f'<circle cx="{num(cx)}" cy="{num(cy)}" r="{num(r)}" fill="{fill}" stroke="#14532d"{width}/>'
