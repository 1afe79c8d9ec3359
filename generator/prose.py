"""Markdown for rule documents and the campaign text, with raw HTML disabled
and only safe link targets kept."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import markdown
from markupsafe import Markup
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

SAFE_URL = re.compile(r"^(https?:|mailto:|#|[^:]*$)", re.I)


class _SafeLinks(Treeprocessor):
    def run(self, root: ET.Element) -> None:
        for el in root.iter():
            for attr in ("href", "src"):
                v = el.get(attr)
                # strip control characters and whitespace browsers ignore in schemes
                if v is not None and not SAFE_URL.match(re.sub(r"[\x00-\x20]", "", v)):
                    el.set(attr, "#")
            if el.tag == "img":
                # images would load from wherever the author pointed: show the alt text instead
                el.tag = "span"
                el.text = el.get("alt", "")
                for k in list(el.attrib):
                    del el.attrib[k]


class SafeExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - Markdown's API
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_SafeLinks(md), "safe_links", 0)


def to_html(text: str) -> Markup:
    """Markup, so that templates insert it as HTML: raw HTML in the source was
    escaped, unsafe URLs replaced and images dropped here (without it the
    documents showed as tag soup, their own <p> and <h1> escaped)."""
    md = markdown.Markdown(extensions=["tables", "sane_lists", SafeExtension()], output_format="html")
    return Markup(md.convert(text))
