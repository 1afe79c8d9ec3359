"""Power-operation flowcharts: the layered layout (rows, branches, lanes that
never cross a box), the SVG (escaped, deterministic, numbered risk markers with
a shape and a name, linking their row of the risk table), the flow page and the
unit page in Chromium, and A4 print."""
from __future__ import annotations

import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import flowchart
from support.browser import watched_page
from support.serve import serve
from support.sites import build, copy_tree

from .conftest import MINI, Site, run_cli

SVG_NS = "{http://www.w3.org/2000/svg}"

# A licensing flow: a decision with two branches, a three-way decision, a
# return to the start (不符合 → 补正 → 受理) and risks of every level.
LICENCE_FLOW = """
    title: 医疗机构执业许可审批权力运行流程图
    unit: wsj
    power_item: 医疗机构执业许可
    basis: 《医疗机构管理条例》
    year: 2009
    steps:
      - id: sl
        name: 受理申请
        kind: 开始
        actor: 行政许可窗口
        next: [cs]
        risks:
          - id: r-sl
            point: 对符合条件的申请不予受理或故意刁难
            level: 中
            controls: [一次性告知制度, 受理登记表公开]
            owner: 窗口负责人
      - id: cs
        name: 材料初审
        kind: 决策
        actor: 医政科
        branches:
          - label: 符合
            to: xc
          - label: 不符合
            to: bz
        risks:
          - id: r-cs
            point: 降低审查标准
            level: 一级
            controls: [双人审查, 审查意见留痕]
            owner: 医政科科长
      - id: bz
        name: 告知补正材料
        actor: 医政科
        next: [sl]
      - id: xc
        name: 现场核查
        actor: 核查小组（两人以上）
        next: [jd]
        risks:
          - id: r-xc
            point: 接受宴请、收受财物后出具虚假核查意见
            level: 高
            controls: [核查人员随机抽取, 核查记录当事人签字, 纪检监察室抽查]
            owner: 分管局长
      - id: jd
        name: 审批决定
        kind: 决策
        actor: 局长办公会
        branches:
          - label: 批准
            to: fz
          - label: 不批准
            to: gz
        risks:
          - id: r-jd
            point: 个人擅自决定
            level: 高
            controls: [集体决策]
            owner: 局长
      - id: fz
        name: 发证并公开
        kind: 结束
        actor: 行政许可窗口
        risks:
          - id: r-fz
            point: 拖延发证
            level: 低
            controls: [限时办结]
      - id: gz
        name: 书面告知理由
        kind: 结束
        actor: 医政科
"""


def licence() -> dict[str, Any]:
    data = yaml.safe_load(textwrap.dedent(LICENCE_FLOW))
    for s in data["steps"]:  # the loader canonicalises level aliases; do it by hand here
        for r in s.get("risks", []):
            r["level"] = {"一级": "高"}.get(r["level"], r["level"])
    return data


def parse(markup: str) -> ET.Element:
    """The diagram and its print slices, as one well-formed XML tree (or this raises)."""
    return ET.fromstring(f"<root>{markup}</root>")


def with_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG_NS}g") if name in g.get("class", "").split()]


def boxes(flow: flowchart.Flow) -> dict[str, tuple[float, float, float, float]]:
    return {s.id: (s.x, s.y, s.x + flowchart.NODE_W, s.y + s.h) for s in flow.steps}


# ------------------------------------------------------------ layout


def test_steps_in_rows_top_to_bottom_and_branches_side_by_side() -> None:
    flow = flowchart.model("licence", licence())
    flowchart.layout(flow)
    s = flow.by_id
    # the main path goes down row by row
    assert s["sl"].y < s["cs"].y < s["xc"].y < s["jd"].y < s["fz"].y
    # both branches of 审批决定 land on one row, side by side, without overlapping
    assert s["fz"].y == s["gz"].y
    assert s["fz"].x + flowchart.NODE_W <= s["gz"].x or s["gz"].x + flowchart.NODE_W <= s["fz"].x
    # 补正 is reached from 初审 only: it sits in the row below it, beside 现场核查
    assert s["bz"].y == s["xc"].y and s["bz"].x != s["xc"].x
    kinds = {(flow.steps[e.src].id, flow.steps[e.dst].id): e.kind for e in flow.edges}
    assert kinds[("bz", "sl")] == "back"
    assert kinds[("cs", "xc")] == kinds[("jd", "fz")] == "down"


