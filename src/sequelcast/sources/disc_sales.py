"""Japanese Blu-ray/DVD sales per TV series, 2006-2020 (someanithing.com, linked to MAL ids).

``derived/disc_sales_someanithing_2020-10.csv`` has one row per series: ``avg_sales`` is the
average first-release units per volume, in thousands. Each row becomes one ``disc_sales`` fact
(thousands of units per volume) of its MAL id.

Stamping: the file gives only the year and broadcast season (``season_qtr``), and sales are known
about three months after a season ends (the first volumes come out one to three months after
the finale and the tallies follow). A one-cour season ends about three months after its first
month, so each fact is stamped six months after the first day of its broadcast season
(``Spring 2012`` -> 2012-10-01). The forecast also waits until its own season end + 90 days
before using a value (longer seasons end later), see :mod:`sequelcast.forecast.dataset`.
"""

from __future__ import annotations

from datetime import date

from sequelcast.domain import Batch, Fact
from sequelcast.sources._csv import parse_rows
from sequelcast.sources.base import parse_float, parse_int

SOURCE = "disc_sales"
PATTERN = "derived/disc_sales_someanithing_*.csv"
_REQUIRED = ("title", "year", "season_qtr", "avg_sales", "mal_id")
_QUARTER_MONTH = {"winter": 1, "spring": 4, "summer": 7, "fall": 10}
#: Months from the first day of the broadcast season to the date the sales are known.
KNOWN_AFTER_MONTHS = 6


def known_date(year: int, season: str) -> date:
    """When a season's sales are known: its first month + :data:`KNOWN_AFTER_MONTHS`.

    Examples
    --------
    >>> known_date(2012, "Spring"), known_date(2012, "Fall")
    (datetime.date(2012, 10, 1), datetime.date(2013, 4, 1))
    """
    month = _QUARTER_MONTH.get(season.strip().lower())
    if month is None:
        raise ValueError(f"bad season_qtr {season!r} (Winter, Spring, Summer or Fall)")
    months = year * 12 + month - 1 + KNOWN_AFTER_MONTHS
    return date(months // 12, months % 12 + 1, 1)


def _row(row: dict[str, str]) -> list[Fact]:
    mal_id = parse_int(row["mal_id"])
    if mal_id is None or mal_id <= 0:
        raise ValueError(f"bad MAL id {row['mal_id']!r}")
    year = parse_int(row["year"])
    if year is None or not 1960 <= year <= 2100:
        raise ValueError(f"bad year {row['year']!r}")
    sales = parse_float(row["avg_sales"])
    if sales is None or sales < 0:
        raise ValueError(f"bad avg_sales {row['avg_sales']!r} (thousands of units per volume)")
    return [Fact(mal_id, "disc_sales", sales, known_date(year, row["season_qtr"]), SOURCE)]


def parse(data: bytes, location: str) -> Batch:
    """Parse ``disc_sales_someanithing_2020-10.csv`` (one ``disc_sales`` fact per row)."""
    batch = Batch(source=SOURCE, location=location)
    return parse_rows(
        data, location, source=SOURCE, required=_REQUIRED, row_facts=_row, batch=batch
    )
