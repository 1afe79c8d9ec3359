"""site_config.yml: the one file a bureau edits, validated like a record."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .fields import D, E, Field, L, M, S, Shape, T, item_of
from .load import Validator, compose, locate, read_text
from .problems import ERROR, Problem, Problems

CHANNELS_SHAPE = Shape("channels", "意见渠道", (
    S("office", "受理部门", "如：局监察室"),
    S("phone", "监督电话", "如：0515-85212345"),
    S("mailbox", "意见箱位置", "如：局办公楼一楼大厅"),
    S("email", "电子邮箱", "如：jcs@example.gov.cn"),
    S("hours", "受理时间", "如：工作日上班时间"),
))

PUBLICITY_SHAPE = Shape("publicity_config", "公示设置", (
    Field("working_days", "默认公示工作日数", "只给开始日期时的公示期长度（默认 5 个工作日）", "int", minimum=1, maximum=60, default=5),
    L("holidays", "法定节假日", "不计入工作日的日期（含调休放假）", Field("", "日期", "", "date")),
    L("workdays", "调休上班日", "周末但需上班、计入工作日的日期", Field("", "日期", "", "date")),
    S("comment_url", "意见表链接模板", "意见表网址，可用 {id} {title} {unit} 占位（自动网址编码）；也可为 mailto: 模板"),
    M("channels", "意见渠道", "公示栏上列出的意见渠道", CHANNELS_SHAPE),
))

THRESHOLD = Shape("threshold", "等次标准", (
    E("grade", "等次", "优秀/良好/一般", ("优秀", "良好", "一般"), required=True),
    Field("min_score", "最低得分", "得分不低于", "number", required=True, minimum=0, maximum=100),
    Field("max_deduction", "扣分上限", "扣分须低于此值", "number", minimum=0, maximum=100),
))

CONFIG = Shape("site_config", "站点配置", (
    S("site_name", "站点名称", "显示在页眉的站点名称", required=True),
    S("bureau", "单位名称", "发布站点的卫生局名称", required=True),
    S("content", "内容目录", "记录所在目录（相对本文件）", default="content"),
    S("output", "输出目录", "生成的站点目录（相对本文件）", default="build/site"),
    S("archive", "版本库目录", "存放历次发布版本的目录（相对本文件）", default="archive"),
    Field("archive_restricted", "版本库为受限存储", "为 true 时版本中的源记录保留保密字段；默认剔除", "bool", default=False),
    S("timezone", "时区", "如：Asia/Shanghai", default="Asia/Shanghai"),
    D("as_of", "固定日期", "按此日期推算公示状态；不填则为当天（示例站点固定日期以展示各个阶段）"),
    S("base_path", "站点子路径", "部署在子路径时填写，如 /lianzheng/；根路径不填", default="/"),
    M("publicity", "公示设置", "公示期与意见渠道", PUBLICITY_SHAPE),
    L("ethics_thresholds", "医德考评等次标准", "得分与等次的对应（默认按上高县标准：优秀≥90且无扣分，良好≥80且扣分<15，一般≥60且扣分<25）",
      item_of(THRESHOLD)),
    T("footer", "页脚说明", "页脚显示的说明文字"),
))

DEFAULT_THRESHOLDS = [
    {"grade": "优秀", "min_score": 90, "max_deduction": 0.0001},
    {"grade": "良好", "min_score": 80, "max_deduction": 15},
    {"grade": "一般", "min_score": 60, "max_deduction": 25},
]


@dataclass
class Config:
    path: Path
    root: Path  # folder of site_config.yml
    data: dict[str, Any]

    def get(self, key: str, default: Any = None) -> Any:
        f = CONFIG.get(key)
        return self.data.get(key, f.default if f and f.default is not None else default)

    @property
    def content_dir(self) -> Path:
        return (self.root / self.get("content")).resolve()

    @property
    def output_dir(self) -> Path:
        return (self.root / self.get("output")).resolve()

    @property
    def archive_dir(self) -> Path:
        return (self.root / self.get("archive")).resolve()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.get("timezone"))

    @property
    def publicity(self) -> dict[str, Any]:
        return self.data.get("publicity", {})

    @property
    def working_days(self) -> int:
        return int(self.publicity.get("working_days", 5))

    @property
    def thresholds(self) -> list[dict[str, Any]]:
        return self.data.get("ethics_thresholds") or DEFAULT_THRESHOLDS

    def as_of(self, override: dt.date | None = None) -> dt.date:
        if override is not None:
            return override
        if self.data.get("as_of"):
            return self.data["as_of"]
        return dt.datetime.now(self.tz).date()

    def display(self, p: Path) -> str:
        """A path as the user would type it: relative to the working folder when possible."""
        try:
            return str(p.resolve().relative_to(Path.cwd().resolve()))
        except ValueError:
            return str(p)


def load_config(path: Path, content: Path | None = None) -> tuple[Config | None, Problems]:
    """Read and check a site_config.yml; `content` overrides its content folder
    (a rebuild reads an edition's own records)."""
    probs = Problems()
    shown = str(path)
    if not path.exists():
        probs.append(Problem(shown, 0, 0, ERROR, "", "", "找不到配置文件", hint="用 --config 指定 site_config.yml 的位置"))
        return None, probs
    text, problem = read_text(path, shown)
    if problem:
        probs.append(problem)
        return None, probs
    node, problem = compose(text, shown)
    if problem:
        probs.append(problem)
        return None, probs
    if node is None:
        probs.append(Problem(shown, 1, 1, ERROR, "", "", "配置文件是空的", hint="参见 README 中的 site_config.yml 说明"))
        return None, probs
    v = Validator(shown)
    data = v.shape(node, CONFIG, "") or {}
    probs.extend(v.problems)
    cfg = Config(path.resolve(), path.resolve().parent, data)
    if content is not None:
        cfg.data["content"] = str(content.resolve())
    probs.extend(_semantic(cfg, shown))
    return (None if probs.errors else cfg), probs


def _semantic(cfg: Config, shown: str) -> list[Problem]:
    out: list[Problem] = []

    def bad(key: str, label: str, found: str, expected: str = "", hint: str = "") -> None:
        line, col = locate(cfg.path, key)
        out.append(Problem(shown, line, col, ERROR, key, label, found, expected, hint))

    try:
        ZoneInfo(cfg.get("timezone"))
    except (ZoneInfoNotFoundError, ValueError):
        bad("timezone", "时区", f"未知的时区“{cfg.get('timezone')}”", "IANA 时区名", "如 Asia/Shanghai")
    url = cfg.publicity.get("comment_url")
    if url:
        problem = comment_url_problem(url)
        if problem:
            bad("publicity.comment_url", "意见表链接模板", problem, "http、https 或 mailto 链接")
    base = cfg.get("base_path")
    if not (base.startswith("/") and base.endswith("/")) or any(c in base for c in "\"'<> ?#"):
        bad("base_path", "站点子路径", f"“{base}”不是有效的子路径", "以 / 开头并以 / 结尾，如 /lianzheng/")
    if not cfg.content_dir.is_dir():
        bad("content", "内容目录", f"内容目录 {cfg.display(cfg.content_dir)} 不存在", hint="检查 site_config.yml 的 content 或 --config 的位置")
    return out


def comment_url_problem(url: str) -> str:
    parts = urlsplit(url.replace("{", "").replace("}", ""))
    if parts.scheme not in ("http", "https", "mailto"):
        return f"不允许的链接协议“{parts.scheme or '（无）'}”"
    if parts.scheme in ("http", "https") and not parts.netloc:
        return "链接缺少主机名"
    unknown = [seg.split("}")[0] for seg in url.split("{")[1:] if seg.split("}")[0] not in ("id", "title", "unit")]
    if unknown:
        return f"未知的占位符 {{{unknown[0]}}}（可用 {{id}} {{title}} {{unit}}）"
    return ""
