"""The one exception tree of sequelcast.

::

    SequelcastError
     ├── ConfigError (ValueError)          a setting has a bad value
     ├── DataError (ValueError)            input data is unusable
     │    ├── SourceFileError              a whole file cannot be read (build stops, catalog untouched)
     │    └── BuildRefusedError            a source is missing or shrank: the old catalog is kept
     ├── CatalogError                      the database is missing, locked or of another version
     │    ├── NotFoundError (LookupError)  an id or title the catalog does not hold
     │    ├── BuildLockedError             another build is writing this catalog
     │    └── CatalogUnavailableError      the database cannot be reached (server down, file gone)
     ├── ResolveError (LookupError)        a title query matched nothing, or too many things
     ├── FetchError                        a network source failed (status, timeout, bad payload)
     └── ModelError                        a forecast cannot be made (no model, no data)

    SequelcastWarning (UserWarning)
     └── ConvergenceWarning                a statistical fit did not converge / too few events
"""

from __future__ import annotations

from typing import Any


class SequelcastError(Exception):
    """Base class of every error raised on purpose by sequelcast."""


class ConfigError(SequelcastError, ValueError):
    """A setting or option has a value that cannot be used."""


class DataError(SequelcastError, ValueError):
    """Input data cannot be used."""


class SourceFileError(DataError):
    """A whole source file cannot be read: the build stops and the catalog is left untouched."""

    def __init__(self, source: str, path: str, problem: str) -> None:
        self.source = source
        self.path = path
        self.problem = problem
        super().__init__(f"{source}: cannot read {path}: {problem}")


class CatalogError(SequelcastError):
    """The catalog database cannot be used as asked."""


class NotFoundError(CatalogError, LookupError):
    """The catalog holds no such entry."""


class BuildRefusedError(DataError):
    """A build would replace the catalog with one missing a source (or most of its rows).

    ``sources`` names the sources at fault; ``sequelcast build --allow-missing SOURCE`` accepts them.
    """

    def __init__(self, message: str, sources: list[str]) -> None:
        self.sources = list(sources)
        super().__init__(message)


class BuildLockedError(CatalogError):
    """Another build is writing the same catalog."""


class CatalogUnavailableError(CatalogError):
    """The catalog's database cannot be reached or answered with an error of its own."""


class ResolveError(SequelcastError, LookupError):
    """A title query could not be resolved to one entry.

    ``candidates`` holds the best guesses (possibly empty) so the caller can offer "did you mean".
    """

    def __init__(self, message: str, candidates: list[Any] | None = None) -> None:
        self.candidates = list(candidates or [])
        super().__init__(message)


class FetchError(SequelcastError):
    """A network source failed: bad status, time-out or a payload of the wrong shape."""


class ModelError(SequelcastError):
    """A forecast cannot be made."""


class SequelcastWarning(UserWarning):
    """Base class of sequelcast's warnings."""


class ConvergenceWarning(SequelcastWarning):
    """A statistical fit did not converge, or had too few events to be trusted."""


__all__ = [
    "BuildLockedError",
    "BuildRefusedError",
    "CatalogError",
    "CatalogUnavailableError",
    "ConfigError",
    "ConvergenceWarning",
    "DataError",
    "FetchError",
    "ModelError",
    "NotFoundError",
    "ResolveError",
    "SequelcastError",
    "SequelcastWarning",
    "SourceFileError",
]
