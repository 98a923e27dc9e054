"""Numbers in words a person reads: "64th percentile", "1 year", "5 years", "12,345 members".

Pure helpers shared by the CLI, the web page and the forecast's explanations, so no surface
prints "year(s)", "64.1th" or "?".
"""

from __future__ import annotations

import math

#: What is printed for a value the catalog does not know.
UNKNOWN = "unknown"


def ordinal(value: float) -> str:
    """``value`` rounded to a whole number, with its English ordinal suffix.

    Examples
    --------
    >>> [ordinal(v) for v in (1, 2, 3, 4, 11, 12, 13, 21, 22, 64.1, 99.6, 101)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '64th', '100th', '101st']
    >>> ordinal(90.5)
    '91st'
    """
    n = int(math.floor(value + 0.5))
    if 11 <= n % 100 <= 13:
        return f"{n:,}th"
    return f"{n:,}" + {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def _number(value: float, decimals: int) -> str:
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def plural(value: float, word: str, plural_word: str | None = None, *, decimals: int = 1) -> str:
    """``value`` and ``word``, in the singular only for exactly one; thousands separated.

    Examples
    --------
    >>> plural(1, "year"), plural(5, "year"), plural(2.5, "year"), plural(1.04, "year")
    ('1 year', '5 years', '2.5 years', '1 year')
    >>> plural(12345, "member"), plural(2, "entry", "entries")
    ('12,345 members', '2 entries')
    """
    text = _number(value, decimals)
    many = plural_word or word + "s"
    return f"{text} {word if text == '1' else many}"


def duration_years(years: float) -> str:
    """A span of years in words: months under a year, else years with one decimal.

    Examples
    --------
    >>> duration_years(0.4), duration_years(1.0), duration_years(3.26)
    ('5 months', '1 year', '3.3 years')
    """
    if years < 1:
        return plural(max(1, round(years * 12)), "month")
    return plural(years, "year")


def or_unknown(value: object) -> str:
    """``str(value)``, or "unknown" for ``None`` and empty values.

    Examples
    --------
    >>> or_unknown(None), or_unknown(""), or_unknown(13)
    ('unknown', 'unknown', '13')
    """
    return UNKNOWN if value is None or value == "" else str(value)
