"""Stage 2: cross-record checks, after every file has been validated alone.

The seed's own rules (东卫〔2009〕95号 §五) and data integrity: ids unique,
references resolve, dates consistent, unit-level risks covered by rules or
dated commitments.
"""
from __future__ import annotations

import gc
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from .config import Config
from .fields import Field, Shape
from .index import Content
from .load import BAD_CHARS, Loaded, Locator, load_content, read_text, resume_gc
from .problems import ERROR, WARNING, Problem, Problems
from .publicity import Calendar, window_of
from .records import BY_NAME, GRADES, MEDICAL_ROLES, RULE_REQUIRED_AREAS, Record, archives_for


@dataclass
class CheckResult:
    content: Content
    problems: Problems
    files: int
    cached: int = 0  # files whose parse came from the cache (loadcache.py)
    digests: dict[str, bytes] | None = None  # with a cache: path → digest of the bytes checked (Loaded.digests)


def run_check(cfg: Config, workers: int | None = None, cache: Path | None = None,
              progress: Callable[[str], None] | None = None) -> CheckResult:
    """Load and check every record; `cache`: a folder keeping parsed records between runs (loadcache.py);
    `progress`: told the files read so far every few seconds."""
    root = cfg.content_dir
    prefix = cfg.display(root) + "/"
    # The records make no reference cycles; with millions of them alive the
    # cyclic collector, triggered by the checks' small allocations, would
    # rescan them all again and again (half the time of the checks). Off from
    # the start: switched on between loading and checking, its first
    # collection would scan everything loaded.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        loaded: Loaded = load_content(root, prefix, workers, cache, progress)
        content = Content(loaded.records)
        problems = Problems()
        problems.extend(loaded.problems)
        problems.extend(Checker(cfg, content, root, prefix, loaded.broken).run())
    finally:
        if gc_was_enabled:
            resume_gc()
    return CheckResult(content, problems, loaded.files, loaded.cached, loaded.digests)