def _segments(points: list[tuple[float, float]]) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    return list(zip(points, points[1:]))


def _crosses(seg: tuple[tuple[float, float], tuple[float, float]], box: tuple[float, float, float, float]) -> bool:
    """Does an axis-parallel segment pass through the inside of a box?"""
    (x1, y1), (x2, y2) = seg
    bx1, by1, bx2, by2 = box
    if x1 == x2:
        return bx1 < x1 < bx2 and min(y1, y2) < by2 - 0.5 and max(y1, y2) > by1 + 0.5
    return by1 < y1 < by2 and min(x1, x2) < bx2 - 0.5 and max(x1, x2) > bx1 + 0.5


@pytest.mark.parametrize("data", ["licence", "skip"])
def test_edges_are_orthogonal_and_never_cross_a_step(data: str) -> None:
    if data == "licence":
        d = licence()
    else:  # an edge that skips two rows runs in the right-hand channel
        d = {"title": "t", "steps": [
            {"id": "a", "name": "甲", "kind": "开始", "actor": "x", "next": ["b", "d"]},
            {"id": "b", "name": "乙", "actor": "x", "next": ["c"]},
            {"id": "c", "name": "丙", "actor": "x", "next": ["d"]},
            {"id": "d", "name": "丁", "kind": "结束", "actor": "x", "next": ["d"]},  # a self-loop, drawn as a return
        ]}
    flow = flowchart.model("t", d)
    svg = str(flowchart.svg(flow))
    root = parse(svg)
    bx = boxes(flow)
    edges = with_class(root, "lz-flow__edge")
    assert len(edges) == len(flow.edges)
    for g in edges:
        pts = [tuple(float(v) for v in p.split(",")) for p in g.find(f"{SVG_NS}polyline").get("points").split()]
        for seg in _segments(pts):  # type: ignore[arg-type]
            (x1, y1), (x2, y2) = seg
            assert x1 == x2 or y1 == y2, f"diagonal segment {seg}"
            for sid, box in bx.items():
                assert not _crosses(seg, box), f"edge {g.get('data-from')}→{g.get('data-to')} crosses step {sid}"
        # the arrow ends on the top edge of its target
        tx, ty = pts[-1]
        x1, y1, x2, _ = bx[g.get("data-to")]
        assert x1 < tx < x2 and abs(ty - y1) <= 1


def test_risk_markers_are_numbered_links_with_level_colour_shape_and_name() -> None:
    flow = flowchart.model("licence", licence())
    root = parse(str(flowchart.svg(flow)))
    markers = [a for a in root.iter(f"{SVG_NS}a") if "lz-flow__risk" in a.get("class", "").split()]
    # one marker per risk, numbered 1… in record order (the tab order is the table's)
    assert [m.get("data-risk") for m in markers] == ["r-sl", "r-cs", "r-xc", "r-jd", "r-fz"]
    shape = {"高": "polygon", "中": "polygon", "低": "circle"}
    corners = {"高": 3, "中": 4}  # triangle, diamond: the level without its colour
    fill = {"高": "#c62828", "中": "#f2a900", "低": "#2e7d32"}
    point = {r.id: r.point for r in flow.risks}
    boxes_ = boxes(flow)
    for n, (m, level) in enumerate(zip(markers, ["中", "高", "高", "高", "低"]), 1):
        assert m.get("data-level") == level
        assert m.get("href") == f"#risk-{n}"  # its row of the risk table (flow_figure.html: id="risk-<no>")
        assert "".join(m.find(f"{SVG_NS}text").itertext()) == str(n)
        assert m.find(f"{SVG_NS}title").text == f"风险点{n}：{point[m.get('data-risk')]}（{level}）"  # accessible name, hover text
        mark = m.find(f"{SVG_NS}{shape[level]}")
        assert mark is not None and mark.get("fill") == fill[level]
        if level in corners:
            assert len(mark.get("points").split()) == corners[level]
        # drawn on its step: the marker's centre inside the step's box
        x1, y1, x2, y2 = boxes_[m.get("data-step")]
        cx = float(m.find(f"{SVG_NS}text").get("x"))
        cy = float(mark.get("cy")) if level == "低" else sum(float(p.split(",")[1]) for p in mark.get("points").split()) / len(mark.get("points").split())
        assert x1 < cx < x2 and y1 < cy < y2, m.get("data-risk")
    assert {m.get("data-step") for m in markers} == {"sl", "cs", "xc", "jd", "fz"}
    # no risk text beside the diagram: the table under it has the details
    assert not with_class(root, "lz-flow__card") and "降低审查标准" not in "".join(t for g in with_class(root, "lz-flow__step") for t in g.itertext())


