"""Power-operation flowcharts (权力运行流程图) drawn as SVG at build time.

Why build-time SVG rather than Mermaid in the browser: no 3 MB script to ship
and run on old intranet desktops, nothing to render before the page can be
printed, the same bytes for the same record (editions are checksummed), crisp
vector print, and the diagram is plain DOM that tests can inspect.

The layout is a simple layered drawing:
- ranks: longest path from the first step over forward edges; edges that go
  back (a depth-first back edge, e.g. 不同意 → 申请) are set aside;
- one row per rank, top to bottom; the steps of a rank side by side, ordered
  by the positions of their predecessors;
- edges are orthogonal polylines: down from a port on the source's bottom into
  a lane of the gap below, across, down into the target's top. Edges that go
  back up run in a channel left of the steps, edges that skip rows in a channel
  right of them, so that no line crosses a box;
- each risk is a numbered marker on its step, its shape and colour by level
  (高 triangle, 中 diamond, 低 circle: distinguishable without colour), a link
  to its row in the risk table under the diagram, which holds the risk point,
  controls and owner. Cards of text beside the steps (the paper 防控图 layout)
  doubled the page for what the table already says.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from .records import LEVEL_ALIASES
from .svg import FONT, LEVEL_CLASS, clip, esc, level_marker, num, text_width, wrap

NODE_W = 180
H_GAP = 48  # between steps of a row (room for branch labels)
PAD = 9
NAME_SIZE = 14
ACTOR_SIZE = 12
MARK_R = 10  # a risk marker's radius: room for a two-digit number inside
MARK_STEP = 28  # centre to centre of the markers on a step
MARK_ROW = 26  # height of a row of markers
MARK_SIZE = 11
MARK_INK = {"高": "#fff", "中": "#111", "低": "#fff"}  # the number on the level's fill
LEADING = 1.4
LANE = 12  # spacing of parallel edge segments
LABEL_SIZE = 12
LABEL_W = 100  # a branch label wraps at this width, two lines at most
LABEL_LEADING = 14
MARGIN = 14
MIN_WIDTH = 440
BASE_SIZE = 12  # the drawing's font-size: texts of another size say so (size())
HEX_INSET = 12  # the slanted ends of a decision box
DEFAULT_KIND = "办理"
KIND_CLASS = {"开始": "start", "办理": "task", "决策": "decision", "结束": "end"}
LEVEL_WORD = {"高": "高风险", "中": "中风险", "低": "低风险"}


@dataclass
class Risk:
    no: str  # number in the flow (1, 2 …): the marker's, and its table row's (id risk-<no>)
    id: str
    step: str  # step id
    step_name: str
    level: str
    point: str
    controls: list[str]
    owner: str


@dataclass
class Step:
    idx: int  # position in the record
    id: str
    name: str
    kind: str
    actor: str
    risks: list[Risk]
    rank: int = 0
    x: float = 0
    y: float = 0
    h: float = 0
    name_lines: list[str] = field(default_factory=list)
    actor_lines: list[str] = field(default_factory=list)

    @property
    def cx(self) -> float:
        return self.x + NODE_W / 2

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def marks_per_row(self) -> int:
        inset = HEX_INSET + 4 if self.kind == "决策" else 0
        return max(1, int((NODE_W - 2 * (PAD + inset) + MARK_STEP - 2 * MARK_R) // MARK_STEP))

    def mark_at(self, i: int) -> tuple[float, float]:
        """Centre of the i-th risk marker: rows of markers under the actor, centred."""
        per = self.marks_per_row
        row, col = divmod(i, per)
        in_row = min(per, len(self.risks) - row * per)
        top = self.y + PAD + len(self.name_lines) * NAME_SIZE * LEADING + len(self.actor_lines) * ACTOR_SIZE * LEADING + 2
        return self.cx + (col - (in_row - 1) / 2) * MARK_STEP, top + row * MARK_ROW + MARK_ROW / 2


@dataclass
class Edge:
    order: int
    src: int
    dst: int
    label: str | None
    kind: str = "down"  # down (next row) | skip (several rows down) | back (up or same row)
    port: float = 0
    channel: float = 0
    label_lines: list[str] = field(default_factory=list)
    lanes: dict[int, float] = field(default_factory=dict)  # gap index -> y


@dataclass
class Flow:
    """A flow record reduced to what both the diagram and the text table need."""

    id: str
    title: str
    steps: list[Step]
    edges: list[Edge]
    risks: list[Risk]

    @property
    def by_id(self) -> dict[str, Step]:
        out: dict[str, Step] = {}
        for s in self.steps:
            out.setdefault(s.id, s)
        return out

    def level_counts(self) -> dict[str, int]:
        return {lv: sum(r.level == lv for r in self.risks) for lv in ("高", "中", "低")}

    def goes(self, step: Step) -> list[tuple[str | None, Step]]:
        """Where a step leads, in record order: (branch label or None, target)."""
        return [(e.label, self.steps[e.dst]) for e in sorted(self.edges, key=lambda e: e.order) if e.src == step.idx]


def model(flow_id: str, data: dict[str, Any]) -> Flow:
    steps: list[Step] = []
    risks: list[Risk] = []
    for i, s in enumerate(data.get("steps", [])):
        mine = []
        for r in s.get("risks", []):
            level = LEVEL_ALIASES.get(str(r["level"]), str(r["level"]))  # the loader has done this already; data from elsewhere may not
            risk = Risk(str(len(risks) + 1), str(r["id"]), str(s["id"]), str(s["name"]), level, str(r["point"]),
                        [str(c) for c in r.get("controls", [])], str(r.get("owner") or ""))
            risks.append(risk)
            mine.append(risk)
        steps.append(Step(i, str(s["id"]), str(s["name"]), str(s.get("kind") or DEFAULT_KIND), str(s.get("actor") or ""), mine))
    index: dict[str, int] = {}
    for st in steps:
        index.setdefault(st.id, st.idx)
    edges: list[Edge] = []
    for i, s in enumerate(data.get("steps", [])):
        # unknown targets are refused by the check; a drawing never fails on them
        for n in s.get("next", []):
            if n in index:
                edges.append(Edge(len(edges), i, index[n], None))
        for b in s.get("branches", []):
            if b["to"] in index:
                edges.append(Edge(len(edges), i, index[b["to"]], str(b["label"])))
    return Flow(flow_id, str(data.get("title", "")), steps, edges, risks)


# ---------------------------------------------------------------- layout

def _discover(flow: Flow) -> tuple[list[int], set[int]]:
    """Depth-first order from the start step(s); returns the discovery order
    and the orders of back edges (to a step still on the stack, or itself)."""
    n = len(flow.steps)
    out: dict[int, list[Edge]] = {i: [] for i in range(n)}
    for e in flow.edges:
        out[e.src].append(e)
    starts = [s.idx for s in flow.steps if s.kind == "开始"] or ([0] if n else [])
    roots = starts + [i for i in range(n) if i not in starts]
    state = [0] * n  # 0 new, 1 on stack, 2 done
    disc: list[int] = []
    back: set[int] = set()
    for root in roots:
        if state[root]:
            continue
        state[root] = 1
        disc.append(root)
        stack: list[tuple[int, int]] = [(root, 0)]
        while stack:
            v, k = stack[-1]
            if k < len(out[v]):
                stack[-1] = (v, k + 1)
                e = out[v][k]
                if state[e.dst] == 1:
                    back.add(e.order)
                elif state[e.dst] == 0:
                    state[e.dst] = 1
                    disc.append(e.dst)
                    stack.append((e.dst, 0))
            else:
                state[v] = 2
                stack.pop()
    return disc, back


def _rank(flow: Flow, disc: list[int], back: set[int]) -> None:
    """Longest path over forward edges (a DAG once back edges are set aside)."""
    pos = {v: i for i, v in enumerate(disc)}
    fwd = [e for e in flow.edges if e.order not in back]
    indeg = [0] * len(flow.steps)
    for e in fwd:
        indeg[e.dst] += 1
    heap = [(pos[v], v) for v in range(len(flow.steps)) if indeg[v] == 0]
    heapq.heapify(heap)
    while heap:
        _, v = heapq.heappop(heap)
        for e in fwd:
            if e.src == v:
                flow.steps[e.dst].rank = max(flow.steps[e.dst].rank, flow.steps[v].rank + 1)
                indeg[e.dst] -= 1
                if indeg[e.dst] == 0:
                    heapq.heappush(heap, (pos[e.dst], e.dst))


def _rows(flow: Flow, disc: list[int], back: set[int]) -> list[list[Step]]:
    n_ranks = max((s.rank for s in flow.steps), default=-1) + 1
    rows: list[list[Step]] = [[] for _ in range(n_ranks)]
    for v in disc:
        rows[flow.steps[v].rank].append(flow.steps[v])
    place: dict[int, float] = {}
    for r, row in enumerate(rows):
        def centre(row: list[Step]) -> None:
            for i, s in enumerate(row):
                place[s.idx] = i - (len(row) - 1) / 2
        centre(row)
        if r == 0:
            continue
        keys = {}
        for s in row:
            preds = [place[e.src] for e in flow.edges if e.dst == s.idx and e.order not in back and e.src in place]
            keys[s.idx] = sum(preds) / len(preds) if preds else place[s.idx]
        row.sort(key=lambda s: (keys[s.idx], disc.index(s.idx)))
        centre(row)
    return rows


def _size_step(s: Step) -> None:
    inset = HEX_INSET + 4 if s.kind == "决策" else 0
    s.name_lines = wrap(s.name, NODE_W - 2 * (PAD + inset), NAME_SIZE)
    s.actor_lines = wrap(s.actor, NODE_W - 2 * (PAD + inset), ACTOR_SIZE) if s.actor else []
    h = 2 * PAD + len(s.name_lines) * NAME_SIZE * LEADING + len(s.actor_lines) * ACTOR_SIZE * LEADING
    if s.risks:
        h += 2 + -(-len(s.risks) // s.marks_per_row) * MARK_ROW
    s.h = max(44.0, h)


def _assign_lanes(segments: list[tuple[float, float, Edge]]) -> dict[int, int]:
    """Interval colouring: overlapping horizontal segments of one gap get
    different lanes; segments that only touch at an end may share one."""
    lanes: list[list[tuple[float, float]]] = []
    out: dict[int, int] = {}
    for lo, hi, e in sorted(segments, key=lambda t: (t[0], t[1], t[2].order)):
        for k, used in enumerate(lanes):
            if all(hi <= a + 0.5 or lo >= b - 0.5 for a, b in used):
                used.append((lo, hi))
                out[e.order] = k
                break
        else:
            lanes.append([(lo, hi)])
            out[e.order] = len(lanes) - 1
    return out


@dataclass
class Layout:
    flow: Flow
    rows: list[list[Step]]
    width: float
    height: float  # without the legend
    gaps: list[tuple[float, float]]  # (top, height) of gap g, above row g


def layout(flow: Flow) -> Layout:
    disc, back = _discover(flow)
    _rank(flow, disc, back)
    rows = _rows(flow, disc, back)
    for s in flow.steps:
        _size_step(s)
    n_rows = len(rows)
    for e in flow.edges:
        a, b = flow.steps[e.src].rank, flow.steps[e.dst].rank
        e.kind = "back" if e.order in back or b <= a else ("skip" if b > a + 1 else "down")

    # -- horizontal positions
    backs = sorted((e for e in flow.edges if e.kind == "back"),
                   key=lambda e: (flow.steps[e.src].rank - flow.steps[e.dst].rank, e.order))
    skips = sorted((e for e in flow.edges if e.kind == "skip"),
                   key=lambda e: (flow.steps[e.dst].rank - flow.steps[e.src].rank, e.order))
    left = MARGIN + (len(backs) * LANE + 16 if backs else 0)
    row_w = [len(r) * NODE_W + (len(r) - 1) * H_GAP for r in rows]
    gw = max(row_w, default=NODE_W)
    for r, row in enumerate(rows):
        x = left + (gw - row_w[r]) / 2
        for s in row:
            s.x = x
            x += NODE_W + H_GAP
    for k, e in enumerate(backs):
        e.channel = left - 16 - k * LANE
    for k, e in enumerate(skips):
        e.channel = left + gw + 10 + k * LANE
    right = left + gw + (10 + len(skips) * LANE if skips else 0)

    # ports along each source's bottom: back edges leftmost, skips rightmost
    kind_order = {"back": 0, "down": 1, "skip": 2}
    for s in flow.steps:
        outs = sorted((e for e in flow.edges if e.src == s.idx),
                      key=lambda e: (kind_order[e.kind], flow.steps[e.dst].cx if e.kind == "down" else 0, e.order))
        for i, e in enumerate(outs):
            e.port = s.x + NODE_W * (i + 1) / (len(outs) + 1)

    # branch labels hang beside their port (left of a port left of centre): keep them on the canvas
    extents: list[tuple[float, float]] = []
    for e in flow.edges:
        if not e.label:
            continue
        e.label_lines = wrap(e.label, LABEL_W, LABEL_SIZE)
        if len(e.label_lines) > 2:
            e.label_lines = [e.label_lines[0], clip("".join(e.label_lines[1:]), LABEL_W, LABEL_SIZE)]
        w = max(text_width(ln, LABEL_SIZE) for ln in e.label_lines)
        src = flow.steps[e.src]
        extents.append((e.port - 5 - w, e.port - 5) if e.port < src.cx - 1 else (e.port + 5, e.port + 5 + w))
    shift = max(0.0, 4 - min((lo for lo, _ in extents), default=4))
    # a single-column flow is narrow: centre it on a width its legend fits in two rows
    natural = max(right, max((hi for _, hi in extents), default=0)) + shift + MARGIN
    shift += max(0.0, (MIN_WIDTH - natural) / 2)
    if shift:
        for st in flow.steps:
            st.x += shift
        for e in flow.edges:
            e.port += shift
            e.channel += shift if e.kind != "down" else 0
        right += shift
    label_right = max((hi for _, hi in extents), default=0) + shift
    width = max(right + MARGIN, label_right + MARGIN, MIN_WIDTH)

    # -- horizontal segments per gap (gap g lies above row g; gap n_rows below the last)
    segs: dict[int, list[tuple[float, float, Edge]]] = {g: [] for g in range(n_rows + 1)}
    band: dict[int, float] = {}  # gap -> room for the labels of the row above it
    for e in flow.edges:
        a, b = flow.steps[e.src].rank, flow.steps[e.dst].rank
        dst_x = flow.steps[e.dst].cx
        if e.label_lines:
            band[a + 1] = max(band.get(a + 1, 0), len(e.label_lines) * LABEL_LEADING + 8)
        if e.kind == "down":
            if abs(e.port - dst_x) > 0.5:
                segs[a + 1].append((min(e.port, dst_x), max(e.port, dst_x), e))
        else:
            segs[a + 1].append((min(e.port, e.channel), max(e.port, e.channel), e))
            segs[b].append((min(e.channel, dst_x), max(e.channel, dst_x), e))
    lane_of = {g: _assign_lanes(segs[g]) for g in segs}

    # -- rows, top to bottom
    gaps: list[tuple[float, float]] = []
    y = 0.0
    for g in range(n_rows + 1):
        n_lanes = max(lane_of[g].values(), default=-1) + 1
        lb = band.get(g, 0)
        if g == 0:
            h = (8 + n_lanes * LANE + 14) if n_lanes else MARGIN
        elif g == n_rows:
            h = (lb + 8 + n_lanes * LANE + 6) if n_lanes or lb else 0
        else:
            h = max(40.0, lb + 8 + n_lanes * LANE + 14)
        gaps.append((y, h))
        for e in flow.edges:
            if e.order in lane_of[g]:
                e.lanes[g] = y + lb + 8 + lane_of[g][e.order] * LANE
        y += h
        if g == n_rows:
            break
        row = rows[g]
        for s in row:
            s.y = y
        y = max((s.bottom for s in row), default=y)
    # lanes in a gap with no horizontal segment still need a y for skip/back edges: none do
    return Layout(flow, rows, width, max(y, 0) + (MARGIN if gaps[-1][1] == 0 else 0), gaps)


# ---------------------------------------------------------------- drawing

def size(px: float) -> str:
    """The font-size attribute of a text, empty when it inherits the drawing's."""
    return "" if px == BASE_SIZE else f' font-size="{num(px)}"'


