"""Stage 1: read record files into validated plain data, with positions.

Structural validation (types, enumerations, unknown and duplicate keys) runs on
the YAML node tree so every problem carries its line and column. Cross-record
rules live in check.py.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import fcntl
import gc
import os
import re
import stat
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import yaml

from .fields import ID_PATTERN, Field, Shape, may_hold_private, strip_private
from .loadcache import PRIVATE_MASK, LoadCache, digest, file_digest
from .problems import ERROR, WARNING, Problem
from .records import BY_NAME, Record, RecordType
from .ticker import Ticker

try:  # libyaml ships in PyYAML's wheels; the pure-Python parser is 15x slower
    from yaml import CSafeLoader as _Loader
    from yaml._yaml import CParser as _CParser

    _TAGS = {yaml.ScalarNode: "tag:yaml.org,2002:str", yaml.SequenceNode: "tag:yaml.org,2002:seq",
             yaml.MappingNode: "tag:yaml.org,2002:map"}

    class _Composer(_CParser):
        """libyaml composing node trees without resolving implicit tags.

        The validator types every scalar by its field's declaration and never
        reads a tag; resolving them (a Python regex match per scalar) was a
        third of compose time. Syntax errors and positions are libyaml's own."""

        def resolve(self, kind: type, value: Any, implicit: Any) -> str:
            return _TAGS[kind]

        def descend_resolver(self, parent: Any, index: Any) -> None:
            pass

        def ascend_resolver(self) -> None:
            pass
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]
    _Composer = _Loader  # type: ignore[assignment,misc]


def _compose_text(text: str) -> yaml.Node | None:
    loader = _Composer(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_NODES = 50_000  # nodes revisited per file through aliases: bounds "billion laughs"
MAX_TEXT = 20_000  # characters in one field
MAX_DEPTH = 40
MIN_YEAR, MAX_YEAR = 1900, 2100  # dates outside are refused as invalid
ID_RE = re.compile(ID_PATTERN)
DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
# C0/C1 controls (except tab and newline) and bidirectional overrides can hide
# or reorder text in a reader's browser.
BAD_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f]")
PARALLEL_MIN_FILES = 1500


@dataclass
class Loaded:
    records: list[Record]
    problems: list[Problem]
    files: int
    broken: dict[str, str]  # id -> type of files that failed alone: no cascading reference errors
    cached: int = 0  # files whose record came from the cache (loadcache.py)
    # with a cache: path → digest of the bytes each file had when read (not links);
    # an edition copies those bytes (editions.copy_content)
    digests: dict[str, bytes] | None = None


def record_type_for(rel: str) -> RecordType | None:
    """The record type a content file holds, from its folder."""
    parts = rel.split("/")
    if rel == "campaign.yml":
        return BY_NAME["campaign"]
    if len(parts) < 2:
        return None
    top = parts[0]
    if top == "forms" and len(parts) >= 3:
        return {"personal": BY_NAME["personal"], "department": BY_NAME["department"], "unit": BY_NAME["unitform"]}.get(parts[1])
    return {"units": BY_NAME["unit"], "people": BY_NAME["person"], "rules": BY_NAME["rule"],
            "flows": BY_NAME["flow"], "assessments": BY_NAME["assessment"]}.get(top)


def resume_gc() -> None:
    """Switch the cyclic collector back on after a batch of long-lived objects.

    Everything allocated while it was off sits in the youngest generation, so
    its next run (at the next allocation) would scan millions of records.
    freeze() + unfreeze() moves every tracked object to the oldest generation
    and zeroes the counts: they stay collectable, with long-lived objects."""
    gc.freeze()
    gc.unfreeze()
    gc.enable()


def content_files(root: Path) -> Iterator[str]:
    """Every candidate file below root, as sorted POSIX paths relative to it."""
    for rel, _ in content_entries(root):
        yield rel


def content_entries(root: Path) -> list[tuple[str, bool]]:
    """content_files() with, for each, whether it is a symbolic link (known
    from the directory listing: no stat per file).

    Folders starting with . or _ are skipped, files starting with . _ ~
    ignored; a link to a folder is not walked into but listed, so that its
    records are not silently missing. Unreadable folders are skipped."""
    out: list[tuple[str, bool]] = []
    stack = [("", os.fspath(root))]
    while stack:
        base, path = stack.pop()
        try:
            with os.scandir(path) as it:
                for e in it:
                    name = e.name
                    try:
                        is_dir = e.is_dir()  # follows links, like os.walk
                    except OSError:
                        is_dir = False
                    if is_dir and name.startswith((".", "_")):
                        continue
                    link = e.is_symlink()
                    if is_dir and not link:
                        stack.append((f"{base}{name}/", e.path))
                    elif not name.startswith((".", "_", "~")):
                        out.append((base + name, link))
        except OSError:
            continue
    out.sort()
    return out


