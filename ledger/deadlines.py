"""Deadlines: the canonical grammar, its date windows, and phrases as people say them."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Optional, Union

_WITHIN = re.compile(r"within ([1-9][0-9]*) (year|month|week)s?")
_CANONICAL = re.compile(r"(\d{4})(?:-(?:(\d{2})(?:-(\d{2}))?|Q([1-4])|H([12])))?")


@dataclass(frozen=True)
class Window:
    """The span a deadline allows: a prediction is due once the as-of date is past `end`."""

    text: str
    start: dt.date
    end: dt.date


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def _month_window(year: int, first: int, last: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1])


def canonical(value: Union[str, int, dt.date]) -> str:
    """The deadline as canonical text (YAML reads `2026` as an integer and `2026-03-31` as a date)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def window(value: Union[str, int, dt.date], said_on: dt.date) -> Window:
    """The date window of a canonical deadline; raises ValueError with a readable reason."""
    text = canonical(value)
    m = _WITHIN.fullmatch(text)
    if m:
        n, unit = int(m.group(1)), m.group(2)
        try:
            if unit == "week":
                end = said_on + dt.timedelta(weeks=n)
            else:
                end = add_months(said_on, n * 12 if unit == "year" else n)
        except (OverflowError, ValueError):
            raise ValueError(f"'{text}' runs past the end of the calendar (9999-12-31)") from None
        return Window(text, said_on, end)
    m = _CANONICAL.fullmatch(text)
    if not m:
        raise ValueError(
            f"'{text}' is not a deadline: write YYYY-MM-DD, YYYY-MM, YYYY-Qn, YYYY-Hn, YYYY "
            "or 'within N years|months|weeks' (`ledger deadline PHRASE --said-on DATE` converts words as said)"
        )
    year = int(m.group(1))
    month, day, quarter, half = m.group(2), m.group(3), m.group(4), m.group(5)
    if day:
        try:
            d = dt.date(year, int(month), int(day))
        except ValueError:
            raise ValueError(f"'{text}' is not a real calendar date") from None
        return Window(text, d, d)
    if month:
        if not 1 <= int(month) <= 12:
            raise ValueError(f"'{text}' has no month {month}")
        return Window(text, *_month_window(year, int(month), int(month)))
    if quarter:
        q = int(quarter)
        return Window(text, *_month_window(year, 3 * q - 2, 3 * q))
    if half:
        h = int(half)
        return Window(text, *_month_window(year, 6 * h - 5, 6 * h))
    return Window(text, dt.date(year, 1, 1), dt.date(year, 12, 31))


# --- Phrases as said -------------------------------------------------------------------------

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_EN_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
               "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eighteen": 18, "twelve": 12,
               "a couple of": 2, "a couple": 2}
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}

VAGUE = (
    "未来几年", "未來幾年", "几年内", "幾年內", "几年", "幾年", "很快", "不久", "将来", "將來", "未来", "未來",
    "迟早", "遲早", "终将", "終將", "最终", "最終", "长远", "長遠", "需要时间", "需要時間", "有朝一日", "近期", "短期内", "短期內", "长期", "長期",
    "next few years", "coming years", "few years", "soon", "eventually", "someday", "one day",
    "in the future", "near future", "long run", "long term", "over time", "at some point",
)


def _cn_number(text: str) -> Optional[int]:
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    if len(text) == 1 and text in _CN_DIGITS:
        return _CN_DIGITS[text]
    return None


def _number(text: str) -> Optional[int]:
    text = text.strip()
    if text in _EN_NUMBERS:
        return _EN_NUMBERS[text]
    return _cn_number(text)


@dataclass(frozen=True)
class PhraseResult:
    """What a phrase means as a deadline: a canonical deadline, or the reason there is none."""

    deadline: Optional[str]
    reason: str


def _year_of(word: str, said: dt.date) -> Optional[int]:
    word = word.strip()
    if re.fullmatch(r"\d{4}", word):
        return int(word)
    if re.fullmatch(r"[零〇一二三四五六七八九]{4}", word):
        return int("".join(str(_CN_DIGITS[c]) for c in word))
    relative = {"今年": 0, "明年": 1, "后年": 2, "後年": 2, "this year": 0, "next year": 1,
                "the year after next": 2, "": 0}
    if word in relative:
        return said.year + relative[word]
    return None


