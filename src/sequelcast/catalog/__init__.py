"""The catalog: the only package that speaks SQL."""

from sequelcast.catalog.store import Catalog, open_catalog

__all__ = ["Catalog", "open_catalog"]
