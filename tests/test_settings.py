"""Settings.from_env with a mapping: every variable, the defaults, and the bad values."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from sequelcast.errors import ConfigError
from sequelcast.settings import SETTINGS, Settings


def test_every_variable_is_read_from_the_mapping(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    env = {
        "SEQUELCAST_DB": "postgres://u:p@h/db",
        "SEQUELCAST_DATA": str(data),
        "SEQUELCAST_TODAY": "2018-05-07",
        "SEQUELCAST_DOWNLOADS": str(tmp_path / "dl"),
        "SEQUELCAST_MODEL_DIR": str(tmp_path / "models"),
    }
    assert {s.env for s in SETTINGS} == set(env)
    assert Settings.from_env(env) == Settings(
        db="postgresql+psycopg://u:p@h/db",
        data=data,
        today=date(2018, 5, 7),
        model_dir=tmp_path / "models",
        downloads=tmp_path / "dl",
    )


def test_defaults_without_any_variable(tmp_path: Path) -> None:
    (tmp_path / "shared" / "data").mkdir(parents=True)
    settings = Settings.from_env({}, cwd=tmp_path)
    assert settings.db.startswith("sqlite:///")
    assert settings.db.endswith("catalog.db")
    assert settings.data == (tmp_path / "shared" / "data").resolve()
    assert settings.today is None
    assert settings.model_dir.name == "models"
    assert settings.downloads.name == "downloads"


def test_an_empty_variable_is_unset(tmp_path: Path) -> None:
    assert Settings.from_env({"SEQUELCAST_TODAY": ""}, cwd=tmp_path).today is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"SEQUELCAST_TODAY": "2026-13-01"},
            "SEQUELCAST_TODAY: expected a date as YYYY-MM-DD, got '2026-13-01'",
        ),
        ({"SEQUELCAST_DB": "mysql://x"}, "database URL 'mysql://x': use sqlite:///"),
        ({"SEQUELCAST_DATA": "/no/such/dir"}, "SEQUELCAST_DATA: '/no/such/dir' is not a directory"),
    ],
)
def test_a_bad_value_names_the_variable(env: dict[str, str], message: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(".", r"\.")):
        Settings.from_env(env, cwd=tmp_path)
