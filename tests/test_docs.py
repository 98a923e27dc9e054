"""Docs match the code: every setting and every command is documented, __all__ is sorted and complete."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

import sequelcast
from sequelcast.cli import app
from sequelcast.settings import SETTINGS

DOCS = Path(__file__).resolve().parents[1] / "docs"
README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_setting_is_documented(setting) -> None:
    text = (DOCS / "settings.md").read_text()
    assert f"`{setting.env}`" in text
    assert f"`{setting.name}`" in text


def _commands() -> list[str]:
    return sorted(c.name or c.callback.__name__.replace("_", "-") for c in app.registered_commands)


@pytest.mark.parametrize("command", _commands())
def test_command_is_in_readme_and_has_help(command: str) -> None:
    assert f"sequelcast {command}" in README
    cmd = next(c for c in app.registered_commands if (c.name or c.callback.__name__) == command)
    assert (cmd.callback.__doc__ or "").strip()


EXPORTS = {
    "sequelcast": [
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
    ],
    "sequelcast.service": [
        "BacktestReport",
        "BoundedCache",
        "BuildReport",
        "DEFAULT_MODEL",
        "FetchReport",
        "Sequelcast",
        "build_catalog",
        "entry_json",
        "forecast_json",
        "franchise_json",
        "next_season_json",
        "REPORT_FORMATS",
        "ledger_record",
        "ledger_replay_one",
        "ledger_score",
        "render_report",
        "replay_dates",
        "report_json",
        "report_site",
    ],
    "sequelcast.api": ["create_app"],
    "sequelcast.api.deps": [
        "INTERNAL_ERROR",
        "ApiError",
        "Problem",
        "Service",
        "call",
        "candidate_json",
        "check_title",
        "get_service",
        "parse_as_of",
        "problem_of",
    ],
}


@pytest.mark.parametrize("module", sorted(EXPORTS))
def test_all_is_exactly_the_public_interface(module: str) -> None:
    """``__all__`` is this list, sorted (ruff's order), and every name in it exists."""
    mod = importlib.import_module(module)
    assert mod.__all__ == sorted(EXPORTS[module], key=lambda n: (not n.isupper(), n))
    for name in mod.__all__:
        assert getattr(mod, name) is not None


def test_api_and_web_use_no_private_module_of_each_other() -> None:
    src = Path(sequelcast.__file__).parent
    for package, other in (("api", "web"), ("web", "api")):
        for path in (src / package).rglob("*.py"):
            text = path.read_text()
            assert not re.search(rf"sequelcast\.{other}\._", text), (
                f"{path} imports a private module of {other}"
            )


def test_cli_reference_is_up_to_date() -> None:
    """docs/cli.md is what scripts/cli_reference.py generates from --help."""
    import importlib.util

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location(
        "cli_reference", root / "scripts" / "cli_reference.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = module.render()
    actual = (root / "docs" / "cli.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/cli.md is stale: run python scripts/cli_reference.py"
