"""The search results page (search.md → search.html): a form, filters and a
result list driven by theme/assets/search.js on Pagefind's pagefind.js.

It works from a link (search.html?q=回扣&单位=人民医院) and from the search box
in the Material header (theme/overrides/partials/header.html). The page
itself is not indexed.
"""
from __future__ import annotations

import json
from typing import Iterable

from ..derive import FORM_SHORT, Site
from ..publicity import STATUSES
from ..records import KEY_AREAS, LEVELS
from ..render import Page, Renderer
from ..search import BUNDLE_DIR, FILTERS, WORDS_FILE

PATH = "search.md"
NAV = ("全文检索", 90)


def filter_order() -> dict[str, list[str]]:
    """Domain order of filter values; values not listed sort by pinyin."""
    return {
        "类别": ["承诺表", "人员", "单位", "科室", "制度文本", "流程图"],
        "表类": list(FORM_SHORT.values()),
        "公示状态": list(STATUSES),
        "风险等级": list(LEVELS),
        "重点领域": list(KEY_AREAS),
    }


def pages(site: Site, r: Renderer) -> Iterable[Page]:
    config = {
        "bundle": BUNDLE_DIR + "/pagefind.js",
        "words": BUNDLE_DIR + "/" + WORDS_FILE,
        "filters": list(FILTERS),
        "order": filter_order(),
        "root": "./",  # where Pagefind's result URLs start (search.html is at the root)
    }
    html = r.render(PATH, "search.html", config=json.dumps(config, ensure_ascii=False, sort_keys=True),
                    bundle=BUNDLE_DIR)
    # a script of its own, after the page content (theme/overrides/main.html): page bodies hold no <script>
    yield Page(PATH, "全文检索", html, nav=NAV, meta={"search_init": "assets/search-init.js"})
