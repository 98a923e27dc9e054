"""Help text that reads like a command line's: ``--db URL``, ``--json``, ``TITLE_OR_ID``.

Typer prints a parameter's Python type as a placeholder (``<bool>``, ``<list[Path]>``, ``<str>``)
and a required argument as ``{mal_ids}``. :class:`HelpGroup`, the class of the root command, turns
every command below it (sub-apps included) into one whose parameters show:

- nothing after a flag (``--json``, ``--quiet``, ``--help``);
- the option's ``metavar`` when it has one, else a word for its type (``TEXT``, ``INTEGER``,
  ``NUMBER``, ``DIR``, ``FILE``, ``PATH``, the choices);
- arguments in capitals (``TITLE_OR_ID``, ``[TITLE_OR_ID]`` when optional), as click writes them.

Only classes change; each command's parameters and behaviour stay what Typer built, with one
exception for speed: a text or flag value that already has its type is taken as it is
(:class:`PlainValue`) instead of going through Typer's pydantic adapter, which returns it unchanged
but costs pydantic's import (about 0.1 s of every command's start).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath
from typing import Any, get_args, get_origin

from typer import Exit, echo
from typer._click.exceptions import UsageError  # Typer's own click: what its parsers raise
from typer._coercion import RuntimeParam, build_runtime_param
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

_TYPE_WORDS: dict[Any, str] = {
    str: "TEXT",
    int: "INTEGER",
    float: "NUMBER",
    bool: "BOOLEAN",
    date: "DATE",
    datetime: "DATE",
}
_PATH_WORDS = {"dir": "DIR", "file": "FILE"}


def type_word(param: Any) -> str:
    """The word shown for a parameter's type (``TEXT``, ``DIR``, ``[csv|json]``...)."""
    desc = param.type_descriptor
    if desc.is_choice:
        return "[" + "|".join(str(getattr(c, "value", c)) for c in desc.choices or ()) + "]"
    annotation = desc.annotation
    if get_origin(annotation) is list:
        (annotation,) = get_args(annotation)
    if desc.is_path or (isinstance(annotation, type) and issubclass(annotation, PurePath)):
        return _PATH_WORDS.get(desc.path_type, "PATH")
    return _TYPE_WORDS.get(annotation, getattr(annotation, "__name__", "VALUE").upper())


@dataclass(frozen=True)
class PlainValue(RuntimeParam):
    """The value of a text or flag parameter that already has its type, taken as it is.

    Typer coerces every value through a pydantic adapter; for a ``str`` (or a flag's ``bool``)
    that adapter returns the value unchanged, but importing pydantic costs about 0.1 s of every
    command's start. Any other value goes to Typer's own adapter, so the results are Typer's.
    """

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        if type(value) is self.annotation:
            return value
        return build_runtime_param(param.type_descriptor)._coerce_value(value, param, ctx)


def _runtime_param(param: Any) -> RuntimeParam | None:
    """:class:`PlainValue` for a single ``str`` or ``bool`` parameter without a parser, else ``None``."""
    desc = param.type_descriptor
    if (
        desc.annotation in (str, bool)
        and desc.file_annotation is None
        and desc.parameter_info.parser is None
        and not param.multiple
        and param.nargs == 1
    ):
        if param._runtime_param is None:
            param._runtime_param = PlainValue(
                parameter_info=desc.parameter_info, annotation=desc.annotation
            )
        return param._runtime_param  # type: ignore[no-any-return]
    return None


class CleanOption(TyperOption):
    """A Typer option whose help shows its metavar or type word, and nothing for a flag."""

    def get_runtime_param(self) -> RuntimeParam:
        return _runtime_param(self) or super().get_runtime_param()

    def display_type_rich(self, ctx: Any) -> str | None:
        if self.is_flag or self.count:
            return None
        return self.metavar or type_word(self)


class CleanArgument(TyperArgument):
    """A Typer argument named in capitals, ``[NAME]`` when optional, with its type word."""

    def get_runtime_param(self) -> RuntimeParam:
        return _runtime_param(self) or super().get_runtime_param()

    @property
    def display_name_raw(self) -> str:
        return self.metavar or (self.name or "").upper()

    def display_type_rich(self, ctx: Any) -> str | None:
        return type_word(self)

    def _rich_display_name(self) -> str:
        return self.display_name_raw + ("..." if self.nargs != 1 else "")

    def _usage_display_name(self) -> str:
        name = self.display_name_raw if self.required else f"[{self.display_name_raw}]"
        return name + ("..." if self.nargs != 1 else "")


def _clean_params(params: list[Any]) -> list[Any]:
    for p in params:
        if type(p) is TyperOption:
            p.__class__ = CleanOption
        elif type(p) is TyperArgument:
            p.__class__ = CleanArgument
    return params


class CleanCommand(TyperCommand):
    """A Typer command whose parameters (``--help`` included) print as :mod:`_cli_help` says."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _clean_params(super().get_params(ctx))


def json_error(message: str, errors: list[dict[str, Any]] | None = None) -> str:
    """The one error shape of ``--json`` output (the API's, without the HTTP status)."""
    return json.dumps({"ok": False, "error": message, "errors": errors or []}, ensure_ascii=False)


class HelpGroup(TyperGroup):
    """The root group: cleans its own parameters and every command and group below it.

    It also answers a usage error (a missing argument, an unknown option, a bad value) of a
    command given ``--json`` with the JSON error shape on stdout, exit code 2.
    """

    def invoke(self, ctx: Any) -> Any:
        wants_json = "--json" in [*getattr(ctx, "_protected_args", []), *ctx.args]
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            if not wants_json:
                raise
            echo(json_error(exc.format_message()))
            raise Exit(2) from None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for command in self.commands.values():
            clean_command(command)

    def get_params(self, ctx: Any) -> list[Any]:
        return _clean_params(super().get_params(ctx))


def clean_command(command: Any) -> None:
    """Make ``command`` (and, for a group, everything below it) print clean help."""
    if type(command) is TyperCommand:
        command.__class__ = CleanCommand
    elif type(command) is TyperGroup:
        command.__class__ = HelpGroup
        for sub in command.commands.values():
            clean_command(sub)
