"""Command line: `python -m generator <command>`; every command in its own module."""
from __future__ import annotations

import argparse
import datetime as dt
import errno
import importlib
import os
import sys
from pathlib import Path
from typing import Callable, NoReturn

from . import __version__
from .config import Config, load_config
from .problems import UserError

# Each module in generator/commands registers one command (or a group).
COMMANDS = ("check", "schema", "new", "build", "serve", "publish", "verify", "editions", "diff", "rebuild", "template", "importing", "export", "feedback", "confirm")


class Context:
    """What every command gets: parsed arguments and, lazily, the configuration."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self._cfg: Config | None = None

    @property
    def cfg(self) -> Config:
        if self._cfg is None:
            cfg, probs = load_config(Path(self.args.config))
            if cfg is None or probs.errors:
                probs.report(sys.stderr)
                raise SystemExit(2)
            self._cfg = cfg
        return self._cfg

    @property
    def as_of(self) -> dt.date:
        return self.cfg.as_of(self.args.as_of)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是 YYYY-MM-DD 格式的日期") from None


def add_common_options(p: argparse.ArgumentParser, suppress: bool = False) -> None:
    """--config and --as-of, accepted before or after the command name."""
    p.add_argument("--config", default=argparse.SUPPRESS if suppress else "site_config.yml", metavar="PATH",
                   help="站点配置文件（默认 site_config.yml；其中指明内容目录）")
    p.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD", default=argparse.SUPPRESS if suppress else None,
                   help="按此日期推算公示状态（默认：配置中固定的日期，否则为配置时区的今天）")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line; only: register just this command (its module alone is imported)."""
    parser = argparse.ArgumentParser(
        prog="python -m generator",
        description="廉政风险防控承诺公示站点生成器：把 content/ 中的记录检查后生成可检索、可打印、离线可用的内网站点。",
        epilog="各命令的用法：python -m generator <命令> --help",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    add_common_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="<命令>")
    parent = argparse.ArgumentParser(add_help=False)
    add_common_options(parent, suppress=True)
    for name in (only,) if only in COMMANDS else COMMANDS:
        mod = importlib.import_module(f".commands.{name}", __package__)
        mod.register(sub, parent)
    return parser


_OS_REASONS = {
    errno.EEXIST: "路径中有同名的文件，不是文件夹", errno.ENOTDIR: "路径中有同名的文件，不是文件夹",
    errno.EISDIR: "是一个文件夹", errno.EACCES: "没有权限", errno.EPERM: "没有权限", errno.ENOENT: "不存在",
    errno.ENOSPC: "磁盘空间不足", errno.EROFS: "文件系统只读", errno.ENAMETOOLONG: "文件名过长",
}


def os_error_text(e: OSError) -> str:
    reason = _OS_REASONS.get(e.errno or 0, e.strerror or str(e))
    where = e.filename2 or e.filename  # a rename names its target second
    return f"无法读写 {where}：{reason}" if where else f"文件操作失败：{reason}"


def _command_in(argv: list[str]) -> str | None:
    """The command named on the line, past any leading --config/--as-of (and their values)."""
    i = 0
    while i < len(argv):
        tok = argv[i]
        if tok in ("--config", "--as-of"):
            i += 2
        elif tok.startswith("-"):
            i += 1
        else:
            return tok
    return None


def exit_with() -> NoReturn:
    """The console command: main(), then leave without freeing the records one
    by one (10,000 people: 0.15 s), as everything is written and closed by now."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away (| head): nothing more to say to it
            pass
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # Importing every command's module (Jinja, openpyxl, MkDocs glue ...) takes a
    # fifth of a second; a command line that starts with a command needs only its own.
    parser = build_parser(_command_in(argv))
    args = parser.parse_args(argv)
    run: Callable[[Context], int] | None = getattr(args, "run", None)
    if run is None:
        build_parser().print_help()
        return 2
    try:
        return run(Context(args))
    except UserError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    except OSError as e:  # the file system refused (a file where a folder should be, no permission, disk full)
        print(f"错误：{os_error_text(e)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130
