"""What a section notebook starts from: the inputs read, the scope selected, the report's data
notes and the people's pseudonyms. No figure: each is computed once, by the notebook cell that
records it (`review.record`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pipeline import disk
from pipeline.figures import blocks
from pipeline.figures.scope import Scope, Selection, make_scope, select
from pipeline.inputs import sharing
from pipeline.inputs.grant import Grant
from pipeline.inputs.loading import Inputs
from pipeline.inputs.validation import validated
from pipeline.notebook.rows import Pseudonyms


@dataclass
class Context:
    """One report's scope, its rows and its data notes."""

    inputs_dir: Path
    inputs: Inputs
    scope: Scope
    selection: Selection
    #: The report's data notes (`blocks.report_notes`): its own rows', and the folder's.
    warnings: list = field(default_factory=list)
    people: Pseudonyms = field(default_factory=lambda: Pseudonyms(()))

    @property
    def grant(self) -> Grant:
        return self.inputs.grant

    @property
    def language(self) -> str:
        """The report's language: grant.yml's `language:`, or `run --language` (which the run
        writes into the inputs it hands the kernel, `app.in_language`)."""
        return self.grant.language


def _signature(root: Path) -> tuple:
    """What the inputs folder holds right now: every file's path, size and modification time
    (`disk.folder_hashes` opening none, following no link out of the folder)."""
    return tuple(disk.folder_hashes(root).items())


@lru_cache(maxsize=2)
def _read(root: Path, signature: tuple) -> Inputs:
    """The folder as this run's orchestrator read it (`sharing`), or as read here and now."""
    inputs = sharing.shared(root)
    return inputs if inputs is not None else validated(root)  # a notebook run on its own: checked here


def _selected(data: Inputs, period: str, region: str) -> tuple[Scope, Selection, list]:
    scope = make_scope(data.grant, period, region)
    selection = select(data, scope)
    return scope, selection, blocks.report_notes(data, selection)


@lru_cache(maxsize=4)
def _selected_once(root: Path, signature: tuple, period: str, region: str) -> tuple:
    return _selected(_read(root, signature), period, region)


def load(inputs: str | Path, period: str, region: str) -> Context:
    """Read the inputs folder and select the rows of the period x region report.

    A kernel that runs a report's sections in turn reads the folder and selects the rows once,
    for its first section; any change to a file (size or time) reads it again. Each section
    notebook then computes and records its own blocks (`review.record`)."""
    root = Path(inputs).resolve()
    if root.is_dir():
        signature = _signature(root)
        data = _read(root, signature)
        scope, selection, notes = _selected_once(root, signature, period, region)
    else:
        data = validated(inputs)
        scope, selection, notes = _selected(data, period, region)
    # A copy of the notes: a section notebook may not change what the next one reads.
    return Context(Path(inputs), data, scope, selection, list(notes),
                   Pseudonyms(selection.participants["full_name"], data.grant.language))