def load_content(root: Path, display_prefix: str = "", workers: int | None = None, cache: Path | None = None,
                 progress: Callable[[str], None] | None = None) -> Loaded:
    """Every record file below root, loaded (in parallel when there are many).
    `cache`: a folder for parsed records kept between runs (loadcache.py);
    `progress` is told the files read so far every few seconds (ticker.py)."""
    files = content_entries(root)
    n = workers if workers is not None else (os.cpu_count() or 1)
    store = LoadCache(cache, root, display_prefix) if cache is not None else None
    # Node trees and records hold no reference cycles: reference counting frees
    # them, and the cyclic collector would only rescan millions of live objects.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        results: list[_Result | None] = [None] * len(files)
        digests: list[bytes | None] = [None] * len(files)
        todo = list(range(len(files)))
        known = store.read() if store is not None else {}
        if known:
            todo = []
            sroot = os.fspath(root)
            for i, (rel, link) in enumerate(files):
                hit = None if link else known.get(rel)
                d = file_digest(os.path.join(sroot, rel)) if hit is not None else None
                if hit is not None and d == hit[0]:
                    results[i] = (Record(*hit[1]) if hit[1] else None, hit[2])
                    digests[i] = d
                else:
                    todo.append(i)
        some = [files[i] for i in todo]
        want = store is not None
        global _DONE
        with Ticker(progress, lambda k: f"正在读取记录：已完成 {k}/{len(some)} 个文件 …") as _DONE:
            try:
                if n > 1 and len(some) >= PARALLEL_MIN_FILES:
                    got = _load_parallel(str(root), some, display_prefix, n, want)
                else:
                    got = _load_chunk(str(root), some, display_prefix, want)
            finally:
                _DONE = None
        for i, (rec, probs, d) in zip(todo, got):
            results[i] = (rec, probs)
            digests[i] = d
        # written when a file was parsed now, or one in the cache is gone
        if store is not None and (any(digests[i] is not None for i in todo) or len(known) != len(files) - digests.count(None)):
            store.write(_cache_entries(files, results, digests, known))
    finally:
        if gc_was_enabled:
            resume_gc()
    records: list[Record] = []
    problems: list[Problem] = []
    broken: dict[str, str] = {}
    for rec, probs in results:  # type: ignore[misc]
        problems.extend(probs)
        if rec is None:
            continue
        if any(p.is_error for p in probs):
            broken[rec.id] = rec.type
        else:
            records.append(rec)
    kept = {files[i][0]: d for i, d in enumerate(digests) if d is not None} if store is not None else None
    return Loaded(records, problems, len(files), broken, cached=len(files) - len(todo), digests=kept)


_Result = tuple[Record | None, list[Problem]]


_RECORD_FIELDS = [f.name for f in dataclasses.fields(Record)]


def _cache_entries(files: list[tuple[str, bool]], results: list[_Result | None], digests: list[bytes | None],
                   known: dict[str, Any]) -> dict[str, Any]:
    """What the cache keeps of each file: never a private value (see loadcache.py).
    A file served from the cache (`known`, under the same digest) keeps its entry as it is."""
    out: dict[str, Any] = {}
    for (rel, _), r, d in zip(files, results, digests):
        if d is None or r is None:
            continue
        old = known.get(rel)
        if old is not None and old[0] == d:
            out[rel] = old
            continue
        rec, probs = r
        rtype = record_type_for(rel)
        sensitive = rtype is not None and may_hold_private(rtype.shape)
        if sensitive and probs:
            continue
        if rec is not None and sensitive:
            rec = dataclasses.replace(rec, _data=strip_private(rec.rtype.shape, rec.data, PRIVATE_MASK))
        out[rel] = (d, tuple(getattr(rec, f) for f in _RECORD_FIELDS) if rec is not None else None, probs)
    return out


_Loaded = tuple[Record | None, list[Problem], bytes | None]  # with the digest of the bytes parsed, when asked
CHUNKS_PER_PROCESS = 48  # small enough that the processes finish together, large enough that messaging stays cheap


def _load_parallel(root: str, files: list[tuple[str, bool]], prefix: str, n: int, want: bool) -> list[_Loaded]:
    """Load files in n-1 forked workers and this process; results in file order.

    Files are dealt out interleaved, so every chunk has the same mix of
    record types (a personal form costs five times an assessment). Every
    chunk is queued for the workers; meanwhile this process takes chunks
    back from the end of the queue (cancelling them) and loads them itself,
    until the workers have reached the rest. Both ends meet wherever the
    work happens to be, whatever else runs on the machine."""
    k = max(n, CHUNKS_PER_PROCESS * n)
    chunks = [list(range(j, len(files), k)) for j in range(k)]
    out: list[_Loaded | None] = [None] * len(files)
    with ProcessPoolExecutor(max_workers=n - 1) as pool:
        _widen_result_pipe(pool)
        queued = [(idx, pool.submit(_load_packed, root, [files[i] for i in idx], prefix, want)) for idx in chunks]
        for idx, fut in reversed(queued):
            if not fut.cancel():  # a worker has it already: so it has every earlier chunk too
                break
            for i, r in zip(idx, _load_chunk(root, [files[i] for i in idx], prefix, want)):
                out[i] = r
        for idx, fut in queued:
            if fut.cancelled():
                continue
            for i, (packed, probs, d) in zip(idx, fut.result()):
                out[i] = (Record(*packed) if packed else None, probs, d)
    return out  # type: ignore[return-value]


