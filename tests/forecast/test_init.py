from __future__ import annotations

import ast
from pathlib import Path

import sequelcast.forecast as forecast

PACKAGE = Path(forecast.__file__).parent
BANNED = ("sequelcast.catalog", "sequelcast.sources", "sqlite3", "httpx")


def test_all_is_sorted_and_complete() -> None:
    assert forecast.__all__ == sorted(forecast.__all__)
    public = {n for n in vars(forecast) if not n.startswith("_")}
    modules = {
        "backtest",
        "baselines",
        "dataset",
        "explain",
        "forecaster",
        "metrics",
        "models",
        "window",
        "words",
        "annotations",
    }
    assert set(forecast.__all__) == public - modules
    for name in forecast.__all__:
        assert getattr(forecast, name) is not None


def test_forecast_is_pure() -> None:
    """No I/O edges, no wall clock: time is an argument."""
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                names = []
            for name in names:
                assert not name.startswith(BANNED), f"{path.name} imports {name}"
            if isinstance(node, ast.Attribute) and node.attr in ("today", "now"):
                raise AssertionError(f"{path.name} reads the clock (.{node.attr})")
            if isinstance(node, ast.Attribute) and node.attr == "seed":
                raise AssertionError(f"{path.name} seeds a global random generator")
