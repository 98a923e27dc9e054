"""``sequelcast report`` and ``sequelcast ledger``: the article, and past forecasts kept and scored.

Registered from :mod:`sequelcast.cli` (one line each); thin commands over
:mod:`sequelcast.service`, with the same error handling as every other command.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from sequelcast import service
from sequelcast.cli import (
    AsOfOption,
    DbOption,
    JsonOption,
    ModelOption,
    _as_of,
    _print_json,
    _service,
    console,
    err_console,
    handle_errors,
)
from sequelcast.errors import ConfigError
from sequelcast.settings import parse_date_option


@handle_errors
def report(
    title_or_id: Annotated[
        str | None,
        typer.Argument(help="A title in any language (typos welcome) or a MAL id (or use --all)."),
    ] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="A small static site of the most-followed shows.")
    ] = False,
    top: Annotated[
        int, typer.Option("--top", min=1, help="With --all: how many shows (by members).")
    ] = 20,
    format_: Annotated[
        str, typer.Option("--format", help="md, html or json (a single report).")
    ] = "md",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="File to write (a directory with --all). Default: print to stdout "
            "(Markdown's chart PNG then goes beside the catalog's cache).",
        ),
    ] = None,
    db: DbOption = None,
    as_of: AsOfOption = None,
    model: ModelOption = service.DEFAULT_MODEL,
) -> None:
    """Is <show> returning? The article: every fact with its source and date, and the forecast.

    Sections: status, facts, seasons, source material, popularity, studio, the forecast with a
    chart, what would change it, and the sources.
    """
    if all_ == (title_or_id is not None):
        raise ConfigError("give a title or MAL id, or --all (not both)")
    if format_ not in service.REPORT_FORMATS:
        raise ConfigError(
            f"--format: expected one of {', '.join(service.REPORT_FORMATS)}, got {format_!r}"
        )
    if all_:
        _report_site(out, top, db, _as_of(as_of), model)
        return
    with (
        _service(db) as svc,
        err_console.status("Writing the report (the first run fits the model)..."),
    ):
        data = service.report_json(svc, title_or_id or "", _as_of(as_of), model)
        cache = svc.settings.model_dir
    png = None
    if format_ == "md":
        base = out.with_suffix("") if out is not None else cache / "reports" / str(data["mal_id"])
        png = base.parent / f"{base.name}-chart.png"
    # beside the file, the chart is linked by name; on stdout, by its full path
    href = None if png is None else png.name if out is not None else str(png.resolve())
    text = service.render_report(data, format_, png, href)
    if out is None:
        typer.echo(text, nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    console.print(
        f"Wrote {out}" + (f" and {png}" if png is not None and png.exists() else ""),
        highlight=False,
        markup=False,
    )


def _report_site(
    out: Path | None, top: int, db: str | None, as_of: date | None, model: str
) -> None:
    if out is None:
        raise ConfigError("--all: give --out DIR (the directory of the site)")
    with (
        _service(db) as svc,
        err_console.status(f"Writing the reports of the {top} most-followed shows...") as st,
    ):

        def progress(i: int, n: int, what: str) -> None:
            st.update(f"Report {i + 1} of {n} (MAL {what})...")

        files = service.report_site(svc, out, top, as_of, model, progress)
    console.print(
        f"Wrote {len(files)} pages to {out} (open {files[0]}).", highlight=False, markup=False
    )


@contextmanager
def _migrated(db: str | None) -> Iterator[service.Sequelcast]:
    """The service over the catalog (which must exist), migrated so that an older catalog gains the ledger."""
    with _service(db) as svc:
        svc.catalog  # noqa: B018 - refuses a missing or never-built catalog, creating nothing
        settings = svc.settings
    from sequelcast.catalog import open_catalog

    with (
        open_catalog(settings.db, create=True) as cat,
        service.Sequelcast(settings, catalog=cat) as ready,
    ):
        yield ready


ledger_app = typer.Typer(
    help="The forecast ledger: forecasts kept as they were made, and scored once their time has come.",
    no_args_is_help=True,
)


@ledger_app.command("record")
@handle_errors
def ledger_record(
    db: DbOption = None, model: ModelOption = service.DEFAULT_MODEL, json_: JsonOption = False
) -> None:
    """Keep today's forecast of every show waiting for a next season (once per catalog build)."""
    with _migrated(db) as svc, err_console.status("Forecasting every waiting show..."):
        run = service.ledger_record(svc, model)
    if json_:
        _print_json(run)
        return
    typer.echo(_run_line(run))


def _run_line(run: dict[str, Any]) -> str:
    if run["skipped"]:
        return (
            f"{run['as_of']}: already in the ledger (run {run['run_id']}, "
            f"{run['n_forecasts']:,} forecasts); forecasts are never rewritten."
        )
    return f"{run['as_of']}: kept {run['n_forecasts']:,} forecasts (run {run['run_id']}, model {run['model']})."


def _date(value: str | None, name: str) -> date | None:
    return parse_date_option(value, name) if value else None


@ledger_app.command("replay")
@handle_errors
def ledger_replay(
    since: Annotated[str, typer.Option("--since", help="First date (YYYY-MM-DD).")] = "2016-12-25",
    until: Annotated[
        str | None,
        typer.Option("--until", help="Last date (default: a year before the newest data)."),
    ] = None,
    every: Annotated[str, typer.Option("--every", help="quarter or year.")] = "quarter",
    db: DbOption = None,
    model: ModelOption = service.DEFAULT_MODEL,
    json_: JsonOption = False,
) -> None:
    """Fill the ledger with past dates' forecasts, each from what was known on that date only.

    Slow: one model fit per date (one to four minutes each).
    """
    start = _date(since, "--since")
    assert start is not None
    with _migrated(db) as svc:
        dates = service.replay_dates(svc, start, _date(until, "--until"), every)
        runs = []
        for i, when in enumerate(dates):
            with err_console.status(f"[{i + 1}/{len(dates)}] forecasting as of {when}..."):
                run = service.ledger_replay_one(svc, when, model)
            runs.append(run)
            if not json_:
                err_console.print(
                    f"[{i + 1}/{len(dates)}] " + _run_line(run), highlight=False, markup=False
                )
    if json_:
        _print_json(runs)
        return
    kept = sum(r["n_forecasts"] for r in runs if not r["skipped"])
    console.print(
        f"Replayed {len(dates)} dates from {dates[0] if dates else since}: {kept:,} forecasts kept.",
        highlight=False,
        markup=False,
    )


@ledger_app.command("score")
@handle_errors
def ledger_score(
    db: DbOption = None,
    json_: JsonOption = False,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Save the reliability plot (PNG) here.")
    ] = None,
) -> None:
    """Score kept forecasts whose time has come: Brier, AUC, calibration, top-decile hits.

    A horizon counts once it has passed, or once the next season came within it, judged
    against the newest data.
    """
    from sequelcast import report as rp  # scikit-learn, jinja2, matplotlib: only for reports

    with _migrated(db) as svc, err_console.status("Scoring the ledger..."):
        score = service.ledger_score(svc)
    if plot is not None and score["calibration"]:
        rp.reliability_png(score["calibration"], plot)
    if json_:
        _print_json(score)
        return
    typer.echo(
        rp.render_track_record_markdown(score, str(plot) if plot is not None else None), nl=False
    )