def _edge_svg(flow: Flow, e: Edge) -> str:
    src, dst = flow.steps[e.src], flow.steps[e.dst]
    a, b = src.rank, dst.rank
    pts: list[tuple[float, float]] = [(e.port, src.bottom)]
    if e.kind == "down":
        if a + 1 in e.lanes:
            ly = e.lanes[a + 1]
            pts += [(e.port, ly), (dst.cx, ly)]
    else:
        ly1, ly2 = e.lanes[a + 1], e.lanes[b]
        pts += [(e.port, ly1), (e.channel, ly1), (e.channel, ly2), (dst.cx, ly2)]
    pts.append((dst.cx, dst.y))
    d = " ".join(f"{num(x)},{num(y)}" for x, y in pts)
    cls = f"lz-flow__edge lz-flow__edge--{e.kind}"
    dash = ' stroke-dasharray="5 3"' if e.kind == "back" else ""
    # no <title>: the table under the diagram says where each step leads
    out = [f'<g class="{cls}" data-from="{esc(src.id)}" data-to="{esc(dst.id)}">',
           f'<polyline points="{d}"{dash}/>']  # stroke and arrowhead from the edges group
    if e.label_lines:
        left_side = e.port < src.cx - 1
        lx = e.port - 5 if left_side else e.port + 5
        spans = "".join(f'<tspan x="{num(lx)}" dy="{0 if i == 0 else LABEL_LEADING}">{esc(ln)}</tspan>'
                        for i, ln in enumerate(e.label_lines))
        out.append(f'<text class="lz-flow__label" x="{num(lx)}" y="{num(src.bottom + 14)}"{size(LABEL_SIZE)} fill="#0b3d91" '
                   f'text-anchor="{"end" if left_side else "start"}" stroke="#fff" stroke-width="3" paint-order="stroke">'
                   f'{spans}</text>')
    out.append("</g>")
    return "".join(out)


