"""Headless Debian Chromium driven by Playwright (its own browser download
does not work here)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def launch(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)


@dataclass
class Watch:
    """What a page did: console messages, dialogs and requests to other hosts."""

    console: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)


def watched_page(context: Any) -> tuple[Any, Watch]:
    w = Watch()
    page = context.new_page()
    page.on("console", lambda m: w.console.append(m.text))

    def dialog(d: Any) -> None:
        w.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)

    def request(req: Any) -> None:
        host = urlsplit(req.url).hostname
        if req.url.startswith(("http:", "https:")) and host not in ("127.0.0.1", "localhost"):
            w.foreign.append(req.url)

    page.on("request", request)
    return page, w
