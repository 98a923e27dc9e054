"""erengy/anime-relations: explicit continuation rules (``mal|kitsu|anilist:eps -> ...``).

Each rule whose two sides are different works becomes a ``Relation(kind="sequel")``; a rule that
only renumbers episodes inside one entry (``-> ~|~|~:1-12``) says nothing about franchises and is
counted as skipped. ``?`` marks an unknown id.
"""

from __future__ import annotations

import re
from datetime import date

from sequelcast.domain import Batch, Relation
from sequelcast.sources.base import date_in_name, decode_text, reject

SOURCE = "erengy_relations"
PATTERN = "raw/id_maps_and_relations/erengy_anime-relations_*.txt"

_SIDE = r"([0-9?~]+)\|([0-9?~]+)\|([0-9?~]+):([0-9?]+(?:-[0-9?]+)?)"
_RULE = re.compile(rf"^- {_SIDE} -> {_SIDE}(!?)$")


def _id(value: str, same_as: int | None = None) -> int | None:
    if value == "~":
        return same_as
    if value == "?":
        return None
    return int(value)


def _rule(line: str, title: str, observed: date) -> Relation | None:
    m = _RULE.match(line)
    if not m:
        raise ValueError("not a rule of the form 'mal|kitsu|anilist:eps -> mal|kitsu|anilist:eps'")
    g = m.groups()
    src_mal, src_anilist = _id(g[0]), _id(g[2])
    dst_mal, dst_anilist = _id(g[4], src_mal), _id(g[6], src_anilist)
    same = [g[4], g[5], g[6]] == ["~", "~", "~"] or (src_mal is not None and src_mal == dst_mal)
    if same:
        return None
    detail = f"{title}: {g[0]}:{g[3]} -> {g[4]}:{g[7]}" if title else line[2:]
    return Relation(src_mal, dst_mal, "sequel", detail, observed, SOURCE, src_anilist, dst_anilist)


def parse(data: bytes, location: str) -> Batch:
    """Parse ``anime-relations.txt``: the rules after the ``::rules`` line."""
    observed = date_in_name(SOURCE, location)
    text = decode_text(data, SOURCE, location)
    batch = Batch(source=SOURCE, location=location, observed_at=observed)
    in_rules = False
    title = ""
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line == "::rules":
            in_rules = True
            continue
        if not in_rules or not line:
            continue
        if line.startswith("#"):
            title = line.lstrip("# ").strip()
            continue
        try:
            rel = _rule(line, title, observed)
        except ValueError as exc:
            batch.rejects.append(reject(SOURCE, f"{location}:{n}", str(exc), raw))
            continue
        if rel is None:
            batch.skipped += 1
        else:
            batch.relations.append(rel)
    return batch
