"""A start-up optimisation of a run of one report: its kernel started before the inputs are
validated, so that the kernel's start and the notebooks' imports overlap validating."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import paths

if TYPE_CHECKING:
    from pipeline.assembly.kernels import ReportKernel


class EarlyKernel:
    """A run of one report starts its kernel, in a background thread, before the inputs are
    validated: the kernel's start and the notebooks' imports (~1.5 s, in the kernel's own
    process) overlap validating, instead of following it. Its environment names the file the
    inputs will be shared through (`sharing`), chosen now and written once they are read; it
    runs in the inputs folder, as a report's kernel does."""

    def __init__(self, inputs: Path) -> None:
        from pipeline.inputs import sharing

        self.shared = sharing.new_path()
        self._env = sharing.environment(self.shared)
        self._folder = inputs
        pool = ThreadPoolExecutor(1, thread_name_prefix="early-kernel")
        self._future = pool.submit(self._start)
        pool.shutdown(wait=False)  # the thread ends with its one task

    def _start(self) -> ReportKernel:
        from pipeline.assembly import kernels

        return kernels.ReportKernel(self._env, preload=kernels.import_cells(paths.section_notebooks()),
                                    folder=self._folder)

    def take(self) -> ReportKernel | None:
        """The kernel, once started; None when it could not start (the build starts its own,
        which reports why)."""
        try:
            return self._future.result()
        except Exception:  # noqa: BLE001 - see above
            return None

    def close(self) -> None:
        kernel = self.take()
        if kernel is not None:
            kernel.shutdown()

    @staticmethod
    def wanted(periods: list[str], regions: list[str], scheduler: str | None) -> bool:
        """One period and one region asked for, built on this machine."""
        return len(periods) == 1 and len(regions) == 1 and not scheduler
