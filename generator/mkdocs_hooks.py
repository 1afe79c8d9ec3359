"""MkDocs hooks (mkdocs.yml `hooks:`): run by `mkdocs build` and by our
engine alike (engine.py calls the same plugin events), so both keep giving
the same bytes."""
from __future__ import annotations

import re
from typing import Any

# A run of white space between two tags that holds a line break: Material's
# templates indent and leave blank lines, about 2 KB of every page.
_RUN = re.compile(r">[ \t\r\n]*\n[ \t\r\n]*<")
# Where white space is content. Every tag on our pages is lower case (our
# templates, Material's, Markdown's; record text is escaped).
_KEEP = ("pre", "textarea", "script")


def kept(html: str) -> list[tuple[int, int]]:
    """Start and end of each <pre>, <textarea> and <script> element, in
    order, overlapping ones merged."""
    found = []
    for tag in _KEEP:
        at = html.find("<" + tag)
        while at >= 0:
            if html[at + 1 + len(tag):at + 2 + len(tag)] in (" ", ">", "\n", "\t", "/", ""):
                close = html.find("</" + tag, at)
                end = len(html) if close < 0 else (html.find(">", close) + 1 or len(html))
                found.append((at, end))
                at = html.find("<" + tag, end)
            else:
                at = html.find("<" + tag, at + 1)
    merged: list[tuple[int, int]] = []
    for a, b in sorted(found):
        if merged and a < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def squeeze(html: str) -> str:
    """The page with each such run cut to one line break. A browser shows a
    run of spaces and line breaks between tags as one space (or nothing), so
    the page looks and reads the same; <pre>, <textarea> and <script> are
    left as they are."""
    n = len(html)
    out = []
    free = 0  # start of the text between blocks
    for a, b in kept(html) + [(n, n)]:
        # borrow the ">" ending the block before and the "<" starting the
        # next, so that runs beside a block are cut too; drop them after
        lo = free - 1 if free else 0
        hi = a + 1 if a < n else n
        cut = _RUN.sub(">\n<", html[lo:hi])
        out.append(cut[free - lo:len(cut) - (hi - a)])
        out.append(html[a:b])
        free = b
    return "".join(out)


def on_post_page(output: str, page: Any, config: Any) -> str:
    return squeeze(output)


def on_post_template(output_content: str, template_name: str, config: Any) -> str:
    return squeeze(output_content)  # 404.html