def _widen_result_pipe(pool: ProcessPoolExecutor) -> None:
    """Let a chunk's records (about half a megabyte pickled) fit the pipe the
    workers send them back on. In a 64 KB pipe a worker waits, piece by piece,
    for this process to read, and this process is busy loading its own
    chunks: the worker sat idle for a fifth of the load (10,000 people: 0.3 s
    of 3)."""
    try:
        fcntl.fcntl(pool._result_queue._writer.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        pass  # another platform or a lower limit (/proc/sys/fs/pipe-max-size): only slower


def _load_packed(root: str, rels: list[tuple[str, bool]], prefix: str, want: bool
                 ) -> list[tuple[tuple[Any, ...] | None, list[Problem], bytes | None]]:
    """A worker's chunk, records as plain tuples: they pickle in half the time of dataclasses."""
    names = [f.name for f in dataclasses.fields(Record)]
    return [(tuple(getattr(r, n) for n in names) if r else None, probs, d) for r, probs, d in _load_chunk(root, rels, prefix, want)]


_DONE: Ticker | None = None  # files loaded, while load_content runs (forked workers inherit it)


def _load_chunk(root: str, rels: list[tuple[str, bool]], prefix: str, want: bool = False) -> list[_Loaded]:
    """Load files; with `want`, each with the digest of the bytes parsed (links: none, never cached)."""
    gc.disable()  # a worker: see load_content
    out: list[_Loaded] = []
    if not want:
        out = [(*load_file(os.path.join(root, rel), rel, prefix + rel, is_link=link), None) for rel, link in rels]
    else:
        for rel, link in rels:
            raw: list[bytes] = []
            rec, probs = load_file(os.path.join(root, rel), rel, prefix + rel, is_link=link, raw_out=raw)
            out.append((rec, probs, digest(raw[0]) if raw and not link else None))
    if _DONE is not None:
        _DONE.add(len(rels))
    return out


def load_file(path: Path | str, rel: str, shown: str, *, is_link: bool | None = None,
              raw_out: list[bytes] | None = None) -> tuple[Record | None, list[Problem]]:
    """One record file; is_link: whether path is a symbolic link, when the
    caller knows already; raw_out: gets the bytes read, if the file was read."""
    if os.path.islink(path) if is_link is None else is_link:  # any file, records and documents alike
        problem = _link_problem(Path(path), rel, shown)
        if problem:
            return None, [problem]
    rtype = record_type_for(rel)
    probs: list[Problem] = []
    if rtype is None:
        if rel.endswith(".md") and "/" not in rel:
            return None, []  # documents referenced by the campaign
        # a YAML file here is most likely a misplaced record: refusing it loses nothing
        misplaced = rel.endswith((".yml", ".yaml"))
        return None, [Problem(shown, 0, 0, ERROR if misplaced else WARNING, "", "",
                              "文件不在任何记录文件夹中，无法识别为记录" if misplaced else "不认识的文件，已忽略",
                              hint="记录文件应放在 units/、people/、forms/personal|department|unit/、rules/、flows/、assessments/ 下，或为 campaign.yml")]
    want_ext = (".md",) if rtype.markdown else (".yml", ".yaml")
    if not rel.endswith(want_ext):
        return None, [Problem(shown, 0, 0, WARNING, "", "", f"不是{rtype.label}文件（扩展名应为 {'/'.join(want_ext)}），已忽略")]
    stem = rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    rid = "campaign" if rtype.name == "campaign" else stem
    if not ID_RE.fullmatch(rid):  # fullmatch: "$" also matches before a final newline
        return None, [Problem(shown, 1, 1, ERROR, "", "记录编号", f"文件名“{stem}”不能作为记录编号",
                              "小写字母、数字和连字符组成，以字母或数字开头，不超过 64 个字符",
                              "请重命名文件，如 zhang-san-2009.yml")]
    text, problem = read_text(path, shown, raw_out)
    if problem:
        return None, [problem]
    body = ""
    line_offset = 0
    if rtype.markdown:
        text, body, line_offset, problem = split_front_matter(text, shown)
        if problem:
            return None, [problem]
    node, problem = compose(text, shown, line_offset)
    if problem:
        return None, [problem]
    if node is None:
        return None, [Problem(shown, 1, 1, ERROR, "", "", "文件是空的", f"一条{rtype.label}记录", "可用 python -m generator new " + rtype.name + " 生成模板")]
    data = valid_data(node, rtype.shape)
    if data is None:  # something to report: the full validator finds it, with positions
        v = Validator(shown, line_offset)
        data = v.shape(node, rtype.shape, "")
        probs.extend(v.problems)
    if BAD_CHARS.search(body):
        probs.append(Problem(shown, line_offset + 1, 1, ERROR, "", "正文", "正文含有控制字符或双向文字控制符", hint="删除这些不可见字符"))
    if not isinstance(data, dict):
        return None, probs
    # returned even with errors: its id still resolves, the caller drops it
    return Record(rtype.name, rid, rel, data, body), probs


def _link_problem(path: Path, rel: str, shown: str) -> Problem | None:
    root = path.parents[len(rel.split("/")) - 1]
    if not path.exists():
        return Problem(shown, 0, 0, ERROR, "", "", "符号链接无效：指向的文件不存在，或链接形成循环", hint="请把文件本身放进 content/")
    try:
        Path(os.path.realpath(path)).relative_to(os.path.realpath(root))
    except ValueError:
        return Problem(shown, 0, 0, ERROR, "", "", "符号链接指向内容目录之外，已拒绝", hint="请把文件本身放进 content/")
    if path.is_dir():
        return Problem(shown, 0, 0, WARNING, "", "", "指向文件夹的符号链接，其中的文件未读取", hint="请把文件夹本身放进 content/")
    return None


def read_text(path: Path | str, shown: str, raw_out: list[bytes] | None = None) -> tuple[str, Problem | None]:
    try:
        # one open, fstat and read: this runs once per record file; O_NONBLOCK:
        # opening a named pipe must not wait for a writer (it is refused below)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                what = "文件夹" if stat.S_ISDIR(st.st_mode) else "管道、设备或套接字"
                return "", Problem(shown, 0, 0, ERROR, "", "", f"不是普通文件（是{what}），无法读取", hint="请放入普通的文本文件")
            size = st.st_size
            if size > MAX_FILE_BYTES:
                return "", Problem(shown, 0, 0, ERROR, "", "", f"文件过大（{size // 1024} KB）",
                                   f"不超过 {MAX_FILE_BYTES // 1024 // 1024} MB", "一条记录一个文件；请拆分")
            chunks = []
            while chunk := os.read(fd, max(size + 1, 65536)):  # +1: sees a file that grew
                chunks.append(chunk)
            raw = b"".join(chunks)
        finally:
            os.close(fd)
        if raw_out is not None:
            raw_out.append(raw)
    except OSError as e:
        return "", Problem(shown, 0, 0, ERROR, "", "", f"无法读取文件：{e.strerror}")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # UTF-8 BOM, as written by Windows editors
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        return "", Problem(shown, line, 1, ERROR, "", "", "文件含有 NUL 字节，不是文本文件",
                           hint="请用文本编辑器另存为 UTF-8 文本")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        guess = ""
        try:
            raw.decode("gb18030")
            guess = "看起来是 GBK/GB2312 编码（Windows 记事本的“ANSI”），"
        except UnicodeDecodeError:
            pass
        return "", Problem(shown, line, col, ERROR, "", "", f"文件不是 UTF-8 编码，{guess}第 {line} 行无法识别",
                           "UTF-8 编码", "请在编辑器中“另存为”并选择 UTF-8 编码（记事本：编码选 UTF-8）")
    for i, ln in enumerate(text.split("\n") if "\t" in text else (), 1):
        stripped = ln.lstrip(" ")
        if stripped.startswith("\t"):
            return "", Problem(shown, i, len(ln) - len(stripped) + 1, ERROR, "", "", "行首用了制表符（Tab）缩进",
                               "空格缩进", "YAML 只能用空格缩进；请把 Tab 换成两个空格")
    return text, None


def split_front_matter(text: str, shown: str) -> tuple[str, str, int, Problem | None]:
    if not text.startswith("---"):
        return "", "", 0, Problem(shown, 1, 1, ERROR, "", "文件头", "缺少文件头", "以 --- 开头、--- 结束的 YAML 文件头，其后为 Markdown 正文",
                                  "参见 python -m generator new rule")
    lines = text.split("\n")
    for i in range(1, len(lines)):
        if lines[i].rstrip() == "---":
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1:]), 1, None
    return "", "", 0, Problem(shown, 1, 1, ERROR, "", "文件头", "文件头没有结束", "文件头以单独一行 --- 结束")


