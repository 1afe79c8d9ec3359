"""Bad structure, bad size, bad files and bad configuration: every case ends
in a clear message (file, line, field) and a non-zero exit with nothing
written, or in a correct site; never a traceback, never a hang.

Each case patches a copy of the mini fixture (tests/fixtures/mini) and runs
the real command line; a case that could hang (a named pipe) runs in a real
process with a timeout.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from adversarial.hostile import scan_markup
from tests.conftest import PROBLEM_RE, Run, Site, run_cli

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE = Path(__file__).resolve().parent / "corpus"  # a folder outside every test site's content/
# what a clerk's terminal must never receive raw: escape sequences, bidi overrides, C1 controls
RAW_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@dataclass
class Case:
    id: str
    setup: Callable[[Site], object]
    argv: tuple[str, ...] = ("check",)
    code: int = 1
    expect: tuple[str, ...] = ()  # regular expressions, each must match a whole line of stderr
    proc: bool = False  # a real process with a timeout: the case could hang
    after: Callable[[Site, Run], None] | None = None


def sub(rel: str, old: str, new: str) -> Callable[[Site], None]:
    return lambda s: s.edit(rel, old, new)


def config(old: str, new: str) -> Callable[[Site], None]:
    def patch(s: Site) -> None:
        p = s.root / "site_config.yml"
        text = p.read_text(encoding="utf-8")
        assert text.count(old) == 1, old
        p.write_text(text.replace(old, new), encoding="utf-8")
    return patch


def add_config(text: str) -> Callable[[Site], None]:
    def patch(s: Site) -> None:
        with (s.root / "site_config.yml").open("a", encoding="utf-8") as fh:
            fh.write(text)
    return patch


def copy_as(name: str, src: str = "people/li-si.yml") -> Callable[[Site], None]:
    """A record under a hostile file name (bytes allowed: names need not be UTF-8)."""
    def patch(s: Site) -> None:
        data = s.path(src).read_bytes()
        folder = os.fsencode(s.path(src).parent)
        target = folder + b"/" + (name if isinstance(name, bytes) else name.encode("utf-8"))
        with open(target, "wb") as fh:
            fh.write(data)
    return patch


def write_bytes(rel: str, data: bytes) -> Callable[[Site], None]:
    return lambda s: s.write_bytes(rel, data)


def many_risks(n: int) -> str:
    risks = "".join(f"  - duty: 职责{i}\n    power: 职权{i}\n    point: 风险点{i}\n    manifestation: 表现{i}\n"
                    f"    category: 思想道德\n    key_area: 药械材使用\n    level: 中\n    measures: [措施{i}]\n" for i in range(n))
    return ("person: li-si\nyear: 2010\nduties: 诊疗。\npowers: 处方权。\nrisks:\n" + risks +
            "pledge: 承诺。\nsigned_on: 2010-05-22\npublicity:\n  opens: 2010-05-25\nconfirmation:\n  by: 人民医院党政班子\n  on: 2010-06-08\n")


def fifo(rel: str) -> Callable[[Site], None]:
    def patch(s: Site) -> None:
        p = s.root / rel
        if p.exists():
            p.unlink()
        os.mkfifo(p)
    return patch


def symlink(rel: str, target: Callable[[Site], Path | str]) -> Callable[[Site], None]:
    return lambda s: s.path(rel).symlink_to(target(s))


def both(*patches: Callable[[Site], object]) -> Callable[[Site], None]:
    def patch(s: Site) -> None:
        for p in patches:
            p(s)
    return patch


def page_has(rel: str, *texts: str) -> Callable[[Site, Run], None]:
    def check(s: Site, run: Run) -> None:
        page = (s.root / "build" / "site" / rel).read_text(encoding="utf-8")
        for t in texts:
            assert t in page, f"{rel} lacks {t[:40]!r}"
        for p in (s.root / "build" / "site").rglob("*.html"):
            assert scan_markup(p.read_text(encoding="utf-8")) == [], p
    return check


def untouched(rel: str, text: str | None = None) -> Callable[[Site, Run], None]:
    def check(s: Site, run: Run) -> None:
        p = s.root / rel
        assert p.exists(), f"{rel} was removed"
        if text is not None:
            assert p.read_text(encoding="utf-8") == text
    return check


DEPT = "content/units/rmyy.yml:{line}:9: 错误 [departments.1.id 科室编号] “{id}”不是有效的编号；应为小写字母、数字和连字符组成，以字母或数字开头，不超过 64 个字符"
NAME = r"content/people/{shown}\.yml:1:1: 错误 \[记录编号\] 文件名“{stem}”不能作为记录编号；.*"
LINK_OUT = r"content/{rel}:0:0: 错误 符号链接指向内容目录之外，已拒绝；请把文件本身放进 content/"
NOT_REGULAR = r"content/{rel}:0:0: 错误 不是普通文件（是{what}），无法读取；请放入普通的文本文件"
URL = r"site_config.yml:13:16: 错误 \[publicity.comment_url 意见表链接模板\] {found}；应为http、https 或 mailto 链接"

CASES = [
    # ------------------------------------------------------------ ids that become paths
    Case("department-id-traversal", sub("units/rmyy.yml", "id: yjk", "id: ../../index"), ("build",),
         expect=(re.escape(DEPT.format(line=8, id="../../index")),)),
    Case("department-id-separator", sub("units/rmyy.yml", "id: yjk", "id: a/b"),
         expect=(re.escape(DEPT.format(line=8, id="a/b")),)),
    Case("department-id-markup", sub("units/rmyy.yml", "id: yjk", "id: <img src=x onerror=alert(1)>"),
         expect=(re.escape(DEPT.format(line=8, id="<img src=x onerror=alert(1)>")),)),
    Case("department-id-absolute", sub("units/rmyy.yml", "id: yjk", "id: /etc/cron.d/x"),
         expect=(re.escape(DEPT.format(line=8, id="/etc/cron.d/x")),)),
    # ------------------------------------------------------------ hostile file and folder names
    Case("file-name-markup", copy_as("<img src=x onerror=alert(1)>.yml"),
         expect=(NAME.format(shown=re.escape("<img src=x onerror=alert(1)>"), stem=re.escape("<img src=x onerror=alert(1)>")),)),
    Case("file-name-newline", copy_as("li-si-2\n.yml"), expect=(NAME.format(shown=r"li-si-2\\n", stem=r"li-si-2\\n"),)),
    Case("file-name-terminal-escape", copy_as("\x1b]0;owned\x07\x1b[31mred.yml"),
         expect=(NAME.format(shown=r"\\x1b\]0;owned\\x07\\x1b\[31mred", stem=r"\\x1b\]0;owned\\x07\\x1b\[31mred"),)),
    Case("file-name-bidi-override", copy_as("li-si\u202elmy.yml"), expect=(NAME.format(shown=r"li-si\\u202elmy", stem=r"li-si\\u202elmy"),)),
    Case("file-name-chinese-uppercase", copy_as("张三Li.yml"), expect=(NAME.format(shown="张三Li", stem="张三Li"),)),
    Case("file-name-too-long", copy_as("a" * 65 + ".yml"), expect=(NAME.format(shown="a" * 65, stem="a" * 65),)),
    Case("file-name-not-utf8", copy_as(b"\xff\xfeli.yml"), expect=(r".*li\.yml:1:1: 错误 \[记录编号\] 文件名“.*li”不能作为记录编号；.*",)),
    Case("file-name-shell", copy_as("x$(touch pwned);`id`.yml"), expect=(NAME.format(shown=re.escape("x$(touch pwned);`id`"), stem=".*"),),
         after=lambda s, r: not (s.root / "pwned").exists() or pytest.fail("a file name ran as a command")),
    Case("folder-name-markup", both(lambda s: s.path("people/<img src=x onerror=alert(1)>").mkdir(),
                                    lambda s: s.path("people/li-si.yml").rename(s.path("people/<img src=x onerror=alert(1)>/li-si.yml"))),
         ("build",), code=0, after=page_has("people/li-si.html", "李四")),
    # ------------------------------------------------------------ size
    Case("field-too-long", sub("people/li-si.yml", "name: 李四", "name: " + "长" * 20_001),
         expect=(re.escape("content/people/li-si.yml:1:7: 错误 [name 姓名] 内容过长（20001 字）；应为不超过 20000 字"),)),
    Case("field-just-under-the-limit", sub("people/li-si.yml", "name: 李四", "name: 李四" + "长" * 19_990), ("build",), code=0,
         after=page_has("people/li-si.html", "李四" + "长" * 19_990)),
    Case("five-thousand-risk-points", lambda s: s.write("forms/personal/li-si-2010.yml", many_risks(5000)), ("build", "--as-of", "2010-07-01"),
         code=0, after=page_has("forms/li-si-2010.html", "风险点0<", "风险点4999<", "措施4999")),
    Case("file-over-2-mb", lambda s: s.write("people/big.yml", "name: " + "大" * 700_000 + "\n"),
         expect=(r"content/people/big\.yml:0:0: 错误 文件过大（\d+ KB）；应为不超过 2 MB；一条记录一个文件；请拆分",)),
    Case("nesting-10000-deep", sub("people/li-si.yml", "name: 李四", "name: " + "[" * 10_000 + "]" * 10_000),
         expect=(r"content/people/li-si\.yml:1:\d+: 错误 YAML 语法错误：嵌套层数过多.*",)),
    Case("nesting-in-front-matter", sub("rules/wsj-cwgl.md", "kind: 操作规程", "kind: " + "{a: " * 2000 + "1" + "}" * 2000),
         expect=(r"content/rules/wsj-cwgl\.md:3:\d+: 错误 YAML 语法错误：嵌套层数过多.*",)),
    Case("nesting-lists-in-a-text-list", sub("people/li-si.yml", "roles: [处方医师, 医务人员]", "roles: " + "[" * 60 + "医务人员" + "]" * 60),
         expect=(r"content/people/li-si\.yml:6:9: 错误 \[roles\.1 类别\] 这里是列表；应为取值：.*",)),
    Case("alias-bomb", lambda s: s.write("flows/bomb.yml", (ROOT / "tests/broken/billion-laughs.yml").read_text(encoding="utf-8")),
         expect=(r"content/flows/bomb\.yml:\d+:\d+: 错误 结构过大或嵌套过深.*",)),
    # ------------------------------------------------------------ invisible and control characters
    Case("control-character-in-value", sub("people/li-si.yml", "name: 李四", 'name: "李\\a四"'),
         expect=(re.escape("content/people/li-si.yml:1:7: 错误 [name 姓名] 含有控制字符或双向文字控制符；删除这些不可见字符"),)),
    Case("bidi-override-in-value", sub("forms/personal/li-si-2009.yml", "pledge: 本人承诺", "pledge: 本人\u202e承诺"),
         expect=(r"content/forms/personal/li-si-2009\.yml:\d+:\d+: 错误 \[pledge 承诺内容\] 含有控制字符或双向文字控制符；删除这些不可见字符",)),
    Case("bidi-override-in-rule-body", sub("rules/wsj-cwgl.md", "卫生局制定", "卫生局\u202e制定"),
         expect=(re.escape("content/rules/wsj-cwgl.md:2:1: 错误 [正文] 正文含有控制字符或双向文字控制符；删除这些不可见字符"),)),
    Case("bidi-override-in-campaign-document", write_bytes("campaign.md", "# 方案\u202e\n".encode()),
         expect=(re.escape("content/campaign.md:1:1: 错误 [正文] 正文含有控制字符或双向文字控制符；删除这些不可见字符"),)),
    Case("raw-control-byte", write_bytes("people/ctl.yml", b"name: a\x01b\nunit: rmyy\npost: x\nroles: [\xe5\x85\xb6\xe4\xbb\x96\xe5\xb7\xa5\xe4\xbd\x9c\xe4\xba\xba\xe5\x91\x98]\n"),
         expect=(r"content/people/ctl\.yml:1:8: 错误 含有 YAML 不允许的控制字符（U\+0001）；删除这个不可见字符",)),
    Case("nul-byte", write_bytes("people/nul.yml", b"name: a\nunit: rmyy\x00\n"),
         expect=(re.escape("content/people/nul.yml:2:1: 错误 文件含有 NUL 字节，不是文本文件；请用文本编辑器另存为 UTF-8 文本"),)),
    # ------------------------------------------------------------ links, folders and pipes in content/
    Case("link-to-a-file-outside", symlink("people/passwd.yml", lambda s: "/etc/passwd"), expect=(LINK_OUT.format(rel=r"people/passwd\.yml"),)),
    Case("link-to-a-folder-outside", symlink("people/outside", lambda s: OUTSIDE), expect=(LINK_OUT.format(rel="people/outside"),)),
    Case("link-to-a-folder-inside", both(lambda s: s.path("_shared").mkdir(), symlink("people/shared", lambda s: "../_shared")), code=0,
         expect=(r"content/people/shared:0:0: 警告 指向文件夹的符号链接，其中的文件未读取；请把文件夹本身放进 content/",)),
    Case("link-loop", symlink("people/loop.yml", lambda s: "loop.yml"),
         expect=(r"content/people/loop\.yml:0:0: 错误 符号链接无效：指向的文件不存在，或链接形成循环；请把文件本身放进 content/",)),
    Case("campaign-document-linked-outside", both(lambda s: s.remove("campaign.md"), symlink("campaign.md", lambda s: "/etc/hostname")),
         ("build",), expect=(LINK_OUT.format(rel=r"campaign\.md"),)),
    Case("campaign-document-absolute-path", sub("campaign.yml", "document: campaign.md", "document: /etc/passwd"), ("build",),
         expect=(r"content/campaign\.yml:5:11: 错误 \[document 文件正文\] 文件 /etc/passwd 不在内容目录中；.*",)),
    Case("campaign-document-traversal", sub("campaign.yml", "document: campaign.md", "document: ../site_config.yml"),
         expect=(r"content/campaign\.yml:5:11: 错误 \[document 文件正文\] 文件 \.\./site_config\.yml 不在内容目录中；.*",)),
    Case("campaign-document-in-gbk", write_bytes("campaign.md", "# 实施方案\n".encode("gbk")), ("build",),
         expect=(r"content/campaign\.md:1:\d+: 错误 文件不是 UTF-8 编码，看起来是 GBK.*",)),
    Case("campaign-document-is-a-folder", both(lambda s: s.remove("campaign.md"), lambda s: s.path("campaign.md").mkdir()),
         expect=(NOT_REGULAR.format(rel=r"campaign\.md", what="文件夹"),)),
    Case("record-name-is-a-folder", both(lambda s: s.path("people/folder.yml").mkdir(),
                                         lambda s: s.path("people/li-si.yml").rename(s.path("people/folder.yml/li-si.yml"))),
         code=0),
    Case("named-pipe-as-record", fifo("content/people/pipe.yml"), proc=True, expect=(NOT_REGULAR.format(rel=r"people/pipe\.yml", what="管道、设备或套接字"),)),
    Case("named-pipe-as-document", fifo("content/campaign.md"), proc=True, expect=(NOT_REGULAR.format(rel=r"campaign\.md", what="管道、设备或套接字"),)),
    Case("named-pipe-as-config", fifo("site_config.yml"), proc=True, code=2,
         expect=(r"site_config\.yml:0:0: 错误 不是普通文件（是管道、设备或套接字），无法读取；请放入普通的文本文件",)),
    Case("named-pipe-as-feedback-csv", fifo("comments.csv"), ("feedback", "import", "comments.csv"), proc=True, code=2,
         expect=(r"错误：无法读取 comments\.csv：不是普通文件（是文件夹、管道或设备）",)),
    # ------------------------------------------------------------ broken configuration
    Case("config-unknown-key", add_config("colour: red\n"), code=2, expect=(r"site_config\.yml:18:1: 错误 \[colour\] 未知的键“colour”；.*",)),
    Case("config-wrong-type", config("working_days: 5", "working_days: 很多"), code=2,
         expect=(r"site_config\.yml:10:17: 错误 \[publicity\.working_days 默认公示工作日数\] “很多”不是整数；应为整数",)),
    Case("config-mapping-instead-of-text", config("site_name: 测试站点", "site_name: {a: 1}"), code=2,
         expect=(r"site_config\.yml:2:12: 错误 \[site_name 站点名称\] 这里是“键: 值”映射；应为文本",)),
    Case("config-bad-yes-no", add_config("archive_restricted: 也许\n"), code=2,
         expect=(r"site_config\.yml:18:21: 错误 \[archive_restricted 版本库为受限存储\] “也许”不是是/否；应为true 或 false",)),
    Case("config-javascript-url", config("https://yijian.example.gov.cn/form?record={id}&title={title}&unit={unit}", "javascript:alert(document.cookie)"),
         code=2, expect=(URL.format(found="不允许的链接协议“javascript”"),)),
    Case("config-javascript-url-disguised", config("https://yijian.example.gov.cn/form?record={id}&title={title}&unit={unit}", "JaVa\\tScRiPt:alert(1)"),
         code=2, expect=(URL.format(found="不允许的链接协议“javascript”"),)),
    Case("config-data-url", config("https://yijian.example.gov.cn/form?record={id}&title={title}&unit={unit}", "data:text/html,<script>alert(1)</script>"),
         code=2, expect=(URL.format(found="不允许的链接协议“data”"),)),
    Case("config-protocol-relative-url", config("https://yijian.example.gov.cn/form?record={id}&title={title}&unit={unit}", "//evil.example/{id}"),
         code=2, expect=(URL.format(found="不允许的链接协议“（无）”"),)),
    Case("config-http-without-host", config("https://yijian.example.gov.cn/form?record={id}&title={title}&unit={unit}", "http:///form?{id}"),
         code=2, expect=(URL.format(found="链接缺少主机名"),)),
    Case("config-unknown-placeholder", config("https://yijian.example.gov.cn/form?record={id}&title={title}&unit={unit}", "https://x.example/{phone}"),
         code=2, expect=(r"site_config\.yml:13:16: 错误 \[publicity\.comment_url 意见表链接模板\] 未知的占位符 \{phone\}.*",)),
    Case("config-base-path-markup", add_config('base_path: "/x\\"><script>alert(1)</script>/"\n'), code=2,
         expect=(r"site_config\.yml:18:\d+: 错误 \[base_path 站点子路径\] .*不是有效的子路径；.*",)),
    Case("config-timezone-path", config("timezone: Asia/Shanghai", "timezone: ../../../etc/passwd"), code=2,
         expect=(r"site_config\.yml:7:11: 错误 \[timezone 时区\] 未知的时区“\.\./\.\./\.\./etc/passwd”；.*",)),
    Case("config-bidi-in-site-name", config("site_name: 测试站点", 'site_name: "测试\\u202e站点"'), code=2,
         expect=(r"site_config\.yml:2:12: 错误 \[site_name 站点名称\] 含有控制字符或双向文字控制符；删除这些不可见字符",)),
    Case("config-nesting-10000-deep", add_config("footer: " + "[" * 10_000 + "]" * 10_000 + "\n"), code=2,
         expect=(r"site_config\.yml:18:\d+: 错误 YAML 语法错误：嵌套层数过多.*",)),
    Case("config-nul-byte", add_config("footer: a\x00b\n"), code=2, expect=(r"site_config\.yml:18:1: 错误 文件含有 NUL 字节.*",)),
    Case("config-is-a-folder", both(lambda s: (s.root / "site_config.yml").unlink(), lambda s: (s.root / "site_config.yml").mkdir()), code=2,
         expect=(r"site_config\.yml:0:0: 错误 不是普通文件（是文件夹），无法读取；请放入普通的文本文件",)),
    Case("content-folder-missing", config("content: content", "content: nowhere"), ("build",), code=2,
         expect=(r"site_config\.yml:4:10: 错误 \[content 内容目录\] 内容目录 nowhere 不存在；.*",)),
    Case("content-folder-is-a-file", config("content: content", "content: site_config.yml"), ("build",), code=2,
         expect=(r"site_config\.yml:4:10: 错误 \[content 内容目录\] 内容目录 site_config\.yml 不存在；.*",)),
    Case("archive-under-a-file", both(lambda s: (s.root / "blocker").write_text("x"), config("archive: archive", "archive: blocker/archive")),
         ("publish", "--note", "x"), code=2,
         expect=(r"错误：无法写入版本库目录 .*blocker/archive（Not a directory）；请检查 site_config\.yml 的 archive 设置和目录权限",),
         after=untouched("blocker", "x")),
    Case("output-under-a-file", both(lambda s: (s.root / "blocker").write_text("x"), config("output: build/site", "output: blocker/site")),
         ("build",), expect=(r"blocker/site:0:0: 错误 \[输出目录\] 路径中的 blocker 是文件，不是文件夹；.*",), after=untouched("blocker", "x")),
    Case("output-is-a-file", lambda s: ((s.root / "build").mkdir(), (s.root / "build" / "site").write_text("mine")), ("build",),
         expect=(r"build/site:0:0: 错误 \[输出目录\] build/site 已存在，且不是文件夹；.*",), after=untouched("build/site", "mine")),
    Case("output-is-the-content-folder", lambda s: None, ("build", "--out", "content"),
         expect=(r"content:0:0: 错误 \[输出目录\] 输出目录 content 包含内容目录，生成站点时会把它整个替换掉；.*",),
         after=untouched("content/campaign.yml")),
    Case("output-is-the-project", lambda s: None, ("build", "--out", "."),
         expect=(r"\.:0:0: 错误 \[输出目录\] 输出目录 \. 包含配置文件，生成站点时会把它整个替换掉；.*",), after=untouched("site_config.yml")),
    Case("output-inside-content", lambda s: None, ("build", "--out", "content/site"),
         expect=(r"content/site:0:0: 错误 \[输出目录\] 输出目录 content/site 在内容目录之中.*",)),
    Case("output-is-someone-elses-folder", lambda s: ((s.root / "docs").mkdir(), (s.root / "docs" / "note.txt").write_text("mine")),
         ("build", "--out", "docs"), expect=(r"docs:0:0: 错误 \[输出目录\] 输出目录 docs 已存在，且不是本工具生成的站点.*",),
         after=untouched("docs/note.txt", "mine")),
    Case("export-to-a-folder", lambda s: (s.root / "out.xlsx").mkdir(), ("export", "--out", "out.xlsx"), code=2,
         expect=(r"错误：无法写入“out\.xlsx”：已有同名的文件夹；请换一个输出文件名",)),
    Case("export-under-a-file", lambda s: (s.root / "blocker").write_text("x"), ("export", "--format", "csv", "--out", "blocker/out.csv"), code=2,
         expect=(r"错误：无法写入“blocker/out\.csv”：路径中的 blocker 是文件，不是文件夹；请换一个输出文件名",)),
    Case("template-under-a-file", lambda s: (s.root / "blocker").write_text("x"), ("template", "personal", "--out", "blocker/t.xlsx"), code=2,
         expect=(r"错误：无法读写 blocker：路径中有同名的文件，不是文件夹",)),
]


def run_in_process(argv: tuple[str, ...]) -> Run:
    return run_cli(*argv)


def run_in_a_process(site: Site, argv: tuple[str, ...]) -> Run:
    try:
        p = subprocess.run([sys.executable, "-m", "generator", *argv], cwd=site.root, capture_output=True, text=True, timeout=60,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
    except subprocess.TimeoutExpired:
        pytest.fail(f"{' '.join(argv)} hung")
    return Run(p.returncode, p.stdout, p.stderr)


def test_every_case_is_named_once() -> None:
    assert len({c.id for c in CASES}) == len(CASES) >= 60


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_case(site: Site, case: Case) -> None:
    case.setup(site)
    run = run_in_a_process(site, case.argv) if case.proc else run_in_process(case.argv)
    lines = run.err.splitlines()
    assert "Traceback" not in run.err and "Traceback" not in run.out, run.err
    assert run.code == case.code, run.err
    for pattern in case.expect:
        assert any(re.fullmatch(pattern, ln) for ln in lines), f"no line matches {pattern!r} in:\n{run.err}"
    assert not RAW_CONTROLS.search(run.err), "raw control characters reached the terminal"
    for ln in run.problems:  # every problem names a file and a position
        assert PROBLEM_RE.match(ln)
    if case.code != 0 and case.argv[0] == "build":
        assert not (site.root / "build" / "site").is_dir(), "a failed build wrote the site"
    if case.code != 0 and case.argv[0] == "publish":
        assert not (site.root / "archive" / "editions").exists()
    if case.after:
        case.after(site, run)
