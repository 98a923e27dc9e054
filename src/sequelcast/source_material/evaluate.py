"""Measure the links: precision on a hand-checked sample, and coverage by source kind (pure).

``scripts/source_links.py`` prints both from the real data; ``docs/source_material.md`` has the figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sequelcast.domain import Anime
from sequelcast.source_material._link import SourceLink, anime_kind


@dataclass(frozen=True)
class CheckedLink:
    """A link checked by hand: anime ``mal_id`` -> work, and whether that work is its source."""

    mal_id: int
    work_source: str
    work_id: int
    correct: bool


def parse_checked(text: str) -> list[CheckedLink]:
    """Read the ``mal_id,work_source,work_id,verdict,note`` CSV (``#`` lines are comments).

    >>> parse_checked("# c\\nmal_id,work_source,work_id,verdict,note\\n40938,mal,116201,ok,\\n")
    [CheckedLink(mal_id=40938, work_source='mal', work_id=116201, correct=True)]
    """
    import csv
    import io

    rows = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    out = []
    for i, row in enumerate(csv.DictReader(io.StringIO("\n".join(rows)))):
        verdict = (row.get("verdict") or "").strip()
        if verdict not in ("ok", "wrong"):
            raise ValueError(f"checked link {i + 1}: verdict must be ok or wrong, not {verdict!r}")
        out.append(
            CheckedLink(
                int(row["mal_id"]), row["work_source"], int(row["work_id"]), verdict == "ok"
            )
        )
    return out


@dataclass(frozen=True)
class Precision:
    """Of ``checked`` hand-checked links, ``still_made`` are still made and ``correct`` of those are right."""

    checked: int
    still_made: int
    correct: int

    @property
    def value(self) -> float:
        return self.correct / self.still_made if self.still_made else 0.0


def precision(links: Mapping[int, SourceLink], checked: Iterable[CheckedLink]) -> Precision:
    """Precision of ``links`` on the hand-checked sample: a sampled anime now linked to another work
    than the one checked counts as made and wrong (it was not checked); one no longer linked is left out."""
    n = made = correct = 0
    for c in checked:
        n += 1
        link = links.get(c.mal_id)
        if link is None:
            continue
        made += 1
        same = (link.work.source, link.work.work_id) == (c.work_source, c.work_id)
        correct += int(same and c.correct)
    return Precision(n, made, correct)


def coverage(
    entries: Mapping[int, Anime], links: Mapping[int, SourceLink]
) -> dict[str, tuple[int, int]]:
    """Kind -> (TV anime with that source kind, how many are linked); ``"all"`` sums them."""
    out: dict[str, tuple[int, int]] = {}
    for mal_id, anime in entries.items():
        kind = anime_kind(anime)
        if kind is None:
            continue
        for key in (kind, "all"):
            n, k = out.get(key, (0, 0))
            out[key] = (n + 1, k + int(mal_id in links))
    return out
