"""Round-trip editing of record files (ruamel.yaml): commands that write into
content/ (feedback import, confirm) change only what they mean to change and
keep the clerk's comments, key order, quoting and indentation.
"""
from __future__ import annotations

import difflib
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.tokens import CommentToken
from ruamel.yaml.util import load_yaml_guess_indent

from .problems import UserError

BOM = "\ufeff"
# The house style of files written by `new`: two-space mappings, "- " indented by two.
DEFAULT_INDENT = (2, 4, 2)  # mapping, sequence, offset


@dataclass
class Document:
    path: Path
    shown: str  # the path as the user knows it, for messages
    original: str  # the file's text as read (BOM and line endings normalised)
    data: CommentedMap
    yaml: YAML
    bom: bool
    newline: str

    def text(self) -> str:
        """The document as text, without BOM and with "\\n" line endings."""
        out = io.StringIO()
        self.yaml.dump(self.data, out)
        return out.getvalue()

    def faithful(self) -> bool:
        """Whether the unmodified document dumps back to exactly the file's
        text; when not, a write would also normalise some formatting."""
        return reload(self).text() == self.original

    def diff(self, new_text: str) -> str:
        return "".join(difflib.unified_diff(self.original.splitlines(keepends=True), new_text.splitlines(keepends=True),
                                            fromfile=f"a/{self.shown}", tofile=f"b/{self.shown}"))

    def write(self, new_text: str) -> None:
        """Replace the file in one step (a crash leaves the old file or the new one)."""
        raw = (BOM if self.bom else "") + new_text.replace("\n", self.newline)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(raw)
            os.chmod(tmp, self.path.stat().st_mode & 0o777)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _yaml(text: str) -> YAML:
    y = YAML()  # round-trip mode
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap a long line
    y.allow_unicode = True
    mapping, sequence, offset = DEFAULT_INDENT
    try:
        _, indent, block_seq_indent = load_yaml_guess_indent(text)
    except YAMLError:
        indent, block_seq_indent = None, None
    if indent is not None and block_seq_indent is not None:  # the file has block sequences: follow them
        offset = block_seq_indent
        sequence = indent
        mapping = (indent - offset) or 2
    elif indent is not None:  # only mappings: their indent, sequences in the house style
        mapping, sequence, offset = indent, indent + 2, 2
    y.indent(mapping=mapping, sequence=sequence, offset=offset)
    return y


def load(path: Path, shown: str) -> Document:
    try:
        raw = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise UserError(f"{shown}：无法读取（{e}）；请先运行 python -m generator check") from None
    bom = raw.startswith(BOM)
    text = raw[1:] if bom else raw
    newline = "\r\n" if "\r\n" in text else "\n"
    text = text.replace("\r\n", "\n")
    y = _yaml(text)
    try:
        data = y.load(text)
    except YAMLError as e:
        raise UserError(f"{shown}：YAML 无法解析（{str(e).splitlines()[0]}）；请先运行 python -m generator check") from None
    if not isinstance(data, CommentedMap):
        raise UserError(f"{shown}：不是“键: 值”形式的记录；请先运行 python -m generator check")
    return Document(path, shown, text, data, y, bom, newline)


def reload(doc: Document) -> Document:
    y = _yaml(doc.original)
    return Document(doc.path, doc.shown, doc.original, y.load(doc.original), y, doc.bom, doc.newline)


# ---------------------------------------------------------------- comments around an insertion
#
# ruamel keeps a comment that follows a block with the last value of that
# block. When something is appended after that value, the comment (which was
# written above the next key, or at the end of the file) would end up above the
# new lines instead of below them. These helpers move it along.

def _slot(container: Any, key: Any) -> list[Any]:
    """The comment slot list of a mapping key or a sequence index."""
    items = container.ca.items
    if key not in items:
        items[key] = [None, None, None, None]
    return items[key]


def _index(container: Any) -> int:
    return 2 if isinstance(container, CommentedMap) else 0


def last_leaf(node: Any) -> tuple[Any, Any] | None:
    """(container, key) of the last value in a block collection, descending
    into nested block collections."""
    while isinstance(node, (CommentedMap, CommentedSeq)) and len(node) and not node.fa.flow_style():
        key = list(node.keys())[-1] if isinstance(node, CommentedMap) else len(node) - 1
        child = node[key]
        if isinstance(child, (CommentedMap, CommentedSeq)) and len(child) and not child.fa.flow_style():
            node = child
            continue
        return node, key
    return None


def take_trailing_comment(node: Any) -> str:
    """Detach the full-line comments after a block collection (keeping an
    end-of-line comment on its last value); returns them as text."""
    leaf = last_leaf(node)
    if leaf is None:
        return ""
    container, key = leaf
    if key not in container.ca.items:
        return ""
    slot = container.ca.items[key]
    tok = slot[_index(container)]
    if not isinstance(tok, CommentToken):
        return ""
    value = tok.value
    if value.startswith("#"):  # an end-of-line comment first: keep it on its line
        cut = value.find("\n") + 1
        if cut == 0:
            return ""
        keep, rest = value[:cut], value[cut:]
        tok.value = keep
    else:  # the value's own line ends first ("\n"), then the comment lines
        rest = value[1:] if value.startswith("\n") else value
        slot[_index(container)] = None
    return rest


def put_trailing_comment(node: Any, text: str) -> None:
    """Attach full-line comments after the last value of a block collection."""
    if not text:
        return
    leaf = last_leaf(node)
    if leaf is None:
        return
    container, key = leaf
    slot = _slot(container, key)
    i = _index(container)
    tok = slot[i]
    if isinstance(tok, CommentToken):
        value = tok.value if tok.value.endswith("\n") else tok.value + "\n"
        tok.value = value + text
    else:
        # a leading newline ends the value's own line before the comment lines
        slot[i] = CommentToken("\n" + text, CommentMark(0), None)


def validate(rel: str, text: str) -> list[Any]:
    """The per-file checks (load.py) on new text for the record file at `rel`."""
    from .load import load_file

    with tempfile.TemporaryDirectory(prefix="lz-validate-") as tmp:
        target = Path(tmp) / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        _, problems = load_file(target, rel, rel)
    return [p for p in problems if p.is_error]
