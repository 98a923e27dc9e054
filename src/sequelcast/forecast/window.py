"""When would the next season air? Announcement time combined with announcement-to-airing lag.

The lag from announcement to airing is modelled apart from the announcement itself, from the
transitions where both are known by ``as_of``: a season first seen (``announced``) by ``as_of``
that started airing by ``as_of`` is an observed lag; one announced but not aired yet is a lag
censored at ``as_of``. The Kaplan-Meier estimate of the lag (per group when a group has enough
aired seasons: split-cour second parts, then source type; otherwise all) is turned into monthly
probabilities (lags over :data:`MAX_LAG_YEARS` are spread as if the curve continued, i.e. the
distribution is renormalised over that range: a cancelled season is not modelled).

``announced`` is a first-seen date, an upper bound, so lags are biased short by the listing
delay. A first-seen date shared by many seasons at the start of the data (the AniDB list history
starts on 2012-09-22, when thousands of entries were "already listed") is left-censored: those
transitions are dropped (:func:`airing_lags`).

The monthly probabilities of an announcement (from a survival model's conditional forecast) are
convolved with the lag to give the probability that the next season airs in each calendar
quarter; the release window is the shortest run of consecutive quarters holding ``coverage`` of
the airing probability within ``max_years``.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from sequelcast.domain import Anime, Season
from sequelcast.errors import DataError
from sequelcast.forecast.dataset import SOURCE_GROUPS, known_seasons, years_between

#: Longest announcement-to-airing lag modelled, in years.
MAX_LAG_YEARS = 5.0
#: A first-seen date shared by at least this many seasons, the earliest one, is a data-start heap.
HEAP_MIN = 10


@dataclass(frozen=True)
class ReleaseWindow:
    """Likely airing window of the next season.

    ``quarters`` holds ``(label, probability)`` for every quarter within the horizon; together
    with ``beyond`` (no airing within the horizon, including never) they sum to 1.
    ``probability`` is the chance the next season airs inside ``start``..``end``;
    ``conditional_probability`` the same given it airs within the horizon.
    """

    start: str | None
    end: str | None
    probability: float
    conditional_probability: float
    quarters: tuple[tuple[str, float], ...]
    beyond: float

    @property
    def label(self) -> str:
        """``"2027 Q3–2028 Q2"``, or ``"no window"`` when nothing is likely to air."""
        if self.start is None:
            return "no window"
        return self.start if self.start == self.end else f"{self.start}–{self.end}"


def _heap_date(seasons_by_franchise: Mapping[str, Sequence[Season]]) -> date | None:
    counts = Counter(
        s.announced for ss in seasons_by_franchise.values() for s in ss if s.announced is not None
    )
    if not counts:
        return None
    first = min(counts)
    return first if counts[first] >= HEAP_MIN else None


def _lag_group(season: Season, entries: Mapping[int, Anime]) -> str:
    if season.part and season.part > 1:
        return "part"
    entry = entries.get(season.mal_id) if season.mal_id is not None else None
    source = entry.source_type if entry is not None else None
    return SOURCE_GROUPS.get((source or "").strip().lower(), "other")


def airing_lags(
    seasons_by_franchise: Mapping[str, Sequence[Season]],
    entries: Mapping[int, Anime],
    as_of: date,
) -> pd.DataFrame:
    """Announcement-to-airing lags of every sequel season known by ``as_of``.

    Returns
    -------
    pandas.DataFrame
        Columns ``lag`` (years), ``aired`` (``False``: not aired by ``as_of``, censored) and
        ``group``. Seasons without an ``announced`` date, first seen after they started, or
        announced on the left-censored first date of the data are left out.
    """
    heap = _heap_date(seasons_by_franchise)
    rows = []
    for seasons in seasons_by_franchise.values():
        for s in known_seasons(seasons, as_of)[1:]:
            if s.announced is None or s.announced == heap:
                continue
            if s.start is not None and s.start <= as_of:
                if s.start < s.announced:
                    continue
                rows.append((years_between(s.announced, s.start), True, _lag_group(s, entries)))
            else:
                rows.append((years_between(s.announced, as_of), False, _lag_group(s, entries)))
    return pd.DataFrame(rows, columns=["lag", "aired", "group"])


class AiringLagModel:
    """Monthly distribution of the announcement-to-airing lag (Kaplan-Meier, by group).

    Parameters
    ----------
    min_group
        Fewest aired seasons a group needs for its own distribution.
    """

    def __init__(self, min_group: int = 30) -> None:
        self.min_group = min_group

    def fit(self, lags: pd.DataFrame) -> AiringLagModel:
        """Learn the monthly lag probabilities from :func:`airing_lags`; returns ``self``."""
        if int(lags["aired"].sum()) == 0:
            raise DataError("window: no season was both announced and aired; no lag to learn")
        self.pmf_: dict[str, np.ndarray] = {"all": _monthly_pmf(lags)}
        for group, sub in lags.groupby("group"):
            if int(sub["aired"].sum()) >= self.min_group:
                self.pmf_[str(group)] = _monthly_pmf(sub)
        self.median_years_ = float(np.searchsorted(np.cumsum(self.pmf_["all"]), 0.5)) / 12.0
        return self

    def pmf(self, group: str | None = None) -> np.ndarray:
        """Probability of airing ``m`` months after the announcement, ``m = 0..60``."""
        if not hasattr(self, "pmf_"):
            raise DataError("window: AiringLagModel is not fitted")
        return self.pmf_.get(group or "all", self.pmf_["all"])


def _monthly_pmf(lags: pd.DataFrame) -> np.ndarray:
    """Monthly airing probabilities from scikit-survival's Kaplan-Meier estimate of the lag.

    Lags are counted in whole months (``floor``), so the estimate at month ``m`` is the life
    table of the months: at risk, the lags of at least ``m`` months; aired, those in month ``m``.
    """
    from sksurv.nonparametric import kaplan_meier_estimator

    months = int(MAX_LAG_YEARS * 12)
    d = np.floor(np.minimum(lags["lag"].to_numpy(dtype=float) * 12.0, months))
    e = lags["aired"].to_numpy(dtype=bool)
    surv = np.ones(months + 1)
    if len(d):
        times, s = kaplan_meier_estimator(e, d)
        idx = np.searchsorted(times, np.arange(months + 1), side="right") - 1
        surv = np.where(idx >= 0, s[np.maximum(idx, 0)], 1.0)
    pmf = -np.diff(np.concatenate([[1.0], surv]))
    total = pmf.sum()
    return pmf / total if total > 0 else np.eye(1, months + 1).ravel()


def quarter_label(d: date) -> str:
    """``"2027 Q3"`` for a date in July-September 2027.

    Examples
    --------
    >>> quarter_label(date(2027, 8, 1))
    '2027 Q3'
    """
    return f"{d.year} Q{(d.month - 1) // 3 + 1}"


def _month_start(as_of: date, offset: int) -> date:
    k = as_of.year * 12 + as_of.month - 1 + offset
    return date(k // 12, k % 12 + 1, 1)


@functools.lru_cache(maxsize=64)
def _quarters(as_of: date, months: int) -> tuple[tuple[str, ...], np.ndarray]:
    """Quarter labels from ``as_of`` on, and the quarter index of each month offset."""
    month_labels = [quarter_label(_month_start(as_of, m)) for m in range(months)]
    labels = tuple(dict.fromkeys(month_labels))
    pos = {q: i for i, q in enumerate(labels)}
    return labels, np.array([pos[q] for q in month_labels])


def release_window(
    announce_cdf: ArrayLike,
    lag_pmf: ArrayLike,
    as_of: date,
    coverage: float = 0.5,
) -> ReleaseWindow:
    """Combine announcement and lag distributions into quarters and a window.

    Parameters
    ----------
    announce_cdf
        ``P(announced within m months after as_of)`` for ``m = 1..M`` (non-decreasing).
    lag_pmf
        ``P(airing m months after the announcement)``, ``m = 0..L`` (sums to 1).
    as_of
        The forecast date (month 0).
    coverage
        Share of the airing probability (within ``M`` months) the window must hold.

    Returns
    -------
    ReleaseWindow
    """
    cdf = np.maximum.accumulate(np.clip(np.asarray(announce_cdf, dtype=float), 0.0, 1.0))
    lag = np.asarray(lag_pmf, dtype=float)
    if not 0 < coverage <= 1:
        raise DataError(f"window: coverage must be in (0, 1], got {coverage}")
    ann = np.diff(np.concatenate([[0.0], cdf]))  # announced during month m (1-based -> index)
    airing = np.convolve(ann, lag)[: len(cdf)]  # airing month offset, within the horizon
    labels, index = _quarters(as_of, len(cdf))
    probs = np.bincount(index, weights=airing, minlength=len(labels))
    total = float(probs.sum())
    quarters = tuple(zip(labels, probs.tolist(), strict=True))
    if total <= 1e-9:
        return ReleaseWindow(None, None, 0.0, 0.0, quarters, 1.0 - total)
    i, j = _shortest_run(probs, coverage * total)
    mass = float(probs[i : j + 1].sum())
    return ReleaseWindow(labels[i], labels[j], mass, mass / total, quarters, 1.0 - total)


def _shortest_run(probs: np.ndarray, target: float) -> tuple[int, int]:
    """Shortest ``[i, j]`` with ``sum(probs[i..j]) >= target`` (the heaviest one on ties)."""
    csum = np.concatenate([[0.0], np.cumsum(probs)])
    for length in range(1, len(probs) + 1):
        masses = csum[length:] - csum[:-length]
        k = int(np.argmax(masses))
        if masses[k] >= target - 1e-12:
            return k, k + length - 1
    return 0, len(probs) - 1


def median_years(announce_cdf: ArrayLike) -> float | None:
    """Months (as years) until ``P(announced) >= 0.5``; ``None`` if not within the horizon.

    Examples
    --------
    >>> median_years([0.1, 0.3, 0.5, 0.7])
    0.25
    """
    cdf = np.asarray(announce_cdf, dtype=float)
    hit = np.flatnonzero(cdf >= 0.5)
    return float(hit[0] + 1) / 12.0 if len(hit) else None
