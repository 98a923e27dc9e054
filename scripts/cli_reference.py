"""Regenerate docs/cli.md from the commands' --help (``python scripts/cli_reference.py``).

``tests/test_docs.py`` checks that the checked-in file matches, so the reference cannot drift.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from typer.main import get_command
from typer.testing import CliRunner

from sequelcast.cli import app

OUT = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _commands() -> list[list[str]]:
    root = get_command(app)
    paths: list[list[str]] = [[]]
    for name, cmd in sorted(root.commands.items()):  # type: ignore[attr-defined]
        paths.append([name])
        for sub in sorted(getattr(cmd, "commands", {}) or {}):
            paths.append([name, sub])
    return paths


def render() -> str:
    runner = CliRunner()
    parts = [
        "# CLI reference\n",
        "Generated from `--help` by `python scripts/cli_reference.py`; do not edit by hand.\n",
    ]
    for path in _commands():
        result = runner.invoke(
            app, [*path, "--help"], env={"COLUMNS": "100", "NO_COLOR": "1"}, terminal_width=100
        )
        text = _ANSI.sub("", result.output).rstrip()
        text = "\n".join(line.rstrip() for line in text.splitlines())
        title = " ".join(["sequelcast", *path])
        parts.append(f"## `{title}`\n\n```text\n{text}\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT}", file=sys.stderr)
