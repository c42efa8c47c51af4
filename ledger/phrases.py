"""Deadline phrases as people say them, in Chinese and English, read into the canonical deadline grammar."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, Optional, Union

from ledger.deadlines import add_months, window


@dataclass(frozen=True)
class Reading:
    """A phrase read as a deadline: the canonical form, its window, and how it was read."""

    phrase: str
    deadline: str
    start: dt.date
    end: dt.date
    granularity: str  # day | month | quarter | half | year | span
    rule: str
    range: Optional[tuple[str, str]] = None  # both ends as said, canonical; the deadline is the later one
    note: str = ""  # how a loose word was read, when it was


@dataclass(frozen=True)
class Refusal:
    """A phrase that gives no deadline, and why."""

    phrase: str
    code: str  # empty | vague | impossible | ambiguous-date | before-said | past-calendar | unreadable
    reason: str


Result = Union[Reading, Refusal]

# --- Normal form --------------------------------------------------------------------------------------------
# Traditional characters that occur in deadline words, mapped to their simplified forms, so one set of rules
# reads both scripts.
_TRAD = str.maketrans("內個週後來從現兩幾於這將終長遠時間隨還過對開禮為進達實會裡裏當頭見際數遲著約概後變們說覺認經", "内个周后来从现两几于这将终长远时间随还过对开礼为进达实会里里当头见际数迟着约概后变们说觉认经")
_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_DASHES = str.maketrans({"–": "-", "—": "-", "―": "-", "−": "-", "～": "~", "〜": "~"})


def _fold(char: str) -> str:
    return unicodedata.normalize("NFKC", char).translate(_TRAD).translate(_DASHES).lower()


def normal_form(text: str) -> tuple[str, list[int]]:
    """The text as the rules read it, and for each of its characters the index of the one it came from.

    NFKC, simplified script, lower case, one ASCII space for any whitespace and none next to a Han
    character (so `2026 年` and `2026年` read alike).
    """
    chars: list[tuple[str, int]] = []
    for i, c in enumerate(text):
        for f in _fold(c):
            if f.isspace():
                if chars and chars[-1][0] != " ":
                    chars.append((" ", i))
            else:
                chars.append((f, i))
    out = [(c, i) for k, (c, i) in enumerate(chars)
           if not (c == " " and (k == 0 or k == len(chars) - 1
                                 or re.match(f"[{_HAN}]", chars[k - 1][0]) or re.match(f"[{_HAN}]", chars[k + 1][0])))]
    return "".join(c for c, _ in out), [i for _, i in out]


# --- Numbers ------------------------------------------------------------------------------------------------
_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_EN_NUMBER = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
              "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "eighteen": 18,
              "twenty": 20, "twenty-four": 24, "thirty": 30, "thirty-six": 36, "fifty": 50, "a hundred": 100,
              "a couple of": 2, "a couple": 2}
_EN_NUM = "|".join(sorted((re.escape(k) for k in _EN_NUMBER), key=len, reverse=True))
_CN_NUM = r"[零〇一二两三四五六七八九十百]+"
NUM = rf"(?:\d{{1,3}}|{_CN_NUM}|{_EN_NUM})"


def number(text: str) -> Optional[int]:
    """An amount written in digits, Chinese numerals (up to 999) or English words."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    if text in _EN_NUMBER:
        return _EN_NUMBER[text]
    if not re.fullmatch(_CN_NUM, text):
        return None
    total, digit = 0, None
    for c in text:
        if c in "十百":
            total += (1 if digit is None else digit) * (10 if c == "十" else 100)
            digit = None
        elif digit is not None:
            return None  # two digits in a row: 一二 is not a number
        else:
            digit = _CN_DIGIT[c]
    return total + (digit or 0)


# --- Building blocks of the rules ---------------------------------------------------------------------------
_CN_YEAR_WORDS = {"今年": 0, "本年": 0, "当年": 0, "明年": 1, "来年": 1, "下一年": 1, "后年": 2, "再下一年": 2,
                  "去年": -1, "前年": -2}
_EN_YEAR_WORDS = {"this year": 0, "the year": 0, "the current year": 0, "next year": 1, "the next year": 1,
                  "the year after next": 2, "last year": -1, "the year before last": -2}
_CN_YEAR = (r"(?:(?P<y>\d{4}|[〇零一二三四五六七八九]{4})年?|(?P<yw>"
            + "|".join(sorted(_CN_YEAR_WORDS, key=len, reverse=True)) + "))")
