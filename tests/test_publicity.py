"""The publicity lifecycle at each boundary: windows by dates or by working
days (weekends, listed holidays, make-up working days from the sample
site_config.yml), status for as-of dates either side of opening, closing,
confirmation and withdrawal, closing moments in the site's time zone, the
comment link and its configuration."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

import pytest

from generator.config import load_config
from generator.publicity import (CONFIRMED, NONE, OPEN, PENDING, SCHEDULED, WITHDRAWN, Calendar, Window, closes_iso,
                                 comment_link, confirmable_on, history, is_open_at, status_of, window_of,
                                 working_days_left)
from support.sites import SAMPLE_CONFIG, config

D = dt.date
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def cal() -> Calendar:
    """The calendar of the sample site_config.yml: 2010-06-14..16 Dragon Boat
    holiday, 2010-06-12/13 (Saturday, Sunday) make-up working days."""
    return Calendar.from_config(config(SAMPLE_CONFIG).publicity)


def test_sample_calendar_has_the_dragon_boat_holiday_and_make_up_days(cal: Calendar) -> None:
    assert [cal.is_working(D(2010, 6, d)) for d in range(10, 19)] == [
        True, True,  # Thu 10, Fri 11
        True, True,  # Sat 12, Sun 13: make-up working days
        False, False, False,  # Mon 14 - Wed 16: holiday
        True, True,  # Thu 17, Fri 18
    ]
    assert not cal.is_working(D(2010, 6, 19))  # an ordinary Saturday


# ------------------------------------------------------------ windows

def test_window_by_dates_is_taken_as_written(cal: Calendar) -> None:
    w = window_of({"opens": D(2010, 6, 1), "closes": D(2010, 6, 7)}, cal, 5)
    assert w == Window(D(2010, 6, 1), D(2010, 6, 7), None, False)


def test_five_working_days_across_make_up_days_and_a_holiday(cal: Calendar) -> None:
    # Thu 10, Fri 11, Sat 12 (make-up), Sun 13 (make-up), [14-16 holiday], Thu 17
    w = window_of({"opens": D(2010, 6, 10)}, cal, 5)
    assert w is not None and w.closes == D(2010, 6, 17) and w.derived


def test_working_days_across_an_ordinary_weekend(cal: Calendar) -> None:
    # Thu 3, Fri 4, [Sat 5, Sun 6], Mon 7, Tue 8, Wed 9
    w = window_of({"opens": D(2010, 6, 3)}, cal, 5)
    assert w is not None and w.closes == D(2010, 6, 9)


def test_a_make_up_saturday_counts(cal: Calendar) -> None:
    # Tue 8, Wed 9, Thu 10, Fri 11, Sat 12 (make-up): closes on the Saturday
    w = window_of({"opens": D(2010, 6, 8)}, cal, 5)
    assert w is not None and w.closes == D(2010, 6, 12)
    assert window_of({"opens": D(2010, 6, 8)}, Calendar(), 5).closes == D(2010, 6, 14)  # type: ignore[union-attr]


def test_opening_on_a_holiday_counts_from_the_next_working_day(cal: Calendar) -> None:
    w = window_of({"opens": D(2010, 6, 14)}, cal, 3)
    assert w is not None and w.closes == D(2010, 6, 21)  # Thu 17, Fri 18, Mon 21


def test_the_record_may_set_its_own_number_of_working_days(cal: Calendar) -> None:
    w = window_of({"opens": D(2010, 6, 10), "working_days": 7}, cal, 5)
    assert w is not None and w.closes == D(2010, 6, 21)  # … 17, 18, Mon 21


def test_the_config_default_is_five_working_days() -> None:
    assert config(SAMPLE_CONFIG).working_days == 5


def test_no_opening_date_means_no_window(cal: Calendar) -> None:
    assert window_of(None, cal, 5) is None
    assert window_of({"where": "公开栏"}, cal, 5) is None


def test_working_days_left_counts_the_as_of_day_and_skips_the_holiday(cal: Calendar) -> None:
    w = window_of({"opens": D(2010, 6, 10)}, cal, 5)
    assert w is not None
    assert working_days_left(w, D(2010, 6, 10), cal) == 5
    assert working_days_left(w, D(2010, 6, 11), cal) == 4
    assert working_days_left(w, D(2010, 6, 13), cal) == 2  # Sun 13 (make-up) and Thu 17
    assert working_days_left(w, D(2010, 6, 14), cal) == 1  # holiday: only Thu 17 is left
    assert working_days_left(w, D(2010, 6, 17), cal) == 1


# ------------------------------------------------------------ status at each boundary

FORM = {"signed_on": D(2010, 6, 9)}


@pytest.mark.parametrize(("as_of", "want"), [
    (D(2010, 6, 9), SCHEDULED),  # the day before opening
    (D(2010, 6, 10), OPEN),  # opening day
    (D(2010, 6, 16), OPEN),  # holiday inside the window
    (D(2010, 6, 17), OPEN),  # closing day (closes at its end)
    (D(2010, 6, 18), PENDING),  # the day after closing
])
def test_status_around_opening_and_closing(cal: Calendar, as_of: dt.date, want: str) -> None:
    w = window_of({"opens": D(2010, 6, 10)}, cal, 5)
    assert status_of(FORM, w, as_of) == want


def test_status_without_a_window(cal: Calendar) -> None:
    assert status_of(FORM, None, D(2010, 6, 10)) == NONE


@pytest.mark.parametrize(("as_of", "want"), [
    (D(2010, 6, 19), PENDING),  # the day before confirmation
    (D(2010, 6, 20), CONFIRMED),  # the day of confirmation
    (D(2010, 7, 1), CONFIRMED),
])
def test_status_around_confirmation(cal: Calendar, as_of: dt.date, want: str) -> None:
    form = {**FORM, "confirmation": {"by": "人民医院党政班子", "on": D(2010, 6, 20)}}
    assert status_of(form, window_of({"opens": D(2010, 6, 10)}, cal, 5), as_of) == want


@pytest.mark.parametrize(("as_of", "want"), [
    (D(2010, 6, 11), OPEN),
    (D(2010, 6, 12), WITHDRAWN),  # withdrawn while open
    (D(2010, 8, 1), WITHDRAWN),
])
def test_withdrawal_ends_any_status(cal: Calendar, as_of: dt.date, want: str) -> None:
    form = {**FORM, "withdrawal": {"on": D(2010, 6, 12), "reason": "填报有误，重新填写"},
            "confirmation": {"by": "班子", "on": D(2010, 6, 20)}}
    assert status_of(form, window_of({"opens": D(2010, 6, 10)}, cal, 5), as_of) == want


# ------------------------------------------------------------ closing moments

def test_a_window_closes_at_the_end_of_its_closing_day_in_the_site_time_zone(cal: Calendar) -> None:
    w = window_of({"opens": D(2010, 6, 10)}, cal, 5)
    assert w is not None
    assert closes_iso(w, TZ) == "2010-06-18T00:00:00+08:00"
    assert w.close_text() == "2010年6月17日 24 时截止（当日结束）"
    last = dt.datetime(2010, 6, 17, 23, 59, tzinfo=TZ)
    assert is_open_at(w, last, TZ) and not is_open_at(w, last + dt.timedelta(minutes=1), TZ)
    assert not is_open_at(w, dt.datetime(2010, 6, 9, 23, 59, tzinfo=TZ), TZ)
    assert is_open_at(w, dt.datetime(2010, 6, 10, 0, 0, tzinfo=TZ), TZ)
    # the same moment seen from another zone: 16:00 UTC is midnight in Shanghai
    assert not is_open_at(w, dt.datetime(2010, 6, 17, 16, 0, tzinfo=dt.timezone.utc), TZ)


def test_closes_at_sets_the_moment_on_the_closing_day(cal: Calendar) -> None:
    w = window_of({"opens": D(2010, 6, 10), "closes_at": "17:30"}, cal, 5)
    assert w is not None
    assert closes_iso(w, TZ) == "2010-06-17T17:30:00+08:00"
    assert w.close_text() == "2010年6月17日 17:30 截止"
    assert closes_iso(w, ZoneInfo("Asia/Urumqi")) == "2010-06-17T17:30:00+06:00"


def test_confirmation_may_follow_a_timed_close_on_the_same_day(cal: Calendar) -> None:
    end_of_day = window_of({"opens": D(2010, 6, 10)}, cal, 5)
    timed = window_of({"opens": D(2010, 6, 10), "closes_at": "12:00"}, cal, 5)
    assert end_of_day is not None and timed is not None
    assert not confirmable_on(end_of_day, D(2010, 6, 17))
    assert confirmable_on(end_of_day, D(2010, 6, 18))
    assert confirmable_on(timed, D(2010, 6, 17))
    assert not confirmable_on(timed, D(2010, 6, 16))


# ------------------------------------------------------------ history

def test_history_shows_only_what_has_happened_by_the_as_of_date(cal: Calendar) -> None:
    form = {"signed_on": D(2010, 6, 9),
            "publicity": {"opens": D(2010, 6, 10), "where": "院务公开栏",
                          "feedback": [{"received": D(2010, 6, 11), "channel": "意见箱", "summary": "甲"},
                                       {"received": D(2010, 6, 11), "channel": "电话", "summary": "乙"},
                                       {"received": D(2010, 6, 17), "channel": "电话", "summary": "丙"}]},
            "confirmation": {"by": "人民医院党政班子", "on": D(2010, 6, 21)}}
    w = window_of(form["publicity"], cal, 5)

    def labels(as_of: dt.date) -> list[tuple[dt.date, str, str]]:
        return [(e.on, e.label, e.text) for e in history(form, w, as_of)]

    assert labels(D(2010, 6, 9)) == [(D(2010, 6, 9), "签署承诺", "")]
    # while open, comments are not shown
    assert labels(D(2010, 6, 17)) == [(D(2010, 6, 9), "签署承诺", ""), (D(2010, 6, 10), "开始公示", "公示地点：院务公开栏")]
    assert labels(D(2010, 6, 21)) == [
        (D(2010, 6, 9), "签署承诺", ""), (D(2010, 6, 10), "开始公示", "公示地点：院务公开栏"),
        (D(2010, 6, 11), "收到意见", "2 条"), (D(2010, 6, 17), "收到意见", "1 条"),
        (D(2010, 6, 17), "公示期满", "2010年6月17日 24 时截止（当日结束）"),
        (D(2010, 6, 21), "辨识确认", "人民医院党政班子"),
    ]


# ------------------------------------------------------------ comment link

def test_comment_link_encodes_every_placeholder() -> None:
    url = comment_link("https://yijian.example.gov.cn/form?record={id}&title={title}&unit={unit}",
                       "zhang-san-2010", "张三 2010年度个人廉政风险和自我防范承诺表", "东台市人民医院 & 分院")
    q = parse_qs(urlsplit(url).query)
    assert q == {"record": ["zhang-san-2010"], "title": ["张三 2010年度个人廉政风险和自我防范承诺表"], "unit": ["东台市人民医院 & 分院"]}
    assert " " not in url and "&分院" not in url


def test_mailto_comment_link() -> None:
    url = comment_link("mailto:jcs@example.gov.cn?subject=对{title}的意见&body=记录编号：{id}", "li-si-2010", "李四 承诺表", "")
    assert url.startswith("mailto:jcs@example.gov.cn?subject=")
    assert unquote(url) == "mailto:jcs@example.gov.cn?subject=对李四 承诺表的意见&body=记录编号：li-si-2010"
    assert "%20" in url  # a space is %20 in mailto, never "+"


def test_no_template_no_link() -> None:
    assert comment_link(None, "x", "t", "u") == ""


def _config_with(tmp_path: Path, comment_url: str) -> list[str]:
    (tmp_path / "content").mkdir(exist_ok=True)
    p = tmp_path / "site_config.yml"
    p.write_text(f"site_name: 测试\nbureau: 测试局\npublicity:\n  comment_url: \"{comment_url}\"\n", encoding="utf-8")
    cfg, probs = load_config(p)
    return [pr.format().replace(str(p), "site_config.yml") for pr in probs]


@pytest.mark.parametrize("url", ["https://a.example/f?id={id}", "http://a.example/{title}", "mailto:jcs@a.example?subject={title}"])
def test_config_accepts_http_https_and_mailto(tmp_path: Path, url: str) -> None:
    assert _config_with(tmp_path, url) == []


@pytest.mark.parametrize(("url", "found"), [
    ("javascript:alert({id})", "不允许的链接协议“javascript”"),
    ("ftp://a.example/{id}", "不允许的链接协议“ftp”"),
    ("/form?id={id}", "不允许的链接协议“（无）”"),
    ("https:///form?id={id}", "链接缺少主机名"),
    ("https://a.example/f?who={name}", "未知的占位符 {name}（可用 {id} {title} {unit}）"),
])
def test_config_refuses_other_comment_links(tmp_path: Path, url: str, found: str) -> None:
    assert _config_with(tmp_path, url) == [
        f"site_config.yml:4:16: 错误 [publicity.comment_url 意见表链接模板] {found}；应为http、https 或 mailto 链接"]
