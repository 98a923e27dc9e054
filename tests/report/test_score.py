"""Scoring a small synthetic ledger, checked against hand-computed figures."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from sequelcast.report import calibration_deciles, score_ledger, top_decile_precision

AS_OF = date(2020, 1, 1)
OUTCOME = date(2022, 7, 2)  # 2.5 years of follow-up (913 days / 365.25)


def row(p1: float, p2: float, p3: float, p5: float) -> dict[str, object]:
    return {"as_of": AS_OF, "p_1y": p1, "p_2y": p2, "p_3y": p3, "p_5y": p5}


ROWS = [
    row(0.8, 0.9, 0.95, 0.99),
    row(0.1, 0.2, 0.3, 0.5),
    row(0.4, 0.5, 0.6, 0.7),
    row(0.3, 0.3, 0.3, 0.3),
    {**row(0.5, 0.5, 0.5, 0.5), "as_of": date(2022, 1, 1)},
]
# A announced after 0.5 years; B nothing by the outcome date; C announced after 1.5 years;
# D not found in the newest data; E (half a year before the outcome date) announced after 0.2 years
OUTCOMES = [(0.5, True), (2.5, False), (1.5, True), None, (0.2, True)]


def test_hand_computed_brier_auc_and_counts() -> None:
    s = score_ledger(ROWS, OUTCOMES, OUTCOME)
    assert (s["n_forecasts"], s["n_resolved"], s["n_unmatched"]) == (5, 4, 1)
    # E is resolved by its announcement, but no horizon of it has passed: it is in no score
    assert s["n_resolved_by_event"] == 1
    h = s["horizons"]
    # 1 year: forecasts .8 .1 .4, happened 1 0 0: ((.2)^2 + .1^2 + .4^2) / 3 = .07
    assert h["1"]["n_resolved"] == 3
    assert h["1"]["n_events"] == 1
    assert h["1"]["brier"] == pytest.approx(0.07, abs=1e-6)
    assert h["1"]["auc"] == pytest.approx(1.0, abs=1e-6)
    # 2 years: .9 .2 .5 against 1 0 1: (.01 + .04 + .25) / 3 = .1
    assert h["2"]["brier"] == pytest.approx(0.1, abs=1e-6)
    # 3 and 5 years have not passed (2.5 years of follow-up): A's and C's hits are not scored yet,
    # as B's possible miss is not known
    assert h["3"]["n_resolved"] == 0
    assert h["3"]["brier"] is None
    assert h["5"]["auc"] is None
    # every passed (forecast, horizon): (.21 + .30) / 6
    assert s["brier"] == pytest.approx(0.085, abs=1e-6)
    assert h["1"]["top_decile_precision"] == 1.0
    assert h["1"]["brier_reference"] == pytest.approx(
        (2 / 3) ** 2 / 3 + 2 * (1 / 3) ** 2 / 3, abs=1e-6
    )
    assert "4 of 5 forecasts made on 2 date(s)" in s["headline"]


def test_calibration_table_by_decile() -> None:
    s = score_ledger(ROWS, OUTCOMES, OUTCOME)
    table = s["calibration"]
    assert [r["decile"] for r in table] == list(range(1, 7))  # fewer forecasts than deciles
    assert sum(r["n"] for r in table) == 6
    assert table[0]["mean_forecast"] == 0.1
    assert table[0]["observed"] == 0.0
    assert table[-1]["mean_forecast"] == 0.9
    assert table[-1]["observed"] == 1.0
    means = [r["mean_forecast"] for r in table]
    assert means == sorted(means)


def test_an_unresolved_ledger() -> None:
    s = score_ledger([row(0.1, 0.2, 0.3, 0.4)], [(0.0, False)], AS_OF)
    assert s["n_resolved"] == 0
    assert s["brier"] is None
    assert s["calibration"] == []
    assert s["headline"] == "The ledger holds no resolved forecast yet."


def test_top_decile_and_deciles_of_many() -> None:
    p = np.linspace(0.0, 0.99, 100)
    y = p > 0.85
    assert top_decile_precision(p, y) == 1.0
    rows = calibration_deciles(p, y)
    assert [r["n"] for r in rows] == [10] * 10
    assert rows[-1]["observed"] == 1.0
    assert rows[0]["observed"] == 0.0