def test_many_risks_on_a_step_wrap_into_rows_inside_its_box() -> None:
    d = {"title": "t", "steps": [
        {"id": "a", "name": "集体决策", "kind": "决策", "actor": "党委会", "next": ["b"],
         "risks": [{"id": f"r{i}", "point": "风险", "level": "高中低"[i % 3], "controls": ["措施"]} for i in range(12)]},
        {"id": "b", "name": "办结", "kind": "结束", "actor": "x"},
    ]}
    flow = flowchart.model("t", d)
    flowchart.layout(flow)
    step = flow.by_id["a"]
    centres = [step.mark_at(i) for i in range(12)]
    assert len({y for _, y in centres}) >= 3  # several rows of markers
    for x, y in centres:  # every marker, with its outline, inside the hexagon's straight part
        assert step.x + flowchart.HEX_INSET + flowchart.MARK_R < x < step.x + flowchart.NODE_W - flowchart.HEX_INSET - flowchart.MARK_R
        assert step.y < y - flowchart.MARK_R and y + flowchart.MARK_R + 1 < step.bottom
    assert len({(round(x), round(y)) for x, y in centres}) == 12  # none on another


def test_record_text_is_escaped_and_output_is_deterministic() -> None:
    d = {"title": "<b>流程</b>", "steps": [
        {"id": "a", "name": '审核<script>alert("x")</script>&', "kind": "开始", "actor": "科室 & <岗位>",
         "branches": [{"label": "<i>是</i>", "to": "b"}, {"label": "否", "to": "a"}],
         "risks": [{"id": "r", "point": "风险</text><text>", "level": "高", "controls": ["措施<br>"], "owner": "'人'"}]},
        {"id": "b", "name": "结束", "kind": "结束", "actor": "x", "next": ["nowhere"]},  # unknown target: not drawn, no failure
    ]}
    svg = str(flowchart.svg(flowchart.model("x", d)))
    assert "<script" not in svg and "<b>" not in svg and "<i>" not in svg and "<br>" not in svg
    root = parse(svg)
    step = with_class(root, "lz-flow__step")[0]
    name = "".join(t.text or "" for t in step.iter(f"{SVG_NS}text") if t.get("class") == "lz-flow__name")
    assert name == '审核<script>alert("x")</script>&'  # wrapped over lines, every character kept
    assert "科室 & <岗位>" in "".join(step.itertext())
    assert svg == str(flowchart.svg(flowchart.model("x", d)))


# ------------------------------------------------------------ check


def test_unknown_step_references_fail_the_build_with_file_and_line(site: Site) -> None:
    site.write("flows/wsj-xkxx.yml", LICENCE_FLOW.replace("            to: bz", "            to: buzheng")
               .replace("        next: [jd]", "        next: [jd, gd]"))
    run = site.check()
    assert run.code == 1
    assert run.problems == [
        "content/flows/wsj-xkxx.yml:26:13: 错误 [steps.2.branches.2.to 去往环节] 分支“不符合”去往的环节“buzheng”不存在；"
        "应为本流程中的环节编号之一：sl、cs、bz、xc、jd、fz、gz",
        "content/flows/wsj-xkxx.yml:40:16: 错误 [steps.4.next.2 下一环节] 环节“xc”的下一环节“gd”不存在；"
        "应为本流程中的环节编号之一：sl、cs、bz、xc、jd、fz、gz",
    ], run.err
    out = site.root / "build" / "site"

    build_run = run_cli("build")  # the same content, building: refused before anything is written
    assert build_run.code == 1
    assert "content/flows/wsj-xkxx.yml:26:13" in build_run.err
    assert not out.exists()


