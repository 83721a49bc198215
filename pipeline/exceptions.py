"""Typed errors with a message meant for the user (the CLI prints it as one line), and the one
rule that makes text from the inputs safe to print (`printable`)."""

from __future__ import annotations

import re

#: C0 and C1 control characters and DEL: a terminal obeys them (ESC starts a sequence that can
#: retitle the window, clear the screen or rewrite the lines above), so text from the inputs
#: never reaches a terminal or a kept file with them raw. Tab and newline are kept where a
#: text is meant to have several lines (`keep_lines`).
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROLS_BUT_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _escaped(match: re.Match[str]) -> str:
    return repr(match.group())[1:-1]  # \x1b, \x07, \n, \t, \x9b: as Python writes them


def printable(text: str, keep_lines: bool = False) -> str:
    """`text` with every control character shown escaped (`\\x1b`, `\\n`): safe to print and to
    keep. `keep_lines`: tabs and newlines stay (a text of several lines)."""
    return (_CONTROLS_BUT_LINES if keep_lines else _CONTROLS).sub(_escaped, text)


class PipelineError(Exception):
    """Base of every error the user should see as one line, without a traceback. Its message is
    printable: control characters from the inputs are shown escaped (a message of several
    problems keeps its line breaks)."""

    def __init__(self, *args: object) -> None:
        if args and isinstance(args[0], str):
            args = (printable(args[0], keep_lines=True), *args[1:])
        super().__init__(*args)


class InputError(PipelineError):
    """An input file breaks the contract: names file, row, column, value and expectation."""

    def __init__(self, file: str, row: int | None = None, column: str | None = None,
                 value: object = None, expected: str = ""):
        self.file, self.row, self.column, self.value, self.expected = file, row, column, value, expected
        where = printable(file) if row is None else f"{printable(file)}:{row}"
        if column is None:
            message = f"{where}: {expected}"
        else:
            message = f"{where}: {printable(column)} = {_show(value)}: {expected}"
        super().__init__(message)


class NarrativeError(PipelineError):
    """A narrative template is broken or names a figure that does not exist."""


class ScopeError(PipelineError):
    """A period or region asked for is not declared in grant.yml."""


class ExecutionError(PipelineError):
    """A section notebook failed; names the notebook and the cell."""


def spaced(n: int) -> str:
    """A whole number as every message writes it, thousands apart: 1 000 000."""
    return f"{n:,}".replace(",", " ")


def _show(value: object) -> str:
    text = "" if value is None else str(value)
    return repr(text) if text == "" or text != text.strip() else printable(text)
