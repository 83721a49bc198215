"""The inputs read once per run and shared with every kernel of the run.

Each report's kernel would otherwise parse and normalise the whole inputs folder again:
a cost that grows with the grant, paid once per report, so a grid of R regions paid it
about R² times. The orchestrator, which has read the folder already, pickles what it read
into the temp folder and names the file to the kernels in their environment.

A report must be built from exactly the bytes that were validated (its manifest and cache
key describe them): a kernel of a run uses only the shared inputs, and a file of the folder
that changed since they were read fails the report with one line. A kernel outside a run (a
reviewer's rerun under plain papermill, a dask worker with its own snapshot) reads the folder.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import paths
from pipeline.exceptions import InputError, PipelineError
from pipeline.inputs import folder

if TYPE_CHECKING:
    from pipeline.inputs.loading import Inputs

#: The environment variable that names the shared inputs to a kernel.
ENV = "GRANT_REPORT_SHARED_INPUTS"


def new_path() -> Path:
    """Where a run's shared inputs go: the temp folder, named like the run's kernel files, so
    that a killed run's is found and removed (`grid.clean_stale`). Chosen before the
    inputs are read when a kernel must be started first (its environment names the file)."""
    return Path(tempfile.gettempdir()) / f"{paths.TEMP_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:12]}-inputs.pickle"


def publish(inputs: Inputs, path: Path | None = None) -> Path:
    """Pickle `inputs` (which carry the hashes their folder was read with) to `path` (default:
    a `new_path()`)."""
    record = {"root": str(inputs.root.resolve()), "inputs": inputs}
    path = path or new_path()
    partial = path.with_name(path.name + ".part")
    # Readable by this user only: the tables hold participants' names.
    with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as file:
        pickle.dump(record, file, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(path)
    return path


def environment(path: Path | None) -> dict[str, str]:
    """The kernel's environment: this process's, naming the shared inputs when there are any."""
    return {**os.environ, ENV: str(path)} if path else dict(os.environ)


def shared(root: Path) -> Inputs | None:
    """The inputs this run validated, read from `root`; None outside a run, or for another
    folder (read it). A file of `root` that changed since is an InputError naming it."""
    name = os.environ.get(ENV)
    if not name:
        return None
    try:
        record = pickle.loads(Path(name).read_bytes())
    except (OSError, EOFError, pickle.UnpicklingError) as error:
        raise PipelineError(f"{name}: the inputs this run validated cannot be read back "
                            f"({type(error).__name__}): run again") from None
    root = Path(root).resolve()
    inputs: Inputs | None = record.get("inputs")
    if record.get("root") != str(root) or inputs is None:
        return None
    changed = sorted(set(inputs.hashes.items()) ^ set(folder.hashes(root).items()))
    if changed:
        raise InputError(inputs.shown.path(changed[0][0]), expected="a file that does not change during the run (it was saved "
                         "after the inputs were validated; the report is not built from it): run again")
    return inputs