class Checker:
    def __init__(self, cfg: Config, content: Content, root: Path, prefix: str, broken: dict[str, str] | None = None) -> None:
        self.broken = broken or {}
        self.cfg = cfg
        self.c = content
        self.root = root
        self.prefix = prefix
        self.cal = Calendar.from_config(cfg.publicity)
        self.out: list[Problem] = []
        self.locate = Locator()  # a file with several problems is parsed once

    def add(self, rec: Record, key: str, label: str, found: str, expected: str = "", hint: str = "", severity: str = ERROR) -> None:
        line, col = self.locate(self.root / rec.path, key) if key else (1, 1)
        self.out.append(Problem(self.prefix + rec.path, line, col, severity, key, label, found, expected, hint))

    def run(self) -> list[Problem]:
        self.unique_ids()
        self.campaign()
        for r in self.c.records:
            self.references(r, r.rtype.shape, r.data, "")
        for u in self.c.of_type["unit"]:
            self.unit(u)
        for p in self.c.of_type["person"]:
            self.person(p)
        for f in self.c.forms():
            self.form(f)
        self.one_per_year()
        for r in self.c.of_type["rule"]:
            if r.get("repealed") and r["repealed"] < r["effective"]:
                self.add(r, "repealed", "废止日期", "废止日期早于施行日期", "不早于施行日期")
        for fl in self.c.of_type["flow"]:
            self.flow(fl)
        for a in self.c.of_type["assessment"]:
            self.assessment(a)
        return self.out

    # ------------------------------------------------------------ integrity
    def unique_ids(self) -> None:
        first: dict[str, Record] = {}
        for r in self.c.records:
            if r.id in first:
                self.add(r, "", "记录编号", f"记录编号“{r.id}”重复，已用于 {self.prefix}{first[r.id].path}",
                         "全站唯一的编号", "编号即文件名；请重命名其中一个文件")
            else:
                first[r.id] = r

    def campaign(self) -> None:
        camps = self.c.of_type["campaign"]
        if not camps and "campaign" in self.broken:
            return  # the file is there, with errors of its own
        if not camps:
            self.out.append(Problem(self.prefix + "campaign.yml", 0, 0, ERROR, "", "专项工作", "缺少专项工作文件 campaign.yml",
                                    hint="可用 python -m generator new campaign 生成"))
            return
        camp = camps[0]
        for i, ph in enumerate(camp.get("phases", []), 1):
            if ph["ends"] < ph["starts"]:
                self.add(camp, f"phases.{i}.ends", "结束日期", "阶段结束日期早于开始日期", "不早于开始日期")
        doc = camp.get("document")
        if doc:
            self.document(camp, doc)

    def document(self, camp: Record, doc: str) -> None:
        """The campaign's text is rendered into the site: it must be a readable
        text file inside the content folder (not ../../x, not a link out)."""
        path = self.root / doc
        try:
            Path(os.path.realpath(path)).relative_to(os.path.realpath(self.root))
        except ValueError:
            self.add(camp, "document", "文件正文", f"文件 {doc} 不在内容目录中", "content/ 下的 Markdown 文件")
            return
        if not path.exists():
            self.add(camp, "document", "文件正文", f"找不到文件 {doc}", "content/ 下的 Markdown 文件")
            return
        text, problem = read_text(path, self.prefix + doc)
        if problem:
            self.out.append(problem)
        elif BAD_CHARS.search(text):
            self.out.append(Problem(self.prefix + doc, 1, 1, ERROR, "", "正文", "正文含有控制字符或双向文字控制符", hint="删除这些不可见字符"))

    def references(self, rec: Record, shape: Shape, data: dict[str, Any], path: str) -> None:
        for f, how in _ref_fields(shape):  # only the fields that can hold a reference, in declaration order
            v = data.get(f.key)
            if v is None:
                continue
            kp = f"{path}.{f.key}" if path else f.key
            if how == "ref":
                self.ref(rec, f, v, kp)
            elif how == "shape":
                self.references(rec, f.shape, v, kp)  # type: ignore[arg-type]
            elif how == "shapes":
                for i, el in enumerate(v, 1):
                    self.references(rec, f.item.shape, el, f"{kp}.{i}")  # type: ignore[union-attr,arg-type]
            else:
                for i, el in enumerate(v, 1):
                    self.ref(rec, f.item, el, f"{kp}.{i}")  # type: ignore[arg-type]

    def ref(self, rec: Record, f: Field, value: str, kp: str) -> None:
        target = self.c.by_id.get(value)
        if target is not None and target.type in f.ref:
            return
        want = "、".join(BY_NAME[t].label for t in f.ref)
        if target is None and self.broken.get(value) in f.ref:
            return  # the target has its own errors; do not cascade
        if target is None:
            self.add(rec, kp, f.label, f"引用的编号“{value}”不存在", f"已有的{want}编号", "编号即记录的文件名")
        elif target.type not in f.ref:
            self.add(rec, kp, f.label, f"“{value}”是{target.rtype.label}，不是{want}", f"{want}的编号")

    def dept(self, rec: Record, unit_id: str | None, dept_id: str | None, kp: str, label: str = "科室") -> None:
        if not dept_id or not unit_id or self.c.get(unit_id, "unit") is None:
            return
        if self.c.department(unit_id, dept_id) is None:
            u = self.c.get(unit_id, "unit")
            known = "、".join(d["id"] for d in (u.get("departments", []) if u else []))
            self.add(rec, kp, label, f"单位“{unit_id}”没有科室“{dept_id}”", f"该单位的科室编号之一：{known or '（该单位未登记科室）'}")

    def unit(self, u: Record) -> None:
        seen: set[str] = set()
        for i, d in enumerate(u.get("departments", []), 1):
            if d["id"] in seen:
                self.add(u, f"departments.{i}.id", "科室编号", f"科室编号“{d['id']}”重复", "单位内唯一")
            seen.add(d["id"])
        chain = self.c.unit_chain(u.id)
        last = self.c.get(chain[-1], "unit")
        if last and last.get("parent") in chain:
            self.add(u, "parent", "上级单位", "上级单位形成循环", "上级单位链最终到达局机关")

    def person(self, p: Record) -> None:
        self.dept(p, p["unit"], p.get("department"), "department")
        for i, h in enumerate(p.get("history", []), 1):
            self.dept(p, h["unit"], h.get("department"), f"history.{i}.department")

    # ------------------------------------------------------------ forms
    def form(self, f: Record) -> None:
        unit_id = self.c.form_unit(f)
        if f.type == "personal":
            self.dept(f, unit_id, f.get("department"), "department")
        else:
            self.dept(f, unit_id, f.get("department"), "department")
        self.window(f)
        if f.type == "unitform":
            self.unit_risks(f, unit_id)

    def window(self, f: Record) -> None:
        pub = f.get("publicity")
        conf = f.get("confirmation")
        wd = f.get("withdrawal")
        w = window_of(pub, self.cal, self.cfg.working_days)
        if w is None:
            if conf:
                self.add(f, "confirmation", "辨识确认", "未经公示就已确认", "先公示征求意见，公示期结束后再由党政班子确认",
                         "填写 publicity.opens")
        else:
            if pub.get("closes") and pub["closes"] < pub["opens"]:
                self.add(f, "publicity.closes", "公示截止", f"公示截止（{pub['closes']}）早于公示开始（{pub['opens']}）", "不早于公示开始")
            if f["signed_on"] > w.opens:
                self.add(f, "signed_on", "签署日期", f"签署日期（{f['signed_on']}）晚于公示开始（{w.opens}）", "不晚于公示开始",
                         "先签署承诺再公示")
            if conf and (conf["on"] < w.closes or (conf["on"] == w.closes and not w.closes_at)):
                self.add(f, "confirmation.on", "确认日期", f"确认日期（{conf['on']}）在公示期结束（{w.close_text()}）之前",
                         "公示期结束之后", "党政班子应在公示期满、意见处理完毕后确认")
            for i, c in enumerate(pub.get("feedback", []), 1):
                if c["received"] < w.opens or c["received"] > w.closes:
                    self.add(f, f"publicity.feedback.{i}.received", "收到日期", f"意见收到日期（{c['received']}）不在公示期内（{w.opens} 至 {w.closes}）",
                             "公示期内的日期", severity=WARNING)
                if conf and not c.get("disposition"):
                    self.add(f, f"publicity.feedback.{i}.disposition", "处理结果", "已确认的记录中有未处理的意见",
                             "采纳、部分采纳或不采纳", "确认前须处理每一条意见")
                if c.get("disposition") in ("部分采纳", "不采纳") and not c.get("reason"):
                    self.add(f, f"publicity.feedback.{i}.reason", "处理理由", f"意见“{c['disposition']}”但没有说明理由", "处理理由",
                             severity=WARNING)
        if wd and wd["on"] < f["signed_on"]:
            self.add(f, "withdrawal.on", "撤回日期", "撤回日期早于签署日期", "不早于签署日期")

    def unit_risks(self, f: Record, unit_id: str | None) -> None:
        deadline = rules_deadline(self.c, f["year"])
        chain = self.c.unit_chain(unit_id) if unit_id else []
        if chain and self.c.get(chain[-1], "unit") is None:
            chain = []  # a unit of the chain is missing or broken: reported there, do not cascade
        for i, risk in enumerate(f.get("risks", []), 1):
            kp = f"risks.{i}"
            taken = risk.get("measures_taken", [])
            commits = risk.get("commitments", [])
            if not taken and not commits:
                self.add(f, kp, "单位风险点", f"风险点“{_short(risk['point'])}”既没有已采取的措施，也没有下一步承诺",
                         "在 measures_taken 中列出已出台的制度，或在 commitments 中写明措施内容及出台或实施时间",
                         "实施方案：凡已列入工作计划的，须在“下一步防控措施承诺”栏中明确措施内容及出台或实施时间")
            for j, m in enumerate(taken, 1):
                rid = m.get("rule")
                rule = self.c.get(rid, "rule") if rid else None
                if rule is not None and chain and rule["unit"] not in chain:
                    self.add(f, f"{kp}.measures_taken.{j}.rule", "制度文本",
                             f"制度“{rule['title']}”属于单位“{rule['unit']}”，不是本单位或上级单位的制度",
                             "本单位或上级单位制定的制度文本")
            if risk["key_area"] in RULE_REQUIRED_AREAS:
                has_rule = any(self._is_procedure(m.get("rule")) for m in taken)
                pledged = [(j, c) for j, c in enumerate(commits, 1) if c.get("establishes") == "操作规程"]
                in_time = [c for _, c in pledged if deadline is None or c["due"] <= deadline]
                if not has_rule and not in_time:
                    for j, c in pledged:
                        self.add(f, f"{kp}.commitments.{j}.due", "出台或实施时间",
                                 f"承诺建立操作规程的时间（{c['due']}）晚于限期（{deadline}）", f"不晚于 {deadline}",
                                 "实施方案：尚未建立的必须在6月份限期建立")
                    if not pledged:
                        self.add(f, f"{kp}.key_area", "重点领域",
                                 f"“{risk['key_area']}”领域的风险点没有引用操作规程，也没有承诺限期建立",
                                 "在 measures_taken 中引用类别为“操作规程”的制度文本，或在 commitments 中承诺建立（establishes: 操作规程，due 不晚于 "
                                 f"{deadline}）", "实施方案：涉及药、械、材和人、财、物管理重点环节的风险点必须建有操作规程")

    def _is_procedure(self, rid: str | None) -> bool:
        r = self.c.get(rid, "rule") if rid else None
        return r is not None and r["kind"] == "操作规程"

    def one_per_year(self) -> None:
        groups: dict[tuple[Any, ...], list[Record]] = defaultdict(list)
        for f in self.c.forms():
            if f.get("withdrawal"):
                continue  # withdrawing and resubmitting is how a form is corrected
            if f.type == "personal":
                groups[("personal", f["person"], f["year"])].append(f)
            elif f.type == "department":
                groups[("department", f["unit"], f["department"], f["year"])].append(f)
            else:
                groups[("unitform", f["unit"], f["year"])].append(f)
        for a in self.c.of_type["assessment"]:
            groups[("assessment", a["person"], a["year"])].append(a)
        for key, recs in groups.items():
            for r in recs[1:]:
                self.add(r, "year", "年度", f"{key[-1]} 年度已有一份{r.rtype.label}：{self.prefix}{recs[0].path}",
                         "每年一份", "若要更正，请修改原记录，或撤回后再提交")

    # ------------------------------------------------------------ flows
    def flow(self, fl: Record) -> None:
        steps = fl.get("steps", [])
        ids: dict[str, int] = {}
        risk_ids: set[str] = set()
        for i, s in enumerate(steps, 1):
            if s["id"] in ids:
                self.add(fl, f"steps.{i}.id", "环节编号", f"环节编号“{s['id']}”重复", "流程内唯一")
            ids.setdefault(s["id"], i)
            for j, r in enumerate(s.get("risks", []), 1):
                if r["id"] in risk_ids:
                    self.add(fl, f"steps.{i}.risks.{j}.id", "风险编号", f"风险编号“{r['id']}”重复", "流程内唯一")
                risk_ids.add(r["id"])
        for i, s in enumerate(steps, 1):
            for j, n in enumerate(s.get("next", []), 1):
                if n not in ids:
                    self.add(fl, f"steps.{i}.next.{j}", "下一环节", f"环节“{s['id']}”的下一环节“{n}”不存在", "本流程中的环节编号之一：" + "、".join(ids))
            for j, b in enumerate(s.get("branches", []), 1):
                if b["to"] not in ids:
                    self.add(fl, f"steps.{i}.branches.{j}.to", "去往环节", f"分支“{b['label']}”去往的环节“{b['to']}”不存在",
                             "本流程中的环节编号之一：" + "、".join(ids))
            if s.get("kind") == "决策" and len(s.get("branches", [])) < 2:
                self.add(fl, f"steps.{i}.branches", "决策分支", f"决策环节“{s['name']}”少于两个分支", "至少两个分支", severity=WARNING)

    # ------------------------------------------------------------ assessments
    def assessment(self, a: Record) -> None:
        person = self.c.get(a["person"], "person")
        eth = a.get("ethics")
        if eth:
            if person is not None and not MEDICAL_ROLES.intersection(person.get("roles", [])):
                self.add(a, "ethics", "医德考评", f"{person['name']} 不属于医务人员，却填写了医德考评", "仅医务人员有医德考评",
                         "检查人员类别 roles", severity=WARNING)
            if eth.get("vetoes"):  # decides the grade whatever the score
                if eth["grade"] != "较差":
                    self.add(a, "ethics.grade", "考评等次", f"有一票否决情形（{'、'.join(eth['vetoes'])}），等次却为“{eth['grade']}”", "较差",
                             "一票否决情形直接定为较差")
            elif "score" in eth:
                want = grade_for(eth["score"], eth.get("deduction", 0), self.cfg.thresholds)
                if want != eth["grade"]:
                    self.add(a, "ethics.grade", "考评等次",
                             f"得分 {eth['score']:g}、扣分 {eth.get('deduction', 0):g} 对应“{want}”，填写的是“{eth['grade']}”",
                             f"“{want}”", "等次标准见 site_config.yml 的 ethics_thresholds")
            elif "deduction" in eth:  # no score: the deduction alone caps the grade
                best = grade_for(100, eth["deduction"], self.cfg.thresholds)
                if GRADES.index(eth["grade"]) < GRADES.index(best):
                    self.add(a, "ethics.grade", "考评等次", f"扣分 {eth['deduction']:g} 最高只能评为“{best}”，填写的是“{eth['grade']}”",
                             f"“{best}”或更低的等次", "等次标准见 site_config.yml 的 ethics_thresholds")
        if person is not None and a.get("report") and "党员干部廉政档案" not in archives_for(person.get("roles", [])):
            self.add(a, "report", "述职述廉", f"{person['name']} 不属于干部，却填写了述职述廉", "仅干部填写", severity=WARNING)


