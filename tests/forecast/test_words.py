from __future__ import annotations

import doctest
from datetime import date

import numpy as np
import pytest

from sequelcast.forecast import words


def test_doctests() -> None:
    assert doctest.testmod(words).failed == 0


@pytest.mark.parametrize(
    ("p", "label"),
    [
        (0.6, "very likely"),
        (0.5999, "likely"),
        (0.35, "likely"),
        (0.15, "possible"),
        (0.05, "unlikely"),
        (0.0499, "very unlikely"),
    ],
)
def test_verdict_thresholds(p: float, label: str) -> None:
    assert words.verdict(p) == label


def test_confidence_steps_down_per_missing_piece() -> None:
    assert words.confidence({})[0] == "high"
    assert words.confidence({"a": True, "b": False})[0] == "medium"
    level, reasons = words.confidence({"a": True, "b": True, "c": True})
    assert level == "low"
    assert reasons == ("a", "b", "c")


def test_lag_window_holds_the_coverage() -> None:
    pmf = np.zeros(61)
    pmf[3] = 0.1
    pmf[13:20] = 0.7 / 7
    pmf[40] = 0.2
    w = words.lag_window(pmf)
    assert (w.low, w.high) == (1.0, 2.0)
    assert w.share == pytest.approx(0.7)
    assert "within 1 to 2 years after the announcement (70%)" in w.text


def test_airs_by_never_exceeds_the_announcement_chance() -> None:
    cdf = np.linspace(0.01, 0.3, 120)
    pmf = np.full(61, 1 / 61)
    for months in (12, 36, 60, 120):
        assert 0 <= words.airs_by(cdf, pmf, months) <= cdf[months - 1] + 1e-12


def test_median_never_says_likely_never() -> None:
    assert words.median_text(None) == "less than 50% within 10 years"
    assert words.month_offset(date(2020, 12, 31), 1) == date(2021, 1, 1)
