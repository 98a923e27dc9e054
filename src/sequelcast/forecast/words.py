"""A forecast in plain words: verdict, confidence, conditional window and median.

- **Verdict**, from the chance the next season is announced within three years
  (:data:`VERDICTS`, thresholds documented in ``docs/forecast.md``): ``"announced"`` (said by the
  service when a next season is already known), ``"very likely"`` (>= 60%), ``"likely"``
  (>= 35%), ``"possible"`` (>= 15%), ``"unlikely"`` (>= 5%), ``"very unlikely"`` (< 5%).
- **Confidence**, from how much of the evidence was known: each of "no source work linked" (for a
  show adapted from a manga or novel), "no disc sales" and "estimated dates" lowers it one step
  from ``"high"`` to ``"medium"`` to ``"low"``.
- **Conditional window**, as the article says it: "if it is announced, it most likely airs within
  N to M years after the announcement (x%)", from the announcement-to-airing lag alone; and the
  unconditional chance it airs by a date, from the announcement forecast and the lag together.
- **Median**: "about N years", or "less than 50% within 10 years" (never "likely never").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import ArrayLike

#: ``(lowest 3-year chance, label)``, highest first; below the last: ``"very unlikely"``.
VERDICTS: tuple[tuple[float, str], ...] = (
    (0.60, "very likely"),
    (0.35, "likely"),
    (0.15, "possible"),
    (0.05, "unlikely"),
)
#: Share of the lag distribution the conditional window holds (at least).
WINDOW_COVERAGE = 0.6


def verdict(p_3y: float) -> str:
    """The verdict for a 3-year chance of an announcement.

    Examples
    --------
    >>> [verdict(p) for p in (0.7, 0.4, 0.2, 0.06, 0.01)]
    ['very likely', 'likely', 'possible', 'unlikely', 'very unlikely']
    """
    for low, label in VERDICTS:
        if p_3y >= low:
            return label
    return "very unlikely"


def confidence(missing: Mapping[str, bool]) -> tuple[str, tuple[str, ...]]:
    """``("high" | "medium" | "low", reasons)``: one step down per missing piece of evidence.

    Examples
    --------
    >>> confidence({"no disc sales": True, "estimated dates": False})
    ('medium', ('no disc sales',))
    """
    reasons = tuple(k for k, v in missing.items() if v)
    return ("high", "medium", "low")[min(len(reasons), 2)], reasons


@dataclass(frozen=True)
class LagWindow:
    """If announced, the next season most likely airs ``low``..``high`` years after (``share``)."""

    low: float
    high: float
    share: float

    @property
    def text(self) -> str:
        return (
            f"if it is announced, it most likely airs within {self.low:g} to "
            f"{_years(self.high)} after the announcement ({self.share:.0%})"
        )


def lag_window(lag_pmf: ArrayLike, coverage: float = WINDOW_COVERAGE) -> LagWindow:
    """The shortest run of half-years of announcement-to-airing lag holding ``coverage``.

    ``lag_pmf[m]`` is the chance of airing ``m`` months after the announcement.

    Examples
    --------
    >>> pmf = np.zeros(61); pmf[6:18] = 0.8 / 12; pmf[30] = 0.2
    >>> lag_window(pmf).text
    'if it is announced, it most likely airs within 0.5 to 1.5 years after the announcement (80%)'
    """
    pmf = np.asarray(lag_pmf, dtype=float)
    halves = np.add.reduceat(pmf, np.arange(0, len(pmf), 6))
    csum = np.concatenate([[0.0], np.cumsum(halves)])
    for length in range(1, len(halves) + 1):
        masses = csum[length:] - csum[:-length]
        k = int(np.argmax(masses))
        if masses[k] >= coverage - 1e-9:
            return LagWindow(k / 2.0, (k + length) / 2.0, float(masses[k]))
    return LagWindow(0.0, len(halves) / 2.0, float(csum[-1]))


def airs_by(announce_cdf: ArrayLike, lag_pmf: ArrayLike, months: int) -> float:
    """Unconditional chance the next season airs within ``months`` of the forecast date.

    Examples
    --------
    >>> round(airs_by([0.5] * 24, [0.0, 1.0], 24), 3)
    0.5
    """
    cdf = np.maximum.accumulate(np.clip(np.asarray(announce_cdf, dtype=float), 0, 1))[:months]
    ann = np.diff(np.concatenate([[0.0], cdf]))
    return float(np.convolve(ann, np.asarray(lag_pmf, dtype=float))[: len(cdf)].sum())


def median_text(median_years: float | None, max_years: float = 10.0) -> str:
    """The median wait in words.

    Examples
    --------
    >>> median_text(None), median_text(2.26)
    ('less than 50% within 10 years', 'about 2.3 years')
    """
    if median_years is None:
        return f"less than 50% within {max_years:g} years"
    return f"about {median_years:.1f} years"


def month_offset(as_of: date, months: int) -> date:
    """The first day of the month ``months`` after ``as_of``'s month.

    Examples
    --------
    >>> month_offset(date(2018, 5, 7), 60)
    datetime.date(2023, 5, 1)
    """
    k = as_of.year * 12 + as_of.month - 1 + months
    return date(k // 12, k % 12 + 1, 1)


def _years(y: float) -> str:
    return f"{y:g} year" if y == 1 else f"{y:g} years"