def _shape(s: Step) -> str:
    x, y, w, h = s.x, s.y, NODE_W, s.h
    if s.kind in ("开始", "结束"):
        return (f'<rect x="{num(x)}" y="{num(y)}" width="{w}" height="{num(h)}" rx="{num(min(h / 2, 22))}" '
                f'fill="#e8f0fe" stroke="#1a4d8f" stroke-width="1.6"/>')
    if s.kind == "决策":
        i = HEX_INSET
        pts = [(x + i, y), (x + w - i, y), (x + w, y + h / 2), (x + w - i, y + h), (x + i, y + h), (x, y + h / 2)]
        return (f'<polygon points="{" ".join(f"{num(px)},{num(py)}" for px, py in pts)}" '
                f'fill="#fff8e1" stroke="#8a5300" stroke-width="1.6"/>')
    return f'<rect x="{num(x)}" y="{num(y)}" width="{w}" height="{num(h)}" rx="3" fill="#fff" stroke="#333" stroke-width="1.3"/>'


def _step_svg(s: Step) -> str:
    # names and actors are centred by the steps group (text-anchor); what a box says is its text, no <title> repeats it
    out = [f'<g class="lz-flow__step lz-flow__step--{KIND_CLASS.get(s.kind, "task")}" data-step="{esc(s.id)}">',
           _shape(s)]
    ty = s.y + PAD + NAME_SIZE
    for ln in s.name_lines:
        out.append(f'<text class="lz-flow__name" x="{num(s.cx)}" y="{num(ty)}"{size(NAME_SIZE)} font-weight="700">{esc(ln)}</text>')
        ty += NAME_SIZE * LEADING
    ty += ACTOR_SIZE * LEADING - NAME_SIZE * LEADING
    for ln in s.actor_lines:
        out.append(f'<text class="lz-flow__actor" x="{num(s.cx)}" y="{num(ty)}"{size(ACTOR_SIZE)} fill="#444">{esc(ln)}</text>')
        ty += ACTOR_SIZE * LEADING
    out.append("</g>")
    return "".join(out)