def test_duplicate_risk_id_fails_with_position(site: Site) -> None:
    site.write("flows/wsj-xkxx.yml", LICENCE_FLOW.replace("id: r-fz", "id: r-jd"))
    run = site.check()
    assert run.code == 1
    assert run.problems == ["content/flows/wsj-xkxx.yml:67:13: 错误 [steps.6.risks.1.id 风险编号] 风险编号“r-jd”重复；应为流程内唯一"], run.err


def test_unknown_risk_level_fails_with_position(site: Site) -> None:
    site.write("flows/wsj-xkxx.yml", LICENCE_FLOW.replace("level: 低", "level: 极低"))
    run = site.check()
    assert run.code == 1
    assert run.problems == ["content/flows/wsj-xkxx.yml:69:16: 错误 [steps.6.risks.1.level 风险等级] “极低”不是可选值；"
                            "应为高、中、低 之一；是不是“低”？"], run.err


# ------------------------------------------------------------ built pages in Chromium


@pytest.fixture(scope="module")
def flow_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("flows")
    cfg = copy_tree(MINI / "site_config.yml", root / "src")
    (root / "src" / "content" / "flows" / "wsj-xkxx.yml").write_text(textwrap.dedent(LICENCE_FLOW).lstrip(), encoding="utf-8")
    return build(cfg, root / "site")


@pytest.mark.browser
def test_flow_page_renders_nodes_markers_and_text_version(flow_site: Path, browser_context: Any, tmp_path: Path) -> None:
    with serve(flow_site) as base:
        page, watch = watched_page(browser_context)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(base + "flows/wsj-xkxx.html")
        svg = page.locator("figure.lz-flow svg[role=group]")
        assert svg.count() == 1
        assert svg.locator("title").first.text_content() == "医疗机构执业许可审批权力运行流程图"
        steps = page.locator("g.lz-flow__step")
        assert steps.count() == 7
        assert sorted(steps.evaluate_all("els => els.map(e => e.dataset.step)")) == sorted(["sl", "cs", "bz", "xc", "jd", "fz", "gz"])
        assert page.locator("g.lz-flow__step--decision").count() == 2
        markers = page.locator("svg.lz-flow__svg a.lz-flow__risk")
        assert markers.count() == 5
        assert page.locator("a.lz-flow__risk--high").count() == 3
        # markers are drawn and visible (non-zero boxes inside the drawing)
        for box in markers.evaluate_all("els => els.map(e => e.getBoundingClientRect().width)"):
            assert box > 15
        # each marker links the row of the risk table that has its number
        for i in range(5):
            href = markers.nth(i).get_attribute("href")
            row = page.locator(f"table.lz-flow__risk-table tr{href}")
            assert row.count() == 1 and row.locator("td").first.inner_text() == markers.nth(i).locator("text").text_content() == str(i + 1)
            assert row.get_attribute("data-risk") == markers.nth(i).get_attribute("data-risk")
        # a named link, reached with the keyboard; following it lands on the row
        link = page.get_by_role("link", name="风险点3：接受宴请、收受财物后出具虚假核查意见（高）")
        assert link.count() == 1
        page.locator("h1").click()
        for _ in range(40):
            page.keyboard.press("Tab")
            if page.evaluate("() => document.activeElement.getAttribute('href')") == "#risk-1":
                break
        else:
            pytest.fail("no risk marker in the tab order")
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.getAttribute('href')") == "#risk-2"
        page.keyboard.press("Enter")
        page.wait_for_function("() => location.hash === '#risk-2'")
        assert page.locator("tr#risk-2:target").count() == 1
        assert page.locator("g.lz-flow__edge").count() == 7
        assert page.locator("text.lz-flow__label").all_text_contents() == ["符合", "不符合", "批准", "不批准"]
        # the text alternative: every step and every risk with its controls
        rows = page.locator("table.lz-flow__steps-table tbody tr")
        assert rows.count() == 7
        assert "不符合 → 第3环节 告知补正材料" in rows.nth(1).inner_text()
        risk_rows = page.locator("table.lz-flow__risk-table tbody tr")
        assert risk_rows.count() == 5
        assert "纪检监察室抽查" in risk_rows.nth(2).inner_text()
        page.screenshot(path=str(tmp_path / "flow.png"), full_page=True)
        assert watch.foreign == [] and not [c for c in watch.console if "error" in c.lower()]

        # the unit page lists the flow with its counts and links its page (the diagram stays there: page size)
        page.goto(base + "units/wsj.html")
        item = page.locator("#flow-wsj-xkxx")
        assert "7 个环节，5 个风险点（高 3、" in item.inner_text()
        assert item.locator("a").get_attribute("href") == "../flows/wsj-xkxx.html"
        assert page.locator("#flows ~ * svg g.lz-flow__step").count() == 0
        page.close()


