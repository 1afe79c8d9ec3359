"""Material's version selector switches between editions; an older edition
shows the 此为历史版本 banner."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from generator.editions import Archive, publish
from support.serve import serve
from support.sites import config, copy_tree

pytestmark = pytest.mark.browser
MINI = Path(__file__).parent / "fixtures" / "mini" / "site_config.yml"


def test_version_selector_and_outdated_banner(tmp_path: Path, browser_context: Any) -> None:
    cfg = config(copy_tree(MINI, tmp_path / "proj"))
    old = publish(cfg, dt.date(2009, 6, 20), "六月发布", lambda _m: None).id
    new = publish(cfg, dt.date(2009, 7, 1), "七月发布", lambda _m: None).id
    with serve(Archive(cfg.archive_dir).public, "/lianzheng/") as base:
        page = browser_context.new_page()
        page.goto(base)  # the root redirects to the current edition
        page.wait_for_url("**/current/index.html")
        selector = page.locator(".md-version")
        selector.wait_for()
        items = page.locator(".md-version__link")
        assert sorted(items.all_text_contents()) == sorted([f"{new}（当前）", old])
        assert page.locator("[data-md-component=outdated]").is_hidden()
        # the list opens on hover; a script click is what a mouse click on the item triggers
        page.locator(".md-version__link", has_text=old).evaluate("a => a.click()")
        page.wait_for_url(f"**/{old}/**")
        banner = page.locator("[data-md-component=outdated]")
        banner.wait_for(state="visible")
        assert "此为历史版本" in banner.inner_text()
        banner.locator("a").click()
        page.wait_for_url("**/current/index.html")
