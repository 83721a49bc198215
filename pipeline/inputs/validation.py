"""Validating an inputs folder: read and type it (`loading`), check it (`checks`), and say
what it holds that the figures count in a particular way (`notes`). Never raises for bad input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.exceptions import InputError, PipelineError
from pipeline.inputs.checks import check_tables, sort_key
from pipeline.inputs.loading import InputProblems, Inputs, load_inputs
from pipeline.inputs.notes import DataWarning, data_warnings


@dataclass
class Validation:
    """The outcome of validating an inputs folder."""

    problems: list[InputError] = field(default_factory=list)
    warnings: list[DataWarning] = field(default_factory=list)
    inputs: Inputs | None = None  # the loaded inputs when they could be read and typed

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        """One line per problem, as the command line prints them."""
        return [str(p) for p in self.problems]


def check_inputs(inputs: Inputs) -> list[InputError]:
    """The checks that need typed inputs (grant.yml's model checked itself as it was read)."""
    return sorted(check_tables(inputs), key=sort_key)


def validate(root: Path | str) -> Validation:
    """Read and check an inputs folder; never raises for bad input."""
    try:
        inputs = load_inputs(root)
    except InputProblems as error:
        return Validation(problems=sorted(error.problems, key=sort_key))
    except InputError as error:
        return Validation(problems=[error])
    except PipelineError as error:  # any other one-line error of loading
        return Validation(problems=[InputError(str(root), expected=str(error))])
    problems = check_inputs(inputs)
    # warnings say what a report would count: there is none to build while there are problems
    return Validation(problems=problems, warnings=[] if problems else data_warnings(inputs), inputs=inputs)
