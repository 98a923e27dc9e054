"""Why a forecast says what it says, in words a fan understands.

Two attributions, by feature group (popularity, score, source, studio, genres, franchise
history...):

- Cox models (a :class:`~sequelcast.forecast.models.CoxModel`, possibly inside a
  :class:`~sequelcast.forecast.models.CalibratedModel`): the log hazard ratio
  ``coef * (value - training mean)`` summed over the group's columns (exact for that model).
- Models with a ``log_hazard(X, times)`` method (the discrete-time boosting model): perturbation
  of the hazard. The group's columns are set to a reference row (training medians, and the most
  common category of one-hot groups; a group of one 0/1 column is set to each value, weighted by
  its share in the training data); the effect is the change of the log hazard, averaged over
  the middle of each year of the horizon after the time already waited (one-at-a-time,
  SHAP-like). It is cheap: one classifier row per show, group and year.
- Any other model: the same perturbation on the forecast probability at ``horizon``.

A :class:`~sequelcast.forecast.models.CalibratedModel` is explained through its underlying
model (the recalibration is monotone, so it keeps every direction).

The time already waited is explained separately: the forecast for this show compared with the
same show had it just ended (``"ended 9 years ago: lowers the chance"``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sequelcast.forecast.dataset import SOURCE_MATERIAL_COLUMNS
from sequelcast.forecast.models import CalibratedModel, CoxModel, SurvivalModel
from sequelcast.words import plural

#: Feature groups explained together, by group name. A group whose words claim a direction
#: ("popularity in the top 5%", "its other shows got another season 23% of the time", "still
#: publishing: more keeps coming") holds only columns of
#: :data:`~sequelcast.forecast.models.MONOTONE` (and their missing flags), so its sign always
#: agrees with its words; the unconstrained columns that measure the same thing are explained
#: in a group of their own (``engagement``, ``studio_size``, ``source_extent``).
GROUPS: dict[str, tuple[str, ...]] = {
    "popularity": ("log_members", "members_pct_year"),
    "engagement": (
        "log_scored_by",
        "log_favorites",
        "favorites_ratio",
        "members_vs_first",
        "log_anilist_members",
    ),
    "trend": ("members_growth",),
    "activity": ("log_recent_entries",),
    "score": ("score",),
    "source": ("src_manga", "src_novel", "src_original", "src_game", "src_other"),
    "studio": ("studio_rate",),
    "studio_size": ("studio_log_n",),
    "sales": ("log_disc_sales", "disc_sales_missing"),
    "source_left": ("src_running",),
    "source_pace": ("src_volumes_per_episode",),
    "source_extent": tuple(
        c for c in SOURCE_MATERIAL_COLUMNS if c not in ("src_running", "src_volumes_per_episode")
    ),
    "dates": ("dates_estimated",),
    "genres": (
        "g_action",
        "g_comedy",
        "g_fantasy",
        "g_romance",
        "g_adventure",
        "g_drama",
        "g_scifi",
        "g_slice_of_life",
        "g_sports",
        "g_ecchi",
        "g_mystery",
        "g_supernatural",
        "t_school",
        "t_isekai",
        "t_music",
        "t_harem",
        "t_mecha",
        "d_shounen",
        "d_seinen",
        "d_shoujo",
        "d_josei",
        "d_kids",
    ),
    "seasons": ("season_number", "is_part", "franchise_span_years", "franchise_log_episodes"),
    "gap": ("prev_gap_years",),
    "length": ("episodes", "airing_weeks"),
    "era": ("start_year",),
    "anticipation": ("lead_years",),
    "others": ("log_others",),
}
_ONE_HOT = ("source",)
#: Just-ended reference for the "time waited" factor, in years.
JUST_ENDED = 0.1


@dataclass(frozen=True)
class Factor:
    """One reason behind a forecast.

    ``effect`` is signed (positive raises the chance): a log hazard ratio when ``kind`` is
    ``"log_hazard_ratio"``, a change of probability at the horizon when ``"probability"``.
    """

    group: str
    effect: float
    kind: str
    text: str

    @property
    def raises(self) -> bool:
        """``True`` when this factor makes a sequel more likely."""
        return self.effect > 0


def _get(row: Mapping[str, Any], name: str) -> float:
    v = row.get(name, math.nan)
    return math.nan if v is None else float(v)


def _describe_popularity(row: Mapping[str, Any]) -> str:
    pct = _get(row, "members_pct_year")
    year = _get(row, "start_year")
    members = _get(row, "log_members")
    of_year = f" of {int(year)} shows" if not math.isnan(year) else ""
    if not math.isnan(pct):
        if pct >= 0.65:
            return f"popularity in the top {max(1, math.ceil((1 - pct) * 100))}%{of_year}"
        if pct <= 0.35:
            return f"popularity in the bottom {max(1, math.ceil(pct * 100))}%{of_year}"
        return f"average popularity{of_year.replace(' of ', ' among ')}"
    if not math.isnan(members):
        return f"{int(round(math.expm1(members))):,} MyAnimeList members"
    return "popularity unknown"


def _describe_source(row: Mapping[str, Any]) -> str:
    names = {
        "src_manga": "based on a manga",
        "src_novel": "based on a (light) novel",
        "src_original": "an original story (no source material to adapt)",
        "src_game": "based on a game",
        "src_other": "based on another or unknown source",
    }
    for col, text in names.items():
        if _get(row, col) == 1:
            return text
    return "source material unknown"


def _describe_genres(row: Mapping[str, Any]) -> str:
    tags = [c for c in GROUPS["genres"] if _get(row, c) == 1]
    if not tags:
        return "no notable genre"
    pretty = [
        t.split("_", 1)[1].replace("_", " ").title().replace("Scifi", "Sci-Fi") for t in tags[:3]
    ]
    return "genre " + ", ".join(pretty)


def _describe_number(
    fmt: str, name: str, scale: Callable[[float], float] = float
) -> Callable[[Mapping[str, Any]], str]:
    def describe(row: Mapping[str, Any]) -> str:
        v = _get(row, name)
        return "unknown " + name.replace("_", " ") if math.isnan(v) else fmt.format(scale(v))

    return describe


def _describe_sales(row: Mapping[str, Any]) -> str:
    v = _get(row, "log_disc_sales")
    if math.isnan(v):
        return "Blu-ray/DVD sales unknown"
    units = math.expm1(v) * 1000
    return f"Blu-ray/DVD sales about {units:,.0f} units per volume"


def _describe_studio(row: Mapping[str, Any]) -> str:
    rate = _get(row, "studio_rate")
    name = row.get("_studio") or "the studio"
    if math.isnan(rate):
        return f"{name}: no track record"
    return (
        f"studio {name}: its other shows got another season {rate:.0%} of the time"
        if name != "the studio"
        else f"the studio's other shows got another season {rate:.0%} of the time"
    )


def _describe_engagement(row: Mapping[str, Any]) -> str:
    ratio = _get(row, "favorites_ratio")
    if not math.isnan(ratio):
        return f"{ratio:.1%} of its members made it a favorite"
    scored = _get(row, "log_scored_by")
    if not math.isnan(scored):
        return f"{round(math.expm1(scored)):,} MyAnimeList ratings"
    return "fan engagement unknown"


def _describe_studio_size(row: Mapping[str, Any]) -> str:
    n = (
        round(math.expm1(_get(row, "studio_log_n")))
        if not math.isnan(_get(row, "studio_log_n"))
        else 0
    )
    name = row.get("_studio") or "the studio"
    return f"{name}: {plural(n, 'earlier season')} of other franchises on record"


def _describe_source_extent(row: Mapping[str, Any]) -> str:
    if _get(row, "src_linked") != 1:
        return "no source work linked (original, or not matched)"
    parts = []
    years = _get(row, "src_years_running")
    if not math.isnan(years):
        parts.append(f"published for {plural(round(years), 'year')}")
    vols = _get(row, "src_log_volumes")
    if not math.isnan(vols):
        parts.append(plural(round(math.expm1(vols)), "volume"))
    return "source " + ", ".join(parts) if parts else "source material, length unknown"


def _describe_source_left(row: Mapping[str, Any]) -> str:
    summary = row.get("_source")
    if summary:
        return str(summary)
    if _get(row, "src_linked") != 1:
        return "no source work linked (original, or not matched)"
    parts = []
    vols = _get(row, "src_log_volumes")
    if not math.isnan(vols):
        parts.append(f"{round(math.expm1(vols))} volumes")
    fin = _get(row, "src_finished")
    if not math.isnan(fin):
        parts.append("finished: little left to adapt" if fin == 1 else "still running")
    return "source " + ", ".join(parts) if parts else "source material, extent unknown"


_DESCRIBE: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "popularity": _describe_popularity,
    "trend": _describe_number(
        "members grew {:+.0%} over the last year", "members_growth", math.expm1
    ),
    "engagement": _describe_engagement,
    "activity": lambda row: (
        plural(
            round(math.expm1(_get(row, "log_recent_entries"))),
            "new franchise entry",
            "new franchise entries",
        )
        + " (movie, OVA...) in the last 2 years"
        if not math.isnan(_get(row, "log_recent_entries"))
        else "recent franchise entries unknown"
    ),
    "studio_size": _describe_studio_size,
    "source_extent": _describe_source_extent,
    "source_pace": _describe_number(
        "{:.1f} episodes per volume of source so far",
        "src_volumes_per_episode",
        lambda v: 1.0 / v if v else math.nan,
    ),
    "dates": lambda row: (
        "dates estimated (an old or little-known show)"
        if _get(row, "dates_estimated") == 1
        else "dates known"
    ),
    "score": _describe_number("MyAnimeList score {:.2f}", "score"),
    "source": _describe_source,
    "studio": _describe_studio,
    "sales": _describe_sales,
    "source_left": _describe_source_left,
    "genres": _describe_genres,
    "seasons": lambda row: (
        "unknown season number"
        if math.isnan(_get(row, "season_number"))
        else plural(_get(row, "season_number"), "season", decimals=0) + " so far"
    ),
    "gap": _describe_number("{:.1f} years between the last two seasons", "prev_gap_years"),
    "length": _describe_number("{:.0f} episodes in the last season", "episodes"),
    "era": _describe_number("last season aired in {:.0f}", "start_year", math.floor),
    "anticipation": lambda row: (
        "first listed once it aired"
        if _get(row, "lead_years") == 0
        else _describe_number("first listed {:.1f} years before it aired", "lead_years")(row)
    ),
    "others": _describe_number(
        "{:.0f} movies, OVAs or specials in the franchise",
        "log_others",
        lambda v: round(math.expm1(v)),
    ),
}


def _inner(model: SurvivalModel) -> SurvivalModel:
    return model.estimator_ if isinstance(model, CalibratedModel) else model


def _reference(reference: pd.DataFrame) -> pd.Series:
    ref = reference.median(numeric_only=True)
    for group in _ONE_HOT:
        cols = [c for c in GROUPS[group] if c in reference.columns]
        if cols:
            top = reference[cols].sum().idxmax()
            ref[cols] = 0.0
            ref[top] = 1.0
    return ref


def group_effects(
    model: SurvivalModel,
    X: pd.DataFrame,
    reference: pd.DataFrame,
    waited: np.ndarray,
    horizon: float = 3.0,
) -> tuple[pd.DataFrame, str]:
    """Effect of each feature group per row (rows of ``X``, columns :data:`GROUPS`).

    Returns
    -------
    effects : pandas.DataFrame
        Signed effects (positive raises the chance).
    kind : str
        ``"log_hazard_ratio"`` (Cox) or ``"probability"`` (perturbation).
    """
    inner = _inner(model)
    groups = {g: [c for c in cols if c in X.columns] for g, cols in GROUPS.items()}
    groups = {g: cols for g, cols in groups.items() if cols}
    if isinstance(inner, CoxModel):
        contrib = inner.contributions(X)
        out = {
            g: contrib[[c for c in cols if c in contrib.columns]].sum(axis=1)
            for g, cols in groups.items()
        }
        return pd.DataFrame(out, index=X.index), "log_hazard_ratio"
    scorer = getattr(inner, "log_hazard_scorer", None)
    log_hazard = getattr(inner, "log_hazard", None)
    times = waited[:, None] + np.arange(0.5, max(horizon, 1.0), 1.0)[None, :]
    if scorer is not None:  # variants of X re-evaluate only what their changed columns touch
        of_variant = scorer(X, times)

        def score(frame: pd.DataFrame) -> np.ndarray:
            return np.asarray(of_variant(None if frame is X else frame)).mean(axis=1)

        kind = "log_hazard_ratio"
    elif log_hazard is not None:

        def score(frame: pd.DataFrame) -> np.ndarray:
            return np.asarray(log_hazard(frame, times)).mean(axis=1)

        kind = "log_hazard_ratio"
    else:

        def score(frame: pd.DataFrame) -> np.ndarray:
            return model.predict_within(frame, waited, [horizon])[:, 0]

        kind = "probability"
    ref = _reference(reference)
    base = score(X)
    out = {}
    for g, cols in groups.items():
        share = _binary_share(reference, cols)
        if share is not None:
            out[g] = _binary_effect(X, cols[0], share, base, score)
            continue
        Xg = X.copy()
        for c in cols:
            Xg[c] = float(ref[c])
        out[g] = base - score(Xg)
    return pd.DataFrame(out, index=X.index), kind


def _binary_share(reference: pd.DataFrame, cols: Sequence[str]) -> float | None:
    """Share of 1s of a one-column group holding only 0/1 (missing aside), else ``None``."""
    if len(cols) != 1:
        return None
    values = reference[cols[0]].dropna()
    if values.empty or not values.isin((0.0, 1.0)).all():
        return None
    return float(values.mean())


def _binary_effect(
    X: pd.DataFrame,
    col: str,
    share: float,
    base: np.ndarray,
    score: Callable[[pd.DataFrame], np.ndarray],
) -> np.ndarray:
    """A 0/1 column against the mix of both values in the training data (interventional SHAP of
    one binary feature): ``f(x) - (p f(1) + (1 - p) f(0))``. A median reference would equal the
    show's own value for most shows and read "hardly changes"; this gives a finished source
    ``p (f(0) - f(1))``, which a monotone model keeps at or below zero. Missing values: 0."""
    ones, zeros = X.copy(), X.copy()
    ones[col], zeros[col] = 1.0, 0.0
    effect = base - (share * score(ones) + (1.0 - share) * score(zeros))
    return np.where(X[col].isna().to_numpy(), 0.0, effect)


def waited_effect(
    model: SurvivalModel,
    X: pd.DataFrame,
    waited: np.ndarray,
    horizon: float = 3.0,
    current: np.ndarray | None = None,
) -> np.ndarray:
    """Forecast at ``horizon`` minus the forecast had the show just ended.

    ``current`` is the forecast at ``horizon`` when already computed.
    """
    now = model.predict_within(X, waited, [horizon])[:, 0] if current is None else current
    fresh = model.predict_within(X, np.full(len(X), JUST_ENDED), [horizon])[:, 0]
    return now - fresh


def _verb(effect: float) -> str:
    if abs(effect) <= 1e-6:
        return "hardly changes the chance"
    return "raises the chance" if effect > 0 else "lowers the chance"


def explain_forecasts(
    model: SurvivalModel,
    X: pd.DataFrame,
    reference: pd.DataFrame,
    waited: np.ndarray,
    horizon: float = 3.0,
    top: int = 5,
    current: np.ndarray | None = None,
    labels: Sequence[Mapping[str, str]] | None = None,
) -> list[list[Factor]]:
    """The main factors behind each row's forecast, strongest first, as fan-readable text.

    Parameters
    ----------
    model
        A fitted model.
    X
        Features of the shows to explain (one row each).
    reference
        The training features (for the reference row and the training means).
    waited
        Years each show has waited since its last season ended.
    horizon
        Horizon (years) of the probability being explained.
    top
        Number of feature groups kept per show (the waiting time is always added, and so is the
        source material left when a source work is linked).
    current
        The forecast at ``horizon`` of each row, when already computed (saves time).
    labels
        Per row, words the features cannot hold: ``studio`` (its name) and ``source`` (the
        source material's summary, e.g. "light novel, 5 volumes, finished 2021: little left
        to adapt").

    Returns
    -------
    list of list of Factor
        One list per row of ``X``, e.g. ``"popularity in the top 5% of 2021 shows: raises the
        chance"``.
    """
    waited = np.broadcast_to(np.asarray(waited, dtype=float), (len(X),))
    effects, kind = group_effects(model, X, reference, waited, horizon)
    wait = waited_effect(model, X, waited, horizon, current)
    names = list(effects.columns)
    eff = effects.to_numpy(dtype=float)
    ranked = _strongest_first(eff)
    columns = list(X.columns)
    rows = X.to_numpy(dtype=float).tolist()  # plain floats: no per-row pandas
    has_source_left = "source_left" in names
    out = []
    for i, row in enumerate(rows):
        values: dict[str, Any] = dict(zip(columns, row, strict=True))
        if labels is not None:
            values["_studio"] = labels[i].get("studio", "")
            values["_source"] = labels[i].get("source", "")
        order = [names[j] for j in ranked[i, :top] if abs(eff[i, j]) > 1e-6]
        if _get(values, "src_linked") == 1 and has_source_left and "source_left" not in order:
            order.append("source_left")  # the article's leading argument: always said when known
        by_name = dict(zip(names, eff[i].tolist(), strict=True))
        factors = [
            Factor(g, by_name[g], kind, f"{_DESCRIBE[g](values)}: {_verb(by_name[g])}")
            for g in order
        ]
        if abs(wait[i]) > 1e-6 and waited[i] > 2.0 / 365.25:
            factors.append(
                Factor(
                    "waited", float(wait[i]), "probability", f"{_ago(waited[i])}: {_verb(wait[i])}"
                )
            )
        out.append(factors)
    return out


def _strongest_first(effects: np.ndarray) -> np.ndarray:
    """Per row, the column positions by decreasing absolute effect, ties and missing values
    placed as ``pandas.Series.sort_values(ascending=False)`` places them (row by row)."""
    size = np.abs(effects)
    n_cols = size.shape[1]
    out = (n_cols - 1 - np.argsort(size[:, ::-1], axis=1, kind="quicksort"))[:, ::-1]
    for i in np.flatnonzero(np.isnan(size).any(axis=1)):
        out[i] = pd.Series(size[i]).sort_values(ascending=False).index.to_numpy()
    return out


def _ago(years: float) -> str:
    if years < 1:
        return f"ended {plural(max(1, round(years * 12)), 'month')} ago"
    return f"ended {plural(round(years), 'year')} ago" if years >= 1.5 else "ended a year ago"
