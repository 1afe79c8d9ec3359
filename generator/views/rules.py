"""The rule-document library (制度汇编) and one page per document."""
from __future__ import annotations

from collections import defaultdict
from itertools import groupby
from typing import Iterable

from ..derive import FormView, Site
from ..paths import rule_page
from ..prose import to_html
from ..records import RULE_KINDS
from ..render import Page, Renderer


def pages(site: Site, r: Renderer) -> Iterable[Page]:
    cited: dict[str, list[FormView]] = defaultdict(list)
    for fv in site.visible_forms():
        if fv.type == "unitform":
            ids = {m["rule"] for risk in fv.rec["risks"] for m in risk.get("measures_taken", []) if m.get("rule")}
            for rid in ids:
                cited[rid].append(fv)
    rules = site.content.of_type["rule"]
    for rule in rules:
        path = rule_page(rule.id)
        body = to_html(rule.body) if r.owns(path) else ""  # the Markdown only where the page is rendered
        yield Page(path, rule["title"], r.render(path, "rule.html", source=rule.path, rule=rule, body=body,
                                                 cited_by=cited.get(rule.id, [])),
                   source=rule.path, meta={"pagefind": True, "kind": "制度文本", "unit": rule["unit"]})
    groups = []
    for u in site.content.units():
        mine = sorted(site.rules_by_unit.get(u.id, []), key=lambda x: (RULE_KINDS.index(x["kind"]), x["effective"], x.id))
        if mine:
            kinds = [(k, list(g)) for k, g in groupby(mine, key=lambda x: x["kind"])]
            groups.append({"unit": u.id, "count": len(mine), "kinds": kinds})
    yield Page("library.md", "制度汇编", r.render("library.md", "rules_index.html", groups=groups, total=len(rules)),
               nav=("制度汇编", 40))
