"""Kernels for papermill: local sockets, and one warm kernel per report.

Starting a kernel and importing the stack costs ~2 s of a ~2.5 s section notebook. A
report's sections therefore run one after another in one kernel (`ReportKernel`), through
papermill's `warm-kernel` engine, with the user namespace and the execution counter reset
before each notebook: every executed notebook reads as if it ran alone, and modules stay
imported (the first section pays for the imports, the others do not; so does the inputs
folder, read once per kernel by pipeline.notebook.context.load). Each notebook still runs on its
own under plain papermill.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from pathlib import Path
from typing import IO, Any

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError
from nbformat import NotebookNode
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines
from papermill.iorw import write_ipynb
from papermill.log import logger
from papermill.utils import remove_args
from traitlets import CaselessStrEnum, default

from pipeline.paths import TEMP_PREFIX

ENGINE = "warm-kernel"
KERNEL_NAME = "python3"
# Run before each notebook: forget the previous section's variables, count cells from 1.
RESET = "get_ipython().run_line_magic('reset', '-f'); get_ipython().execution_count = 1"


class IPCKernelManager(AsyncKernelManager):
    """Kernels reached over local sockets (ipc), not TCP: nothing listens on the network,
    and the kernel does not warn about unencrypted TCP in every executed notebook."""

    transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

    @default("ip")
    def _ip_default(self) -> str:
        # Socket files go to the temp folder, never into the user's folder; the kernel that
        # binds them removes them when it exits, even when its parent was killed.
        return os.path.join(tempfile.gettempdir(), f"{TEMP_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:12]}-ipc")

    @default("connection_file")
    def _connection_file_default(self) -> str:
        return os.path.join(tempfile.gettempdir(), f"{TEMP_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:12]}.json")


def import_cells(notebooks: list[Path]) -> str:
    """The import lines of every section notebook (its one cell of `import`/`from` lines), once each."""
    sources = []
    for path in notebooks:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            if cell["cell_type"] == "code" and source.lstrip().startswith(("import ", "from ")):
                sources.append(source)
    return "\n".join(dict.fromkeys(line for source in sources for line in source.splitlines()))


def kernel_environment(env: dict[str, str]) -> dict[str, str]:
    """A kernel's environment: `env` with the working directory kept off the import path
    (`PYTHONSAFEPATH`), and `PYTHONPATH`'s relative entries made absolute (the kernel imports
    the code this process does, whatever its working directory)."""
    search = [os.path.abspath(entry) for entry in env.get("PYTHONPATH", "").split(os.pathsep) if entry]
    return {**env, "PYTHONSAFEPATH": "1", **({"PYTHONPATH": os.pathsep.join(search)} if search else {})}


class ReportKernel:
    """One started kernel that executes a report's section notebooks in turn.

    `preload` (e.g. `import_cells`) is sent as soon as the kernel starts, so that the kernel
    imports the notebooks' modules while this process does something else (validating the
    inputs); the notebooks' reset keeps modules imported.

    `folder` (a report's: its inputs folder) is the kernel's working directory, so that the
    notebooks name it `inputs = "."` and no folder of the machine. Nothing in it is importable:
    neither Python nor IPython puts the working directory on the kernel's path
    (`PYTHONSAFEPATH`), so an inputs folder holding `pandas.py` runs nothing."""

    def __init__(self, env: dict[str, str] | None = None, preload: str = "", folder: Path | None = None) -> None:
        self.manager = IPCKernelManager(kernel_name=KERNEL_NAME)
        self.folder = Path(folder).resolve() if folder is not None else None
        # No input history: nobody reads it, and restarting the cell count would make IPython
        # warn into the next notebook that its history lines are not unique. The kernel writes
        # its own log to our stderr: only its errors belong there, not e.g. its warning that
        # the parent exited when Ctrl-C ends the run before the kernel is shut down.
        run_sync(self.manager.start_kernel)(extra_arguments=["--HistoryManager.enabled=False",
                                                             "--IPKernelApp.log_level=ERROR"],
                                            env=kernel_environment(dict(os.environ) if env is None else env),
                                            **({"cwd": str(self.folder)} if self.folder else {}))
        # The client of the first notebook serves the next ones: a new client waits for the
        # kernel to be ready and its output channel to fall silent (at least 0.2 s) each time.
        self.client: AsyncKernelClient | None = None
        self.ready = True  # nbclient makes the first client and waits for it to be ready
        self._down = False
        if preload:
            self.client = self.manager.client()
            self.client.allow_stdin = False
            self.client.start_channels()
            # Queued until the kernel listens; its reply and outputs belong to no cell.
            self.client.execute(preload, silent=True, store_history=False)
            self.ready = False  # checked before the first notebook (WarmKernelEngine)

    def shutdown(self) -> None:
        if self._down:
            return
        self._down = True
        if self.client is not None:
            self.client.stop_channels()
        run_sync(self.manager.shutdown_kernel)(now=True)

    def __enter__(self) -> ReportKernel:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.shutdown()


class ResettingClient(PapermillNotebookClient):
    """papermill's client that first clears what an earlier notebook left in the kernel.

    The reset goes out on the same shell channel just before the first cell, so the
    kernel runs it first; its reply and outputs belong to no cell and are ignored."""

    def papermill_execute_cells(self) -> None:
        # The kernel has answered, so it has read its connection file: remove it now, so that
        # nothing is left in the temp folder even if this process is killed.
        self.km.cleanup_connection_file()
        self.kc.execute(RESET, silent=True, store_history=False)
        super().papermill_execute_cells()


class WarmKernelEngine(NBClientEngine):
    """papermill's nbclient engine, on the kernel it is handed (`report_kernel=`).

    The executed notebook is written when execution ends, not after each cell's start and end
    as well (papermill's `request_save_on_cell_execute=False`): nobody watches a staging
    folder fill, and those writes (each one validated against the notebook schema) were a
    tenth of a report's time in this process. papermill then writes the notebook itself after
    the run or a cell's error; a cell that times out raises out of the engine instead, so the
    engine writes the notebook as far as it ran to `written_on_timeout` for the error banner.
    A killed build's staging folder is removed anyway (`grid.clean_stale`)."""

    @classmethod
    def execute_managed_notebook(cls, nb_man: NotebookExecutionManager, kernel_name: str | None,
                                 log_output: bool = False, stdout_file: IO[str] | None = None,
                                 stderr_file: IO[str] | None = None, start_timeout: int = 60,
                                 execution_timeout: int | None = None, report_kernel: ReportKernel | None = None,
                                 written_on_timeout: str | None = None, **kwargs: Any) -> NotebookNode:
        if report_kernel is None:
            raise TypeError(f"papermill's {ENGINE!r} engine runs in the kernel it is handed: report_kernel=")
        kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
        client = ResettingClient(
            nb_man, km=report_kernel.manager, timeout=execution_timeout, startup_timeout=start_timeout,
            kernel_name=kernel_name, log=logger, log_output=log_output, stdout_file=stdout_file,
            stderr_file=stderr_file, **kwargs)
        if not report_kernel.ready and report_kernel.client is not None:  # a preloading kernel's client
            run_sync(report_kernel.client.wait_for_ready)(timeout=start_timeout)  # wait as nbclient would
            report_kernel.ready = True
        client.kc = report_kernel.client  # None at first: nbclient starts one, kept for the next
        try:
            return client.execute()
        except CellTimeoutError:
            if written_on_timeout:
                write_ipynb(nb_man.nb, written_on_timeout)
            raise
        finally:
            report_kernel.client = client.kc


papermill_engines.register(ENGINE, WarmKernelEngine)
