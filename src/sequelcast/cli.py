"""The ``sequelcast`` command: thin commands over :mod:`sequelcast.service`.

User errors (a :class:`~sequelcast.errors.SequelcastError`) become a one-line message and a
non-zero exit code, never a traceback.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from sequelcast import service
from sequelcast._cli_help import HelpGroup, json_error
from sequelcast._console import PipeConsole
from sequelcast.api.serve import serve as _serve
from sequelcast.errors import ConfigError, ResolveError, SequelcastError
from sequelcast.settings import Settings, data_dir_candidates, normalize_db_url, parse_date_option
from sequelcast.words import duration_years, or_unknown, ordinal, plural

app = typer.Typer(
    cls=HelpGroup,
    name="sequelcast",
    help="Will a show get another season, and when? A catalog of anime franchises and a "
    "backtested survival forecast.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = PipeConsole()
err_console = Console(stderr=True, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="URL",
        help="Catalog URL (sqlite:///file.db or postgresql://...). Env: SEQUELCAST_DB.",
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of", metavar="DATE", help="Use only what was known on this date (YYYY-MM-DD)."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def _settings() -> Settings:
    return Settings.from_env(os.environ)  # noqa: TID251 - an edge reads the environment once


def _as_of(value: str | None) -> date | None:
    return parse_date_option(value, "--as-of") if value else None


def handle_errors(func: F) -> F:
    """Turn sequelcast's errors into one line on stderr and exit code 1 (2 for bad options).

    With ``--json`` the error is JSON on stdout instead: ``{"ok": false, "error": ..., "errors":
    [...]}`` (``errors`` holds the candidates of an ambiguous title), with the same exit code.
    """

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        as_json = bool(kwargs.get("json_"))
        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            _fail(f"Usage error: {exc}", str(exc), 2, as_json)
        except ResolveError as exc:
            if as_json:
                _fail(
                    "",
                    str(exc),
                    1,
                    True,
                    [{"mal_id": c.mal_id, "title": c.title} for c in exc.candidates[:5]],
                )
            _resolve_failed(exc)
        except SequelcastError as exc:
            _fail(f"Error: {exc}", str(exc), 1, as_json)

    return wrapper  # type: ignore[return-value]


def _fail(
    line: str, message: str, code: int, as_json: bool, errors: list[dict[str, Any]] | None = None
) -> NoReturn:
    if as_json:
        typer.echo(json_error(message, errors))
    else:
        err_console.print(line, markup=False, highlight=False)
    raise typer.Exit(code)


@contextmanager
def _service(db: str | None) -> Iterator[service.Sequelcast]:
    """The one service object of a command (``--db`` overrides ``SEQUELCAST_DB``)."""
    settings = _settings()
    if db:
        settings = dataclasses.replace(settings, db=normalize_db_url(db))
    with service.Sequelcast(settings) as svc:
        yield svc


def _print_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def _no_data_message(settings: Settings) -> str:
    looked = [str(p.resolve()) for p in data_dir_candidates()] + [
        f"{settings.downloads} (downloads)"
    ]
    return (
        "no data to build from. Looked in SEQUELCAST_DATA (not set), "
        + ", ".join(looked)
        + ". Run `sequelcast sync` to download the public data from its "
        "sources and build, or pass --data DIR (a directory in the layout of ../shared/data)."
    )


@app.command()
@handle_errors
def build(
    data: Annotated[
        list[Path] | None,
        typer.Option(
            "--data",
            help="Data directory (layout of ../shared/data); repeat to add more. "
            "Default: SEQUELCAST_DATA or ../shared/data, plus the downloads of `sequelcast sync` "
            "and `sequelcast fetch`.",
            file_okay=False,
        ),
    ] = None,
    db: DbOption = None,
    as_of: AsOfOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    allow_missing: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-missing",
            metavar="SOURCE",
            help="Build even though SOURCE, read by the previous build, is missing now or lost "
            "more than 10% of its records (repeat for several; 'all' accepts every source). "
            "Without it such a build is refused and the catalog kept.",
        ),
    ] = None,
) -> None:
    """Build the catalog from the public data files, optionally as of a past date."""
    settings = _settings()
    data_dirs = list(data) if data else settings.data_dirs()
    if not data_dirs:
        raise SequelcastError(_no_data_message(settings))
    cutoff = _as_of(as_of)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from sequelcast.sources import DATA_SOURCES

    if not quiet:
        err_console.print(
            "Reading every file, then deriving franchises and fitting the forecast model "
            "(a few minutes on the whole shared data)...",
            highlight=False,
        )
    with (
        _service(db) as svc,
        Progress(
            TextColumn("{task.description:<22}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            disable=quiet,
            transient=False,
            auto_refresh=False,  # no refresh thread: the build forks its jobs only without threads
        ) as progress,
    ):
        tasks: dict[str, Any] = {}

        def on_file(src: Any, path: Path, i: int, n: int) -> None:
            if src.name not in tasks:
                total = sum(
                    len(x.discover(d))
                    for d in data_dirs
                    for x in DATA_SOURCES
                    if x.name == src.name
                )
                tasks[src.name] = progress.add_task(src.name, total=total)
            progress.advance(tasks[src.name])
            progress.refresh()

        report = svc.build(data_dirs, cutoff, on_file, allow_missing=allow_missing or ())
    c = report.counts
    for name in report.accepted_missing:
        err_console.print(
            f"Warning: built without the full source {name} (--allow-missing).",
            markup=False,
            highlight=False,
        )
    when = f" as of {cutoff}" if cutoff else ""
    console.print(
        f"Built catalog{when} from {report.files} files in {report.seconds:.1f}s: "
        f"{c['entries']:,} entries, {c['facts']:,} facts, {c['rejects']:,} rejects."
    )
    fc = c["forecast"]
    console.print(
        f"Forecasts as of {fc['as_of']}: {plural(fc['waiting'], 'waiting show')}."
        if fc["fitted"]
        else f"No forecasts stored: {fc['error']}",
        highlight=False,
        markup=False,
    )


@app.command()
@handle_errors
def stats(db: DbOption = None, json_: JsonOption = False) -> None:
    """Entries per source and per type, facts, links and rejects."""
    with _service(db) as svc:
        st = svc.catalog.stats()
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
        console.print(
            f"Last build {b['finished_at']} from {b['data_dir']}"
            + (f", as of {b['as_of']}" if b["as_of"] else "")
        )


@app.command()
@handle_errors
def rejects(
    source: Annotated[
        str | None, typer.Option("--source", metavar="NAME", help="Only this source.")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", metavar="N", min=1, help="At most this many.")
    ] = 20,
    db: DbOption = None,
    json_: JsonOption = False,
) -> None:
    """The rows the last build could not parse: where, why, and the raw record."""
    with _service(db) as svc:
        rows = [r for r in svc.catalog.rejects() if source is None or r["source"] == source][:limit]
    if json_:
        _print_json(rows)
        return
    if not rows:
        console.print("No rejects.")
        return
    table = Table(title="Rejected rows (fix the source, then rebuild)")
    for col in ("source", "location", "reason", "raw"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r["source"], r["location"], r["reason"], r["raw"][:120])
    console.print(table)


TitleArg = Annotated[
    str, typer.Argument(help="A title in any language (typos welcome) or a MAL id.")
]


def _resolve_failed(exc: ResolveError) -> NoReturn:
    err_console.print(f"Error: {exc}", markup=False, highlight=False)
    if exc.candidates:
        err_console.print("Did you mean:", highlight=False)
        for c in exc.candidates[:5]:
            err_console.print(f"  {c.mal_id:>6}  {c.title}", markup=False, highlight=False)
    raise typer.Exit(1)


@app.command()
@handle_errors
def resolve(
    query: Annotated[str, typer.Argument(help="What you remember of the title.")],
    limit: Annotated[
        int, typer.Option("--limit", "-n", metavar="N", min=1, max=100, help="How many candidates.")
    ] = 5,
    db: DbOption = None,
    json_: JsonOption = False,
) -> None:
    """Find the entries a title query may mean, best first."""
    with _service(db) as svc:
        matches = svc.resolve(query, limit)
    if json_:
        _print_json(
            [
                {"mal_id": m.mal_id, "title": m.title, "score": m.score, "matched_on": m.matched_on}
                for m in matches
            ]
        )
        return
    if not matches:
        err_console.print(f"No entry matches {query!r}.", markup=False)
        raise typer.Exit(1)
    table = Table(title=f"Candidates for {query!r}")
    for col in ("MAL id", "title", "confidence", "matched on"):
        table.add_column(col)
    for m in matches:
        table.add_row(str(m.mal_id), m.title, f"{m.score:.0f}%", m.matched_on)
    console.print(table)


def _status_line(ns: dict[str, Any]) -> str:
    if ns["status"] == "none":
        return "Next season: none announced"
    what = ns["title"] or "next season"
    if ns["status"] == "aired":
        return f"Next season: aired ({what})"
    when = ns["expected"] or "TBA"
    seen = f", first seen {ns['first_seen']}" if ns["first_seen"] else ""
    return f"Next season: announced, {what}, expected {when}{seen}"


def _season_end(x: dict[str, Any]) -> str:
    """The end date, "(estimated)" when it is start + weekly episodes, "airing" while it airs."""
    if x.get("state") == "airing":
        return (
            f"airing (to {x['end']}, estimated)"
            if x.get("end") and x.get("end_estimated")
            else "airing"
        )
    if not x.get("end"):
        return ""
    return f"{x['end']} (estimated)" if x.get("end_estimated") else str(x["end"])


def _seasons_table(seasons: list[dict[str, Any]], title: str) -> Table:
    table = Table(title=title)
    for col in ("#", "MAL id", "title", "start", "end", "eps", "first seen"):
        table.add_column(col)
    for x in seasons:
        num = f"{x['number']}" + (f" (part {x['part']})" if x.get("part") else "")
        table.add_row(
            num,
            str(x["mal_id"] or f"AniDB {x['anidb_id']}"),
            x["title"],
            x["start"] or "",
            _season_end(x),
            str(x["episodes"] or ""),
            x.get("announced") or "",
        )
    return table


def _print_evidence(ns: dict[str, Any]) -> None:
    console.print(_status_line(ns), highlight=False)
    for ev in ns["evidence"]:
        console.print(
            f"  - {ev['source']}: {ev['detail']}"
            + (f" ({ev['observed_at']})" if ev["observed_at"] else ""),
            highlight=False,
        )


@app.command()
@handle_errors
def franchise(
    title_or_id: TitleArg,
    db: DbOption = None,
    as_of: AsOfOption = None,
    json_: JsonOption = False,
) -> None:
    """The seasons of a show in order, and the status of the next one with its evidence."""
    with _service(db) as svc:
        data = svc.franchise(title_or_id, _as_of(as_of))
    if json_:
        _print_json(data)
        return
    console.print(_seasons_table(data["seasons"], f"{data['title']} ({data['id']})"))
    if data["others"]:
        console.print(
            "Also: "
            + "; ".join(
                f"{o['title']} ({o['type'] or 'type unknown'}{', ' + o['start'][:4] if o['start'] else ''})"
                for o in data["others"]
            ),
            highlight=False,
        )
    _print_evidence(data["next_season"])


@app.command()
@handle_errors
def show(
    title_or_id: TitleArg,
    db: DbOption = None,
    as_of: AsOfOption = None,
    json_: JsonOption = False,
) -> None:
    """The fact sheet of a show: titles, studio, source, dates, popularity, seasons, next season."""
    with _service(db) as svc:
        sheet = svc.fact_sheet(title_or_id, _as_of(as_of))
    if json_:
        _print_json(sheet)
        return
    _print_sheet(sheet)


def _join(values: list[str]) -> str:
    return ", ".join(values)  # empty: the row is left out


def _with_percentile(value: Any, pct: float | None, group: str, fmt: str) -> str | None:
    """``7.25 (64th percentile of TV shows of 2021)``; ``None`` when the value is unknown."""
    if value is None:
        return None
    text = format(value, fmt)
    return f"{text} ({ordinal(pct)} percentile of {group})" if pct is not None else text


def _print_sheet(sheet: dict[str, Any]) -> None:
    table = Table(title=f"{sheet['title']} (MAL {sheet['mal_id']})", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    peers = sheet["peers"]
    rows = [
        ("English", sheet["title_english"]),
        ("Japanese", sheet["title_japanese"]),
        ("Also known as", _join(sheet["synonyms"])),
        (
            "Type",
            f"{or_unknown(sheet['type'])}, "
            + (plural(sheet["episodes"], "episode") if sheet["episodes"] else "episodes unknown"),
        ),
        ("Aired", f"{or_unknown(sheet['start_date'])} to {or_unknown(sheet['end_date'])}"),
        ("Studios", _join(sheet["studios"])),
        ("Source", sheet["source_type"]),
        ("Genres", _join(sheet["genres"] + sheet["themes"] + sheet["demographics"])),
        ("Score", _with_percentile(sheet["score"], peers["score_percentile"], peers["group"], "")),
        (
            "Members",
            _with_percentile(sheet["members"], peers["members_percentile"], peers["group"], ","),
        ),
    ]
    for key, value in rows:
        if value not in (None, ""):
            table.add_row(key, str(value))
    console.print(table)
    if sheet["franchise"]:
        console.print(_seasons_table(sheet["franchise"]["seasons"], "Seasons"))
        _print_evidence(sheet["next_season"])
    if sheet["as_of"]:
        console.print(f"(as known on {sheet['as_of']})")


ModelOption = Annotated[
    str,
    typer.Option(
        "--model",
        metavar="NAME",
        help="Model: auto (chosen by an inner time split), cox, gbsa, ...",
    ),
]


def _pct(p: float | None) -> str:
    return "unknown" if p is None else f"{100 * p:.0f}%"


def _print_forecast(data: dict[str, Any]) -> None:
    if data["forecast"] is None:
        console.print(data["message"], highlight=False)
        if data["status"] == "announced":
            _print_evidence(data["next_season"])
        return
    fc = data["forecast"]
    state = (
        f"still airing on {fc['as_of']} (ends about {fc['ended']})"
        if fc.get("airing")
        else f"ended {fc['ended']}, waiting {duration_years(fc['waited_years'])} on {fc['as_of']}"
    )
    console.print(f"[bold]{fc['title']}[/bold] (MAL {fc['mal_id']}): {state}", highlight=False)
    console.print("Chance the next season is announced within:")
    table = Table(show_edge=False)
    for h in ("1 year", "2 years", "3 years", "5 years"):
        table.add_column(h, justify="right")
    table.add_row(_pct(fc["p_1y"]), _pct(fc["p_2y"]), _pct(fc["p_3y"]), _pct(fc["p_5y"]))
    console.print(table)
    if fc.get("verdict"):
        reasons = f" ({', '.join(fc['confidence_reasons'])})" if fc["confidence_reasons"] else ""
        console.print(
            f"Verdict: {fc['verdict']}; confidence: {fc['confidence']}{reasons}", highlight=False
        )
    median = fc["median_years"]
    console.print(
        "Median time to an announcement: "
        + (duration_years(median) if median is not None else fc.get("median_text", "")),
        highlight=False,
    )
    if fc.get("conditional_window"):
        console.print(fc["conditional_window"]["text"].capitalize(), highlight=False)
    for by in fc.get("airs_by") or ():
        console.print(by["text"].capitalize(), highlight=False)
    console.print("Why:")
    for f in fc["factors"]:
        mark = "[green]+[/green]" if f["raises"] else "[red]-[/red]"
        console.print(f"  {mark} {f['text']}", highlight=False)


@app.command()
@handle_errors
def forecast(
    title_or_id: Annotated[
        str | None, typer.Argument(help="A title or MAL id (or use --all).")
    ] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Every show waiting for a next season.")
    ] = False,
    format_: Annotated[
        str, typer.Option("--format", metavar="csv|json", help="With --all: csv or json.")
    ] = "csv",
    db: DbOption = None,
    as_of: AsOfOption = None,
    model: ModelOption = service.DEFAULT_MODEL,
    json_: JsonOption = False,
) -> None:
    """Chance of a next season within 1, 2, 3 and 5 years, the likely window, and why."""
    if all_ == (title_or_id is not None):
        raise ConfigError("give a title or MAL id, or --all (not both)")
    if format_ not in ("csv", "json"):
        raise ConfigError(f"--format: expected csv or json, got {format_!r}")
    with _service(db) as svc:
        when = svc.answer_date(_as_of(as_of))
        with err_console.status(f"Forecasting as of {when}..."):
            if all_:
                rows = svc.forecast_every(when, model)
            else:
                data = svc.forecast(title_or_id or "", when, model)
    if all_:
        _print_all(rows, format_)
    elif json_:
        _print_json(data)
    else:
        _print_forecast(data)


def _print_all(rows: list[dict[str, Any]], format_: str) -> None:
    cols = ["mal_id", "title", "p_1y", "p_2y", "p_3y", "p_5y"]
    if format_ == "json":
        _print_json([{k: r[k] for k in cols} for r in rows])
        return
    import csv
    import sys

    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(cols)
    for r in rows:
        writer.writerow([r[k] if r[k] is not None else "" for k in cols])


@app.command()
@handle_errors
def backtest(
    as_of: Annotated[
        str,
        typer.Option(
            "--as-of", metavar="DATE", help="Train on what was known on this date (YYYY-MM-DD)."
        ),
    ],
    horizons: Annotated[
        str, typer.Option("--horizons", metavar="YEARS", help="Years, separated by commas.")
    ] = "1,2,3,5",
    out: Annotated[
        Path, typer.Option("--out", help="Where to save the reliability plot.", file_okay=False)
    ] = Path("backtest"),
    db: DbOption = None,
    json_: JsonOption = False,
) -> None:
    """Score the forecast forward in time: train as of a date, compare with what happened after."""
    try:
        hs = tuple(float(h) for h in horizons.split(","))
    except ValueError:
        raise ConfigError(
            f"--horizons: expected numbers separated by commas, got {horizons!r}"
        ) from None
    if not hs or min(hs) <= 0:
        raise ConfigError("--horizons: give positive numbers of years")
    cutoff = _as_of(as_of)
    assert cutoff is not None
    with _service(db) as svc, err_console.status(f"Backtesting as of {cutoff} (a few minutes)..."):
        report = svc.backtest(cutoff, hs, out)
    if json_:
        _print_json(report.summary)
        return
    _print_backtest(report.summary)


def _print_backtest(summary: dict[str, Any]) -> None:
    console.print(
        f"Backtest as of {summary['as_of']}, outcomes to {summary['outcome_date']}: "
        f"trained on {summary['n_train']:,} spells ({summary['n_train_events']:,} sequels), "
        f"scored on {summary['n_at_risk']:,} waiting shows "
        f"({summary['n_announced_after']:,} got a next season announced later).",
        highlight=False,
    )
    hs = [f"{h:g}" for h in summary["horizons"]]
    table = Table(title="Forecast accuracy (higher AUC/C-index, lower Brier/ICI is better)")
    table.add_column("model")
    table.add_column("C-index", justify="right")
    for h in hs:
        table.add_column(f"AUC {h}y", justify="right")
    for h in hs:
        table.add_column(f"ICI {h}y", justify="right")
    table.add_column("IBS", justify="right")
    for name, m in summary["models"].items():
        label = f"{name} (kept)" if name == summary["selected"] else name
        table.add_row(
            label,
            f"{m['c_index']:.3f}",
            *[f"{m[f'td_auc_{h}']:.3f}" for h in hs],
            *[f"{m[f'ici_{h}']:.3f}" for h in hs],
            f"{m['integrated_brier']:.4f}",
        )
    console.print(table)
    if summary["plot"]:
        console.print(f"Reliability plot: {summary['plot']}", highlight=False)


fetch_app = typer.Typer(
    help="Fetch from the network sources into the downloads directory; the next build reads it.",
    no_args_is_help=True,
)
app.add_typer(fetch_app, name="fetch")
OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out", help="Directory to save into (default: SEQUELCAST_DOWNLOADS).", file_okay=False
    ),
]


def _fetched(report: service.FetchReport) -> None:
    console.print(
        f"Saved {plural(len(report.paths), 'file')} from {report.source}: "
        f"{plural(report.records, 'record')}, {plural(report.rejects, 'reject')}.",
        highlight=False,
    )
    for path in report.paths:
        console.print(f"  {path}", highlight=False, markup=False)


def _ids(value: str) -> list[int]:
    try:
        ids = [int(x) for x in value.split(",") if x.strip()]
    except ValueError:
        raise ConfigError(f"MAL ids: expected numbers separated by commas, got {value!r}") from None
    if not ids:
        raise ConfigError("MAL ids: give at least one")
    return ids


def _fetch_ids(fetch: str, name: str, mal_ids: str, out: Path | None) -> None:
    ids = _ids(mal_ids)
    svc = service.Sequelcast(_settings())  # fetching never opens the catalog
    with console.status(
        f"Fetching {len(ids)} entr{'y' if len(ids) == 1 else 'ies'} from {name}..."
    ):
        report = getattr(svc, fetch)(ids, out=out)
    _fetched(report)


@fetch_app.command("jikan-season")
@handle_errors
def fetch_jikan_season(
    year: Annotated[int, typer.Argument(min=1917, max=2100, help="Year of the season.")],
    season: Annotated[str, typer.Argument(help="winter, spring, summer or fall.")],
    out: OutOption = None,
) -> None:
    """Every anime of one season from Jikan (MyAnimeList), all pages."""
    if season.lower() not in ("winter", "spring", "summer", "fall"):
        raise ConfigError(f"season: expected winter, spring, summer or fall, got {season!r}")
    with console.status(f"Fetching {season} {year} from Jikan..."):
        report = service.Sequelcast(_settings()).fetch_jikan_season(year, season.lower(), out=out)
    _fetched(report)


@fetch_app.command("jikan-anime")
@handle_errors
def fetch_jikan_anime(
    mal_ids: Annotated[str, typer.Argument(help="MAL ids, separated by commas.")],
    out: OutOption = None,
) -> None:
    """Full Jikan entries (with relations and external links) for some MAL ids."""
    _fetch_ids("fetch_jikan_anime", "Jikan", mal_ids, out)


@fetch_app.command("anilist")
@handle_errors
def fetch_anilist(
    mal_ids: Annotated[str, typer.Argument(help="MAL ids, separated by commas.")],
    out: OutOption = None,
) -> None:
    """AniList entries (titles, dates, studios, relations) for some MAL ids."""
    _fetch_ids("fetch_anilist", "AniList", mal_ids, out)


@fetch_app.command("offline-db")
@handle_errors
def fetch_offline_db(out: OutOption = None) -> None:
    """The latest anime-offline-database release (about 40 MB)."""
    with console.status("Downloading the anime-offline-database release..."):
        report = service.Sequelcast(_settings()).fetch_offline_db(out=out)
    _fetched(report)


watch_app = typer.Typer(
    help="A watchlist: be told when a watched show's next season is announced.",
    no_args_is_help=True,
)
app.add_typer(watch_app, name="watch")


@watch_app.command("add")
@handle_errors
def watch_add(title_or_id: TitleArg, db: DbOption = None) -> None:
    """Watch a show (its whole franchise)."""
    with _service(db) as svc:
        row = svc.watch_add(title_or_id)
    verb = "Watching" if row["added"] else "Already watching"
    console.print(
        f"{verb} {row['title']} (MAL {row['mal_id']}): next season {row['status']}.",
        highlight=False,
    )


@watch_app.command("remove")
@handle_errors
def watch_remove(title_or_id: TitleArg, db: DbOption = None) -> None:
    """Stop watching a show."""
    with _service(db) as svc:
        mal_id = svc.watch_remove(title_or_id)
    console.print(f"Removed MAL {mal_id} from the watchlist.", highlight=False)


@watch_app.command("list")
@handle_errors
def watch_list(db: DbOption = None, json_: JsonOption = False) -> None:
    """The watched shows and their next-season status at the last check."""
    with _service(db) as svc:
        rows = svc.watch_list()
    if json_:
        _print_json(rows)
        return
    table = Table(title="Watchlist")
    for col in ("MAL id", "title", "next season", "last checked"):
        table.add_column(col)
    for r in rows:
        table.add_row(str(r["mal_id"]), r["title"], r["status"], r["last_checked"].isoformat())
    console.print(table)


@watch_app.command("check")
@handle_errors
def watch_check(
    db: DbOption = None,
    json_: JsonOption = False,
    webhook: Annotated[
        str | None,
        typer.Option(
            "--webhook",
            metavar="URL",
            help="Also POST the changes as JSON to this URL (retried with "
            "back-off; if it fails, the check is not recorded and the next one sends them again).",
        ),
    ] = None,
) -> None:
    """Compare each watched show with the catalog (run after `sequelcast build`): what changed?"""
    notify = None
    if webhook is not None:
        from sequelcast.sources.webhook import check_url  # httpx: only with --webhook

        url = check_url(webhook)

        def notify(events: list[dict[str, Any]]) -> None:
            from sequelcast.service._feeds import send_webhook  # httpx

            send_webhook(url, events, _settings().forecast_date())

    with _service(db) as svc:
        events = svc.watch_check(notify=notify)
    if json_:
        _print_json(events)
        return
    if not events:
        console.print("No change since the last check.")
    for e in events:
        console.print(f"* {e['message']}", highlight=False, markup=False)


@watch_app.command("feed")
@handle_errors
def watch_feed(db: DbOption = None) -> None:
    """Print the watchlist's changes as an Atom feed."""
    with _service(db) as svc:
        typer.echo(svc.watch_feed())


app.command("serve")(handle_errors(_serve))

from sequelcast.cli_sync import sync_app  # noqa: E402 - the sub-app reuses this module's helpers

app.add_typer(sync_app, name="sync")

from sequelcast.cli_feeds import calendar_command  # noqa: E402 - reuses this module's helpers

app.command("calendar")(calendar_command)

from sequelcast.cli_report import ledger_app, report  # noqa: E402 - they use the helpers above

app.command("report")(report)
app.add_typer(ledger_app, name="ledger")


def main() -> None:
    """Entry point of the console script."""
    app()
