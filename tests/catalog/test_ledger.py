"""The ledger tables: insert-only on both backends, kept across builds, one run per date and build."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from sequelcast.catalog import Catalog
from sequelcast.catalog.ledger import FORECAST_COLUMNS, Ledger, LedgerRunExistsError
from sequelcast.errors import CatalogError
from sequelcast.service import build_catalog


def forecast(mal_id: int, p: float = 0.1) -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(FORECAST_COLUMNS)
    row.update(
        franchise_id=f"mal:{mal_id}",
        spell_id=f"S{mal_id}",
        mal_id=mal_id,
        title=f"Show {mal_id}",
        ended=date(2015, 3, 30),
        waited_years=1.5,
        p_1y=p,
        p_2y=p * 2,
        model="cox",
    )
    return row


def add(
    catalog: Catalog, as_of: date = date(2016, 12, 25), kind: str = "replay", n: int = 2
) -> int:
    return Ledger(catalog).add_run(
        kind=kind,
        as_of=as_of,
        build_key="b1",
        build_id=1,
        model="auto",
        version="test",
        forecasts=[forecast(100 + i) for i in range(n)],
    )


def test_runs_and_forecasts_read_back(catalog: Catalog) -> None:
    run_id = add(catalog)
    ledger = Ledger(catalog)
    (run,) = ledger.runs()
    assert (run["id"], run["kind"], run["n_forecasts"], run["model"]) == (
        run_id,
        "replay",
        2,
        "auto",
    )
    rows = ledger.forecasts()
    assert [(r["mal_id"], r["p_1y"], r["as_of"], r["kind"]) for r in rows] == [
        (100, 0.1, date(2016, 12, 25), "replay"),
        (101, 0.1, date(2016, 12, 25), "replay"),
    ]
    assert rows[0]["ended"] == date(2015, 3, 30)


def test_the_same_run_is_refused_and_nothing_is_written(catalog: Catalog) -> None:
    add(catalog)
    with pytest.raises(
        LedgerRunExistsError, match=r"already holds the replay of 2016-12-25 .* never rewritten"
    ):
        add(catalog, n=5)
    assert len(Ledger(catalog).forecasts()) == 2
    add(catalog, kind="record")  # another kind, date or build is another run
    add(catalog, as_of=date(2017, 3, 25))
    assert len(Ledger(catalog).runs()) == 3


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_forecasts SET p_1y = 0.9",
        "DELETE FROM ledger_forecasts",
        "UPDATE ledger_runs SET model = 'other'",
        "DELETE FROM ledger_runs",
    ],
)
def test_the_database_refuses_to_rewrite_a_forecast(catalog: Catalog, statement: str) -> None:
    add(catalog)
    with pytest.raises(DBAPIError, match="insert-only"), catalog.engine.begin() as conn:
        conn.execute(text(statement))
    assert [r["p_1y"] for r in Ledger(catalog).forecasts()] == [0.1, 0.1]
    assert Ledger(catalog).runs()[0]["model"] == "auto"


def test_a_forecast_missing_a_column_is_refused(catalog: Catalog) -> None:
    bad = forecast(100)
    del bad["waited_years"]
    with pytest.raises(CatalogError, match=r"forecast 0 \(Show 100\) lacks \['waited_years'\]"):
        Ledger(catalog).add_run(
            kind="record",
            as_of=date(2020, 1, 1),
            build_key="b",
            build_id=None,
            model="auto",
            version="t",
            forecasts=[bad],
        )
    with pytest.raises(CatalogError, match="kind must be 'record' or 'replay'"):
        Ledger(catalog).add_run(
            kind="guess",
            as_of=date(2020, 1, 1),
            build_key="b",
            build_id=None,
            model="auto",
            version="t",
            forecasts=[],
        )
    assert Ledger(catalog).runs() == []


def test_a_build_keeps_the_ledger(catalog: Catalog, tiny_data: Path) -> None:
    add(catalog)
    build_catalog(catalog, tiny_data)
    build_catalog(catalog, tiny_data)
    assert len(Ledger(catalog).forecasts()) == 2
