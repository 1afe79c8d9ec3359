"""Fixtures for tests that need a built site or a browser (imported by conftest)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from support import browser as _browser
from support.sites import SAMPLE_CONFIG, build


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="regenerate tests/golden from the current output")


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample content built once per test session (per xdist worker)."""
    return build(SAMPLE_CONFIG, tmp_path_factory.mktemp("sample") / "site")


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = _browser.launch(p)
        yield b
        b.close()


@pytest.fixture
def browser_context(chromium: Any) -> Iterator[Any]:
    ctx = chromium.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    yield ctx
    ctx.close()
