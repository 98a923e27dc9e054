"""The forecast ledger: every forecast kept as it was made, never rewritten.

A *run* is one batch of forecasts: those of every show waiting for a next season on one date
(``as_of``), made from one catalog build with one model. ``kind`` is ``"record"`` for a forecast
made on the catalog's own date (``sequelcast ledger record``) and ``"replay"`` for one made later
from what was known on a past date (``sequelcast ledger replay``).

The tables are insert-only: the database refuses ``UPDATE`` and ``DELETE`` (migration 9), and a
second run of the same kind, date, build and model is refused here (and by a unique constraint).
Builds do not touch them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, inspect, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from sequelcast.catalog import schema as s
from sequelcast.catalog.store import Catalog
from sequelcast.errors import CatalogError

#: Columns of one ledger forecast, as given to :meth:`Ledger.add_run`.
FORECAST_COLUMNS = tuple(
    c.name for c in s.ledger_forecasts.columns if c.name not in ("run_id", "as_of")
)


class LedgerRunExistsError(CatalogError):
    """The ledger already holds a run of this kind, date, build and model (forecasts are kept once)."""

    def __init__(self, run: dict[str, Any]) -> None:
        self.run = run
        super().__init__(
            f"the ledger already holds the {run['kind']} of {run['as_of']} from this build with model "
            f"{run['model']!r} (run {run['id']}, {run['n_forecasts']} forecasts): forecasts are never "
            f"rewritten"
        )


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


class Ledger:
    """The ledger tables of one catalog.

    Examples
    --------
    >>> from sequelcast.catalog import open_catalog
    >>> with open_catalog("sqlite:///:memory:") as cat:
    ...     Ledger(cat).runs()
    []
    """

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def exists(self) -> bool:
        """Whether the catalog has the ledger tables (a catalog opened without migrating may not)."""
        return bool(inspect(self.catalog.engine).has_table("ledger_runs"))

    def find_run(self, kind: str, as_of: date, build_key: str, model: str) -> dict[str, Any] | None:
        """The run of this kind, date, build and model, if the ledger holds it."""
        t = s.ledger_runs
        q = select(t).where(
            t.c.kind == kind, t.c.as_of == as_of, t.c.build_key == build_key, t.c.model == model
        )
        with self.catalog.engine.connect() as conn:
            row = conn.execute(q).first()
        return dict(row._mapping) if row else None

    def add_run(
        self,
        *,
        kind: str,
        as_of: date,
        build_key: str,
        build_id: int | None,
        model: str,
        version: str,
        forecasts: Sequence[dict[str, Any]],
    ) -> int:
        """Store one run and its forecasts in one transaction; returns the run id.

        Raises
        ------
        LedgerRunExistsError
            The ledger already holds this run (nothing is written).
        CatalogError
            A forecast lacks a column, or the database refused the write.
        """
        if kind not in ("record", "replay"):
            raise CatalogError(f"ledger: run kind must be 'record' or 'replay', got {kind!r}")
        for i, row in enumerate(forecasts):
            missing = [c for c in FORECAST_COLUMNS if c not in row]
            if missing:
                raise CatalogError(
                    f"ledger: forecast {i} ({row.get('title', '?')}) lacks {missing}"
                )
        existing = self.find_run(kind, as_of, build_key, model)
        if existing is not None:
            raise LedgerRunExistsError(existing)
        try:
            with self.catalog.engine.begin() as conn:
                run_id = conn.execute(
                    insert(s.ledger_runs)
                    .values(
                        kind=kind,
                        as_of=as_of,
                        build_key=build_key,
                        build_id=build_id,
                        model=model,
                        version=version,
                        created_at=datetime.now(),
                        n_forecasts=len(forecasts),
                    )
                    .returning(s.ledger_runs.c.id)
                ).scalar_one()
                rows = [
                    {"run_id": run_id, "as_of": as_of, **{c: r[c] for c in FORECAST_COLUMNS}}
                    for r in forecasts
                ]
                if rows:
                    conn.execute(insert(s.ledger_forecasts), rows)
        except IntegrityError as exc:  # another process recorded the same run meanwhile
            again = self.find_run(kind, as_of, build_key, model)
            if again is not None:
                raise LedgerRunExistsError(again) from exc
            raise CatalogError(f"ledger: the run could not be written: {exc.orig}") from exc
        except SQLAlchemyError as exc:
            raise CatalogError(f"ledger: the run could not be written: {exc}") from exc
        return int(run_id)

    def runs(self) -> list[dict[str, Any]]:
        """Every run, oldest date first."""
        if not self.exists():
            return []
        t = s.ledger_runs
        with self.catalog.engine.connect() as conn:
            rows = conn.execute(select(t).order_by(t.c.as_of, t.c.id)).all()
        return [dict(r._mapping) for r in rows]

    def forecasts(self) -> list[dict[str, Any]]:
        """Every stored forecast with its run's ``kind`` and ``created_at``, oldest run first."""
        if not self.exists():
            return []
        f, r = s.ledger_forecasts, s.ledger_runs
        q = (
            select(f, r.c.kind, r.c.created_at, r.c.build_key)
            .join(r, f.c.run_id == r.c.id)
            .order_by(f.c.as_of, f.c.run_id)
        )
        with self.catalog.engine.connect() as conn:
            out = [dict(row._mapping) for row in conn.execute(q)]
        for row in out:
            row["as_of"] = _date(row["as_of"])
            row["ended"] = _date(row["ended"]) if row["ended"] is not None else None
        return out


__all__ = ["FORECAST_COLUMNS", "Ledger", "LedgerRunExistsError"]