_EN_YEAR = (r"(?:(?P<y>\d{4})|(?P<yw>" + "|".join(sorted(_EN_YEAR_WORDS, key=len, reverse=True)) + "))")
_CN_BY = r"(?:从现在(?:起|开始)?到|截至|截止到?|直到|到了|到|在|于|最迟|最晚|不晚于)?"
_CN_BY_END = r"(?:之前|以前|前|为止|之内|以内|内|里|的时候|时)?"
_EN_BY = (r"(?:(?:by|in|during|within|until|till|through|throughout|sometime in|some time in|no later than|"
          r"at|around|for|over) )?")
_MONTHS = {"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
           "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
           "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12}
_EN_MONTH = "(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_ORDINAL = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
_CN_UNITS = {"年": "year", "个月": "month", "个星期": "week", "个礼拜": "week", "星期": "week", "礼拜": "week",
             "周": "week", "天": "day", "日": "day"}
_CN_UNIT = "(?P<u>" + "|".join(sorted(_CN_UNITS, key=len, reverse=True)) + ")"
_EN_UNIT = r"(?P<u>years?|months?|weeks?|days?|decades?)"
_CN_SPAN_START = (r"(?:在|于)?(?:未来的?|接下来的?|今后的?|往后的?|再过|从现在(?:起|开始)?(?:到|算起)?|"
                  r"从今天(?:起|开始)?(?:到|算起)?)?")
_CN_SPAN_END = r"(?:之内|以内|内|里|之后|以后|后|的时间里?|时间里?|当中)?"
_EN_SPAN_START = r"(?:(?:within|in|over|during|inside|for)(?: the)? )?(?:(?:next|coming|following) )?"
_EN_SPAN_END = r"(?: from (?:now|today)|'s time|' time| time| or so| or less)?"
_CN_SMALL = "一二两三四五六七八九"


@dataclass(frozen=True)
class _Found:
    deadline: str
    granularity: str
    rule: str
    range: Optional[tuple[str, str]] = None
    note: str = ""


_Reader = Callable[[dict[str, str], dt.date], Union[_Found, Refusal, None]]


def _digits_year(y: str) -> int:
    return int(y) if y.isdigit() else int("".join(str(_CN_DIGIT[c]) for c in y))


def _cn_year(g: dict[str, str], said: dt.date) -> int:
    return _digits_year(g["y"]) if g.get("y") else said.year + _CN_YEAR_WORDS.get(g.get("yw", ""), 0)


def _en_year(g: dict[str, str], said: dt.date) -> int:
    return _digits_year(g["y"]) if g.get("y") else said.year + _EN_YEAR_WORDS.get(g.get("yw", ""), 0)


def _quarter_of(said: dt.date) -> int:
    return (said.month - 1) // 3 + 1


def _within(n: int, unit: str, said: dt.date) -> tuple[str, str]:
    # Days are not in the grammar: a span of days becomes the day it runs out.
    if unit == "day":
        try:
            return (said + dt.timedelta(days=n)).isoformat(), "day"
        except OverflowError:
            return "9999-12-32", "day"  # window() then says it runs past the calendar
    if unit == "decade":
        n, unit = n * 10, "year"
    return f"within {n} {unit}{'s' if n != 1 else ''}", "span"


def _unit(word: str) -> str:
    return _CN_UNITS.get(word) or word.rstrip("s")


def _span(g: dict[str, str], said: dt.date, rule: str) -> Union[_Found, None]:
    unit = _unit(g["u"])
    b = number(g["b"]) if g.get("b") else None
    if g.get("half"):  # 一年半, a year and a half
        n = number(g["n"])
        if n is None:
            return None
        months = n * 12 + 6 if unit == "year" else None
        if months is None:
            return None
        deadline, gran = _within(months, "month", said)
        return _Found(deadline, gran, rule)
    if g.get("n") == "半" or g.get("n") in ("half a", "a half"):
        if unit != "year":
            return None
        deadline, gran = _within(6, "month", said)
        return _Found(deadline, gran, rule)
    a = number(g["n"]) if g.get("n") else None
    if not a:
        return None
    if b is not None:
        if b <= a:
            return None
        low, _ = _within(a, unit, said)
        high, gran = _within(b, unit, said)
        return _Found(high, gran, rule + "-range", (low, high))
    deadline, gran = _within(a, unit, said)
    return _Found(deadline, gran, rule)


def _part_of_year(part: str, year: int) -> _Found:
    # Loose words get the window a fact-checker would allow: early in a year is its first quarter, the
    # middle of a year is its first half (by the end of June), late in a year is its last quarter.
    if part in ("初", "年初", "early", "the start of", "start of", "the beginning of", "beginning of"):
        return _Found(f"{year}-Q1", "quarter", "early-year", note="early in the year is read as its first quarter")
    if part in ("中", "年中", "mid", "mid-", "the middle of", "middle of"):
        return _Found(f"{year}-H1", "half", "mid-year", note="the middle of the year is read as its first half")
    if part == "late":
        return _Found(f"{year}-Q4", "quarter", "late-year", note="late in the year is read as its last quarter")
    return _Found(str(year), "year", "year-end")


def _rules() -> list[tuple[str, re.Pattern[str], _Reader]]:
    """Every rule: a name, a pattern the whole normalised phrase must match, and what it means."""
    rules: list[tuple[str, str, _Reader]] = []

    def rule(name: str, pattern: str) -> Callable[[_Reader], _Reader]:
        def add(read: _Reader) -> _Reader:
            rules.append((name, pattern, read))
            return read
        return add

    @rule("ambiguous-date", r"\d{1,2}[/.]\d{1,2}[/.]\d{2,4}")
    def _ambiguous(g: dict[str, str], said: dt.date) -> Refusal:
        return Refusal("", "ambiguous-date", "a date written with slashes or dots is read day-first in some places and month-first in others: write it as YYYY-MM-DD")

    @rule("day", r"(?P<y>\d{4})[/.](?P<m>\d{1,2})[/.](?P<d>\d{1,2})")
    def _slash_day(g: dict[str, str], said: dt.date) -> _Found:
        return _Found(f"{g['y']}-{int(g['m']):02d}-{int(g['d']):02d}", "day", "date")

    days = {"today": 0, "今天": 0, "今日": 0, "tomorrow": 1, "明天": 1, "明日": 1, "the day after tomorrow": 2,
            "后天": 2, "yesterday": -1, "昨天": -1, "昨日": -1, "the day before yesterday": -2, "前天": -2}
    day_words = "|".join(sorted(days, key=len, reverse=True))

    @rule("relative-day", rf"(?:by |until |on )?(?P<w>{day_words})(?:之前|以前|前|内)?")
    def _relative_day(g: dict[str, str], said: dt.date) -> _Found:
        return _Found((said + dt.timedelta(days=days[g["w"]])).isoformat(), "day", "relative-day")

    @rule("year-range", rf"{_CN_BY}(?:{_EN_BY})?(?P<a>\d{{4}})年? ?(?:/|-|~|到|至|或|、|or|to|and) ?(?P<b>\d{{4}})年?(?:之间|间|{_CN_BY_END})")
    def _year_range(g: dict[str, str], said: dt.date) -> Optional[_Found]:
        if int(g["b"]) <= int(g["a"]):
            return None
        return _Found(g["b"], "year", "year-range", (g["a"], g["b"]))

    # Quarters
    @rule("quarter", rf"{_CN_BY}(?:{_CN_YEAR})?的?(?:第?(?P<q>[一二三四1-4])季度?|q(?P<q2>[1-4]))(?:末|底|{_CN_BY_END})")
    def _cn_quarter(g: dict[str, str], said: dt.date) -> _Found:
        q = number(g.get("q") or g.get("q2") or "") or 0
        return _Found(f"{_cn_year(g, said)}-Q{q}", "quarter", "quarter")

    @rule("quarter", rf"{_EN_BY}(?:the end of )?(?:the )?(?:q(?P<q>[1-4])|(?P<o>first|second|third|fourth|1st|2nd|3rd|4th) quarter)(?:(?: of)?,? {_EN_YEAR})?")
    def _en_quarter(g: dict[str, str], said: dt.date) -> _Found:
        q = int(g["q"]) if g.get("q") else _ORDINAL[g["o"]]
        return _Found(f"{_en_year(g, said)}-Q{q}", "quarter", "quarter")

    @rule("quarter", rf"{_EN_BY}(?:the end of )?(?:{_EN_YEAR}),? (?:q(?P<q>[1-4])|(?P<q2>[1-4])q)")
    def _en_year_quarter(g: dict[str, str], said: dt.date) -> _Found:
        return _Found(f"{_en_year(g, said)}-Q{g.get('q') or g.get('q2')}", "quarter", "quarter")

    @rule("quarter", rf"{_EN_BY}(?P<q>[1-4])q ?(?P<y>\d{{4}})")
    def _en_q_first(g: dict[str, str], said: dt.date) -> _Found:
        return _Found(f"{g['y']}-Q{g['q']}", "quarter", "quarter")

    @rule("this-quarter", rf"{_CN_BY}(?:(?P<w>本|这个|这一|下个|下一个|下一|下)季度|{_EN_BY}(?P<e>this|next|the next) quarter){_CN_BY_END}")
    def _this_quarter(g: dict[str, str], said: dt.date) -> _Found:
        later = bool(g.get("e") and "next" in g["e"]) or bool(g.get("w") and g["w"].startswith("下"))
        first = add_months(said.replace(day=1), 3 if later else 0)
        return _Found(f"{first.year}-Q{_quarter_of(first)}", "quarter", "this-quarter")

    # Halves
    @rule("half", rf"{_CN_BY}(?:{_CN_YEAR})?的?(?:(?P<h>上|下)半年|h(?P<h2>[12])|(?P<h3>[12])h)(?:末|底|{_CN_BY_END})")
    def _cn_half(g: dict[str, str], said: dt.date) -> _Found:
        h = 1 if g.get("h") == "上" or "1" in (g.get("h2"), g.get("h3")) else 2
        return _Found(f"{_cn_year(g, said)}-H{h}", "half", "half")

    @rule("half", rf"{_EN_BY}(?:the end of )?(?:the )?(?:h(?P<h>[12])|(?P<h2>[12])h|(?P<o>first|second|1st|2nd) half)(?:(?: of)?,? {_EN_YEAR})?")
    def _en_half(g: dict[str, str], said: dt.date) -> _Found:
        h = int(g.get("h") or g.get("h2") or 0) or _ORDINAL[g["o"]]
        return _Found(f"{_en_year(g, said)}-H{h}", "half", "half")

    @rule("half", rf"{_EN_BY}(?:{_EN_YEAR}),? (?:h(?P<h>[12])|(?P<h2>[12])h)")
    def _en_year_half(g: dict[str, str], said: dt.date) -> _Found:
        return _Found(f"{_en_year(g, said)}-H{g.get('h') or g.get('h2')}", "half", "half")

    # Early, middle, late and end of a year
    @rule("part-of-year", rf"{_CN_BY}(?:{_CN_YEAR})?(?P<p>年初|年中|年底|年末|年内|初|中|底|末|内)(?:之前|以前|前|为止|的时候|时)?")
    def _cn_part(g: dict[str, str], said: dt.date) -> Optional[_Found]:
        if not (g.get("y") or g.get("yw")) and g["p"] in ("初", "中", "底", "末", "内"):
            return None  # 底 alone is no phrase
        return _part_of_year(g["p"].lstrip("年"), _cn_year(g, said))

    en_parts = r"(?P<p>early|mid-|mid|the middle of|middle of|late|later|the end of|end of|the start of|start of|the beginning of|beginning of)"

    @rule("part-of-year", rf"{_EN_BY}{en_parts} ?{_EN_YEAR}")
    def _en_part(g: dict[str, str], said: dt.date) -> _Found:
        return _part_of_year(g["p"], _en_year(g, said))

    @rule("part-of-year", rf"{_EN_BY}(?:the )?(?:(?:{_EN_YEAR})[ -]end|year[ -]end|end of year|end-of-year)")
    def _en_year_end(g: dict[str, str], said: dt.date) -> _Found:
        return _Found(str(_en_year(g, said)), "year", "year-end")

    # Months and days
    cn_month = r"(?P<m>\d{1,2}|十[一二]?|[一二三四五六七八九])月份?(?:(?P<d>\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])(?:日|号))?"

    @rule("month", rf"{_CN_BY}(?:{_CN_YEAR})?{cn_month}(?:初|中|底|末|{_CN_BY_END})")
    def _cn_month(g: dict[str, str], said: dt.date) -> Union[_Found, Refusal]:
        return _month_or_day(_cn_year(g, said), number(g["m"]) or 0, number(g["d"]) if g.get("d") else None)

    @rule("month", rf"{_EN_BY}(?:the end of |end of |the middle of |mid-|early |late )?{_EN_MONTH}(?: (?P<d>\d{{1,2}})(?:st|nd|rd|th)?)?(?:,? (?P<y>\d{{4}}))?")
    def _en_month(g: dict[str, str], said: dt.date) -> Union[_Found, Refusal, None]:
        if g["mon"] in ("may", "march") and not (g.get("y") or g.get("d")):
            return None  # in running text, 'may' and 'march' alone are verbs
        return _month_or_day(_en_year(g, said), _MONTHS[g["mon"]], int(g["d"]) if g.get("d") else None)

    @rule("month", rf"{_EN_BY}(?:on )?(?:the )?(?P<d>\d{{1,2}})(?:st|nd|rd|th)? (?:of )?{_EN_MONTH},? (?P<y>\d{{4}})")
    def _en_day_month(g: dict[str, str], said: dt.date) -> Union[_Found, Refusal]:
        return _month_or_day(int(g["y"]), _MONTHS[g["mon"]], int(g["d"]))

    @rule("this-month", rf"{_CN_BY}(?:(?P<w>本月|这个月|下个月|下月|上个月|上月)(?:底|末|{_CN_BY_END})|{_EN_BY}(?:the end of )?(?P<e>this|next|last) month)")
    def _this_month(g: dict[str, str], said: dt.date) -> _Found:
        w = g.get("w") or g.get("e") or ""
        step = 1 if w.startswith("下") or w == "next" else -1 if w.startswith("上") or w == "last" else 0
        first = add_months(said.replace(day=1), step)
        return _Found(f"{first.year}-{first.month:02d}", "month", "this-month")

    # Spans: within N units
    @rule("within", rf"{_CN_SPAN_START}(?P<n>\d{{1,3}}|{_CN_NUM}|半)(?P<half>个?半)?{_CN_UNIT}(?P<half2>半)?{_CN_SPAN_END}(?:左右)?")
    def _cn_within(g: dict[str, str], said: dt.date) -> Optional[_Found]:
        if g.get("half2"):
            g = {**g, "half": g["half2"]}
        return _span(g, said, "within")

    @rule("within", rf"{_CN_SPAN_START}(?P<n>\d{{1,3}}|{_CN_NUM})(?:{_CN_UNIT.replace('?P<u>', '?P<u0>')})?(?:到|至|-|~|或者|或|、)(?P<b>\d{{1,3}}|{_CN_NUM}){_CN_UNIT}{_CN_SPAN_END}")
    def _cn_range(g: dict[str, str], said: dt.date) -> Optional[_Found]:
        if g.get("u0") and _unit(g["u0"]) != _unit(g["u"]):
            return None
        return _span(g, said, "within")

    @rule("within", rf"{_CN_SPAN_START}(?P<n>[{_CN_SMALL}])(?P<b>[{_CN_SMALL}]){_CN_UNIT}{_CN_SPAN_END}")
    def _cn_pair(g: dict[str, str], said: dt.date) -> Optional[_Found]:
        return _span(g, said, "within")  # 一两年, 三五年: two numerals side by side are a range

    @rule("within", rf"{_EN_SPAN_START}(?P<n>\d{{1,3}}|{_EN_NUM}|half a)(?P<half> and a half)? {_EN_UNIT}{_EN_SPAN_END}")
    def _en_within(g: dict[str, str], said: dt.date) -> Optional[_Found]:
        return _span(g, said, "within")

    @rule("within", rf"{_EN_SPAN_START}(?P<n>\d{{1,3}}|{_EN_NUM})(?: {_EN_UNIT.replace('?P<u>', '?P<u0>')})? ?(?:-|~|to|or) ?(?P<b>\d{{1,3}}|{_EN_NUM}) {_EN_UNIT}{_EN_SPAN_END}")
    def _en_range(g: dict[str, str], said: dt.date) -> Optional[_Found]:
        if g.get("u0") and _unit(g["u0"]) != _unit(g["u"]):
            return None
        return _span(g, said, "within")

    @rule("within", rf"{_EN_SPAN_START}an? (?P<u>year|month|week|day|decade) or (?P<b>two|three)(?: {_EN_UNIT.replace('?P<u>', '?P<u2>')})?{_EN_SPAN_END}")
    def _en_or_two(g: dict[str, str], said: dt.date) -> Optional[_Found]:
        return _span({**g, "n": "1"}, said, "within")

    @rule("within", r"(?:within|over|during|in) (?:the )?(?:next|coming) (?P<u>decade|year|month|week)")
    def _en_next_unit(g: dict[str, str], said: dt.date) -> Optional[_Found]:
        return _span({**g, "n": "1"}, said, "within")

    # Looking back: 三年前, 过去两年, two years ago, over the past year. The past is no deadline.
    @rule("looking-back", rf"(?:(?:在|于)?(?:过去|前)的?(?:{NUM}|半)?(?:个)?{_CN_UNIT.replace('?P<u>', '?:')}(?:里|内|中|来|以来)?"
                          rf"|(?:{NUM}|几|一百多|{_CN_NUM}多)个?{_CN_UNIT.replace('?P<u>', '?:')}(?:之前|以前|前)"
                          rf"|(?:\d{{1,3}}|{_EN_NUM}|a few|several) {_EN_UNIT.replace('?P<u>', '?:')} ago"
                          rf"|(?:(?:in|over|during) )?the (?:past|last) (?:(?:\d{{1,3}}|{_EN_NUM}|few) )?{_EN_UNIT.replace('?P<u>', '?:')})")
    def _looking_back(g: dict[str, str], said: dt.date) -> Refusal:
        return Refusal("", "before-said", "the words look back from the day they were said; a deadline lies after them")

    # Years
    @rule("year", rf"{_CN_BY}{_CN_YEAR}{_CN_BY_END}")
    def _cn_year_rule(g: dict[str, str], said: dt.date) -> _Found:
        return _Found(str(_cn_year(g, said)), "year", "year")

    @rule("year", rf"{_EN_BY}(?:the end of |end of |later |sometime )?{_EN_YEAR}")
    def _en_year_rule(g: dict[str, str], said: dt.date) -> _Found:
        return _Found(str(_en_year(g, said)), "year", "year")

    @rule("before-year", r"before (?P<y>\d{4})")
    def _before_year(g: dict[str, str], said: dt.date) -> _Found:
        # 'before 2030' ends with 2029; the Chinese 2030年前 is said and read as 'by 2030'.
        return _Found(str(int(g["y"]) - 1), "year", "before-year", note=f"before {g['y']} is read as by the end of {int(g['y']) - 1}")

    return [(name, re.compile(pattern), read) for name, pattern, read in rules]


def _month_or_day(year: int, month: int, day: Optional[int]) -> Union[_Found, Refusal]:
    if not 1 <= month <= 12:
        return Refusal("", "impossible", f"there is no month {month}")
    if day is None:
        return _Found(f"{year:04d}-{month:02d}", "month", "month")
    try:
        return _Found(dt.date(year, month, day).isoformat(), "day", "date")
    except ValueError:
        return Refusal("", "impossible", f"{year:04d}-{month:02d}-{day:02d} is not a real calendar date")


_RULES = _rules()
_HEDGE = re.compile(r"^(?:大约|大概|约|差不多|估计|预计|about|around|roughly|approximately|probably|maybe) ?|(?:左右|前后| or so)$")
_EDGE = " 。.,,、!?;:'\"“”‘’「」()（）"

VAGUE = (
    "几", "数年", "多年", "未来", "将来", "以后", "之后", "随后", "接下来", "不久", "很快", "马上", "早晚", "迟早",
    "最终", "终将", "终究", "长远", "长期", "短期", "近期", "一段时间", "有一天", "有朝一日", "随着时间", "随时间",
    "慢慢", "永远", "很长", "更晚", "更远", "遥远", "这需要时间", "需要时间",
    "soon", "eventually", "someday", "some day", "one day", "in the future", "future", "coming years",
    "coming months", "coming decades", "few", "several", "years to come", "long run", "long term", "long-term",
    "short term", "short-term", "near term", "near-term", "over time", "at some point", "sooner or later",
    "ultimately", "down the road", "in time", "decades", "a while",
)
_VAGUE = re.compile("|".join(rf"\b{re.escape(w)}\b" if w.isascii() else re.escape(w) for w in VAGUE))
_CANONICAL_SHAPE = re.compile(r"\d{4}-(?:\d{1,2}(?:-\d{1,2})?|[qh]\d+)|within \d+ (?:years?|months?|weeks?)")
_GRAMMAR = "YYYY-MM-DD, YYYY-MM, YYYY-Qn, YYYY-Hn, YYYY or 'within N years|months|weeks'"


def read(phrase: str, said_on: dt.date) -> Result:
    """Read the words of a deadline, as said on `said_on`, into a canonical deadline or a refusal."""
    text = normal_form(phrase)[0].strip(_EDGE)
    text = _HEDGE.sub("", text).strip(_EDGE)
    if not text:
        return Refusal(phrase, "empty", "the phrase is empty")
    if _CANONICAL_SHAPE.fullmatch(text):
        canonical = text if text.startswith("within") else text.upper()
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}|\d{4}-\d{1,2}", canonical):
            parts = [int(p) for p in canonical.split("-")]
            canonical = "-".join([f"{parts[0]:04d}"] + [f"{p:02d}" for p in parts[1:]])
        gran = ("span" if "within" in canonical else "quarter" if "Q" in canonical else "half" if "H" in canonical
                else {4: "year", 7: "month"}.get(len(canonical), "day"))
        return _checked(phrase, _Found(canonical, gran, "canonical"), said_on)
    for name, pattern, reader in _RULES:
        m = pattern.fullmatch(text)
        if not m:
            continue
        found = reader({k: v for k, v in m.groupdict().items() if v is not None}, said_on)
        if isinstance(found, Refusal):
            return Refusal(phrase, found.code, f"'{phrase}': {found.reason}")
        if found is not None:
            return _checked(phrase, found, said_on)
    if _VAGUE.search(text):
        return Refusal(phrase, "vague",
                       f"'{phrase}' is a vague horizon, not a deadline: record the words in deadline_text and leave "
                       "deadline out, or give an explicit window (e.g. 'within 3 years')")
    return Refusal(phrase, "unreadable", f"cannot read '{phrase}' as a deadline: write it as {_GRAMMAR}")