_CN_YEAR = r"(\d{4}|[零〇一二三四五六七八九]{4}|今年|明年|后年|後年)?年?"
_CN_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"(?:到|在|于|於)?{_CN_YEAR}(?:的)?第?([一二三四1-4])季度?(?:前|之前|内|內|末)?|{_CN_YEAR}\s*[Qq]([1-4])"), "quarter"),
    (re.compile(rf"(?:到|在|于|於)?{_CN_YEAR}(?:的)?(上|下)半年"), "half"),
    (re.compile(rf"(?:到|在|于|於)?{_CN_YEAR}(\d{{1,2}}|[一二三四五六七八九十]{{1,2}})月(?:底|前|之前|份)?"), "month"),
    (re.compile(r"(?:在|于|於)?(?:未来|未來|接下来的?|接下來的?)?([0-9一二两兩三四五六七八九十]+)\s*(年|个月|個月|周|週|星期)(?:之内|之內|内|內|以内|以內)"), "within"),
    (re.compile(r"(?:到|在|于|於)?(\d{4}|[零〇一二三四五六七八九]{4}|今年|明年|后年|後年)年?(?:底|末|前|之前|以前|内|內|年底|年内|年內)?"), "year"),
]
_EN_YEAR = r"(\d{4}|this year|next year|the year after next)"
_EN_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"(?:by |in |during )?(?:the )?(?:q([1-4])|(first|second|third|fourth|1st|2nd|3rd|4th) quarter)(?: of)? {_EN_YEAR}"), "quarter"),
    (re.compile(rf"(?:by |in |during )?{_EN_YEAR},? q([1-4])"), "quarter-rev"),
    (re.compile(rf"(?:by |in |during )?(?:the )?(?:h([12])|(first|second) half)(?: of)? {_EN_YEAR}"), "half"),
    (re.compile(r"(?:with)?in (?:the next )?(\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|eighteen|a couple(?: of)?) (year|month|week)s?"), "within"),
    (re.compile(rf"(?:by |in |before |until )?(?:the )?(?:end of |late |later )?{_EN_YEAR}"), "year"),
]


def _from_match(kind: str, groups: tuple[Optional[str], ...], said: dt.date) -> Optional[str]:
    g = [x or "" for x in groups]
    if kind == "quarter":
        q: Optional[int]
        if g[2]:  # "2026 Q1" form
            year, q = _year_of(g[2], said), int(g[3])
        else:
            year, q = _year_of(g[0], said), _cn_number(g[1])
        return f"{year}-Q{q}" if year and q else None
    if kind == "half":
        year = _year_of(g[0], said)
        return f"{year}-H{1 if g[1] == '上' else 2}" if year else None
    if kind == "month":
        year, month = _year_of(g[0], said), _cn_number(g[1])
        return f"{year}-{month:02d}" if year and month and 1 <= month <= 12 else None
    if kind == "within":
        n = _number(g[0])
        unit = {"年": "year", "个月": "month", "個月": "month"}.get(g[1], "week")
        return f"within {n} {unit}{'s' if n != 1 else ''}" if n else None
    year = _year_of(g[0], said)
    return str(year) if year else None


def _from_english_match(kind: str, groups: tuple[Optional[str], ...], said: dt.date) -> Optional[str]:
    g = [x or "" for x in groups]
    if kind == "quarter":
        q = int(g[0]) if g[0] else _ORDINALS[g[1]]
        year = _year_of(g[2], said)
        return f"{year}-Q{q}" if year else None
    if kind == "quarter-rev":
        year = _year_of(g[0], said)
        return f"{year}-Q{g[1]}" if year else None
    if kind == "half":
        h = int(g[0]) if g[0] else _ORDINALS[g[1]]
        year = _year_of(g[2], said)
        return f"{year}-H{h}" if year else None
    if kind == "within":
        n = _number(g[0])
        return f"within {n} {g[1]}{'s' if n != 1 else ''}" if n else None
    year = _year_of(g[0], said)
    return str(year) if year else None


