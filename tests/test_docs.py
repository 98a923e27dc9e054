"""Docs match the code: every setting and every command is documented, __all__ is sorted and complete."""

from __future__ import annotations

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


def test_all_is_sorted_and_complete() -> None:
    assert sequelcast.__all__ == sorted(sequelcast.__all__)
    public = {n for n in dir(sequelcast) if not n.startswith("_") and n[0].isupper()}
    assert public <= set(sequelcast.__all__)
    for name in sequelcast.__all__:
        assert hasattr(sequelcast, name)


def test_cli_reference_is_up_to_date() -> None:
    """docs/cli.md is what scripts/cli_reference.py generates from --help."""
    import importlib.util

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("cli_reference", root / "scripts" / "cli_reference.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = module.render()
    actual = (root / "docs" / "cli.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/cli.md is stale: run python scripts/cli_reference.py"