def _checked(phrase: str, found: _Found, said_on: dt.date) -> Result:
    try:
        w = window(found.deadline, said_on)
    except ValueError as e:
        if "past the end of the calendar" in str(e) or re.match(r"\d{5}|9999-12-32", found.deadline):
            return Refusal(phrase, "past-calendar",
                           f"'{phrase}' said on {said_on} points past the end of the calendar (9999-12-31)")
        return Refusal(phrase, "impossible", str(e).replace(f"'{found.deadline}'", f"'{phrase}'"))
    if w.end < said_on:
        return Refusal(phrase, "before-said",
                       f"'{phrase}' read as {found.deadline} ends on {w.end}, before it was said ({said_on}): "
                       "a deadline lies after the words")
    return Reading(phrase, found.deadline, w.start, w.end, found.granularity, found.rule, found.range, found.note)


@dataclass(frozen=True)
class Mention:
    """A time expression inside a longer text: where it is (offsets into that text) and how it reads."""

    start: int
    end: int
    text: str
    result: Result


# In running text a vague horizon is a phrase, not a word: 接下来的几年内 must not leave 年内 to be read alone.
_VAGUE_SPAN = re.compile(r"(?:在|于)?(?:未来的?|接下来的?|今后的?|再过|过去的?)?几十?个?(?:年|月|周|星期|天)?(?:之内|以内|内|里|后|以后)?|"
                         + "|".join(sorted((rf"\b{re.escape(w)}\b" if w.isascii() else re.escape(w) for w in VAGUE),
                                           key=len, reverse=True)))


# In running text a match must not end inside a word or a number: 'in may 20' of 'in may 2026'.
_IN_TEXT = [re.compile(rf"(?:{p.pattern})(?:(?<![0-9a-z])|(?![0-9a-z]))") for _, p, _ in _RULES]


def find(text: str, said_on: dt.date) -> list[Mention]:
    """Every time expression in `text`, leftmost and longest first, each read as `read` would read it alone."""
    norm, origin = normal_form(text)
    mentions: list[Mention] = []
    i = 0
    while i < len(norm):
        if norm[i] == " " or (i and norm[i].isascii() and norm[i].isalnum() and norm[i - 1].isalnum()):
            i += 1
            continue
        v = _VAGUE_SPAN.match(norm, i)
        best = v.end() - i if v else 0
        for pattern in _IN_TEXT:
            m = pattern.match(norm, i)
            if m and m.end() > i + best:
                found = read(text[origin[i]:origin[m.end() - 1] + 1], said_on)
                if not (isinstance(found, Refusal) and found.code == "unreadable"):
                    best = m.end() - i
        if best:
            start, end = origin[i], origin[i + best - 1] + 1
            mentions.append(Mention(start, end, text[start:end], read(text[start:end], said_on)))
            i += best
        else:
            i += 1
    return mentions