def from_phrase(phrase: str, said_on: dt.date) -> PhraseResult:
    """Turn the words of a deadline, as said on `said_on`, into a canonical deadline."""
    text = re.sub(r"\s+", " ", phrase.strip().lower()).rstrip("。.,，")
    if not text:
        return PhraseResult(None, "the phrase is empty")
    try:
        return PhraseResult(window(phrase.strip(), said_on).text, "canonical")
    except ValueError:
        pass
    for rules, read in ((_CN_RULES, _from_match), (_EN_RULES, _from_english_match)):
        for pattern, kind in rules:
            m = pattern.fullmatch(text)
            result = read(kind, m.groups(), said_on) if m else None
            if result:
                try:
                    window(result, said_on)
                except ValueError:
                    # e.g. 明年 said on 9999-12-31: the year after has no date.
                    return PhraseResult(None, f"'{phrase}' said on {said_on} points past the end of the calendar (9999-12-31)")
                return PhraseResult(result, "rule")
    for word in VAGUE:
        if word in text:
            return PhraseResult(
                None,
                f"'{phrase}' is a vague horizon, not a deadline: record the words in deadline_text "
                "and leave deadline out, or give an explicit window (e.g. 'within 3 years')",
            )
    return _dateparser(phrase, said_on)


def _dateparser(phrase: str, said_on: dt.date) -> PhraseResult:
    # dateparser handles many absolute dates ("March 2026", "30 June 2026") but misreads
    # some Chinese ("2026年" as the year 4051) and returns nothing for others, so its answer
    # is only taken for a plausible year and at the precision it reports.
    import dateparser  # slow to import; only this path needs it

    base = dt.datetime.combine(said_on, dt.time())
    data = dateparser.date.DateDataParser(settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "future"})
    try:
        found: Any = data.get_date_data(phrase)
    except Exception:  # dateparser raises assorted errors on odd input; none is the user's fault
        found = None
    when = getattr(found, "date_obj", None)
    if when is None or not said_on.year - 1 <= when.year <= said_on.year + 100:
        return PhraseResult(
            None,
            f"cannot read '{phrase}' as a deadline: write it in the canonical grammar "
            "(YYYY-MM-DD, YYYY-MM, YYYY-Qn, YYYY-Hn, YYYY, 'within N years|months|weeks')",
        )
    period = found.period
    if period == "year":
        return PhraseResult(str(when.year), "dateparser")
    if period == "month":
        return PhraseResult(f"{when.year}-{when.month:02d}", "dateparser")
    return PhraseResult(when.date().isoformat(), "dateparser")


@dataclass(frozen=True)
class Due:
    """An open prediction and where it stands against its deadline on the as-of date."""

    entry: Any
    window: Window
    days: int  # days past the end of the window; negative while still running


def _pending(entry: Any) -> bool:
    # Only an open prediction with a deadline can fall due.
    return bool(entry.kind == "prediction" and entry.status == "open" and entry.deadline is not None)


def is_overdue(entry: Any, as_of: dt.date) -> bool:
    """Whether an open prediction's deadline window ended before `as_of`."""
    return _pending(entry) and window(entry.deadline, entry.said_on).end < as_of


def due(entries: list[Any], as_of: dt.date) -> tuple[list[Due], list[Due]]:
    """Open predictions past their deadline, and those still running (soonest first).

    The overdue come least recently checked first (never checked at the top), then most overdue first:
    the order in which they need someone to look for evidence.
    """
    rows = [Due(e, w, (as_of - w.end).days) for e in entries if _pending(e) for w in [window(e.deadline, e.said_on)]]
    overdue = sorted((r for r in rows if r.days > 0),
                     key=lambda r: (r.entry.checked_on or dt.date.min, -r.days, r.entry.id))
    upcoming = sorted((r for r in rows if r.days <= 0), key=lambda r: (-r.days, r.entry.id))
    return overdue, upcoming
