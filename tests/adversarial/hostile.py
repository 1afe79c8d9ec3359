"""The adversarial corpus, generated from the declarations in records.py.

`plant(dest)` copies the mini fixture and writes hostile text into every text
field of every record type (nested blocks and lists included, blocks the
fixture lacks created from their declaration), into the Markdown bodies and
into site_config.yml. A field the checks refuse for that text goes back to
its original value and is listed with the message that refused it; every
other value is rendered, and must come out inert. Each value carries a
marker PWNED-<n> naming the field it came from, so a console message, a
dialog or a leaked attribute points straight at the field.
"""
from __future__ import annotations

import copy
import gzip
import io
import json
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml

from generator.check import run_check
from generator.config import load_config
from generator.fields import Field, Shape
from generator.load import record_type_for
from generator.records import BY_NAME, RECORD_TYPES, RecordType
from tests.conftest import MINI, read_yaml

CORPUS = Path(__file__).parent / "corpus"
MARK = "PWNED"
# Jinja that would print 1787569 (1337 * 1337) if a template ever evaluated record text.
JINJA_PRODUCT = "1787569"

# Each planted value starts with one of these (the start matters: a URL scheme,
# a spreadsheet formula) and ends with TAIL, so every field sees the common ones.
PAYLOADS: tuple[tuple[str, str], ...] = tuple(json.loads((CORPUS / "payloads.json").read_text(encoding="utf-8")).items())
TAIL = ('<script>console.log("{m}")</script><img src=x onerror=console.log("{m}")>'
        '"\'><svg onload=console.log("{m}")>{{ 1337*1337 }}{% if true %}{m}{% endif %}')
MARKDOWN = (CORPUS / "markdown.md").read_text(encoding="utf-8")
CONFIG_KEYS = ("site_name", "bureau", "footer", "publicity.channels.office", "publicity.channels.phone",
               "publicity.channels.mailbox", "publicity.channels.email", "publicity.channels.hours")
# A comment-form URL the config accepts (http with a host) carrying hostile text.
COMMENT_URL = 'https://yijian.example.gov.cn/form?r={id}&t={title}&u={unit}&x="><script>console.log("{m}")</script>'

MISSING = object()
TEXT_KINDS = ("str", "text")


def fill(template: str, marker: str) -> str:
    return template.replace("{m}", marker)


@dataclass
class Edit:
    file: str  # relative to content/
    keypath: str  # dotted, 1-based list indexes, as problems name them
    original: Any


@dataclass
class Corpus:
    root: Path
    config: Path
    placed: dict[str, tuple[str, str]] = field(default_factory=dict)  # marker -> (file, keypath) rendered
    refused: list[tuple[str, str, str]] = field(default_factory=list)  # (file, keypath, problem line)
    coupled: list[tuple[str, str]] = field(default_factory=list)  # (file, keypath) of ids others refer to, put back

    @property
    def content(self) -> Path:
        return self.root / "content"

    def origin(self, text: str) -> list[tuple[str, str]]:
        """The planted fields whose markers occur in text."""
        return [self.placed.get(m, ("?", m)) for m in sorted(set(re.findall(MARK + r"-\d+", text)))]