def test_tall_flow_is_cut_for_print_between_rows_one_page_each() -> None:
    steps = [{"id": f"s{i}", "name": f"第{i}步审核", "actor": "科室", "next": [f"s{i + 1}"],
              "risks": [{"id": f"r{i}", "point": "风险" * 12, "level": "中", "controls": ["措施甲" * 8, "措施乙" * 8]}]}
             for i in range(14)]
    steps.append({"id": "s14", "name": "办结", "kind": "结束", "actor": "科室"})
    flow = flowchart.model("tall", {"title": "长流程", "steps": steps})
    root = parse(str(flowchart.svg(flow)))
    drawn = root.find(f"{SVG_NS}svg").get("viewBox").split()
    lay = flowchart.layout(flowchart.model("tall", {"title": "长流程", "steps": steps}))
    bottom = float(drawn[3])
    cuts = flowchart.slices(lay, bottom)
    views = [sv.get("viewBox").split() for sv in root.iter(f"{SVG_NS}svg") if sv.get("class") == "lz-flow__slice"]
    assert [x for v in views for x in (float(v[1]), float(v[1]) + float(v[3]))] == pytest.approx([x for c in cuts for x in c], abs=0.1)
    assert len(cuts) >= 3 and cuts[0][0] == 0 and cuts[-1][1] == bottom
    assert all(a[1] == b[0] for a, b in zip(cuts, cuts[1:]))  # contiguous, nothing lost or repeated
    heights = [y1 - y0 for y0, y1 in cuts]
    assert min(heights) > max(heights) / 2  # evened out: no lone last row on a page of its own
    scale = min(1.0, flowchart.PRINT_WIDTH / lay.width)
    assert (cuts[0][1] - cuts[0][0]) * scale <= flowchart.PRINT_FIRST
    assert all((y1 - y0) * scale <= flowchart.PRINT_NEXT for y0, y1 in cuts[1:])
    for _, y in cuts[:-1]:  # no cut goes through a step (nor, so, its markers)
        assert all(not (s.y < y < s.bottom) for s in lay.flow.steps)


@pytest.mark.browser
def test_flow_prints_on_a4_within_the_page_width(flow_site: Path, browser_context: Any, tmp_path: Path) -> None:
    with serve(flow_site) as base:
        page, _ = watched_page(browser_context)
        page.goto(base + "flows/wsj-xkxx.html")
        assert page.locator(".lz-flow__print").evaluate("e => getComputedStyle(e).display") == "none"  # screen: the one drawing
        page.emulate_media(media="print")
        # A4 210 mm less the 12 mm side margins of the print style, at 96 CSS px per inch
        printable = (210 - 24) / 25.4 * 96
        page.set_viewport_size({"width": int(printable), "height": 1000})
        assert page.locator("figure.lz-flow svg.lz-flow__svg").evaluate("e => getComputedStyle(e).display") == "none"
        slices = page.locator("figure.lz-flow svg.lz-flow__slice")
        assert slices.count() >= 1
        mm = 96 / 25.4
        for i in range(slices.count()):
            box = slices.nth(i).evaluate("e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; }")
            assert 0 < box[0] <= printable + 1  # scaled to the page width, not cut off
            assert box[1] <= (205 if i == 0 else 250) * mm + 1  # one page high
        # the slices draw the diagram itself (<use> of the drawing), markers included
        assert slices.first.locator("use").get_attribute("href") == "#lzf-wsj-xkxx-drawing"
        assert page.locator("#lzf-wsj-xkxx-drawing a.lz-flow__risk").count() == 5
        assert page.locator(".lz-noprint").first.evaluate("e => getComputedStyle(e).display") == "none"
        pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
        assert pdf.startswith(b"%PDF")
        (tmp_path / "flow.pdf").write_bytes(pdf)
        page.close()
