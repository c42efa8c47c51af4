"""What in a sentence suggests a prediction or a checkable claim: time expressions, future or intent markers,
figures with units. Shared by `ledger new` (the kind and deadline it suggests) and `ledger coverage`."""

from __future__ import annotations

import re

FUTURE = ("会", "會", "将", "將", "希望", "预计", "預計", "打算", "计划", "計劃", "即将", "即將", "期待", "预期",
          "預期", "未来", "未來", "明年", "后年", "後年")
FUTURE_EN = re.compile(r"\b(will|won't|'ll|expect|expects|plan|plans|going to|hope|next year|intend|soon)\b", re.I)
_YEAR = r"(?:\d{4}\s*年?|[今明后後]年)"
# Candidate time expressions for `ledger coverage`, longest forms first.
_TIME_CN = (
    rf"(?:到|在|于|於)?{_YEAR}\s*[Qq][1-4]"
    rf"|(?:到|在|于|於)?{_YEAR}(?:的)?(?:第?[一二三四1-4]季度|[上下]半年|\d{{1,2}}月(?:底|份)?|底|末|前|之前)?"
    r"|(?:未来|未來|接下来的?|接下來的?)?[0-9一二两兩三四五六七八九十]+\s*(?:年|个月|個月|周|週|星期)(?:之内|之內|内|內|以内|以內)"
)
_TIME_EN = (
    r"(?:by |in |before |until |during )?(?:the )?(?:end of |(?:first|second|third|fourth) quarter of |"
    r"(?:first|second) half of |q[1-4] )?(?:next year|this year|(?:19|20)\d{2})"
    r"|within (?:the next )?(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten) (?:years?|months?|weeks?)"
)
TIME = re.compile(rf"{_TIME_CN}|{_TIME_EN}", re.I)
FIGURE = re.compile(r"\d[\d,.]*\s*(?:%|％|亿|億|万|萬|倍|美元|billion|million|trillion|percent|x\b|GW|吉瓦|用户|用戶|人)", re.I)


def time_phrases(sentence: str) -> list[str]:
    """The time expressions of a sentence, in order."""
    found = (m.group(0).strip() for m in TIME.finditer(sentence))
    return [f for f in found if f and (not f.isdigit() or re.fullmatch(r"(?:19|20)\d{2}", f))]


def future_marker(sentence: str) -> str | None:
    """The first word that marks a plan, expectation or forecast, if any."""
    for word in FUTURE:
        if word in sentence:
            return word
    m = FUTURE_EN.search(sentence)
    return m.group(0) if m else None


def figure(sentence: str) -> str | None:
    """The first figure with a unit, if any."""
    m = FIGURE.search(sentence)
    return m.group(0) if m else None


def checkable(sentence: str) -> bool:
    """Whether a sentence looks like a prediction or a checkable claim."""
    return bool(time_phrases(sentence) or future_marker(sentence) or figure(sentence))