class _Planter:
    """Walks every record's declaration, writing make(planter, keypath, field)
    into its text fields (or, with only_private, into its private fields),
    creating the blocks a record lacks once per record type."""

    def __init__(self, corpus: Corpus, first_ids: dict[str, str], make: Any = None, only_private: bool = False) -> None:
        self.c = corpus
        self.first_ids = first_ids
        self.n = 0
        self.edits: list[Edit] = []
        self.created: set[tuple[str, str]] = set()  # (record type, keypath) of blocks already created once
        self.file = ""
        self.rtype: RecordType | None = None
        self.make = make or hostile_value
        self.only_private = only_private

    def value(self, kp: str, f: Field | None = None) -> Any:
        self.n += 1
        return self.make(self, kp, f)

    def scalar(self, f: Field, kp: str) -> Any:
        """A valid value of a non-text field, for blocks created from their declaration."""
        if f.kind == "date":
            return "2009-05-25"
        if f.kind == "time":
            return "17:00"
        if f.kind in ("int", "number"):
            return int(f.minimum) if f.minimum is not None else 1
        if f.kind == "bool":
            return False
        if f.kind == "enum":
            return f.choices[0]
        if f.kind == "ref":
            return self.first_ids[f.ref[0]]
        raise AssertionError(f.kind)

    def new(self, shape: Shape, kp: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in shape.fields:
            sub = f"{kp}.{f.key}"
            if f.kind in TEXT_KINDS:
                out[f.key] = self.value(sub, f)
            elif f.kind == "shape":
                out[f.key] = self.new(f.shape, sub)  # type: ignore[arg-type]
            elif f.kind == "list":
                item = f.item
                assert item is not None
                if item.kind == "shape":
                    out[f.key] = [self.new(item.shape, f"{sub}.1")]  # type: ignore[arg-type]
                elif item.kind in TEXT_KINDS:
                    out[f.key] = [self.value(f"{sub}.1", item)]
                else:
                    out[f.key] = [self.scalar(item, sub)]
            else:
                out[f.key] = self.scalar(f, sub)
        return out

    def shape(self, shape: Shape, data: dict[str, Any], path: str) -> None:
        for f in shape.fields:
            kp = f"{path}.{f.key}" if path else f.key
            cur = data.get(f.key, MISSING)
            if f.kind in TEXT_KINDS:
                if self.only_private and not f.private:
                    continue
                self.edits.append(Edit(self.file, kp, cur))
                data[f.key] = self.value(kp, f)
            elif f.kind == "shape":
                if isinstance(cur, dict):
                    self.shape(f.shape, cur, kp)  # type: ignore[arg-type]
                else:
                    self.create(data, f, kp, lambda: self.new(f.shape, kp))  # type: ignore[arg-type]
            elif f.kind == "list" and f.item is not None and f.item.kind == "shape":
                if isinstance(cur, list) and cur:
                    for i, el in enumerate(cur, 1):
                        self.shape(f.item.shape, el, f"{kp}.{i}")  # type: ignore[arg-type]
                else:
                    self.create(data, f, kp, lambda: [self.new(f.item.shape, f"{kp}.1")])  # type: ignore[union-attr,arg-type]
            elif f.kind == "list" and f.item is not None and f.item.kind in TEXT_KINDS and not self.only_private:
                before = list(cur) if isinstance(cur, list) else MISSING
                self.edits.append(Edit(self.file, kp, before))
                items = list(cur) if isinstance(cur, list) else []
                data[f.key] = items + [self.value(f"{kp}.{len(items) + 1}", f.item)]

    def create(self, data: dict[str, Any], f: Field, kp: str, make: Any) -> None:
        # a block the record lacks is created in one record of each type: a
        # withdrawal or a confirmation changes what the rest of the site shows
        key = (self.rtype.name, re.sub(r"\.\d+", "", kp))  # type: ignore[union-attr]
        if key in self.created or (self.only_private and not _holds_private(f)):
            return
        self.created.add(key)
        self.edits.append(Edit(self.file, kp, MISSING))
        data[f.key] = make()


def hostile_value(planter: _Planter, kp: str, f: Field | None) -> str:
    marker = f"{MARK}-{planter.n}"
    planter.c.placed[marker] = (planter.file, kp)
    name, template = PAYLOADS[planter.n % len(PAYLOADS)]
    return fill(template, marker) + " " + fill(TAIL, marker)


def _holds_private(f: Field) -> bool:
    if f.private:
        return True
    if f.kind == "shape" and f.shape:
        return any(_holds_private(x) for x in f.shape.fields)
    if f.kind == "list" and f.item is not None:
        return _holds_private(f.item)
    return False


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**6)


def _set(data: dict[str, Any], keypath: str, value: Any) -> None:
    parts = keypath.split(".")
    node: Any = data
    for p in parts[:-1]:
        node = node[int(p) - 1] if isinstance(node, list) else node[p]
    last = parts[-1]
    if isinstance(node, list):
        node[int(last) - 1] = value
    elif value is MISSING:
        node.pop(last, None)
    else:
        node[last] = value


def _related(a: str, b: str) -> bool:
    return not a or not b or a == b or a.startswith(b + ".") or b.startswith(a + ".")


def hostile_config(text: str, n_start: int, corpus: Corpus) -> str:
    cfg = read_yaml(text)
    assert isinstance(cfg, dict)
    n = n_start
    for key in CONFIG_KEYS:
        n += 1
        marker = f"{MARK}-{n}"
        corpus.placed[marker] = ("site_config.yml", key)
        parts = key.split(".")
        node = cfg
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = fill(PAYLOADS[n % len(PAYLOADS)][1], marker) + " " + fill(TAIL, marker)
    n += 1
    corpus.placed[f"{MARK}-{n}"] = ("site_config.yml", "publicity.comment_url")
    cfg["publicity"]["comment_url"] = fill(COMMENT_URL, f"{MARK}-{n}")
    return _dump(cfg)