_YAML_PROBLEMS = [
    ("found duplicate anchor", "锚点重复"),
    ("found undefined alias", "引用了未定义的锚点"),
    ("mapping values are not allowed", "此处不能出现“键: 值”（冒号后的内容可能需要加引号，或缩进不对）"),
    ("did not find expected key", "缩进或结构不对，找不到预期的键"),
    ("did not find expected '-' indicator", "列表项缩进不一致"),
    ("found character that cannot start any token", "出现了不能作为开头的字符（Tab 或特殊符号）"),
    ("found unexpected end of stream", "文件意外结束（引号或括号没有闭合）"),
    ("did not find expected ',' or ']'", "方括号 [ ] 没有闭合，或列表项之间缺少逗号"),
    ("did not find expected ',' or '}'", "花括号 { } 没有闭合，或各项之间缺少逗号"),
    ("could not find expected ':'", "缺少冒号“:”"),
    ("found unknown escape character", "双引号字符串中有无效的转义字符（把 \\ 写成 \\\\，或改用单引号）"),
    ("but found another document", "一个文件只能有一条记录（发现了第二个文档分隔符 ---）"),
    ("expected a single document", "一个文件只能有一条记录（发现了第二个文档分隔符 ---）"),
    ("found unhashable key", "键不能是列表或映射"),
    ("exceeded maximum nesting depth", "嵌套层数过多（括号或缩进层次超出上限）"),
    ("found undefined tag handle", "未定义的标签"),
]


