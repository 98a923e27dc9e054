"""sequelcast: will <show> get another season, and when?

The public API: the shared records, the error tree, and the use cases of :mod:`sequelcast.service`.
"""

from sequelcast.domain import (
    Anime,
    Batch,
    Evidence,
    Fact,
    NextSeason,
    Season,
    Snapshot,
)
from sequelcast.errors import (
    CatalogError,
    ConfigError,
    ConvergenceWarning,
    DataError,
    FetchError,
    ModelError,
    NotFoundError,
    ResolveError,
    SequelcastError,
    SequelcastWarning,
    SourceFileError,
)

__version__ = "0.1.0"

__all__ = [
    "Anime",
    "Batch",
    "CatalogError",
    "ConfigError",
    "ConvergenceWarning",
    "DataError",
    "Evidence",
    "Fact",
    "FetchError",
    "ModelError",
    "NextSeason",
    "NotFoundError",
    "ResolveError",
    "Season",
    "SequelcastError",
    "SequelcastWarning",
    "Snapshot",
    "SourceFileError",
    "__version__",
]
