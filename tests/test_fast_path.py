"""A read command starts light: no numpy or pandas on import, and a title typed out is answered
from the build's ``title_answers`` table exactly as the full resolver answers it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from sequelcast.catalog import open_catalog
from sequelcast.errors import ResolveError
from sequelcast.resolve import normalize, resolve_one
from sequelcast.resolve.answers import exact_key
from sequelcast.service import Sequelcast, build_catalog
from sequelcast.settings import Settings

SRC = str(Path(__file__).resolve().parents[1] / "src")
TINY_DATA = Path(__file__).resolve().parent / "fixtures" / "tiny"
#: What a command about one show must not import (scikit-learn, pandas, matplotlib come with numpy;
#: the title index is resolve.candidates; rapidfuzz itself, which the title grammar uses for one
#: edit distance, imports in about 10 ms).
HEAVY = (
    "numpy",
    "pandas",
    "sklearn",
    "matplotlib",
    "scipy",
    "lifelines",
    "sequelcast.resolve.candidates",
)
#: What a read of a SQLite catalog does not need either: SQLAlchemy (sqlite3 reads the derived
#: tables), pydantic (Typer's adapters, skipped for text and flags), httpx and the sources.
SLOW_IMPORTS = ("sqlalchemy", "pydantic", "httpx", "fastapi", "sequelcast.sources")


def loaded_after(
    code: str, env: dict[str, str] | None = None, heavy: tuple[str, ...] = HEAVY
) -> list[str]:
    """The modules of ``heavy`` in ``sys.modules`` after running ``code`` in a new interpreter."""
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env={**(env or os.environ), "PYTHONPATH": SRC},
    )
    return [m for m in json.loads(out.stdout.splitlines()[-1]) if m in heavy]


def test_importing_the_cli_loads_no_numpy_pandas_or_rapidfuzz() -> None:
    assert loaded_after("import sequelcast.cli") == []


def test_importing_the_cli_loads_no_sqlalchemy_pydantic_or_httpx() -> None:
    assert loaded_after("import sequelcast.cli", heavy=SLOW_IMPORTS) == []
    assert loaded_after("import sequelcast.cli, sqlalchemy", heavy=SLOW_IMPORTS) == ["sqlalchemy"]


def test_parsing_a_query_loads_no_numpy() -> None:
    """The parsed-form look-up parses the query; that needs the title grammar, not the index."""
    assert "numpy" not in loaded_after("import sequelcast.cli, sequelcast.resolve.normalize")


def test_the_probe_sees_a_heavy_import() -> None:
    assert loaded_after("import sequelcast.cli, numpy") == ["numpy"]


def service(url: str, root: Path) -> Sequelcast:
    return Sequelcast(
        Settings(
            db=url, data=None, today=None, model_dir=root / "models", downloads=root / "downloads"
        )
    )


def queries(url: str) -> list[str]:
    """Every title of the catalog as stored, in capitals, in lower case, padded with spaces,
    normalised, without its punctuation and with an exclamation mark."""
    with open_catalog(url, create=False) as cat:
        titles = sorted({t.title for t in cat.titles() if t.title})
    return [
        v
        for t in titles
        for v in (
            t,
            t.upper(),
            t.lower(),
            f"  {t} ",
            normalize(t),
            re.sub(r"[^\w\s]", "", t),
            f"{t}!",
        )
    ]


@pytest.fixture(scope="module")
def tiny_catalog_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('tiny') / 'catalog.db'}"
    with open_catalog(url) as cat:
        build_catalog(cat, TINY_DATA, forecasts=False)
    return url


def outcome(run: object) -> tuple[str, object]:
    assert callable(run)
    try:
        return "ok", run()
    except ResolveError as exc:
        return "refused", str(exc)


@pytest.mark.parametrize("name", ["synthetic_catalog_url", "tiny_catalog_url"])
def test_stored_answers_equal_the_resolver_on_every_title(
    name: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url: str = request.getfixturevalue(name)
    exact = parsed = 0
    with service(url, tmp_path) as svc:
        index = svc.title_index()
        for q in queries(url):
            if svc.stored_answer(q.strip()) is not None:
                if svc.catalog.title_answer(exact_key(q))[0]:
                    exact += 1
                else:
                    parsed += 1
            assert outcome(lambda q=q: svc.find_mal_id(q)) == outcome(
                lambda q=q: resolve_one(index, q).mal_id
            ), q
    assert exact > 0
    if name == "tiny_catalog_url":  # real titles with punctuation: "Toradora!" typed "toradora"
        assert parsed > 0


def test_a_title_query_through_the_table_reads_no_title_index(
    synthetic_catalog_url: str, tmp_path: Path
) -> None:
    with (
        service(synthetic_catalog_url, tmp_path) as svc,
        open_catalog(synthetic_catalog_url, create=False) as cat,
    ):
        titles = sorted({t.title for t in cat.titles() if t.title})
        answered = next(t for t in titles if svc.stored_answer(t) is not None)
        sheet = svc.fact_sheet(answered.upper())
        assert sheet["mal_id"] == svc.stored_answer(answered)
        assert svc.index_cache.keys() == []  # the fuzzy index was never loaded
        svc.resolve(answered)
        assert svc.index_cache.keys() != []


@pytest.mark.parametrize("command", ["show", "franchise", "forecast"])
def test_cli_reads_of_a_stored_title_load_no_numpy(
    command: str, synthetic_catalog_url: str, tmp_path: Path
) -> None:
    with service(synthetic_catalog_url, tmp_path) as svc:
        titles = sorted({t.title for t in svc.catalog.titles() if t.title})
        answered = next(
            t
            for t in titles
            if (m := svc.stored_answer(t)) is not None
            and (d := svc.catalog.derived_of(m))
            and d["franchise_id"]
        )
    env = {
        **os.environ,
        "SEQUELCAST_DB": synthetic_catalog_url,
        "SEQUELCAST_MODEL_DIR": str(tmp_path / "m"),
        "SEQUELCAST_TODAY": date(2030, 1, 1).isoformat(),
    }
    code = (
        "import sys\nfrom sequelcast.cli import app\n"
        f"try:\n    app([{command!r}, {answered!r}, '--json'])\nexcept SystemExit as e:\n"
        "    assert not e.code, e.code\n"
    )
    assert loaded_after(code, env, HEAVY + SLOW_IMPORTS) == []
