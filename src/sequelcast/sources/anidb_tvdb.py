"""The AniDB-to-TheTVDB season lists (``anime-list-master_<date>.xml``, Anime-Lists/anime-lists).

Each ``<anime>`` element becomes a :class:`~sequelcast.domain.TvdbMapping` stamped with the list's
date, which is read from the file name. ``tvdbid`` is kept as written ("movie", "OVA", "hentai"...
are not series); ``defaulttvdbseason`` too ("1", "2"... a season, "0" specials, "a" absolute).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

from sequelcast.domain import Batch, TvdbMapping
from sequelcast.errors import SourceFileError
from sequelcast.sources.base import date_in_name, parse_int, reject

SOURCE = "anidb_tvdb"
PATTERN = "raw/anidb_tvdb_anime_lists/anime-list-master_*.xml"


def list_date(location: str) -> date:
    """The list's date, from its file name (``anime-list-master_2018-05-04.xml``)."""
    return date_in_name(SOURCE, location)


def _element(el: ET.Element, observed: date) -> TvdbMapping:
    anidb_id = parse_int(el.get("anidbid"))
    if anidb_id is None or anidb_id <= 0:
        raise ValueError(f"bad anidbid {el.get('anidbid')!r}")
    name = (el.findtext("name") or "").strip()
    tvdb = (el.get("tvdbid") or "").strip() or None
    season = (el.get("defaulttvdbseason") or "").strip() or None
    if season is not None and season != "a" and not season.isdigit():
        raise ValueError(f"bad defaulttvdbseason {season!r}")
    offset = parse_int(el.get("episodeoffset"))
    studio = (el.findtext("supplemental-info/studio") or "").strip() or None
    return TvdbMapping(anidb_id, name, tvdb, season, offset, studio, observed, SOURCE)


def parse(data: bytes, location: str) -> Batch:
    """Parse one list file; a malformed document stops with :class:`SourceFileError`."""
    observed = list_date(location)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise SourceFileError(SOURCE, location, f"invalid XML: {exc}") from exc
    if root.tag != "anime-list":
        raise SourceFileError(SOURCE, location, f"expected <anime-list>, found <{root.tag}>")
    batch = Batch(source=SOURCE, location=location, observed_at=observed)
    for i, el in enumerate(root.iter("anime")):
        try:
            batch.tvdb_mappings.append(_element(el, observed))
        except ValueError as exc:
            raw = ET.tostring(el, encoding="unicode")
            batch.rejects.append(reject(SOURCE, f"{location} <anime> #{i + 1}", str(exc), raw))
    return batch