def compose(text: str, shown: str, line_offset: int = 0) -> tuple[yaml.Node | None, Problem | None]:
    try:
        return _compose_text(text), None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raw = (e.problem or e.context or "").strip()
        msg = next((zh for en, zh in _YAML_PROBLEMS if en in raw), raw)
        line = (mark.line + 1 + line_offset) if mark else 0
        col = (mark.column + 1) if mark else 0
        hint = f"（{raw}）" if msg != raw else ""
        ctx = e.context_mark
        unclosed = "end of stream" in raw or "expected ',' or" in raw
        if unclosed and ctx is not None and mark is not None and ctx.line != mark.line:  # where it was opened
            hint += f"（相关内容从第 {ctx.line + 1 + line_offset} 行第 {ctx.column + 1} 列开始）"
        return None, Problem(shown, line, col, ERROR, "", "", f"YAML 语法错误：{msg}", hint=hint)
    except yaml.reader.ReaderError as e:  # a character YAML forbids; no mark, only an offset
        line, col = _offset_position(text, e.position)
        char = f"U+{e.character:04X}" if isinstance(e.character, int) else repr(e.character)
        return None, Problem(shown, line + line_offset, col, ERROR, "", "", f"含有 YAML 不允许的控制字符（{char}）",
                             hint="删除这个不可见字符")
    except yaml.YAMLError as e:  # pragma: no cover - other errors without marks
        return None, Problem(shown, 0, 0, ERROR, "", "", "YAML 无法解析：" + " ".join(str(e).split()))


def _offset_position(text: str, offset: int) -> tuple[int, int]:
    """Line and column of a reader offset: libyaml counts UTF-8 bytes, PyYAML characters."""
    if _Loader.__name__.startswith("C"):
        raw = text.encode("utf-8")
        start = raw.rfind(b"\n", 0, offset) + 1
        return raw.count(b"\n", 0, offset) + 1, len(raw[start:offset].decode("utf-8", "replace")) + 1
    start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - start + 1


