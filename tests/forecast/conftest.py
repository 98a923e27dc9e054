"""Synthetic franchises for the forecast tests.

Popular shows (and manga/novel adaptations, and some studios) get their next season sooner, so a
model with features must beat the Kaplan-Meier base rate. Everything is drawn from
``np.random.default_rng(seed)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest

from sequelcast.domain import Anime, Fact, Season
from sequelcast.forecast.dataset import ForecastInputs, known_date

SOURCES = ("Manga", "Light novel", "Original", "Game", "Web manga", "Other")
GENRES = ("Action", "Comedy", "Romance", "Fantasy", "Drama", "Sports")
FIRST_DAY = date(2006, 1, 1)
LAST_DAY = date(2026, 8, 20)


def _day(rng: np.random.Generator, lo: date, hi: date) -> date:
    return lo + timedelta(days=int(rng.integers(0, (hi - lo).days + 1)))


def _history(mal_id: int, start: date, members: int, score: float) -> list[Fact]:
    """Yearly observations (each May) of a show whose members grow towards ``members``."""
    facts = []
    for year in range(2008, 2027):
        when = date(year, 5, 7)
        if when < start:
            continue
        age = (when - start).days / 365.25
        m = int(members * (1 - np.exp(-(age + 0.3) / 1.5)))
        facts.append(Fact(mal_id, "members", m, when, "synthetic"))
        facts.append(Fact(mal_id, "score", round(score, 2), when, "synthetic"))
        facts.append(Fact(mal_id, "scored_by", m // 2, when, "synthetic"))
    return facts


def simulate(n_franchises: int = 300, seed: int = 0) -> ForecastInputs:
    """Every franchise with its whole (true) history up to 2026-08-20, unfiltered."""
    rng = np.random.default_rng(seed)
    studio_effect = rng.normal(0.0, 0.5, size=12)
    seasons: dict[str, list[Season]] = {}
    entries: dict[int, Anime] = {}
    history: dict[int, list[Fact]] = {}
    others: dict[str, int] = {}
    mal_id = 1
    for f in range(n_franchises):
        fid = f"F{f:04d}"
        z = rng.normal()
        source = SOURCES[int(rng.integers(len(SOURCES)))]
        studio = int(rng.integers(12))
        genres = tuple(g for g in GENRES if rng.random() < 0.3)
        base_members = float(np.exp(11.0 + 1.2 * z + rng.normal(0, 0.3)))
        score = float(np.clip(7.0 + 0.5 * z + rng.normal(0, 0.3), 4, 9.5))
        log_rate = (
            -1.7
            + 1.1 * z
            + (0.5 if source in ("Manga", "Light novel", "Web manga") else -0.3)
            + studio_effect[studio]
        )
        start = _day(rng, FIRST_DAY, date(2024, 6, 1))
        announced = _day(rng, start - timedelta(days=400), start - timedelta(days=60))
        seasons[fid] = []
        others[fid] = int(rng.poisson(np.exp(0.3 * z)))
        for number in range(1, 6):
            episodes = int(rng.choice([12, 13, 24, 25]))
            end = start + timedelta(days=7 * (episodes - 1))
            members = int(base_members * 0.7 ** (number - 1))
            entries[mal_id] = Anime(
                mal_id=mal_id,
                title=f"{fid} season {number}",
                type="TV",
                episodes=episodes,
                start_date=start,
                end_date=end,
                year=start.year,
                source_type=source,
                studios=(f"Studio {studio}",),
                genres=genres,
                score=score,
                members=members,
                first_seen=announced,
            )
            history[mal_id] = _history(mal_id, start, members, score)
            seasons[fid].append(
                Season(
                    fid, number, mal_id, None, f"{fid} S{number}", start, end, episodes, announced
                )
            )
            mal_id += 1
            if rng.random() < 0.12:  # announced at (or before) the finale: not at risk
                wait = -float(rng.uniform(0.0, 0.2))
            else:
                wait = float(rng.weibull(0.9) * np.exp(-log_rate - 0.25 * (number - 1)))
            announced = end + timedelta(days=round(wait * 365.25))
            start = announced + timedelta(days=int(rng.uniform(120, 700)))
            if announced > LAST_DAY:
                break
    return ForecastInputs(seasons, entries, history, others)


def filter_inputs(full: ForecastInputs, as_of: date) -> ForecastInputs:
    """What a snapshot at ``as_of`` would hold."""
    seasons = {}
    for fid, ss in full.seasons_by_franchise.items():
        kept = [s for s in ss if (k := known_date(s)) is not None and k <= as_of]
        kept = [s if s.end is None or s.end <= as_of else replace(s, end=None) for s in kept]
        if kept:
            seasons[fid] = kept
    entries = {
        k: v for k, v in full.entries.items() if v.first_seen is None or v.first_seen <= as_of
    }
    history = {
        k: [f for f in v if f.observed_at <= as_of] for k, v in full.history.items() if k in entries
    }
    others = {k: v for k, v in full.others_count.items() if k in seasons}
    return ForecastInputs(seasons, entries, history, others)


@pytest.fixture(scope="session")
def full_inputs() -> ForecastInputs:
    """300 synthetic franchises, unfiltered (true history up to 2026-08-20)."""
    return simulate(300, seed=0)


@pytest.fixture(scope="session")
def inputs_at() -> Callable[[date], ForecastInputs]:
    """``inputs_at(as_of)``: the synthetic data as a snapshot at ``as_of`` would hold it."""
    full = simulate(300, seed=0)
    return lambda as_of: filter_inputs(full, as_of)