def _marker_svg(r: Risk, cx: float, cy: float) -> str:
    """A risk's numbered marker, a link to its row of the risk table (a tab
    stop; its title is the accessible name and the hover text)."""
    # the number sits low in a triangle, where it is wide enough for two digits
    ny = cy + (7.5 if r.level == "高" else 4)
    fs = ' font-size="10"' if r.level == "高" and len(r.no) > 1 else ""
    return (f'<a class="lz-flow__risk lz-flow__risk--{LEVEL_CLASS[r.level]}" href="#risk-{esc(r.no)}" data-risk="{esc(r.id)}" '
            f'data-step="{esc(r.step)}" data-level="{esc(r.level)}"><title>风险点{esc(r.no)}：{esc(r.point)}（{esc(r.level)}）</title>'
            + level_marker(r.level, cx, cy, MARK_R, "")
            + f'<text x="{num(cx)}" y="{num(ny)}"{fs} fill="{MARK_INK[r.level]}">{esc(r.no)}</text></a>')


def _markers(flow: Flow) -> list[str]:
    """Every step's markers, in the order of their numbers: the tab order is the table's."""
    at = {r.no: s.mark_at(i) for s in flow.steps for i, r in enumerate(s.risks)}
    return [_marker_svg(r, *at[r.no]) for r in flow.risks]


