"""The ``sequelcast`` command: thin commands over :mod:`sequelcast.service`.

User errors (a :class:`~sequelcast.errors.SequelcastError`) become a one-line message and a
non-zero exit code, never a traceback.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sequelcast import service
from sequelcast.catalog import Catalog, open_catalog
from sequelcast.errors import ConfigError, SequelcastError
from sequelcast.settings import Settings, normalize_db_url, parse_date_option

app = typer.Typer(
    name="sequelcast",
    help="Will <show> get another season, and when? A catalog of anime franchises and a "
    "backtested survival forecast.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Catalog URL (sqlite:///file.db or postgresql://...). Env: SEQUELCAST_DB."),
]
AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="Use only what was known on this date (YYYY-MM-DD).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def _settings() -> Settings:
    return Settings.from_env(os.environ)


def _as_of(value: str | None) -> date | None:
    return parse_date_option(value, "--as-of") if value else None


def handle_errors(func: F) -> F:
    """Turn sequelcast's errors into one line on stderr and exit code 1 (2 for bad options)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            err_console.print(f"Usage error: {exc}", markup=False, highlight=False)
            raise typer.Exit(2) from None
        except SequelcastError as exc:
            err_console.print(f"Error: {exc}", markup=False, highlight=False)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


@contextmanager
def _catalog(db: str | None, *, create: bool = False) -> Iterator[Catalog]:
    url = normalize_db_url(db) if db else _settings().db
    cat = open_catalog(url, create=create)
    try:
        yield cat
    finally:
        cat.close()


def _print_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


@app.command()
@handle_errors
def build(
    data: Annotated[
        Path | None,
        typer.Option("--data", help="Data directory (layout of ../shared/data). Env: SEQUELCAST_DATA.",
                     file_okay=False),
    ] = None,
    db: DbOption = None,
    as_of: AsOfOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Build the catalog from the public data files, optionally as of a past date."""
    settings = _settings()
    data_dir = data or settings.data
    if data_dir is None:
        raise ConfigError("no data directory: pass --data DIR or set SEQUELCAST_DATA")
    cutoff = _as_of(as_of)
    with _catalog(db, create=True) as cat, Progress(
        TextColumn("{task.description:<22}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err_console, disable=quiet, transient=False,
    ) as progress:
        tasks: dict[str, Any] = {}

        def on_file(src: Any, path: Path, i: int, n: int) -> None:
            if src.name not in tasks:
                tasks[src.name] = progress.add_task(src.name, total=len(src.discover(data_dir)))
            progress.advance(tasks[src.name])

        report = service.build_catalog(cat, data_dir, cutoff, on_file)
    c = report.counts
    when = f" as of {cutoff}" if cutoff else ""
    console.print(
        f"Built catalog{when} from {report.files} files in {report.seconds:.1f}s: "
        f"{c['entries']:,} entries, {c['facts']:,} facts, {c['rejects']:,} rejects."
    )


@app.command()
@handle_errors
def stats(db: DbOption = None, json_: JsonOption = False) -> None:
    """Entries per source and per type, facts, links and rejects."""
    with _catalog(db) as cat:
        st = cat.stats()
    if json_:
        _print_json(st)
        return
    table = Table(title=f"Catalog ({st['backend']}, schema v{st['schema_version']})")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("entries", f"{st['entries']:,}")
    for k, v in st["entries_by_type"].items():
        table.add_row(f"  type {k}", f"{v:,}")
    for k, v in st["entries_by_source"].items():
        table.add_row(f"  from {k}", f"{v:,}")
    table.add_row("facts", f"{st['facts']:,}")
    for k, v in st["records"].items():
        table.add_row(k, f"{v:,}")
    table.add_row("rejects", f"{st['rejects']:,}")
    console.print(table)
    if st["last_build"]:
        b = st["last_build"]
        console.print(f"Last build {b['finished_at']} from {b['data_dir']}"
                      + (f", as of {b['as_of']}" if b["as_of"] else ""))


@app.command()
@handle_errors
def show(
    mal_id: Annotated[int, typer.Argument(help="MyAnimeList id of the entry.")],
    db: DbOption = None,
    json_: JsonOption = False,
) -> None:
    """Show one stored entry."""
    with _catalog(db) as cat:
        entry = service.get_entry(cat, mal_id)
    data = service.entry_json(entry)
    if json_:
        _print_json(data)
        return
    table = Table(title=f"{entry.title} (MAL {entry.mal_id})", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    for key, value in data.items():
        if value in (None, [], {}):
            continue
        if isinstance(value, list):
            value = ", ".join(map(str, value))
        elif isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items())
        table.add_row(key, str(value))
    console.print(table)


def main() -> None:
    """Entry point of the console script."""
    app()
