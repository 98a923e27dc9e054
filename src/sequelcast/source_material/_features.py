""":class:`~sequelcast.domain.SourceFeatures` of a linked anime on a date (pure).

Rules (``docs/source_material.md``):

- ``finished``: the work had ended on or before the date (``None`` when its status is unknown).
- ``years_running``: from its start to its end when finished, else to the date.
- ``volumes``: the total of a finished work only.
- ``volumes_estimate`` (a work still running): when NovelUpdates counted the volumes of the same
  title (still running, observed by the date), that count plus the years since times the median
  volumes per year of finished works of the work's type; otherwise ``years_running`` times that
  median (finished works of the same type that ran at least a year, known on the date).
- ``episodes_per_volume``: TV episodes of the anime's prequel chain up to and including it that had
  started airing by the date, per volume (or volume estimate).
- ``summary``: "light novel, 5 volumes, finished June 2021: little left to adapt". What is left:
  the volumes not yet adapted, at :data:`EPISODES_PER_VOLUME` episodes per volume; at most
  :data:`LITTLE_LEFT` volumes is "little left to adapt", at most :data:`SOME_LEFT` "some left",
  more "plenty left"; a work still running says "still publishing".
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date

from sequelcast.domain import Anime, SourceFeatures
from sequelcast.resolve.normalize import normalize
from sequelcast.source_material._link import SourceLink
from sequelcast.source_material._works import Work

#: TV episodes an adaptation spends on one volume of source (a rough, documented rule of thumb).
EPISODES_PER_VOLUME = 2.5
LITTLE_LEFT = 1.0
SOME_LEFT = 4.0
_MIN_YEARS = 1.0
_KIND_WORDS = {
    "manga": "manga",
    "light_novel": "light novel",
    "novel": "novel",
    "web_novel": "web novel",
}


def _years(start: date, end: date) -> float:
    return round((end - start).days / 365.25, 2)


def volume_rates(works: Iterable[Work]) -> dict[str, float]:
    """Work type -> median volumes per year of its finished works that ran at least a year."""
    rates: dict[str, list[float]] = defaultdict(list)
    for w in works:
        if w.finished and w.volumes and w.start and w.end:
            years = (w.end - w.start).days / 365.25
            if years >= _MIN_YEARS:
                rates[w.type].append(w.volumes / years)
    return {t: statistics.median(v) for t, v in rates.items() if len(v) >= 5}


def aired_episodes(
    mal_id: int, entries: Mapping[int, Anime], prequels: Mapping[int, int], as_of: date | None
) -> int | None:
    """TV episodes of ``mal_id`` and its prequels that started by ``as_of`` (``None``: none known)."""
    total, seen, cur = 0, set(), mal_id
    known = False
    while cur not in seen:
        seen.add(cur)
        a = entries.get(cur)
        if (
            a is not None
            and a.type == "TV"
            and a.episodes
            and (as_of is None or (a.start_date is not None and a.start_date <= as_of))
        ):
            total += a.episodes
            known = True
        if cur not in prequels:
            break
        cur = prequels[cur]
    return total if known else None


def _left_words(volumes: float, episodes: int | None) -> str:
    if episodes is None:
        return ""
    left = volumes - episodes / EPISODES_PER_VOLUME
    if left <= LITTLE_LEFT:
        return "little left to adapt"
    return "some left to adapt" if left <= SOME_LEFT else "plenty left to adapt"


def summarize(f: SourceFeatures, episodes: int | None) -> str:
    """Plain words for ``f``, e.g. "light novel, 5 volumes, finished June 2021: little left to adapt"."""
    if not f.linked or f.kind is None:
        return "no source work linked"
    parts = [_KIND_WORDS[f.kind]]
    tail = ""
    if f.finished:
        if f.volumes:
            parts.append(f"{f.volumes} volume{'s' if f.volumes != 1 else ''}")
            tail = _left_words(f.volumes, episodes)
        parts.append(f"finished {f.end:%B %Y}" if f.end else "finished")
    elif f.finished is False:
        if f.volumes_estimate:
            parts.append(f"about {round(f.volumes_estimate)} volumes")
        years = (
            f" for {f.years_running:.0f} years" if f.years_running and f.years_running >= 1 else ""
        )
        parts.append(f"still publishing{years}")
        tail = "more keeps coming"
    else:
        parts.append("publication status unknown")
    text = ", ".join(parts)
    return f"{text}: {tail}" if tail else text


class _Counts:
    """Volumes so far of running novels (NovelUpdates), by normalised title, to anchor estimates."""

    def __init__(self, works: Iterable[Work]) -> None:
        self.by_key: dict[str, Work] = {}
        for w in works:
            if w.volumes_so_far:
                for t in w.titles:
                    self.by_key.setdefault(normalize(t), w)

    def anchor(self, work: Work, ref: date) -> Work | None:
        """A running count of ``work`` observed by ``ref`` (the same title), if any."""
        for t in work.titles:
            hit = self.by_key.get(normalize(t))
            if hit is not None and hit.observed_at <= ref:
                return hit
        return None


def _estimate(
    w: Work, years: float | None, ref: date, rates: Mapping[str, float], counts: _Counts
) -> float | None:
    if w.finished is not False or years is None:
        return None
    rate = rates.get(w.type)
    anchor = counts.anchor(w, ref) if w.source == "mal" else (w if w.volumes_so_far else None)
    if anchor is not None and anchor.volumes_so_far:
        more = rate * (ref - anchor.observed_at).days / 365.25 if rate else 0.0
        return round(anchor.volumes_so_far + more, 1)
    return round(max(1.0, years * rate), 1) if rate else None


def features(
    link: SourceLink,
    ref: date,
    episodes: int | None,
    rates: Mapping[str, float],
    counts: _Counts | None = None,
) -> SourceFeatures:
    """The :class:`SourceFeatures` of one linked anime on ``ref`` (the as-of date)."""
    w = link.work
    end = w.end if w.end is not None and w.end <= ref else None
    finished = w.finished
    years = None
    if w.start is not None and w.start <= ref:
        years = _years(w.start, end if finished and end else ref)
    estimate = _estimate(w, years, ref, rates, counts or _Counts(()))
    volumes = w.volumes if finished else None
    per = volumes or estimate
    f = SourceFeatures(
        linked=True,
        kind=link.kind,
        work_id=w.work_id if w.source == "mal" else None,
        title=w.title,
        finished=finished,
        start=w.start,
        end=end,
        years_running=years,
        volumes=volumes,
        volumes_estimate=estimate,
        episodes_per_volume=round(episodes / per, 2) if episodes and per else None,
    )
    return _with_summary(f, episodes)


def _with_summary(f: SourceFeatures, episodes: int | None) -> SourceFeatures:
    return replace(f, summary=summarize(f, episodes))


def all_features(
    links: Mapping[int, SourceLink],
    entries: Mapping[int, Anime],
    prequels: Mapping[int, int],
    works: Iterable[Work],
    as_of: date | None,
    default_ref: date,
) -> dict[int, SourceFeatures]:
    """Anime MAL id -> :class:`SourceFeatures` for every linked anime (``as_of=None``: ``default_ref``)."""
    ref = as_of or default_ref
    works = list(works)
    rates, counts = volume_rates(works), _Counts(works)
    out = {}
    for mal_id, link in links.items():
        out[mal_id] = features(
            link, ref, aired_episodes(mal_id, entries, prequels, as_of), rates, counts
        )
    return out