def _legend(y: float, width: float) -> tuple[str, float]:
    items: list[tuple[str, str]] = []  # (svg at origin, text)
    items.append(('<rect x="0" y="-7" width="26" height="14" rx="7" fill="#e8f0fe" stroke="#1a4d8f"/>', "开始/结束"))
    items.append(('<rect x="0" y="-7" width="26" height="14" rx="2" fill="#fff" stroke="#333"/>', "办理"))
    items.append(('<polygon points="5,-7 21,-7 26,0 21,7 5,7 0,0" fill="#fff8e1" stroke="#8a5300"/>', "决策"))
    items.append(('<line x1="0" y1="0" x2="20" y2="0" stroke="#333" stroke-width="1.4"/><polygon points="18,-4.5 18,4.5 26,0" fill="#333"/>', "顺序/分支"))
    items.append(('<line x1="0" y1="0" x2="20" y2="0" stroke="#333" stroke-width="1.4" stroke-dasharray="5 3"/>'
                  '<polygon points="18,-4.5 18,4.5 26,0" fill="#333"/>', "退回"))
    for lv in ("高", "中", "低"):
        items.append((level_marker(lv, 10, 0), LEVEL_WORD[lv]))
    out = ['<g class="lz-flow__legend" fill="#333">']
    x, row_y = MARGIN, y + 10
    for shape, text in items:
        w = 32 + text_width(text, 12) + 18
        if x + w > width - MARGIN and x > MARGIN:
            x, row_y = MARGIN, row_y + 20
        out.append(f'<g transform="translate({num(x)},{num(row_y)})">{shape}'
                   f'<text x="32" y="4"{size(12)}>{esc(text)}</text></g>')
        x += w
    out.append("</g>")
    return "".join(out), row_y + 10 + MARGIN


