"""The CLI's Rich console: as wide as the terminal, and unlimited when the output is piped.

Rich lays tables out for 80 columns when it cannot find a terminal, so ``sequelcast show X | less``
or ``> file`` wrapped long titles and cut dates with "…". :class:`PipeConsole` keeps the
terminal's width on a terminal and reports :data:`PIPE_WIDTH` columns otherwise, so a table in a
pipe or a file is laid out at its natural width: nothing wrapped, nothing cut.
"""

from __future__ import annotations

from rich.console import Console, ConsoleDimensions

#: The width used when stdout is not a terminal: wider than any row sequelcast prints.
PIPE_WIDTH = 10_000


class PipeConsole(Console):
    """A :class:`rich.console.Console` that does not wrap or truncate when not on a terminal."""

    @property
    def size(self) -> ConsoleDimensions:
        dims = Console.size.fget(self)  # type: ignore[attr-defined]
        if self._width is None and not self.is_terminal:
            return ConsoleDimensions(PIPE_WIDTH, dims.height)
        return dims  # type: ignore[no-any-return]

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)  # type: ignore[attr-defined]