def plant(dest: Path, make: Any = None, only_private: bool = False) -> Corpus:
    """A copy of the mini fixture with hostile text everywhere the checks
    accept it (or, given make and only_private, other values in the private
    fields only)."""
    hostile = make is None
    shutil.copytree(MINI, dest)
    corpus = Corpus(dest, dest / "site_config.yml")
    content = corpus.content
    files = sorted(p.relative_to(content).as_posix() for p in content.rglob("*") if p.is_file())
    records: dict[str, tuple[RecordType, dict[str, Any], str, str]] = {}  # rel -> (type, data, front matter head, body)
    first_ids: dict[str, str] = {}
    for rel in files:
        rtype = record_type_for(rel)
        if rtype is None:
            continue
        text = (content / rel).read_text(encoding="utf-8")
        body = ""
        if rtype.markdown:
            _, head, body = text.split("---\n", 2)
            text = head
        data = read_yaml(text)
        assert isinstance(data, dict)
        records[rel] = (rtype, data, text, body)
        first_ids.setdefault(rtype.name, Path(rel).stem)
    planter = _Planter(corpus, first_ids, make, only_private)
    for rel, (rtype, data, _, _) in records.items():
        planter.file, planter.rtype = rel, rtype
        planter.shape(rtype.shape, data, "")
    if hostile:
        originals = {e.file for e in planter.edits}
        assert {rt.name for rt in RECORD_TYPES} <= {records[f][0].name for f in originals}, "a record type has no file to plant in"

    def write(rel: str) -> None:
        rtype, data, _, body = records[rel]
        text = _dump(data)
        if rtype.markdown and hostile:
            planter.n += 1
            marker = f"{MARK}-{planter.n}"
            corpus.placed[marker] = (rel, "正文")
            body = body + "\n" + fill(MARKDOWN, marker)
            records[rel] = (rtype, data, "", body)
        if rtype.markdown:
            text = "---\n" + text + "---\n" + body
        (content / rel).write_text(text, encoding="utf-8")

    for rel in records:
        write(rel)
    if hostile:
        plant_texts(corpus, planter)
    return settle(corpus, records, planter.edits)


def plant_texts(corpus: Corpus, planter: _Planter) -> None:
    """Hostile Markdown in the campaign document, hostile site_config.yml values."""
    content = corpus.content
    planter.n += 1
    marker = f"{MARK}-{planter.n}"
    corpus.placed[marker] = ("campaign.md", "正文")
    (content / "campaign.md").write_text((content / "campaign.md").read_text(encoding="utf-8") + "\n" + fill(MARKDOWN, marker),
                                         encoding="utf-8")
    corpus.config.write_text(hostile_config(corpus.config.read_text(encoding="utf-8"), planter.n + 1000, corpus), encoding="utf-8")


def settle(corpus: Corpus, records: dict[str, tuple[RecordType, dict[str, Any], str, str]], planted: list[Edit]) -> Corpus:
    """Refused values go back, with the message that refused them; repeat until the checks pass."""
    content = corpus.content
    edits = list(planted)
    for _ in range(20):
        cfg, probs = load_config(corpus.config)
        assert cfg is not None, "\n".join(p.format() for p in probs)
        result = run_check(cfg, workers=1)
        errors = list(result.problems)  # warnings too: a publish is strict
        if not errors:
            break
        undone: list[Edit] = []
        for p in errors:
            rel = p.path.split("content/", 1)[-1]
            hits = [e for e in edits if e.file == rel and _related(e.keypath, p.key)]
            for e in hits:
                corpus.refused.append((e.file, e.keypath, p.format()))
            undone += [e for e in hits if e not in undone]
        if not undone:
            # a planted id that others refer to (a flow step's id): the message quotes the original
            text = "\n".join(p.format() for p in errors)
            undone = [e for e in edits if isinstance(e.original, str) and f"“{e.original}”" in text]
            for e in undone:
                corpus.coupled.append((e.file, e.keypath))
        if not undone:
            raise AssertionError("errors not caused by a planted value:\n" + "\n".join(p.format() for p in errors))
        for e in undone:
            edits.remove(e)
            _set(records[e.file][1], e.keypath, e.original if e.original is MISSING else copy.deepcopy(e.original))
            for m, where in list(corpus.placed.items()):
                if where[0] == e.file and _related(where[1], e.keypath):
                    del corpus.placed[m]
        for rel in {e.file for e in undone}:
            rtype, data, _, body = records[rel]
            text = _dump(data)
            if rtype.markdown:
                text = "---\n" + text + "---\n" + body
            (content / rel).write_text(text, encoding="utf-8")
    else:
        raise AssertionError("planting did not converge")
    return corpus