_REF_FIELDS: dict[int, tuple[Shape, tuple[tuple[Field, str], ...]]] = {}


def _ref_fields(shape: Shape) -> tuple[tuple[Field, str], ...]:
    """The fields of a shape that hold references, directly or below: (field,
    "ref" | "refs" | "shape" | "shapes"). Most fields hold none, and walking
    them for every record was most of the checks' time."""
    cached = _REF_FIELDS.get(id(shape))
    if cached is None or cached[0] is not shape:  # the cache holds the shape: its id stays its own
        out: list[tuple[Field, str]] = []
        for f in shape.fields:
            if f.kind == "ref":
                out.append((f, "ref"))
            elif f.kind == "shape" and f.shape and _ref_fields(f.shape):
                out.append((f, "shape"))
            elif f.kind == "list" and f.item is not None:
                if f.item.kind == "shape" and f.item.shape and _ref_fields(f.item.shape):
                    out.append((f, "shapes"))
                elif f.item.kind == "ref":
                    out.append((f, "refs"))
        cached = _REF_FIELDS[id(shape)] = (shape, tuple(out))
    return cached[1]


def rules_deadline(content: Content, year: int) -> Any:
    """The 操作规程 deadline for a form of `year`: the campaign's date, moved to
    the same month and day of later years (the yearly renewal)."""
    camp = content.campaign
    d = camp.get("rules_deadline") if camp else None
    if d is None or year <= d.year:
        return d
    try:
        return d.replace(year=year)
    except ValueError:  # 29 February
        return d.replace(year=year, day=28)


def grade_for(score: float, deduction: float, thresholds: list[dict[str, Any]]) -> str:
    # Best grade first, whatever order site_config.yml lists them in.
    for t in sorted(thresholds, key=lambda t: GRADES.index(t["grade"])):
        if score >= t["min_score"] and deduction < t.get("max_deduction", 101):
            return str(t["grade"])
    return "较差"


def _short(text: str, n: int = 20) -> str:
    return text if len(text) <= n else text[:n] + "…"


def iter_private_values(content: Content) -> Iterator[str]:
    """Every private value in the content (for leak tests and the report)."""
    from .fields import walk_private

    for r in content.records:
        out: list[str] = []
        walk_private(r.rtype.shape, r.data, out)
        yield from out
