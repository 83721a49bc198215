"""Typed errors with a message meant for the user (the CLI prints it as one line)."""

from __future__ import annotations


class PipelineError(Exception):
    """Base of every error the user should see as one line, without a traceback."""


class InputError(PipelineError):
    """An input file breaks the contract: names file, row, column, value and expectation."""

    def __init__(self, file: str, row: int | None = None, column: str | None = None,
                 value: object = None, expected: str = ""):
        self.file, self.row, self.column, self.value, self.expected = file, row, column, value, expected
        where = file if row is None else f"{file}:{row}"
        if column is None:
            message = f"{where}: {expected}"
        else:
            message = f"{where}: {column} = {_show(value)}: {expected}"
        super().__init__(message)


class NarrativeError(PipelineError):
    """A narrative template is broken or names a figure that does not exist."""


class ScopeError(PipelineError):
    """A period or region asked for is not declared in grant.yml."""


class ExecutionError(PipelineError):
    """A section notebook failed; names the notebook and the cell."""


def _show(value: object) -> str:
    text = "" if value is None else str(value)
    return repr(text) if text == "" or text != text.strip() else text
