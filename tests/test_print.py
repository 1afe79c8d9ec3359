"""Pledge forms print on A4 like the paper form: title, record id, page numbers."""
from __future__ import annotations

import datetime as dt
import io
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from generator.check import run_check
from generator.derive import derive
from support.serve import serve
from support.sites import SAMPLE_CONFIG, config

pytestmark = pytest.mark.browser


# The CJK font maps some glyphs to radicals in the PDF's text layer (⼈ for 人,
# ⻛ for 风): NFKC folds the Kangxi ones, this table the simplified supplement.
RADICALS = str.maketrans("⻛⻔⻚⻓⻢⻋⻅⻆⻘⻝⻩⻬⻜⻤⻰⻥⻦⻨⻮⻳⺠", "风门页长马车见角青食黄齐飞鬼龙鱼鸟麦齿龟民")


def plain(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).translate(RADICALS).split())


def published(kind: str) -> Any:
    cfg = config(SAMPLE_CONFIG)
    site = derive(cfg, run_check(cfg).content, cfg.as_of())
    return next(fv for fv in sorted(site.forms.values(), key=lambda f: f.id) if fv.type == kind and fv.published)


@pytest.mark.parametrize("kind", ["personal", "unitform"])
def test_form_prints_as_a4_pdf(kind: str, sample_site: Path, browser_context: Any, tmp_path: Path) -> None:
    fv = published(kind)
    with serve(sample_site) as base:
        page = browser_context.new_page()
        page.goto(f"{base}forms/{fv.id}.html")
        page.emulate_media(media="print")
        assert page.locator(".md-header").is_hidden()
        pdf = page.pdf(format="A4", print_background=True)
    (tmp_path / f"{fv.id}.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(p.extract_text() for p in reader.pages)
    squeezed = plain(text)
    assert 1 <= len(reader.pages) <= 6
    assert plain(fv.rec.rtype.label) in squeezed
    assert fv.id in squeezed
    assert "第1页" in squeezed
    assert "打印本表" not in squeezed  # buttons and site chrome stay off paper


def test_unit_prints_all_its_forms_in_one_document(sample_site: Path, browser_context: Any) -> None:
    fv = published("unitform")
    with serve(sample_site) as base:
        page = browser_context.new_page()
        page.goto(f"{base}print/{fv.unit_id}.html")
        n_forms = page.locator(".lz-print-section").count()
        pdf = page.pdf(format="A4")
    reader = PdfReader(io.BytesIO(pdf))
    assert n_forms >= 2
    assert len(reader.pages) >= n_forms  # each form starts on a new page


def test_an_open_form_prints_with_its_qr_code(sample_site: Path, browser_context: Any) -> None:
    """The printed notice of a form open for comment carries the QR code of its
    comment link (an image file of the site), which paper needs: the link is not printed."""
    cfg = config(SAMPLE_CONFIG)
    site = derive(cfg, run_check(cfg).content, cfg.as_of())
    fv = next(fv for fv in sorted(site.forms.values(), key=lambda f: f.id) if fv.status == "公示中")
    with serve(sample_site) as base:
        page = browser_context.new_page()
        # the day the site was built for: comment.js hides the link and code once the window has closed
        page.clock.install(time=dt.datetime.combine(site.as_of, dt.time(9), tzinfo=site.cfg.tz))
        page.goto(f"{base}forms/{fv.id}.html")
        page.emulate_media(media="print")
        qr = page.locator(".lz-qr img")
        assert qr.is_visible()
        assert qr.evaluate("img => img.complete && img.naturalWidth > 0")  # the file loaded
        box = qr.bounding_box()
        assert box is not None and box["width"] >= 100  # large enough to scan from paper
        pdf = page.pdf(format="A4", print_background=True)
    assert "扫码提出意见" in plain("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
