"""The MkDocs boundary: the only module that knows about MkDocs and Material.

It writes the generated pages as a docs folder plus an mkdocs.yml, and runs the
engine as a library. A move to another engine that reads mkdocs.yml touches
only this module.
"""
from __future__ import annotations

import html
import json
import logging
import os
import re
import shutil
from pathlib import Path
from typing import Any, Iterable

import yaml

from .render import THEME, Page

ASSETS = ("assets/site.css", "assets/site.js")


def css_string(text: str) -> str:
    """Contents of a CSS string literal: everything but letters, digits and
    CJK as hex escapes, so no quote or angle bracket reaches the style block."""
    return "".join(c if (c.isalnum() and c not in "\\") or c == " " else f"\\{ord(c):x} " for c in text)


def html_text(text: str) -> str:
    """Text for a place where Material prints a string as HTML: its templates
    are not autoescaped, so the site name, the footer and every page and nav
    title (record text, config values) are escaped here, once."""
    return html.escape(text, quote=True)


def front_matter(page: Page) -> str:
    meta: dict[str, Any] = {"title": html_text(page.title), "hide": ["toc"]}
    meta.update({k: v for k, v in page.meta.items() if v not in (None, False, "")})
    if meta.get("print_footer"):
        meta["print_footer_css"] = css_string(str(meta["print_footer"]))
    # JSON is valid YAML and escapes every value safely
    return "---\n" + "\n".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in meta.items()) + "\n---\n\n"


def page_source(page: Page) -> str:
    return front_matter(page) + page.html + "\n"


def write_docs(pages: Iterable[Page], docs: Path) -> int:
    """Write pages, keeping files whose text did not change (and their mtime,
    so a dirty engine run can skip them)."""
    written = 0
    wanted: set[Path] = set()
    for page in pages:
        target = docs / page.path
        wanted.add(target)
        text = page_source(page)
        try:
            if target.read_text(encoding="utf-8") == text:
                continue
        except (FileNotFoundError, UnicodeDecodeError):
            pass
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written += 1
    assets = docs / "assets"
    if assets.exists():
        shutil.rmtree(assets)
    shutil.copytree(THEME / "assets", assets)
    for path in docs.rglob("*.md"):
        if path not in wanted:
            path.unlink()
    return written


def mkdocs_config(site_name: str, nav: list[tuple[str, str]], footer: str, docs_dir: Path, site_dir: Path,
                  versioned: bool = False) -> dict[str, Any]:
    extra: dict[str, Any] = {"generator": False}
    if versioned:
        # Material's version selector reads ../versions.json beside the editions;
        # any edition not aliased "current" shows the outdated banner.
        extra["version"] = {"provider": "mike", "default": "current"}
    return {
        "site_name": html_text(site_name),
        "docs_dir": str(docs_dir),
        "site_dir": str(site_dir),
        "use_directory_urls": False,  # plain files: works from any static server, sub-path or disk
        "strict": False,
        "theme": {
            "name": "material",
            "language": "zh",
            "custom_dir": str(THEME / "overrides"),
            "font": False,  # no Google Fonts: the intranet has no internet
            "features": ["navigation.top", "content.tooltips"],
            "palette": {"scheme": "default", "primary": "custom", "accent": "custom"},  # colours in site.css (contrast-checked)
            "icon": {"logo": "material/shield-check-outline"},
        },
        "plugins": [],  # Material's search plugin off: Pagefind replaces it
        "extra_css": [ASSETS[0], "assets/archive.css", "assets/flow.css", "assets/stats.css"],  # archive.css: the archives' yearly forms
        "extra_javascript": [ASSETS[1], "assets/comment.js"],  # comment.js: hides comment links after the window closes
        "extra": extra,
        "copyright": html_text(footer),
        "nav": [{html_text(label): path} for label, path in nav],
        "not_in_nav": "/*",
        "validation": {"nav": {"omitted_files": "ignore", "not_found": "warn"}, "links": {"not_found": "warn"}},
    }


def write_config(cfg: dict[str, Any], path: Path) -> None:
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")


# Material's bundle can load scripts from CDNs (a ResizeObserver polyfill on old
# browsers, mermaid when a diagram is present) and call the GitHub or GitLab API
# when a repository is configured. The intranet has no internet: point them nowhere.
FOREIGN_SCRIPT_PREFIXES = ("https://unpkg.com/", "https://api.github.com/", "https://${e}/api/v4/")
UNUSED_ASSETS = ("assets/javascripts/lunr", "assets/javascripts/workers")  # Material's own search, replaced by Pagefind


def offline_assets(site_dir: Path) -> None:
    for rel in UNUSED_ASSETS:
        shutil.rmtree(site_dir / rel, ignore_errors=True)
    for js in (site_dir / "assets" / "javascripts").glob("bundle.*.js*"):
        if js.suffix == ".map":
            js.unlink()  # source maps name the theme's sources; nothing needs them offline
            continue
        text = js.read_text(encoding="utf-8")
        patched = text
        for prefix in FOREIGN_SCRIPT_PREFIXES:
            patched = patched.replace(prefix, "data:text/javascript,//")
        patched = re.sub(r"\n?//# sourceMappingURL=\S+\s*$", "\n", patched)
        if patched != text:
            js.write_text(patched, encoding="utf-8")


def run_mkdocs(config_file: Path, dirty: bool = False) -> None:
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    cfg = load_config(config_file=str(config_file))
    cfg.plugins.on_startup(command="build", dirty=dirty)
    try:
        build(cfg, dirty=dirty)
    finally:
        cfg.plugins.on_shutdown()
    offline_assets(Path(cfg["site_dir"]))
