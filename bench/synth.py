"""Deterministic synthetic content for benchmarks: a complete, valid content
folder of any size (passes `python -m generator check --strict`).

    from bench.synth import generate
    summary = generate(Path("bench/out/p10000-s0"), people=10_000, seed=0)

    python bench/synth.py --people 10000 --out bench/out/p10000-s0

The same (people, seed) and the same version of this code give the same
bytes. Units scale with people (about one per 200: bureau `wsj`, hospitals,
township centres); every person has personal forms for 2009 and/or 2010 in
every lifecycle stage, and assessments for the years with a form.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import yaml  # noqa: E402

from bench import bank  # noqa: E402
from generator.publicity import Calendar, window_of  # noqa: E402
from generator.records import RULE_REQUIRED_AREAS  # noqa: E402

AS_OF = dt.date(2010, 6, 10)  # site_config.yml's fixed date: forms are spread around it
YEARS = (2009, 2010)
STAMP = "synth.json"


def code_version() -> str:
    """Hash of the generator's own code: cached content is stale when it changes."""
    h = hashlib.sha256()
    for name in ("synth.py", "bank.py"):
        h.update((HERE / name).read_bytes())
    return h.hexdigest()[:16]


# ------------------------------------------------------------------ YAML out

_ASCII_PLAIN = re.compile(r"[a-z][a-z0-9-]*")
_RESERVED = frozenset({"yes", "no", "on", "off", "true", "false", "null", "y", "n"})
_BAD_START = set("-?:,[]{}#&*!|>'\"%@` ")


def _scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    s = str(v)
    if s.isascii():
        if _ASCII_PLAIN.fullmatch(s) and s not in _RESERVED:
            return s
        return json.dumps(s)
    if s and s == s.strip() and s[0] not in _BAD_START and ": " not in s and " #" not in s and "\n" not in s and not s.endswith(":"):
        return s
    return json.dumps(s, ensure_ascii=False)  # JSON strings are valid YAML double-quoted scalars


def dump(data: dict[str, Any], indent: int = 0) -> list[str]:
    """Block-style YAML for plain dicts, lists and scalars, as a clerk would type it."""
    out: list[str] = []
    pad = " " * indent
    for k, v in data.items():
        if v is None or v == [] or v == {}:
            continue
        if isinstance(v, dict):
            out.append(f"{pad}{k}:")
            out += dump(v, indent + 2)
        elif isinstance(v, list):
            out.append(f"{pad}{k}:")
            for el in v:
                if isinstance(el, dict):
                    inner = dump(el, indent + 4)
                    out.append(f"{pad}  - {inner[0].lstrip()}")
                    out += inner[1:]
                else:
                    out.append(f"{pad}  - {_scalar(el)}")
        else:
            out.append(f"{pad}{k}: {_scalar(v)}")
    return out


def yaml_text(data: dict[str, Any], comment: str = "") -> str:
    head = [f"# {comment}"] if comment else []
    return "\n".join(head + dump(data)) + "\n"


# ------------------------------------------------------------------ model


@dataclass
class Dept:
    id: str
    name: str
    kind: str
    profile: str
    head: str = ""
    staff: list[str] = field(default_factory=list)


@dataclass
class Unit:
    id: str
    name: str
    short: str
    kind: str
    size: int
    order: int
    depts: list[Dept] = field(default_factory=list)
    leaders: list[tuple[str, str, str]] = field(default_factory=list)  # person, post, charge
    rules: dict[str, tuple[str, str, dt.date]] = field(default_factory=dict)  # key_area -> (rule id, title, effective)
    other_rules: list[tuple[str, str, str]] = field(default_factory=list)  # id, title, kind

    @property
    def body(self) -> str:
        return f"{self.short}党政班子" if self.kind != "局机关" else "局党委"


@dataclass
class Person:
    id: str
    name: str
    unit: str
    dept: str | None
    post: str
    title: str
    roles: list[str]
    profile: str
    political: str
    charge: str = ""


