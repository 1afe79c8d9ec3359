"""`serve`: preview on localhost, rebuilding when content, templates or config change."""
from __future__ import annotations

import argparse
import functools
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from ..build import BuildFailed, build_site
from ..config import load_config
from ..render import THEME

POLL_SECONDS = 1.0


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("serve", parents=[parent], help="本机预览站点，内容、模板或配置改动后自动重新生成",
                       description="在本机启动预览服务器（仅 127.0.0.1），监视内容目录、theme/ 和配置文件，"
                                   "改动后自动重新生成；生成失败时继续显示上一次的站点并列出问题。按 Ctrl+C 退出。")
    p.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
    p.add_argument("--out", metavar="DIR", default="build/preview", help="预览站点目录（默认 build/preview）")
    p.add_argument("--drafts", action="store_true", help="包含尚未公示的草稿（页面标注“草稿预览”）")
    p.set_defaults(run=run)


class _Handler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def snapshot(paths: list[Path]) -> dict[str, float]:
    """Modification times of every file below the watched paths."""
    out: dict[str, float] = {}
    for root in paths:
        files = [root] if root.is_file() else (p for p in root.rglob("*") if p.is_file())
        for f in files:
            try:
                out[str(f)] = f.stat().st_mtime
            except OSError:
                pass
    return out


def run(ctx) -> int:  # type: ignore[no-untyped-def]
    out = Path(ctx.args.out).resolve()
    cfg_path = Path(ctx.args.config)

    def rebuild() -> bool:
        cfg, probs = load_config(cfg_path)
        if cfg is None:
            probs.report(sys.stderr)
            return False
        try:
            build_site(cfg, cfg.as_of(ctx.args.as_of), out, drafts=ctx.args.drafts)
            return True
        except BuildFailed as e:
            e.problems.report(sys.stderr, files=e.files)
            print("生成失败，继续显示上一次的站点。", file=sys.stderr)
            return False

    if not rebuild() and not out.exists():
        return 1
    watched = [cfg_path.resolve(), ctx.cfg.content_dir, THEME]
    handler = functools.partial(_Handler, directory=str(out))
    try:
        httpd = ThreadingHTTPServer(("127.0.0.1", ctx.args.port), handler)
    except OSError as e:
        print(f"错误：无法使用端口 {ctx.args.port}（{e.strerror}）；可用 --port 换一个", file=sys.stderr)
        return 2
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    print(f"预览地址：http://127.0.0.1:{ctx.args.port}/ （Ctrl+C 退出）", file=sys.stderr)
    seen = snapshot(watched)
    try:
        while True:
            time.sleep(POLL_SECONDS)
            now = snapshot(watched)
            if now != seen:
                seen = now
                print("检测到改动，重新生成 …", file=sys.stderr)
                rebuild()
    except KeyboardInterrupt:
        print("预览已停止", file=sys.stderr)
    finally:
        httpd.shutdown()
    return 0
