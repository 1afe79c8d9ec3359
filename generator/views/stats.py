"""The statistics page (统计): risk points, filing, commitments, publicity and
medical-ethics grades for the as-of date, each chart beside its table."""
from __future__ import annotations

from typing import Iterable

from .. import charts
from ..derive import FORM_SHORT, Site
from ..render import Page, Renderer
from ..stats import COUNTED, compute, days_since_close

STATS_PAGE = "stats.md"


def pages(site: Site, r: Renderer) -> Iterable[Page]:
    meta = {"print_footer": f"统计 · 截至 {site.as_of.isoformat()}"}
    if not r.owns(STATS_PAGE):  # another worker of render_pages renders it: skip the counting
        yield Page(STATS_PAGE, "统计", "", nav=("统计", 50), meta=meta)
        return
    st = compute(site)
    figures = (st.risk_by_unit, st.risk_by_area, st.risk_by_level, st.filing, st.commitments, st.publicity, st.ethics)
    svgs = {f.id: charts.bar_chart(f) for f in figures}
    html = r.render(STATS_PAGE, "stats.html", st=st, svgs=svgs, counted="、".join(COUNTED), FORM_SHORT=FORM_SHORT,
                    days_since_close=days_since_close)
    yield Page(STATS_PAGE, "统计", html, nav=("统计", 50), meta=meta)
