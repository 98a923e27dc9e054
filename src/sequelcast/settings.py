"""Every setting, declared once: name, default, help and environment variable.

Only :func:`Settings.from_env` reads the environment (given as a mapping, so tests pass their
own); everything else receives a :class:`Settings`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sequelcast.errors import ConfigError


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: str | None
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "db",
        "SEQUELCAST_DB",
        None,
        "Catalog database URL: sqlite:///path.db or postgresql://user@host/db. "
        "Default: catalog.db in the user data directory.",
    ),
    Setting(
        "data",
        "SEQUELCAST_DATA",
        None,
        "Directory of the public data (the layout of ../shared/data). "
        "Default: ../shared/data, then ./shared/data, when it exists.",
    ),
    Setting(
        "today",
        "SEQUELCAST_TODAY",
        None,
        "The date forecasts are made on when --as-of is not given (YYYY-MM-DD). "
        "Default: the system date.",
    ),
    Setting(
        "downloads",
        "SEQUELCAST_DOWNLOADS",
        None,
        "Where `sequelcast sync` and `sequelcast fetch` save downloads; `sequelcast build` without --data "
        "reads it too when it exists. Default: downloads/ in the user data directory.",
    ),
    Setting(
        "model_dir",
        "SEQUELCAST_MODEL_DIR",
        None,
        "Where trained models are cached. Default: models/ in the user cache directory.",
    ),
)


def _default_db() -> str:
    from platformdirs import user_data_dir

    path = Path(user_data_dir("sequelcast")) / "catalog.db"
    return f"sqlite:///{path}"


def _default_downloads() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("sequelcast")) / "downloads"


def _default_model_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("sequelcast")) / "models"


def data_dir_candidates(cwd: Path | None = None) -> list[Path]:
    """Where the data directory is looked for: ``../shared/data``, then ``./shared/data``."""
    cwd = cwd or Path.cwd()
    return [cwd.parent / "shared" / "data", cwd / "shared" / "data"]


def default_data_dir(cwd: Path | None = None) -> Path | None:
    """``../shared/data`` or ``./shared/data`` relative to ``cwd``, when it exists."""
    for candidate in data_dir_candidates(cwd):
        if candidate.is_dir():
            return candidate.resolve()
    return None


def parse_date_option(value: str, name: str) -> date:
    """A ``YYYY-MM-DD`` date, or a :class:`ConfigError` naming the option and the value."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{name}: expected a date as YYYY-MM-DD, got {value!r}") from None


def normalize_db_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` for the psycopg driver; check the scheme."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if url.startswith(("sqlite://", "postgresql+psycopg://")):
        return url
    raise ConfigError(
        f"database URL {url!r}: use sqlite:///path/to/catalog.db or postgresql://user@host/dbname"
    )


@dataclass(frozen=True)
class Settings:
    db: str
    data: Path | None
    today: date | None
    model_dir: Path
    downloads: Path

    @classmethod
    def from_env(cls, environ: Mapping[str, str], cwd: Path | None = None) -> Settings:
        """Read every setting from ``environ`` (normally ``os.environ``, passed in by the CLI)."""
        values = {s.name: environ.get(s.env) or None for s in SETTINGS}
        today = parse_date_option(values["today"], "SEQUELCAST_TODAY") if values["today"] else None
        data = Path(values["data"]) if values["data"] else default_data_dir(cwd)
        if values["data"] and not Path(values["data"]).is_dir():
            raise ConfigError(f"SEQUELCAST_DATA: {values['data']!r} is not a directory")
        return cls(
            db=normalize_db_url(values["db"] or _default_db()),
            data=data,
            today=today,
            model_dir=Path(values["model_dir"]) if values["model_dir"] else _default_model_dir(),
            downloads=Path(values["downloads"]) if values["downloads"] else _default_downloads(),
        )

    def data_dirs(self) -> list[Path]:
        """What ``build`` reads without ``--data``: the data directory, then the downloads."""
        dirs = [self.data] if self.data else []
        if self.downloads.is_dir():
            dirs.append(self.downloads)
        return dirs

    def forecast_date(self) -> date:
        """The date forecasts are made on: ``today`` if set, else the system date."""
        return self.today or date.today()
