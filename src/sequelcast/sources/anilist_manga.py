"""The manga side of the AniList <-> MAL crosswalk (``raw/anilist_mal_lists_2026/manga_*.json``).

79,100 ``{"idAL", "idMal"}`` pairs for AniList manga and novels; 24,521 have no MAL id and carry
nothing the catalog keeps (counted as skipped). The file has no titles: it joins AniList manga ids
to MAL manga ids, stored as :class:`~sequelcast.domain.IdLink` rows whose ``mal_id`` is a MAL
*manga* id (``Batch.manga_id_links``, table ``manga_id_links``). The anime file of the same folder
is read by the franchise adapters.
"""

from __future__ import annotations

from sequelcast.domain import Batch, IdLink
from sequelcast.sources.base import date_in_name, decode_json, parse_int, reject

SOURCE = "anilist_manga_2026"
PATTERN = "raw/anilist_mal_lists_2026/manga_*.json"


def parse(data: bytes, location: str) -> Batch:
    """Parse ``manga_<YYYY-MM-DD>.json`` (observed on the file name's date)."""
    observed = date_in_name(SOURCE, location)
    batch = Batch(source=SOURCE, location=location, observed_at=observed)
    rows = decode_json(data, SOURCE, location)
    if not isinstance(rows, list):
        batch.rejects.append(
            reject(SOURCE, location, "not a JSON list of {idAL, idMal}", str(rows)[:200])
        )
        return batch
    for i, row in enumerate(rows):
        try:
            if not isinstance(row, dict):
                raise ValueError("not an object")
            anilist, mal = parse_int(row.get("idAL")), parse_int(row.get("idMal"))
            if anilist is None:
                raise ValueError("no idAL")
        except ValueError as exc:
            batch.rejects.append(reject(SOURCE, f"{location}[{i}]", str(exc), row))
            continue
        if mal is None:
            batch.skipped += 1
            continue
        batch.manga_id_links.append(IdLink(mal, "anilist", str(anilist), observed, SOURCE))
    return batch
