"""Benchmark of title resolution over the real MyAnimeList titles.

Builds one :class:`~sequelcast.resolve.TitleIndex` over the real data (loaded exactly as
``tests/resolve/conftest.py`` does) and prints its size, the build time, and the p50/p99 latency
of :meth:`~sequelcast.resolve.TitleIndex.search` over the query table of
``tests/resolve/test_real_queries.py`` and over random real titles with typos.

Run from the repository root::

    PYTHONPATH=src python benchmarks/resolve.py [--data ../shared/data] [--typos 2000] [--copies 1]
    python benchmarks/resolve.py --catalog sqlite:///path/to/catalog.db   # the built catalog

``--copies K`` indexes K copies of every title (the copies under new ids, with one word added) to
time a catalog K times the size of the real one (``--copies 3``: about 120,000 titles).
Last, it times what the build adds for the CLI's fast path: the ``title_answers`` rows, one
:func:`~sequelcast.resolve.resolve_one` per distinct title.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType, SimpleNamespace

from sequelcast.domain import TitleRecord
from sequelcast.errors import ResolveError
from sequelcast.resolve import TitleIndex, resolve_one

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests" / "resolve"


def _load(name: str, path: Path) -> ModuleType:
    """Import a test module by path (the tests folder is not a package)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def add_typo(text: str, rng: random.Random) -> str:
    """One random edit (delete, swap, replace or insert a letter) at a letter of ``text``."""
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    if len(letters) < 4:
        return text
    i = rng.choice(letters[1:])
    edit = rng.choice(("delete", "swap", "replace", "insert"))
    if edit == "delete":
        return text[:i] + text[i + 1 :]
    if edit == "swap" and i + 1 < len(text):
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
    if edit == "replace":
        return text[:i] + letter + text[i + 1 :]
    return text[:i] + letter + text[i:]


def _timed(search: Callable[[str], object], queries: Sequence[str]) -> list[float]:
    out = []
    for q in queries:
        start = time.perf_counter()
        search(q)
        out.append((time.perf_counter() - start) * 1000)
    return out


def _percentiles(ms: list[float]) -> str:
    cuts = statistics.quantiles(ms, n=100, method="inclusive")
    return f"p50 {cuts[49]:.2f} ms, p99 {cuts[98]:.2f} ms, max {max(ms):.2f} ms (n={len(ms)})"


def _copies(records: list[TitleRecord], copies: int) -> list[TitleRecord]:
    out = list(records)
    for k in range(1, copies):
        offset = 10_000_000 * k
        word = "copy" + "abcdefghij"[k % 10]  # no digit, so no season marker is made
        out.extend(TitleRecord(r.mal_id + offset, f"{r.title} {word}", r.kind) for r in records)
    return out


def _from_catalog(url: str) -> tuple[SimpleNamespace, dict[int, tuple[str, int]]]:
    from sequelcast.catalog import open_catalog

    with open_catalog(url, create=False) as cat:
        popularity, types = cat.popularity_and_types()
        franchises, counts = cat.franchise_memberships()
        data = SimpleNamespace(
            records=cat.titles(),
            popularity=popularity,
            types=types,
            franchises=franchises,
            season_counts=counts,
        )
        return data, cat.season_numbers()


def _resolve_one_tally(index: TitleIndex, table: Sequence[tuple[str, int]]) -> str:
    """How many queries of the table ``resolve_one`` answers right, refuses, or answers wrong."""
    right = refused = 0
    for query, want in table:
        try:
            right += resolve_one(index, query).mal_id == want
        except ResolveError:
            refused += 1
    return f"{right} right, {refused} refused, {len(table) - right - refused} wrong"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--typos", type=int, default=2000, help="random real titles with a typo")
    parser.add_argument("--copies", type=int, default=1, help="index this many copies of the data")
    parser.add_argument("--seed", type=int, default=20260719)
    parser.add_argument(
        "--catalog",
        metavar="URL",
        default=None,
        help="index a built catalog's titles, popularity, types and franchise "
        "season numbers (what `sequelcast resolve` uses) instead of the raw files",
    )
    args = parser.parse_args(argv)

    conftest = _load("resolve_conftest", TESTS / "conftest.py")
    queries = _load("resolve_real_queries", TESTS / "test_real_queries.py")
    if args.catalog:
        data, seasons = _from_catalog(args.catalog)
    else:
        data, seasons = conftest.load_real_titles(args.data), queries.FRANCHISE_SEASONS
    records = _copies(data.records, args.copies)

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    print(f"python: {platform.python_implementation()} {platform.python_version()}")
    gc.collect()
    start = time.perf_counter()
    index = TitleIndex(
        records,
        data.popularity,
        types=data.types,
        seasons=seasons,
        franchises=getattr(data, "franchises", None),
        season_counts=getattr(data, "season_counts", None),
    )
    build = time.perf_counter() - start
    print(f"entries: {len(index):,}  titles: {index.n_titles:,} (records given: {len(records):,})")
    print(f"index build: {build:.2f} s")

    table = [q for q, _ in queries.QUERIES]
    index.search(table[0])  # first call pays numpy/rapidfuzz dispatch set-up
    ms = _timed(index.search, table)
    hits = sum(index.search(q, limit=1)[0].mal_id == want for q, want in queries.QUERIES)
    print(f"query table: {_percentiles(ms)}; top-1 {hits}/{len(table)}")
    print(f"resolve_one on the query table: {_resolve_one_tally(index, queries.QUERIES)}")

    rng = random.Random(args.seed)
    owners: dict[str, set[int]] = {}
    for r in data.records:
        owners.setdefault(r.title, set()).add(r.mal_id)
    titles = rng.sample(sorted(owners), min(args.typos, len(owners)))
    typoed = [add_typo(t, rng) for t in titles]
    ms = _timed(index.search, typoed)
    top1 = sum(
        bool(found) and found[0].mal_id in owners[t]
        for t, found in zip(titles, (index.search(q, limit=1) for q in typoed), strict=True)
    )
    print(f"random titles with a typo: {_percentiles(ms)}; top-1 {top1}/{len(titles)}")

    from sequelcast.resolve.answers import answer_titles

    cpu = time.process_time()
    answers = answer_titles(index, [r.title for r in records if r.title])
    print(
        f"title answers the build stores (resolve_one of every title): {len(answers):,} rows, "
        f"{time.process_time() - cpu:.1f} s CPU"
    )


if __name__ == "__main__":
    main()
