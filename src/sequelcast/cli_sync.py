"""``sequelcast sync``: download what ``build`` reads from its public homes, then build.

Registered on the main app by one line in :mod:`sequelcast.cli`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sequelcast import cli as _cli
from sequelcast.errors import ConfigError
from sequelcast.settings import normalize_db_url, parse_date_option

if TYPE_CHECKING:
    from sequelcast.service._sync import SyncReport

#: What ``--source`` accepts (``service._sync.source_names()``, which imports every source and
#: httpx: written out here so that the CLI starts without them; a test keeps the two equal).
SOURCE_NAMES = (
    "anidb_tvdb",
    "fribb_ids",
    "fribb_collections",
    "erengy_relations",
    "anilist_mal_lists_2026",
    "anilist_manga_2026",
    "offline_db",
    "jikan",
    "anilist",
)

sync_app = typer.Typer(
    help="Download what `build` reads from the sources' public homes into the downloads "
    "directory, then build. `sync first-seen` rebuilds the first-seen dates from a clone.",
    invoke_without_command=True,
)


def _fetch_date() -> date:
    """The real day of the fetch (UTC): downloads are stamped with it, whatever SEQUELCAST_TODAY says."""
    return datetime.now(UTC).date()


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def _print_report(report: SyncReport) -> None:
    console = _cli.console
    changed = [d for d in report.files if d.changed]
    same = [d for d in report.files if not d.changed]
    answers = sum(len(a.paths) for a in report.answers)
    records = sum(a.records for a in report.answers)
    console.print(
        f"Fetched on {report.when}: {_plural(len(changed), 'new list file')}, "
        f"{_plural(len(same), 'list file')} unchanged, {_plural(answers, 'API page')} "
        f"({records:,} records); {_plural(len(report.skipped), 'step')} already done today.",
        highlight=False,
    )
    for d in changed:
        console.print(
            f"  new: {d.path}" + (" (resumed)" if d.resumed else ""), highlight=False, markup=False
        )
    if report.build is None:
        return
    c = report.build.counts
    console.print(
        f"Built the catalog: {c['entries']:,} entries, {c['facts']:,} facts, "
        f"{c['rejects']:,} rejects.",
        highlight=False,
    )
    if report.first_build:
        return
    n = len(report.new_entries)
    console.print(
        f"Since the last build: {n:,} new {'entry' if n == 1 else 'entries'}, "
        f"{_plural(len(report.new_announcements), 'new announcement')}.",
        highlight=False,
    )
    for a in report.new_announcements[:20]:
        when = a["expected"] or "date not announced"
        console.print(
            f"  announced: {a['title'] or 'next season'} ({a['franchise']}), {when}",
            highlight=False,
            markup=False,
        )


@sync_app.callback()
@_cli.handle_errors
def sync_command(
    ctx: typer.Context,
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source",
            metavar="NAME",
            help=f"Only this source; repeat for more. One of: {', '.join(SOURCE_NAMES)}.",
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="DATE",
            help="Read Jikan seasons from this date's season on (YYYY-MM-DD). Default: a "
            "year before the last sync, or 2006 on the first one.",
        ),
    ] = None,
    no_build: Annotated[
        bool, typer.Option("--no-build", help="Download only; do not build.")
    ] = False,
    db: _cli.DbOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    json_: _cli.JsonOption = False,
) -> None:
    """Download what `build` reads from the public homes, then build the catalog."""
    if ctx.invoked_subcommand is not None:
        return
    settings = _cli._settings()
    since_day = parse_date_option(since, "--since") if since else None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from sequelcast.catalog import open_catalog
    from sequelcast.service._sync import check_sources, sync

    check_sources(source)
    root = settings.downloads
    root.mkdir(parents=True, exist_ok=True)
    data_dirs = [d for d in [settings.data, root] if d is not None]
    url = normalize_db_url(db) if db else settings.db
    with (
        open_catalog(url, create=True) as cat,
        Progress(
            TextColumn("{task.description:<24}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=_cli.err_console,
            disable=quiet or json_,
            transient=False,
        ) as progress,
    ):
        task = progress.add_task("sync", total=None)

        def on_step(label: str, done: int, total: int) -> None:
            progress.update(task, description=label, completed=done, total=total)

        report = sync(
            cat,
            root,
            data_dirs,
            _fetch_date(),
            sources=source,
            since=since_day,
            build=not no_build,
            progress=on_step,
            cache_dir=settings.model_dir,
        )
    if json_:
        _cli._print_json(report.json())
        return
    _print_report(report)


@sync_app.command("first-seen")
@_cli.handle_errors
def sync_first_seen(
    repo: Annotated[
        Path,
        typer.Option(
            "--repo",
            metavar="DIR",
            file_okay=False,
            help="A local clone of https://github.com/Anime-Lists/anime-lists.",
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FILE",
            dir_okay=False,
            help="Where to write the CSV. Default: derived/anidb_first_seen.csv in the downloads "
            "directory, which the next build reads.",
        ),
    ] = None,
    json_: _cli.JsonOption = False,
) -> None:
    """Rebuild the AniDB first-seen dates from the git history of anime-list-master.xml."""
    if not repo.is_dir():
        raise ConfigError(f"--repo: {str(repo)!r} is not a directory")
    from sequelcast.sources import anime_lists_history

    dest = out or _cli._settings().downloads / "derived" / "anidb_first_seen.csv"
    with _cli.err_console.status(
        "Reading every version of anime-list-master.xml (a few minutes)..."
    ):
        rows, skipped = anime_lists_history.first_seen_rows(anime_lists_history.read_versions(repo))
        anime_lists_history.write_csv(rows, dest)
    if json_:
        _cli._print_json(
            {"ok": True, "path": str(dest), "rows": len(rows), "skipped_versions": skipped}
        )
        return
    _cli.console.print(
        f"Wrote {len(rows):,} AniDB ids to {dest}"
        + (f" ({_plural(skipped, 'unreadable version')} skipped)" if skipped else "."),
        highlight=False,
        markup=False,
    )