class Synth:
    def __init__(self, people: int, seed: int) -> None:
        if people < 10:
            raise ValueError("people 至少为 10")
        self.n = people
        self.rng = random.Random(seed)
        self.units: list[Unit] = []
        self.people: list[Person] = []
        self.by_unit: dict[str, list[Person]] = {}
        self.files: dict[str, str] = {}
        self.counts: dict[str, int] = {}
        cfg = yaml.safe_load((REPO / "site_config.yml").read_text(encoding="utf-8"))
        self.site_config_text = (REPO / "site_config.yml").read_text(encoding="utf-8")
        self.cal = Calendar.from_config(cfg.get("publicity") or {})
        self.default_days = int((cfg.get("publicity") or {}).get("working_days", 5))

    # -------------------------------------------------------------- helpers
    def put(self, rel: str, text: str, kind: str) -> None:
        assert rel not in self.files, rel
        self.files[rel] = text
        self.counts[kind] = self.counts.get(kind, 0) + 1

    def day(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randint(0, (end - start).days))

    def pick(self, seq: Any) -> Any:
        return seq[self.rng.randrange(len(seq))]

    # -------------------------------------------------------------- units
    def plan_units(self) -> None:
        n_units = max(3, round(self.n / 200))
        towns = list(bank.TOWNS)
        specs: list[tuple[str, str, str, str, float]] = list(bank.FIXED_UNITS[:3])
        specs.append((f"{towns[0][1]}-zxwsy", f"{towns[0][0]}镇中心卫生院", f"{towns[0][0]}中心卫生院", "中心卫生院", bank.TOWN_WEIGHT["中心卫生院"]))
        specs += list(bank.FIXED_UNITS[3:])
        k = 1
        while len(specs) < n_units:
            rnd, t = divmod(k, len(towns))
            name, py = towns[t]
            if rnd == 0:
                specs.append((f"{py}-zxwsy", f"{name}镇中心卫生院", f"{name}中心卫生院", "中心卫生院", bank.TOWN_WEIGHT["中心卫生院"]))
            else:
                specs.append((f"{py}-wsy{rnd + 1}", f"{name}镇卫生院第{rnd + 1}分院", f"{name}第{rnd + 1}分院", "卫生院", bank.TOWN_WEIGHT["卫生院"]))
            k += 1
        specs = specs[:n_units]
        # people per unit by weight (largest remainder), each unit at least a few
        floor = min(12, self.n // n_units)
        rest = self.n - floor * n_units
        total_w = sum(s[4] for s in specs)
        shares = [rest * s[4] / total_w for s in specs]
        sizes = [floor + int(x) for x in shares]
        for i in sorted(range(n_units), key=lambda i: -(shares[i] - int(shares[i])))[: self.n - sum(sizes)]:
            sizes[i] += 1
        for i, (uid, name, short, kind, _) in enumerate(specs):
            u = Unit(uid, name, short, kind, sizes[i], (i + 1) * 10)
            bank_depts = bank.DEPTS_BY_KIND[kind]
            leaders = max(1, min(7, 2 + u.size // 250, u.size // 4))
            n_depts = max(1, min(len(bank_depts), max(2, u.size // 15), u.size - leaders))
            u.depts = [Dept(d[0], d[1], d[2], d[3]) for d in bank_depts[:n_depts]]
            self.units.append(u)

    # -------------------------------------------------------------- people
    def make_people(self) -> None:
        serial = 0

        def new_id(sur: tuple[str, str], g: list[tuple[str, str]]) -> str:
            nonlocal serial
            serial += 1
            return f"{sur[1]}{''.join(x[1] for x in g)}-{serial:05d}"

        for u in self.units:
            people: list[Person] = []
            leaders = max(1, min(7, 2 + u.size // 250, u.size // 4))
            posts = bank.LEADER_POSTS["局机关" if u.kind == "局机关" else "other"]
            is_med = u.kind not in ("局机关", "卫生监督所")

            def person(dept: str | None, post: str, title: str, roles: list[str], profile: str, political: str = "", charge: str = "") -> Person:
                sur = self.pick(bank.SURNAMES)
                given = [self.pick(bank.GIVEN) for _ in range(1 if self.rng.random() < 0.3 else 2)]
                pol = political or self.pick(bank.POLITICAL)
                rl = list(roles)
                if pol == "中共党员" and "党员干部" not in rl and self.rng.random() < 0.3:
                    rl.append("党员干部")
                p = Person(new_id(sur, given), sur[0] + "".join(x[0] for x in given), u.id, dept, post, title, rl, profile, pol, charge)
                people.append(p)
                return p

            for i in range(leaders):
                roles = ["班子成员", "党员干部"]
                if is_med and i in (0, 2):
                    roles.append("处方医师")
                charge = bank.LEADER_CHARGES[i % len(bank.LEADER_CHARGES)]
                p = person(None, posts[i], "主任医师" if "处方医师" in roles else "", roles, "leader", "中共党员", charge)
                u.leaders.append((p.id, posts[i], charge))
            for d in u.depts:
                head_post = bank.HEAD_POST.get(d.profile, "科长" if u.kind == "局机关" else "主任")
                roles = ["中层干部"]
                if d.profile == "clinical":
                    roles.append("处方医师")
                pol = "中共党员" if self.rng.random() < 0.7 else ""
                if pol:
                    roles.append("党员干部")
                title = "主任医师" if d.profile == "clinical" else ""
                prof = d.profile if d.profile != "clinical" else "clinical"
                d.head = person(d.id, head_post, title, roles, prof, pol).id
            staff_total = u.size - leaders - len(u.depts)
            weights = [3.0 if d.profile == "clinical" else 1.5 if d.profile in ("tech", "pharmacy") else 1.0 for d in u.depts]
            wsum = sum(weights)
            counts = [int(staff_total * w / wsum) for w in weights]
            for i in range(staff_total - sum(counts)):
                counts[i % len(counts)] += 1
            for d, c in zip(u.depts, counts):
                for j in range(c):
                    if d.profile == "clinical" and j == 0 and c >= 6:
                        p = person(d.id, "护士长", "主管护师", ["护士长", "中层干部"], "nursing")
                    else:
                        post, title, roles = self.pick(bank.POSTS[d.profile])
                        prof = "nursing" if d.profile == "clinical" and "护" in post else d.profile
                        p = person(d.id, post, title, list(roles), prof)
                    d.staff.append(p.id)
            self.by_unit[u.id] = people
            self.people += people

    def person_record(self, p: Person) -> dict[str, Any]:
        rng = self.rng
        birth = rng.randint(1953, 1988)
        area = "320981"
        born = dt.date(birth, rng.randint(1, 12), rng.randint(1, 28))
        body = f"{area}{born:%Y%m%d}{rng.randint(0, 999):03d}"
        weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
        check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]
        rec: dict[str, Any] = {
            "name": p.name,
            "gender": self.pick(("男", "女")),
            "birth_year": birth,
            "political": p.political,
            "unit": p.unit,
            "department": p.dept,
            "post": p.post,
            "title": p.title or None,
            "roles": p.roles,
        }
        if len(self.units) > 1 and rng.random() < 0.12:
            other = self.pick([u for u in self.units if u.id != p.unit])
            d = self.pick(other.depts)
            end = self.day(dt.date(2005, 1, 1), dt.date(2008, 12, 31))
            rec["history"] = [{"unit": other.id, "department": d.id, "post": self.pick(bank.POSTS[d.profile])[0],
                               "start": end - dt.timedelta(days=rng.randint(400, 3000)), "end": end}]
        rec["phone"] = f"13{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}"
        rec["id_number"] = body + check
        rec["home_address"] = f"东台市{self.pick(bank.TOWNS)[0]}镇{rng.randint(1, 30)}组{rng.randint(1, 99)}号"
        return rec

    # -------------------------------------------------------------- lifecycle
    def lifecycle(self, year: int, stage: str, body: str) -> dict[str, Any]:
        """signed_on, publicity, confirmation and withdrawal for one stage."""
        rng = self.rng
        if year == 2009:
            signed = self.day(dt.date(2009, 5, 18), dt.date(2009, 5, 29))
        elif stage == "open":
            signed = self.day(dt.date(2010, 5, 31), dt.date(2010, 6, 3))
        elif stage == "pending":
            signed = self.day(dt.date(2010, 5, 17), dt.date(2010, 5, 24))
        else:
            signed = self.day(dt.date(2010, 5, 6), dt.date(2010, 5, 14))
        out: dict[str, Any] = {"signed_on": signed}
        if stage == "draft":
            return out
        if stage == "open":
            opens = self.day(dt.date(2010, 6, 4), AS_OF)
        else:
            opens = signed + dt.timedelta(days=rng.randint(0, 3))
        pub: dict[str, Any] = {"opens": opens}
        r = rng.random()
        if r < 0.15 and stage != "open":
            pub["closes"] = opens + dt.timedelta(days=rng.randint(6, 9))
        elif r < 0.25:
            pub["working_days"] = 7
        if rng.random() < 0.1:
            pub["closes_at"] = "17:30"
        pub["where"] = self.pick(("院务公开栏", "内网公示栏", "科室公示栏", "院务公开栏和内网公示栏"))
        w = window_of(pub, self.cal, self.default_days)
        assert w is not None
        if stage == "open" and w.closes < AS_OF:  # keep it open on the as-of date
            pub.pop("closes_at", None)
            pub["closes"] = AS_OF + dt.timedelta(days=2)
            w = window_of(pub, self.cal, self.default_days)
            assert w is not None
        confirmed = stage == "confirmed"
        if rng.random() < 0.25:
            fb = []
            for _ in range(rng.randint(1, 2)):
                summary, disposition, reason = self.pick(bank.FEEDBACK)
                c: dict[str, Any] = {"received": self.day(w.opens, min(w.opens + dt.timedelta(days=4), w.closes, AS_OF)),
                                     "channel": self.pick(bank.CHANNEL_LIST), "summary": summary}
                if confirmed or rng.random() < 0.5:
                    c["disposition"] = disposition
                    c["reason"] = reason or None
                c["commenter"] = self.pick(bank.COMMENTERS)
                fb.append(c)
            pub["feedback"] = fb
        out["publicity"] = pub
        if confirmed:
            latest = AS_OF - dt.timedelta(days=1) if year == 2010 else w.closes + dt.timedelta(days=20)
            on = self.day(w.closes + dt.timedelta(days=1), max(latest, w.closes + dt.timedelta(days=1)))
            out["confirmation"] = {"by": body, "on": on, "opinion": self.pick(bank.CONFIRM_OPINIONS)}
        if stage == "withdrawn":
            out["withdrawal"] = {"on": self.day(w.opens, min(w.opens + dt.timedelta(days=15), AS_OF - dt.timedelta(days=1))),
                                 "reason": self.pick(bank.WITHDRAW_REASONS)}
        return out

    def stage_for(self, year: int) -> str:
        r = self.rng.random()
        if year == 2009:
            table = (("confirmed", 0.88), ("withdrawn", 0.92), ("pending", 0.96), ("draft", 1.0))
        else:
            table = (("confirmed", 0.40), ("pending", 0.60), ("open", 0.82), ("draft", 0.94), ("withdrawn", 1.0))
        return next(s for s, edge in table if r < edge)

    # -------------------------------------------------------------- forms
    def personal_risks(self, p: Person) -> list[dict[str, Any]]:
        pool = list(bank.PROFILES[p.profile]["risks"])
        if p.profile == "leader" and "处方医师" in p.roles:
            pool += list(bank.PROFILES["clinical"]["risks"][:2])
        k = self.pick((3, 3, 3, 3, 4, 4, 4, 5))
        chosen = self.rng.sample(pool, min(k, len(pool)))
        if len(chosen) < k:
            chosen += list(bank.GENERIC_RISK)
        out = []
        for duty, power, point, manif, cat, area, level, measures in chosen:
            lv = level if self.rng.random() < 0.85 else {"高": "一级", "中": "二级", "低": "三级"}[level]
            # the form's own duties and powers usually cover the row; clerks often leave these blank
            r = self.rng.random()
            out.append({"duty": duty if r < 0.4 else None, "power": (power or None) if r < 0.2 else None,
                        "point": point, "manifestation": manif, "category": cat, "key_area": area, "level": lv,
                        "measures": list(measures[: self.rng.randint(1, len(measures))])})
        return out

    def personal_form(self, p: Person, year: int, stage: str) -> dict[str, Any]:
        u = self.unit_by_id[p.unit]
        dept = next((d for d in u.depts if d.id == p.dept), None)
        prof = bank.PROFILES[p.profile]
        rec: dict[str, Any] = {"person": p.id, "year": year}
        if self.rng.random() < 0.5:
            rec.update({"unit": p.unit, "department": p.dept, "post": p.post})
        rec["duties"] = prof["duties"].format(dept=dept.name if dept else u.short, charge=p.charge or "分管")
        rec["powers"] = prof["powers"]
        rec["risks"] = self.personal_risks(p)
        rec["pledge"] = self.pick(bank.PLEDGES)
        rec.update(self.lifecycle(year, stage, u.body))
        return rec

    def department_form(self, u: Unit, d: Dept, year: int, stage: str) -> dict[str, Any]:
        profiles = [d.profile] if d.profile != "clinical" else ["clinical", "nursing"]
        pool = [r for pr in profiles for r in bank.PROFILES[pr]["risks"]]
        chosen = self.rng.sample(pool, min(len(pool), self.rng.randint(3, 5)))
        posts = "、".join(dict.fromkeys(x[0] for x in bank.POSTS[d.profile]))
        staff = d.staff or [d.head]
        risks = []
        for duty, _power, point, manif, cat, area, level, measures in chosen:
            risks.append({"link": duty, "point": point, "manifestation": manif, "category": cat, "key_area": area,
                          "level": level, "posts": posts, "measures": list(measures) + ["科室每月召开一次廉政风险分析会，通报防控措施落实情况"],
                          "owner": self.pick(staff), "head": d.head, "leader": self.pick(u.leaders)[0]})
        rec: dict[str, Any] = {"unit": u.id, "department": d.id, "year": year, "head": d.head, "risks": risks,
                               "pledge": f"{d.name}全体人员承诺：落实上述防控措施，明确责任到人，践诺情况纳入科室月度考评和年度考核，接受群众监督。"}
        rec.update(self.lifecycle(year, stage, u.body))
        return rec

    def unit_form(self, u: Unit, year: int, stage: str, bureau: Unit) -> dict[str, Any]:
        rng = self.rng
        life = self.lifecycle(year, stage, u.body)
        signed = life["signed_on"]
        deadline = dt.date(year, 6, 30)
        pool = list(bank.UNIT_RISKS)
        if u.kind in ("局机关", "卫生监督所"):
            pool += list(bank.UNIT_RISKS_ADMIN)
        chosen = rng.sample(pool, min(len(pool), rng.randint(5, 8)))
        risks = []
        for power_item, area, cat, stg, scope, level, point, manif, rule_title in chosen:
            taken: list[dict[str, Any]] = []
            commits: list[dict[str, Any]] = []
            own = u.rules.get(area)
            if area in RULE_REQUIRED_AREAS:
                if own and own[2] <= signed:
                    taken.append({"text": f"执行《{own[1]}》，关键环节集体研究、全程留痕", "rule": own[0]})
                elif rng.random() < 0.5 and area in bureau.rules:
                    b = bureau.rules[area]
                    taken.append({"text": f"执行局《{b[1]}》", "rule": b[0]})
                    if own:
                        commits.append({"content": f"结合本单位实际制定《{own[1]}》", "due": own[2], "establishes": "操作规程"})
                else:
                    due = own[2] if own and own[2] <= deadline else self.day(dt.date(year, 6, 10), deadline)
                    c = {"content": f"制定《{u.short}{rule_title}》，明确申请、审核、集体研究和公开各环节", "due": due, "establishes": "操作规程"}
                    if due < AS_OF and rng.random() < 0.6:
                        c["done"] = due
                    commits.append(c)
            else:
                rid = next((r[0] for r in u.other_rules if r[1].endswith(rule_title[-6:])), None)
                if rid:
                    taken.append({"text": f"执行《{u.short}{rule_title}》", "rule": rid})
                else:
                    taken.append({"text": "重要事项经党政班子集体研究，结果在院务公开栏公开"})
                if rng.random() < 0.4:
                    commits.append({"content": "完善监督检查台账，纪检监察室每季度抽查一次", "due": dt.date(year, rng.randint(7, 12), 1)})
            risk: dict[str, Any] = {"power_item": power_item, "point": point, "manifestation": manif, "category": cat,
                                    "key_area": area, "level": level, "stage": stg, "scope": scope,
                                    "measures_taken": taken, "commitments": commits,
                                    "owner_department": self.pick(u.depts).id, "leader": self.pick(u.leaders)[0]}
            if rng.random() < 0.1:
                risk["escalation"] = {"reason": "药品和耗材的品种、价格由省级集中采购平台确定，本单位无法单独控制",
                                      "request": "建议上级部门加强对中标企业供货和配送行为的监管",
                                      "to": "盐城市卫生局" if u.kind == "局机关" else "东台市卫生局"}
            risks.append(risk)
        rec: dict[str, Any] = {"unit": u.id, "year": year, "head": u.leaders[0][0], "risks": risks,
                               "pledge": f"{u.name}党政班子承诺：认真落实上述防控措施和下一步承诺，按期建立完善操作规程，践诺情况纳入党风廉政建设责任制考核。"}
        rec.update(life)
        return rec

    # -------------------------------------------------------------- rules, flows
    def plan_rules(self) -> None:
        required = [r for r in bank.UNIT_RISKS if r[1] in RULE_REQUIRED_AREAS]
        for u in self.units:
            n = 0
            if u.kind in ("局机关", "医院", "中医院", "妇幼保健院"):
                areas = required
            else:
                areas = self.rng.sample(required, 3)
            for r in areas:
                n += 1
                rid = f"{u.id}-gz-{n:02d}"
                title = ("全市卫生系统" if u.kind == "局机关" else u.short) + r[8]
                # some procedures already exist, others are made by the June deadline
                eff = self.day(dt.date(2007, 1, 1), dt.date(2009, 4, 30)) if self.rng.random() < 0.6 or u.kind == "局机关" \
                    else self.day(dt.date(2009, 6, 1), dt.date(2009, 6, 30))
                u.rules[r[1]] = (rid, title, eff)
            extras = [(r[8], r[8]) for r in bank.UNIT_RISKS if r[1] not in RULE_REQUIRED_AREAS]
            if u.kind in ("局机关", "卫生监督所"):
                extras += [(r[8], r[8]) for r in bank.UNIT_RISKS_ADMIN]
            extras += [(t, t) for t, _ in self.rng.sample(bank.RULE_EXTRA_TITLES, 2)]
            for title, _ in extras:
                n += 1
                u.other_rules.append((f"{u.id}-gz-{n:02d}", u.short + title, rule_kind(title)))

    def rule_doc(self, u: Unit, rid: str, title: str, kind: str, effective: dt.date) -> str:
        subject = title.removeprefix(u.short).removeprefix("全市卫生系统")
        for suffix in ("操作规程", "议事规则", "办事程序", "操作办法", "自由裁量标准", "管理规定", "告知制度", "审批制度", "办事规则", "考评办法", "办法", "制度"):
            if subject.endswith(suffix) and len(subject) > len(suffix):
                subject = subject[: -len(suffix)]
                break
        kind_word = "规程" if kind == "操作规程" else "办法" if kind in ("操作办法", "限定裁量标准") else "规定"
        arts = [a.format(subject=subject, kind=kind_word) for a in bank.RULE_ARTICLES]
        nums = "一二三四五六七八九十"
        body = [f"# {title}", ""]
        for i, a in enumerate(arts):
            body += [f"**第{nums[i]}条**　{a}", ""]
        year = effective.year
        front = {"title": title, "kind": kind, "unit": u.id,
                 "number": f"东{'卫' if u.kind == '局机关' else u.short[:2]}〔{year}〕{self.rng.randint(3, 90)}号",
                 "effective": effective, "summary": f"规范{subject}的决策、执行和监督检查，防控廉政风险。"}
        return "---\n" + "\n".join(dump(front)) + "\n---\n\n" + "\n".join(body)

    def flow(self, u: Unit, k: int, tpl: tuple[Any, ...]) -> dict[str, Any]:
        item, basis, steps_tpl = tpl
        steps = []
        rid = 0
        n = len(steps_tpl)
        for i, (name, kind, actor, point, level, control) in enumerate(steps_tpl, 1):
            s: dict[str, Any] = {"id": f"s{i}", "name": name, "kind": kind, "actor": actor}
            if kind == "决策":
                s["branches"] = [{"label": "同意", "to": f"s{i + 1}"}, {"label": "不同意，退回修改", "to": f"s{max(1, i - 1)}"}]
            elif i < n:
                s["next"] = [f"s{i + 1}"]
            if point:
                rid += 1
                s["risks"] = [{"id": f"r{rid}", "point": point, "level": level, "controls": [control, "纪检监察室全程监督"],
                               "owner": actor}]
            steps.append(s)
        return {"title": f"{u.short}{item}权力运行流程图", "unit": u.id, "power_item": item, "basis": basis,
                "year": 2009, "steps": steps}

    # -------------------------------------------------------------- assessments
    def assessment(self, p: Person, year: int) -> dict[str, Any]:
        rng = self.rng
        rec: dict[str, Any] = {"person": p.id, "year": year,
                               "fulfilment": self.pick(bank.FULFILMENT).format(n=rng.randint(1, 3)),
                               "fulfilment_grade": self.pick(("好", "好", "较好", "较好", "一般"))}
        if set(p.roles) & {"护士长", "处方医师", "医务人员"}:
            r = rng.random()
            eth: dict[str, Any]
            if r < 0.3:
                eth = {"grade": "优秀", "score": rng.randint(90, 99), "deduction": 0}
            elif r < 0.8:
                eth = {"grade": "良好", "score": rng.randint(80, 89), "deduction": rng.randint(0, 14)}
            elif r < 0.97:
                eth = {"grade": "一般", "score": rng.randint(60, 79), "deduction": rng.randint(0, 24)}
            elif r < 0.995:
                eth = {"grade": "较差", "score": rng.randint(40, 59), "deduction": rng.randint(10, 40)}
            else:
                eth = {"grade": "较差", "vetoes": [self.pick(("YPJC01", "YPJC02", "YPJC07"))]}
            eth["self_grade"] = eth["grade"] if rng.random() < 0.7 else "优秀"
            eth["department_grade"] = eth["grade"]
            eth["summary"] = self.pick(bank.ETHICS_SUMMARY)
            eth["confirmed_by_person"] = "同意"
            rec["ethics"] = eth
        if set(p.roles) & {"班子成员", "中层干部", "党员干部"}:
            rec["report"] = self.pick(bank.REPORTS).format(n=rng.randint(1, 4))
        if rng.random() < 0.05:
            kind, content = self.pick(bank.AWARDS)
            rec["awards"] = [{"on": self.day(dt.date(year, 1, 10), dt.date(year, 11, 30)), "kind": kind, "content": content}]
        rec["assessed_on"] = dt.date(year, 12, rng.randint(20, 30))
        return rec

    # -------------------------------------------------------------- all
    def build(self) -> None:
        self.plan_units()
        self.make_people()
        self.unit_by_id = {u.id: u for u in self.units}
        self.plan_rules()
        bureau = self.units[0]
        for u in self.units:
            rec = {"name": u.name, "short_name": u.short, "kind": u.kind,
                   "parent": None if u.kind == "局机关" else bureau.id, "order": u.order,
                   "leadership_body": u.body,
                   "departments": [{"id": d.id, "name": d.name, "kind": d.kind} for d in u.depts],
                   "leadership": [{"person": pid, "role": post, "charge": charge} for pid, post, charge in u.leaders],
                   "address": f"东台市{self.pick(bank.TOWNS)[0]}路{self.rng.randint(1, 300)}号"}
            self.put(f"units/{u.id}.yml", yaml_text(rec, f"单位：{u.name}"), "unit")
        for p in self.people:
            self.put(f"people/{p.unit}/{p.id}.yml", yaml_text(self.person_record(p), f"人员：{p.name}"), "person")
        for p in self.people:
            years = [y for y, prob in zip(YEARS, (0.85, 0.75)) if self.rng.random() < prob] or [2010]
            for y in years:
                rec = self.personal_form(p, y, self.stage_for(y))
                self.put(f"forms/personal/{y}/{p.unit}/{p.id}-{y}.yml", yaml_text(rec, "个人廉政风险和自我防范承诺表"), "personal")
                self.put(f"assessments/{y}/{p.unit}/{p.id}-kp{y}.yml", yaml_text(self.assessment(p, y), f"{y} 年度考评：{p.name}"), "assessment")
        for u in self.units:
            for d in u.depts:
                for y, prob in zip(YEARS, (0.95, 0.8)):
                    if self.rng.random() < prob:
                        rec = self.department_form(u, d, y, self.stage_for(y))
                        self.put(f"forms/department/{y}/{u.id}/{u.id}-ks-{d.id}-{y}.yml", yaml_text(rec, f"科（处）室廉政风险和防控承诺表：{d.name}"), "department")
            for y in YEARS:
                stage = "confirmed" if y == 2009 else self.pick(("confirmed", "confirmed", "pending", "open"))
                rec = self.unit_form(u, y, stage, bureau)
                self.put(f"forms/unit/{y}/{u.id}-dw-{y}.yml", yaml_text(rec, f"单位（部门）廉政风险和防控承诺表：{u.name}"), "unitform")
            for area, (rid, title, eff) in sorted(u.rules.items()):
                self.put(f"rules/{u.id}/{rid}.md", self.rule_doc(u, rid, title, "操作规程", eff), "rule")
            for rid, title, kind in u.other_rules:
                eff = self.day(dt.date(2006, 1, 1), dt.date(2009, 4, 30))
                self.put(f"rules/{u.id}/{rid}.md", self.rule_doc(u, rid, title, kind, eff), "rule")
            tpls = list(bank.FLOWS[:4])
            if u.kind in ("局机关", "卫生监督所"):
                tpls = [bank.FLOWS[4], bank.FLOWS[3], bank.FLOWS[2]]
            for k, tpl in enumerate(self.rng.sample(tpls, self.rng.randint(2, 3)), 1):
                self.put(f"flows/{u.id}/{u.id}-lc-{k:02d}.yml", yaml_text(self.flow(u, k, tpl), "权力运行流程图"), "flow")


def rule_kind(title: str) -> str:
    if title.endswith("操作规程"):
        return "操作规程"
    if title.endswith("规则"):
        return "办事规则"
    if title.endswith("程序"):
        return "办事程序"
    if title.endswith("标准"):
        return "限定裁量标准"
    if title.endswith("办法"):
        return "操作办法"
    return "制度"


def generate(root: Path, people: int, seed: int = 0) -> dict[str, Any]:
    """Write root/content/ and root/site_config.yml; return a summary.

    The content is written to a fresh folder and swapped in by renaming, so a
    benchmark still reading an older root/content is not cut short halfway.
    root/synth.json (the stamp, with people, seed and the code version) is
    written last, so a half-written folder never looks complete."""
    t0 = time.perf_counter()
    root = Path(root)
    s = Synth(people, seed)
    s.build()
    root.mkdir(parents=True, exist_ok=True)
    content = root / "content"
    stamp = root / STAMP
    if stamp.exists():
        stamp.unlink()
    fresh = Path(tempfile.mkdtemp(prefix=".content-", dir=root))
    for name in ("campaign.yml", "campaign.md"):
        shutil.copyfile(REPO / "content" / name, fresh / name)
    made: set[Path] = set()
    total = 0
    for rel, text in s.files.items():
        path = fresh / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        data = text.encode("utf-8")
        path.write_bytes(data)
        total += len(data)
    fresh.chmod(0o755)  # mkdtemp makes it private
    old = None
    if content.exists():
        old = Path(tempfile.mkdtemp(prefix=".old-", dir=root))
        content.rename(old / "content")
    fresh.rename(content)
    if old is not None:
        shutil.rmtree(old)
    cfg = re.sub(r"(?m)^content:.*$", "content: content", s.site_config_text)
    (root / "site_config.yml").write_text(cfg, encoding="utf-8")
    summary = {
        "people": people, "seed": seed, "version": code_version(), "units": len(s.units),
        "files": len(s.files) + 2, "counts": dict(sorted(s.counts.items())), "bytes": total,
    }
    stamp.write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return {**summary, "seconds": round(time.perf_counter() - t0, 2)}


def cached(root: Path, people: int, seed: int = 0) -> dict[str, Any] | None:
    """The summary of root when it already holds this (people, seed, code version)."""
    try:
        summary = json.loads((Path(root) / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if summary.get("people") == people and summary.get("seed") == seed and summary.get("version") == code_version():
        return summary
    return None


def ensure(root: Path, people: int, seed: int = 0) -> dict[str, Any]:
    """Reuse root when it holds the same content, else generate it."""
    return cached(root, people, seed) or generate(root, people, seed)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="生成确定性的合成内容目录（基准测试用），可通过 check --strict")
    ap.add_argument("--people", type=int, required=True, help="人员数")
    ap.add_argument("--out", type=Path, required=True, help="输出目录（写入 content/ 与 site_config.yml）")
    ap.add_argument("--seed", type=int, default=0, help="随机种子（默认 0）")
    args = ap.parse_args(argv)
    if args.people < 10:
        ap.error("--people 至少为 10")
    summary = generate(args.out, args.people, args.seed)
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