# Print: A4 less the print style's margins, at 96 CSS px per inch. The first
# slice shares its page with the title block.
PRINT_WIDTH = (210 - 24) / 25.4 * 96
PRINT_FIRST = 205 / 25.4 * 96
PRINT_NEXT = 250 / 25.4 * 96
PRINT_SHRINK = 0.8  # rather than cut off a last row, print the whole at down to 80 %


def slices(lay: Layout, bottom: float) -> list[tuple[float, float]]:
    """Where a tall diagram is cut for print: just above a row's incoming
    arrows (only vertical lines cross there), each piece one page high at the
    scale the page width imposes."""
    scale = min(1.0, PRINT_WIDTH / lay.width)
    if bottom * scale <= PRINT_FIRST / PRINT_SHRINK:
        return [(0.0, bottom)]  # one piece, the print style shrinks it a little to fit under the title
    cuts = [top + h - 11 for top, h in lay.gaps[1:len(lay.rows)]] + [bottom]

    def cut(fraction: float) -> list[tuple[float, float]]:
        out: list[tuple[float, float]] = []
        start, budget = 0.0, PRINT_FIRST * fraction / scale
        while start < bottom:
            fitting = [c for c in cuts if start < c <= start + budget]
            end = fitting[-1] if fitting else next(c for c in cuts if c > start)
            out.append((start, end))
            start, budget = end, PRINT_NEXT * fraction / scale
        return out

    # as few pieces as a full page allows, then as even as that number allows (no lone last row)
    best = cut(1.0)
    for k in range(19, 9, -1):
        trial = cut(k / 20)
        if len(trial) > len(best):
            break
        best = trial
    return best