def text_fields() -> set[tuple[str, str]]:
    """Every (record type, field path) declared as text, nested blocks included."""
    out: set[tuple[str, str]] = set()

    def walk(t: str, shape: Shape, path: str) -> None:
        for f in shape.fields:
            kp = f"{path}.{f.key}" if path else f.key
            if f.kind in TEXT_KINDS or (f.kind == "list" and f.item is not None and f.item.kind in TEXT_KINDS):
                out.add((t, kp))
            elif f.kind == "shape":
                walk(t, f.shape, kp)  # type: ignore[arg-type]
            elif f.kind == "list" and f.item is not None and f.item.kind == "shape":
                walk(t, f.item.shape, kp)  # type: ignore[arg-type]

    for rt in BY_NAME.values():
        walk(rt.name, rt.shape, "")
    return out


# ------------------------------------------------------------------ scanning output

_DANGEROUS_SCHEMES = re.compile(r"^(javascript|vbscript|data|file):", re.I)
_URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcset", "ping"}
_NEVER_FROM_CONTENT = {"iframe", "frame", "object", "embed", "base", "applet", "frameset", "portal"}


class _Scan(HTMLParser):
    """What a browser would treat as live in an HTML or SVG file: scripts,
    event handlers, script-capable URLs, frames; each finding names the tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.findings: list[str] = []
        self.in_script = 0
        self.in_style = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs)
        if tag == "script":
            self.in_script += 1
        if tag == "style":
            self.in_style += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = max(0, self.in_script - 1)
        if tag == "style":
            self.in_style = max(0, self.in_style - 1)

    def handle_data(self, data: str) -> None:
        if self.in_script and MARK in data:
            self.findings.append(f"<script> holds {data.strip()[:160]!r}")
        if self.in_style and MARK in data and re.search(r"url\(|@import|expression\(|</", data, re.I):
            self.findings.append(f"<style> holds {data.strip()[:160]!r}")

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        text = " ".join(f"{k}={v!r}" for k, v in attrs)
        if MARK in tag or any(MARK in k for k, _ in attrs):
            self.findings.append(f"tag or attribute name from content: <{tag} {text[:160]}>")
        if tag in _NEVER_FROM_CONTENT:
            self.findings.append(f"<{tag} {text[:160]}>")
        if tag == "meta" and any(k == "http-equiv" and (v or "").lower() == "refresh" for k, v in attrs) and MARK in text:
            self.findings.append(f"<meta refresh {text[:160]}>")
        for k, v in attrs:
            v = v or ""
            if k.startswith("on") and (MARK in v or "alert(" in v or "console.log(" in v):
                self.findings.append(f"event handler <{tag} {k}={v[:120]!r}>")
            if k in _URL_ATTRS or k == "srcdoc":
                bare = re.sub(r"[\x00-\x20]", "", v)
                if k == "srcdoc" or (_DANGEROUS_SCHEMES.match(bare) and MARK in v) or "evil.example" in v and k != "href":
                    self.findings.append(f"live URL <{tag} {k}={v[:120]!r}>")
            if k == "style" and MARK in v:
                self.findings.append(f"style attribute from content <{tag} style={v[:120]!r}>")


def scan_markup(text: str) -> list[str]:
    s = _Scan()
    s.feed(text)
    s.close()
    out = s.findings
    if JINJA_PRODUCT in text:
        out.append("template text was evaluated (1337*1337 printed)")
    return out


def output_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def read_any(p: Path) -> str:
    """A file's text as a reader could get it: gzip (Pagefind) unpacked, xlsx unzipped."""
    data = p.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    elif data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            data = b"\n".join(z.read(n) for n in z.namelist())
    return data.decode("utf-8", "replace")
