"""Build real sites (the real pipeline, real MkDocs, real Pagefind) for tests."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from generator.build import build_site
from generator.config import Config, load_config

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_CONFIG = ROOT / "site_config.yml"


def config(path: Path) -> Config:
    cfg, probs = load_config(path)
    assert cfg is not None, "\n".join(p.format() for p in probs)
    return cfg


def build(config_path: Path, out: Path, as_of: dt.date | None = None, drafts: bool = False) -> Path:
    cfg = config(config_path)
    build_site(cfg, cfg.as_of(as_of), out, drafts=drafts, progress=lambda _msg: None)
    return out


def copy_tree(src_config: Path, dest: Path) -> Path:
    """Copy a config and its content folder into dest; returns the new config path."""
    cfg = config(src_config)
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(cfg.content_dir, dest / "content")
    text = src_config.read_text(encoding="utf-8")
    (dest / "site_config.yml").write_text(text, encoding="utf-8")
    return dest / "site_config.yml"