def svg(flow: Flow) -> Markup:
    """The diagram for the screen, then the same drawing cut into page-high
    slices for print (each an <svg> that <use>s the drawing); every record
    string in it is escaped here."""
    lay = layout(flow)
    prefix = f"lzf-{flow.id}"
    legend, bottom = _legend(lay.height, lay.width)
    counts = flow.level_counts()
    desc = (f"共 {len(flow.steps)} 个环节、{len(flow.risks)} 个风险点（高 {counts['高']}、中 {counts['中']}、低 {counts['低']}）。"
            "图中的数字是风险点编号，链接到图下表格中的同一编号；环节、分支、风险点与防控措施的文字版见该表格。")
    w, h = num(lay.width), num(bottom)
    # a group, not an img: an img's children are presentational, and the risk markers are links
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="lz-flow__svg" role="group" '
             f'aria-labelledby="{esc(prefix)}-title" aria-describedby="{esc(prefix)}-desc" viewBox="0 0 {w} {h}" '
             f'width="{w}" height="{h}" data-flow="{esc(flow.id)}">',
             f'<title id="{esc(prefix)}-title">{esc(flow.title or "权力运行流程图")}</title>',
             f'<desc id="{esc(prefix)}-desc">{esc(desc)}</desc>',
             # font on the drawing itself: the print slices inherit from their <use>, not from this <svg>
             # shared presentation on the groups (inherited): each element carries only what differs
             f'<g id="{esc(prefix)}-drawing" font-family="{esc(FONT)}" font-size="{BASE_SIZE}" fill="#111">'
             # one arrowhead for every edge (the lines end on their target's top edge)
             f'<defs><marker id="{esc(prefix)}-arrow" viewBox="0 0 8 9" refX="8" refY="4.5" markerWidth="8" markerHeight="9" '
             'markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0L8,4.5L0,9z" fill="#333"/></marker></defs>'
             f'<g class="lz-flow__edges" fill="none" stroke="#333" stroke-width="1.4" marker-end="url(#{esc(prefix)}-arrow)">']
    parts += [_edge_svg(flow, e) for e in flow.edges]
    parts.append('</g><g class="lz-flow__steps" text-anchor="middle">')
    parts += [_step_svg(s) for row in lay.rows for s in row]
    parts.append(f'</g><g class="lz-flow__risks" text-anchor="middle" font-size="{MARK_SIZE}" font-weight="700" stroke-width="0.8">')
    parts += _markers(flow)
    parts.append("</g>")
    parts.append(legend)
    parts.append("</g></svg>")
    pieces = slices(lay, bottom)
    parts.append(f'<div class="lz-flow__print" aria-hidden="true" data-slices="{len(pieces)}">')
    for i, (y0, y1) in enumerate(pieces, 1):
        sh = num(y1 - y0)
        more = f'<text x="{num(lay.width - MARGIN)}" y="{num(y1 - 3)}" font-size="11" fill="#555" text-anchor="end" font-family="{esc(FONT)}">（续下页）</text>' \
            if i < len(pieces) else ""
        parts.append(f'<svg xmlns="http://www.w3.org/2000/svg" class="lz-flow__slice" viewBox="0 {num(y0)} {w} {sh}" width="{w}" height="{sh}" '
                     f'focusable="false"><use href="#{esc(prefix)}-drawing"/>{more}</svg>')
    parts.append("</div>")
    return Markup("\n".join(parts))