class Validator:
    """Validates a node tree against a Shape, collecting problems with positions."""

    def __init__(self, shown: str, line_offset: int = 0) -> None:
        self.shown = shown
        self.offset = line_offset
        self.problems: list[Problem] = []
        self.budget = MAX_NODES
        self.exhausted = False
        self._seen: set[int] = set()

    def _pos(self, node: yaml.Node) -> tuple[int, int]:
        return node.start_mark.line + 1 + self.offset, node.start_mark.column + 1

    def err(self, node: yaml.Node, key: str, label: str, found: str, expected: str = "", hint: str = "", severity: str = ERROR) -> None:
        line, col = self._pos(node)
        self.problems.append(Problem(self.shown, line, col, severity, key, label, found, expected, hint))

    def _spend(self, node: yaml.Node, depth: int) -> bool:
        # Only a node met before costs: aliases expanding it again and again.
        # A file's own nodes are bounded by MAX_FILE_BYTES (a form with 5,000
        # risk points has 55,000 of them, and must load).
        if id(node) in self._seen:
            self.budget -= 1
        else:
            self._seen.add(id(node))
        if self.budget < 0 or depth > MAX_DEPTH:
            if not self.exhausted:
                self.exhausted = True
                self.err(node, "", "", "结构过大或嵌套过深（可能是锚点/别名反复展开）",
                         f"展开后不超过 {MAX_NODES} 个节点、{MAX_DEPTH} 层", "请不要使用 & 锚点和 * 别名")
            return False
        return True

    def shape(self, node: yaml.Node, shape: Shape, path: str, depth: int = 0) -> dict[str, Any] | None:
        if not self._spend(node, depth):
            return None
        if not isinstance(node, yaml.MappingNode):
            self.err(node, path, shape.label, f"这里是{_describe(node)}", f"“键: 值”形式的{shape.label}")
            return None
        out: dict[str, Any] = {}
        seen: dict[str, yaml.Node] = {}
        for knode, vnode in node.value:
            if not isinstance(knode, yaml.ScalarNode):
                self.err(knode, path, "", "键必须是文字")
                continue
            key = knode.value
            kpath = f"{path}.{key}" if path else key
            if key in seen:
                first = seen[key].start_mark.line + 1 + self.offset
                self.err(knode, kpath, _label(shape, key), f"键“{key}”重复出现（第一次在第 {first} 行）", "每个键只出现一次",
                         "YAML 会悄悄只保留最后一个值；请合并或删除其中一个")
                continue
            seen[key] = knode
            f = shape.get(key)
            if f is None:
                close = difflib.get_close_matches(key, shape.keys, n=1, cutoff=0.6)
                by_label = [x.key for x in shape.fields if x.label == key]
                hint = f"是不是“{close[0]}”（{_label(shape, close[0])}）？" if close else ""
                if by_label:
                    hint = f"请用英文键“{by_label[0]}”（{key}）"
                self.err(knode, kpath, "", f"未知的键“{key}”", f"{shape.label}的字段之一：{'、'.join(shape.keys)}", hint)
                continue
            if _is_null(vnode):
                if f.required:
                    self.err(vnode, kpath, f.label, "必填字段为空", f.type_label, f.doc)
                continue
            value = self.value(vnode, f, kpath, depth + 1)
            if value is not None:
                out[key] = value
        for f in shape.fields:
            if f.required and f.key not in seen:
                self.err(node, f"{path}.{f.key}" if path else f.key, f.label, f"缺少必填字段“{f.key}”", f.type_label,
                         "" if f.doc in f.type_label or f.kind == "enum" else f.doc)
        return out

    def value(self, node: yaml.Node, f: Field, path: str, depth: int) -> Any:
        if not self._spend(node, depth):
            return None
        if f.kind == "shape":
            assert f.shape is not None
            return self.shape(node, f.shape, path, depth)
        if f.kind == "list":
            assert f.item is not None
            if not isinstance(node, yaml.SequenceNode):
                self.err(node, path, f.label, f"这里是{_describe(node)}", "列表", "每项以“- ”开头，另起一行")
                return None
            items = []
            for i, el in enumerate(node.value):
                if _is_null(el):
                    self.err(el, f"{path}.{i + 1}", f.label, "列表项为空")
                    continue
                v = self.value(el, f.item, f"{path}.{i + 1}", depth + 1)
                if v is not None:
                    items.append(v)
            if f.required and not node.value:
                self.err(node, path, f.label, "列表为空", "至少一项", f.doc)
            return items
        if not isinstance(node, yaml.ScalarNode):
            self.err(node, path, f.label, f"这里是{_describe(node)}", f.type_label)
            return None
        return self.scalar(node, f, path)

    def scalar(self, node: yaml.ScalarNode, f: Field, path: str) -> Any:
        raw = node.value.strip() if isinstance(node.value, str) else node.value
        plain = not node.style  # unquoted: YAML would have typed it
        kind = f.kind
        if kind in ("str", "text", "url"):
            if BAD_CHARS.search(node.value):
                self.err(node, path, f.label, "含有控制字符或双向文字控制符", hint="删除这些不可见字符")
                return None
            limit = f.max_len or MAX_TEXT
            if len(node.value) > limit:
                self.err(node, path, f.label, f"内容过长（{len(node.value)} 字）", f"不超过 {limit} 字")
                return None
            text = unicodedata.normalize("NFC", node.value.strip() if kind != "text" else node.value.strip("\n").rstrip())
            if not text:
                if f.required:
                    self.err(node, path, f.label, "必填字段为空", f.type_label, f.doc)
                return None
            if f.pattern and not re.fullmatch(f.pattern, text):
                self.err(node, path, f.label, f"“{text}”不是有效的编号", "小写字母、数字和连字符组成，以字母或数字开头，不超过 64 个字符")
                return None
            return text
        if kind == "date":
            d = parse_date(raw)
            if d is None:
                self.err(node, path, f.label, f"“{raw}”不是有效日期", "YYYY-MM-DD 格式的日期，如 2009-05-20")
            return d
        if kind == "time":
            m = TIME_RE.match(raw)
            if not m:
                self.err(node, path, f.label, f"“{raw}”不是有效时刻", "HH:MM 格式，如 17:30")
                return None
            return f"{int(m.group(1)):02d}:{m.group(2)}"
        if kind in ("int", "number"):
            try:
                num: float | int = int(raw) if kind == "int" else float(raw)
            except ValueError:
                self.err(node, path, f.label, f"“{raw}”不是{'整数' if kind == 'int' else '数值'}", f.type_label)
                return None
            if (f.minimum is not None and num < f.minimum) or (f.maximum is not None and num > f.maximum):
                self.err(node, path, f.label, f"{raw} 超出范围", f"{f.minimum:g} 到 {f.maximum:g} 之间")
                return None
            return num
        if kind == "bool":
            if plain and raw.lower() in ("true", "yes", "是"):
                return True
            if plain and raw.lower() in ("false", "no", "否"):
                return False
            self.err(node, path, f.label, f"“{raw}”不是是/否", "true 或 false")
            return None
        if kind == "enum":
            if raw in f.choices:
                return raw
            if raw in f.aliases:
                return f.aliases[raw]
            close = difflib.get_close_matches(raw, list(f.choices) + list(f.aliases), n=1, cutoff=0.5)
            self.err(node, path, f.label, f"“{raw}”不是可选值", "、".join(f.choices) + " 之一",
                     f"是不是“{close[0]}”？" if close else "")
            return None
        if kind == "ref":
            if not ID_RE.fullmatch(raw):
                self.err(node, path, f.label, f"“{raw}”不是有效的记录编号", "小写字母、数字和连字符组成的编号（即记录文件名）")
                return None
            return raw
        raise AssertionError(kind)  # pragma: no cover


