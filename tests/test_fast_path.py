"""A read command starts light: no numpy or pandas on import, and a title typed out is answered
from the build's ``title_answers`` table exactly as the full resolver answers it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from sequelcast.catalog import open_catalog
from sequelcast.errors import ResolveError
from sequelcast.resolve import resolve_one
from sequelcast.service import Sequelcast
from sequelcast.service._derive import answer_key
from sequelcast.settings import Settings

SRC = str(Path(__file__).resolve().parents[1] / "src")
#: What a command about one show must not import (scikit-learn, pandas, matplotlib come with numpy).
HEAVY = ("numpy", "pandas", "sklearn", "matplotlib", "scipy", "lifelines", "rapidfuzz")


def loaded_after(code: str, env: dict[str, str] | None = None) -> list[str]:
    """The heavy top-level packages in ``sys.modules`` after running ``code`` in a new interpreter."""
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         env={**(env or os.environ), "PYTHONPATH": SRC})
    return [m for m in json.loads(out.stdout.splitlines()[-1]) if m in HEAVY]


def test_importing_the_cli_loads_no_numpy_pandas_or_rapidfuzz() -> None:
    assert loaded_after("import sequelcast.cli") == []


def test_the_probe_sees_a_heavy_import() -> None:
    assert loaded_after("import sequelcast.cli, numpy") == ["numpy"]


def service(url: str, root: Path) -> Sequelcast:
    return Sequelcast(Settings(db=url, data=None, today=None, model_dir=root / "models",
                               downloads=root / "downloads"))


def queries(url: str) -> list[str]:
    """Every title of the catalog as stored, in capitals, in lower case and padded with spaces."""
    with open_catalog(url, create=False) as cat:
        titles = sorted({t.title for t in cat.titles() if t.title})
    return [v for t in titles for v in (t, t.upper(), t.lower(), f"  {t} ")]


def outcome(run: object) -> tuple[str, object]:
    assert callable(run)
    try:
        return "ok", run()
    except ResolveError as exc:
        return "refused", str(exc)


def test_stored_answers_equal_the_resolver_on_every_title(synthetic_catalog_url: str, tmp_path: Path) -> None:
    with service(synthetic_catalog_url, tmp_path) as svc:
        index = svc.title_index()
        fast = 0
        for q in queries(synthetic_catalog_url):
            stored = svc.catalog.title_answer(answer_key(q))
            fast += stored is not None
            assert outcome(lambda q=q: svc.find_mal_id(q)) == outcome(lambda q=q: resolve_one(index, q).mal_id), q
    assert fast > 0


def test_a_title_query_through_the_table_reads_no_title_index(synthetic_catalog_url: str, tmp_path: Path) -> None:
    with service(synthetic_catalog_url, tmp_path) as svc, open_catalog(synthetic_catalog_url, create=False) as cat:
        titles = sorted({t.title for t in cat.titles() if t.title})
        answered = next(t for t in titles if cat.title_answer(answer_key(t)) is not None)
        sheet = svc.fact_sheet(answered.upper())
        assert sheet["mal_id"] == cat.title_answer(answer_key(answered))
        assert svc.index_cache.keys() == []  # the fuzzy index was never loaded
        svc.resolve(answered)
        assert svc.index_cache.keys() != []


@pytest.mark.parametrize("command", ["show", "franchise", "forecast"])
def test_cli_reads_of_a_stored_title_load_no_numpy(command: str, synthetic_catalog_url: str, tmp_path: Path) -> None:
    with open_catalog(synthetic_catalog_url, create=False) as cat:
        titles = sorted({t.title for t in cat.titles() if t.title})
        answered = next(t for t in titles if cat.title_answer(answer_key(t)) is not None
                        and (d := cat.derived_of(cat.title_answer(answer_key(t)) or 0)) and d["franchise_id"])
    env = {**os.environ, "SEQUELCAST_DB": synthetic_catalog_url, "SEQUELCAST_MODEL_DIR": str(tmp_path / "m"),
           "SEQUELCAST_TODAY": date(2030, 1, 1).isoformat()}
    code = ("import sys\nfrom sequelcast.cli import app\n"
            f"try:\n    app([{command!r}, {answered!r}, '--json'])\nexcept SystemExit as e:\n"
            "    assert not e.code, e.code\n")
    assert loaded_after(code, env) == []
