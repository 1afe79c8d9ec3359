"""The built sample site: offline, reproducible, private values absent,
failed builds leave the previous site untouched."""
from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from generator.build import BuildFailed
from generator.check import iter_private_values, run_check
from support.reproducible import compare_trees
from support.sites import SAMPLE_CONFIG, build, config, copy_tree

# XML namespace names are identifiers, never fetched.
NAMESPACES = ("http://www.w3.org/", "https://www.w3.org/", "http://www.sitemaps.org/schemas/")
# Literals that name no resource: pagefind.js parses result URLs against a
# dummy base (`new URL(url, "https://example.com")`) and never requests it.
INERT_JS = ("https://example.com${",)
HTML_REF = re.compile(r"""\b(?:src|href|srcset|action|poster|data|formaction|xlink:href)\s*=\s*["']?\s*([^"'\s>]+)""", re.I)
CSS_REF = re.compile(r"""url\(\s*["']?([^"')]+)|@import\s+["']([^"']+)""", re.I)
JS_URL = re.compile(r"""["'`]((?:https?:)?//[^"'`\s]+)""")
JS_COMMENT = re.compile(r"/\*.*?\*/", re.S)


def foreign(url: str, allowed_hosts: set[str]) -> bool:
    url = url.strip()
    if url.startswith(NAMESPACES):
        return False
    parts = urlsplit(url)
    if parts.scheme in ("", "data", "mailto", "javascript") and not url.startswith("//"):
        return False
    return parts.hostname not in allowed_hosts


def test_no_page_or_asset_refers_to_another_host(sample_site: Path) -> None:
    comment_host = urlsplit(config(SAMPLE_CONFIG).publicity["comment_url"]).hostname
    bad: list[str] = []
    for f in sample_site.rglob("*"):
        if f.suffix not in (".html", ".css", ".js", ".xml") or not f.is_file():
            continue
        text = f.read_text(encoding="utf-8", errors="replace")
        rel = f.relative_to(sample_site)
        if f.suffix in (".html", ".xml"):
            for m in HTML_REF.finditer(text):
                # the bureau's own comment form is the one link allowed to leave the site
                is_anchor = text.rfind("<a ", 0, m.start()) > text.rfind(">", 0, m.start())
                if foreign(m.group(1), {comment_host} if is_anchor else set()):
                    bad.append(f"{rel}: {m.group(1)}")
        if f.suffix in (".css", ".html"):
            for m in CSS_REF.finditer(text):
                if foreign(m.group(1) or m.group(2), set()):
                    bad.append(f"{rel}: {m.group(0)}")
        if f.suffix == ".js":
            for m in JS_URL.finditer(JS_COMMENT.sub("", text)):
                if foreign(m.group(1), set()) and not m.group(1).startswith(INERT_JS):
                    bad.append(f"{rel}: {m.group(1)}")
    assert not bad, "references to other hosts:\n" + "\n".join(bad[:50])


def tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_content_and_date_give_identical_trees(sample_site: Path, tmp_path: Path) -> None:
    again = build(SAMPLE_CONFIG, tmp_path / "again")
    assert compare_trees(sample_site, again) == []


def readable(path: Path) -> str:
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":  # Pagefind's index fragments are gzipped
        try:
            data = gzip.decompress(data)
        except OSError:
            pass
    return data.decode("utf-8", errors="replace")


def test_private_values_never_reach_the_site(sample_site: Path) -> None:
    content = run_check(config(SAMPLE_CONFIG)).content
    private = sorted({v for v in iter_private_values(content) if len(v) >= 4})
    assert private, "the sample content should carry private values to prove this"
    leaks = []
    for f in sample_site.rglob("*"):
        if f.is_file():
            text = readable(f)
            leaks += [f"{f.relative_to(sample_site)}: {v}" for v in private if v in text]
    assert not leaks, leaks[:20]


def test_unpublished_forms_appear_nowhere(sample_site: Path) -> None:
    cfg = config(SAMPLE_CONFIG)
    from generator.derive import derive

    site = derive(cfg, run_check(cfg).content, cfg.as_of())
    hidden = [fv for fv in site.forms.values() if not fv.published]
    assert hidden, "the sample should have forms whose window has not opened"
    html = "\n".join(readable(f) for f in sample_site.rglob("*.html"))
    for fv in hidden:
        assert f"forms/{fv.id}.html" not in html
        assert not (sample_site / "forms" / f"{fv.id}.html").exists()


def test_drafts_preview_marks_unpublished_forms(tmp_path: Path) -> None:
    cfg = config(SAMPLE_CONFIG)
    from generator.derive import derive

    site = derive(cfg, run_check(cfg).content, cfg.as_of())
    draft = next(fv for fv in site.forms.values() if not fv.published)
    out = build(SAMPLE_CONFIG, tmp_path / "drafts", drafts=True)
    page = (out / "forms" / f"{draft.id}.html").read_text(encoding="utf-8")
    assert "草稿预览" in page
    assert "data-pagefind-body" not in page


def test_failed_build_leaves_previous_site(tmp_path: Path) -> None:
    conf = copy_tree(SAMPLE_CONFIG, tmp_path / "proj")
    out = build(conf, tmp_path / "site")
    before = tree_digest(out)
    unit = next((tmp_path / "proj" / "content" / "units").glob("*.yml"))
    unit.write_text(unit.read_text(encoding="utf-8") + "\nbogus_key: 1\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as e:
        build(conf, out)
    assert any("bogus_key" in p.format() for p in e.value.problems)
    assert tree_digest(out) == before
    assert [p.name for p in out.parent.iterdir() if "staging" in p.name] == []
