"""One page per power-operation flow (权力运行流程图); its unit's page lists
it with its counts (the units view calls flow_figure, registered here first)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from markupsafe import Markup

from .. import flowchart
from ..derive import Site
from ..paths import flow_page
from ..records import Record
from ..render import Page, Renderer


@dataclass
class FlowFigure:
    rec: Record
    flow: flowchart.Flow
    svg: Markup

    @property
    def counts(self) -> dict[str, int]:
        return self.flow.level_counts()


def figures(site: Site) -> dict[str, FlowFigure]:
    out = {}
    for fl in sorted(site.content.of_type["flow"], key=lambda f: f.id):
        model = flowchart.model(fl.id, fl.data)
        out[fl.id] = FlowFigure(fl, model, flowchart.svg(model))
    return out


def pages(site: Site, r: Renderer) -> Iterable[Page]:
    figs = figures(site)
    # unit pages list their flows with the figures' counts: look them up there
    r.env.globals["flow_figure"] = figs.get
    for fid, fig in figs.items():
        path = flow_page(fid)
        rec = fig.rec
        yield Page(path, rec["title"], r.render(path, "flow.html", source=rec.path, fig=fig, rec=rec),
                   source=rec.path, meta={"pagefind": True, "kind": "流程图", "unit": rec["unit"],
                                          "print_footer": f"{rec['title']} · 记录编号 {fid}"})