class _Report(Exception):
    """Raised by the fast path: this file has something to report."""


_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_Plan = tuple[dict[str, tuple[Field, Any]], tuple[str, ...]]
_PLANS: dict[int, tuple[Shape, _Plan]] = {}


def _plan(shape: Shape) -> _Plan:
    """Per shape: key -> (field, scalar converter or None for lists and shapes), and the required keys."""
    cached = _PLANS.get(id(shape))
    if cached is None or cached[0] is not shape:  # the cache holds the shape: its id stays its own
        cached = _PLANS[id(shape)] = (shape, ({f.key: (f, _scalar_converter(f)) for f in shape.fields},
                                              tuple(f.key for f in shape.fields if f.required)))
    return cached[1]


def _scalar_converter(f: Field) -> Any:
    return None if f.kind in ("shape", "list") else _SCALARS.get(f.kind, _fast_unknown)


def valid_data(node: yaml.Node, shape: Shape) -> dict[str, Any] | None:
    """The data Validator.shape() returns for a node tree it finds no problem
    in, or None when there may be a problem to report.

    Most files have none, and this path skips the bookkeeping that messages
    need (key paths, positions, suggestions). It follows Validator's success
    branches exactly and gives up on anything else (node budget and depth
    included, conservatively); the caller then runs the Validator, the one
    source of messages."""
    fast = _Fast()
    try:
        data = fast.shape(node, shape, 0)
    except _Report:
        return None
    return data if fast.budget >= 0 else None


class _Fast:
    """Validator's success path. Node budget: one per shape() and value() call
    of Validator, spent here on every node (scalars inline): stricter than the
    Validator, which spends it on revisits only, so a very large file simply
    takes the Validator's path."""

    __slots__ = ("budget",)

    def __init__(self) -> None:
        self.budget = MAX_NODES

    def shape(self, node: yaml.Node, shape: Shape, depth: int) -> dict[str, Any]:
        self.budget -= 1
        # depth >= MAX_DEPTH: the children would be past it (giving up early is always safe)
        if self.budget < 0 or depth >= MAX_DEPTH or type(node) is not yaml.MappingNode:
            raise _Report
        plan, required = _plan(shape)
        out: dict[str, Any] = {}
        seen: set[str] = set()
        for knode, vnode in node.value:
            if type(knode) is not yaml.ScalarNode:
                raise _Report
            key = knode.value
            entry = plan.get(key)
            if entry is None or key in seen:
                raise _Report
            seen.add(key)
            f, conv = entry
            if type(vnode) is yaml.ScalarNode:
                if not vnode.style and vnode.value in _NULLS:
                    if f.required:
                        raise _Report
                    continue
                if conv is None:
                    raise _Report
                self.budget -= 1
                value = conv(vnode, f)
            else:
                value = self.container(vnode, f, depth + 1)
            if value is not None:
                out[f.key] = value  # the declaration's own string: one object for every record's key
        for key in required:
            if key not in seen:
                raise _Report
        return out

    def container(self, node: yaml.Node, f: Field, depth: int) -> Any:
        """Validator.value() for a mapping or sequence node."""
        self.budget -= 1
        if self.budget < 0 or depth >= MAX_DEPTH:
            raise _Report
        if f.kind == "shape":
            return self.shape(node, f.shape, depth)  # type: ignore[arg-type]
        if f.kind != "list" or type(node) is not yaml.SequenceNode or (f.required and not node.value):
            raise _Report
        item: Field = f.item  # type: ignore[assignment]
        conv = _scalar_converter(item)
        items = []
        for el in node.value:
            if type(el) is yaml.ScalarNode:
                if conv is None or (not el.style and el.value in _NULLS):
                    raise _Report
                self.budget -= 1
                v = conv(el, item)
            else:
                v = self.container(el, item, depth + 1)
            if v is not None:
                items.append(v)
        return items


def _fast_text(node: yaml.ScalarNode, f: Field) -> str | None:
    value = node.value
    if len(value) > (f.max_len or MAX_TEXT) or BAD_CHARS.search(value):
        raise _Report
    text = unicodedata.normalize("NFC", value.strip() if f.kind != "text" else value.strip("\n").rstrip())
    if not text:
        if f.required:
            raise _Report
        return None
    if f.pattern and not re.fullmatch(f.pattern, text):
        raise _Report
    return text


