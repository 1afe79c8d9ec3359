"""The home page and the campaign document."""
from __future__ import annotations

from typing import Iterable

from ..derive import Site
from ..prose import to_html
from ..publicity import CONFIRMED, OPEN, PENDING
from ..render import Page, Renderer

HOME_OPEN_LIMIT = 20
HOME_RECENT_LIMIT = 10


def phases(site: Site) -> list[dict[str, object]]:
    camp = site.content.campaign
    out = []
    for ph in camp.get("phases", []) if camp else []:
        state = "past" if ph["ends"] < site.as_of else ("future" if ph["starts"] > site.as_of else "current")
        out.append({**ph, "state": state})
    return out


def pages(site: Site, r: Renderer) -> Iterable[Page]:
    camp = site.content.campaign
    assert camp is not None  # check refuses content without a campaign
    visible = site.visible_forms()
    open_forms = sorted((fv for fv in visible if fv.status == OPEN), key=lambda fv: (fv.window.closes if fv.window else site.as_of, fv.id))
    recent = sorted((fv for fv in visible if fv.status == CONFIRMED),
                    key=lambda fv: (fv.rec["confirmation"]["on"], fv.id), reverse=True)[:HOME_RECENT_LIMIT]
    rows = []
    for u in site.content.units():
        forms = [fv for fv in site.by_unit.get(u.id, []) if site.shown(fv)]
        rows.append({
            "id": u.id, "people": len(site.people_by_unit.get(u.id, [])), "published": len(forms),
            "open": sum(fv.status == OPEN for fv in forms), "pending": sum(fv.status == PENDING for fv in forms),
            "confirmed": sum(fv.status == CONFIRMED for fv in forms),
        })
    yield Page("index.md", "首页", r.render("index.md", "home.html", camp=camp.data, phases=phases(site),
                                             open_forms=open_forms[:HOME_OPEN_LIMIT], more_open=max(0, len(open_forms) - HOME_OPEN_LIMIT),
                                             recent=recent, unit_rows=rows), nav=("首页", 0))
    body = ""
    doc = camp.get("document")
    if doc:
        body = to_html((site.cfg.content_dir / doc).read_text(encoding="utf-8-sig"))
    yield Page("campaign.md", "实施方案", r.render("campaign.md", "campaign.html", source=camp.path, camp=camp.data, body=body),
               nav=("实施方案", 1), source=camp.path, meta={"pagefind": True})