def _fast_date(node: yaml.ScalarNode, f: Field) -> dt.date:
    d = parse_date(node.value.strip())
    if d is None:
        raise _Report
    return d


def _fast_time(node: yaml.ScalarNode, f: Field) -> str:
    m = TIME_RE.match(node.value.strip())
    if not m:
        raise _Report
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def _fast_number(node: yaml.ScalarNode, f: Field) -> int | float:
    raw = node.value.strip()
    try:
        num: int | float = int(raw) if f.kind == "int" else float(raw)
    except ValueError:
        raise _Report from None
    if (f.minimum is not None and num < f.minimum) or (f.maximum is not None and num > f.maximum):
        raise _Report
    return num


def _fast_bool(node: yaml.ScalarNode, f: Field) -> bool:
    raw = node.value.strip().lower()
    if not node.style and raw in ("true", "yes", "是"):
        return True
    if not node.style and raw in ("false", "no", "否"):
        return False
    raise _Report


_CHOICES: dict[int, tuple[tuple[str, ...], dict[str, str]]] = {}


def _fast_enum(node: yaml.ScalarNode, f: Field) -> str:
    raw = node.value.strip()
    cached = _CHOICES.get(id(f.choices))
    if cached is None or cached[0] is not f.choices:
        cached = _CHOICES[id(f.choices)] = (f.choices, {c: c for c in f.choices})
    choices = cached[1]
    # the declared string itself: equal values are one object, sent between
    # processes and kept in memory once
    value = choices.get(raw)
    if value is not None:
        return value
    if raw in f.aliases:
        return f.aliases[raw]
    raise _Report


def _fast_ref(node: yaml.ScalarNode, f: Field) -> str:
    raw = node.value.strip()
    if not ID_RE.fullmatch(raw):
        raise _Report
    return raw


def _fast_unknown(node: yaml.ScalarNode, f: Field) -> Any:
    raise _Report


_SCALARS: dict[str, Any] = {
    "str": _fast_text, "text": _fast_text, "url": _fast_text, "date": _fast_date, "time": _fast_time,
    "int": _fast_number, "number": _fast_number, "bool": _fast_bool, "enum": _fast_enum, "ref": _fast_ref,
}


def parse_date(raw: Any) -> dt.date | None:
    if isinstance(raw, dt.date):
        return raw
    m = DATE_RE.match(str(raw).strip())
    if not m:
        return None
    try:
        d = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    # a year like 9999 is a typo, and window arithmetic past it would overflow
    return d if MIN_YEAR <= d.year <= MAX_YEAR else None


def _is_null(node: yaml.Node) -> bool:
    # libyaml marks plain scalars with style "", the pure-Python parser with None
    return isinstance(node, yaml.ScalarNode) and not node.style and node.value in ("", "~", "null", "Null", "NULL")


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "“键: 值”映射"
    if isinstance(node, yaml.SequenceNode):
        return "列表"
    return f"文字“{str(node.value)[:30]}”"


def _label(shape: Shape, key: str) -> str:
    f = shape.get(key)
    return f.label if f else ""


def locate(file: Path, keypath: str, line_offset: int = 0) -> tuple[int, int]:
    """Line and column of a dotted key path in a file (for cross-record problems)."""
    return _locate_in(_parse_for_locate(file, line_offset), keypath)


class Locator:
    """locate() for many problems: each file is read and parsed once."""

    def __init__(self) -> None:
        self._parsed: dict[tuple[str, int], tuple[yaml.Node | None, int] | None] = {}

    def __call__(self, file: Path, keypath: str, line_offset: int = 0) -> tuple[int, int]:
        key = (str(file), line_offset)
        if key not in self._parsed:
            self._parsed[key] = _parse_for_locate(file, line_offset)
        return _locate_in(self._parsed[key], keypath)


def _parse_for_locate(file: Path, line_offset: int) -> tuple[yaml.Node | None, int] | None:
    try:
        text = file.read_text(encoding="utf-8-sig")
        if file.suffix == ".md":
            text, _, line_offset, _ = split_front_matter(text, "")
        return _compose_text(text), line_offset
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


def _locate_in(parsed: tuple[yaml.Node | None, int] | None, keypath: str) -> tuple[int, int]:
    if parsed is None:
        return 0, 0
    node, line_offset = parsed
    best = node
    for part in [p for p in keypath.split(".") if p]:
        nxt = None
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if getattr(k, "value", None) == part:
                    nxt, best = v, k
                    break
        elif isinstance(node, yaml.SequenceNode) and part.isdigit() and 0 < int(part) <= len(node.value):
            nxt = node.value[int(part) - 1]
            best = nxt
        if nxt is None:
            break
        node = nxt
    if best is None:
        return 1, 1
    # a scalar value is more useful than its key
    if isinstance(node, yaml.ScalarNode) and node is not best:
        best = node
    return best.start_mark.line + 1 + line_offset, best.start_mark.column + 1
