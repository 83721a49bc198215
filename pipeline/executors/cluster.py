"""Running the grid on a dask.distributed cluster.

Workers do not see the client's disk: the client ships a snapshot of the inputs folder and
the section notebooks (scattered once to every worker), each task builds one report in a
temporary folder on its worker and sends the report's files back, and the client swaps
them into OUT/<period>/<region>/ as a local build does. Workers need this package installed
(`pip install grant-report-pipeline`, or the repository with `pip install -e .`), a
`python3` Jupyter kernel and, for PDF, the same Debian fonts and Pango libraries.

Before the client connects, `check_scheduler` makes sure a dask scheduler answers at the
address, within CONNECT_TIMEOUT: dask's client trusts the first eight bytes it reads as the
length of what follows (a service that is not a scheduler made it allocate exabytes) and waits
without end for a service that accepts and says nothing.
"""

from __future__ import annotations

import os
import shutil
import socket
import struct
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import disk, paths
from pipeline.assembly import builder, provenance
from pipeline.exceptions import PipelineError
from pipeline.executors import ignore
from pipeline.incremental import grid
from pipeline.inputs import sharing
from pipeline.inputs.loading import Inputs, in_language, load_inputs

if TYPE_CHECKING:
    from distributed import Client

    from pipeline.inputs.validation import ValidInputs


@dataclass(frozen=True)
class Snapshot:
    """Everything a worker needs to build reports: inputs and notebooks, as bytes."""

    inputs: dict[str, bytes]
    notebooks: dict[str, bytes]

    @classmethod
    def take(cls, inputs: Inputs, notebooks: list[Path]) -> Snapshot:
        return cls(
            inputs={Path(f).relative_to(inputs.root).as_posix(): Path(f).read_bytes() for f in inputs.files},
            notebooks={nb.name: nb.read_bytes() for nb in notebooks},
        )

    def unpack(self, folder: Path) -> tuple[Path, list[Path]]:
        for name, data in self.inputs.items():
            (folder / "inputs" / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / "inputs" / name).write_bytes(data)
        (folder / "notebooks").mkdir()
        for name, data in self.notebooks.items():
            (folder / "notebooks" / name).write_bytes(data)
        return folder / "inputs", sorted((folder / "notebooks").glob("*.ipynb"))


@dataclass
class Shipped:
    """What a worker sends back: the result and every file of the report folder."""

    result: grid.ReportResult
    files: dict[str, bytes]
    worker: str


def build_on_worker(job: grid.ReportJob, snapshot: Snapshot, formats: tuple[str, ...],
                    inputs_name: str | None = None, language: str | None = None) -> Shipped:
    """Runs on a dask worker: unpack the snapshot, build one report, return its files. Its
    manifest names the inputs folder as the client does (`inputs_name`), never the worker's
    temporary folder: the files are those a local build writes."""
    with tempfile.TemporaryDirectory(prefix="grant-worker-") as scratch:
        inputs_dir, notebooks = snapshot.unpack(Path(scratch))
        read = load_inputs(inputs_dir)
        inputs = in_language(read, language)
        # A language chosen for the run (`run --language`) reaches the kernel in the inputs handed to it.
        shared = sharing.publish(inputs) if inputs is not read else None
        try:
            result = builder.build_report(job, inputs, Path(scratch) / "outputs", formats, notebooks,
                                          inputs_name=inputs_name, shared_inputs=shared)
        finally:
            if shared is not None:
                shared.unlink(missing_ok=True)
        files = {p.relative_to(result.folder).as_posix(): p.read_bytes()
                 for p in sorted(result.folder.rglob("*")) if p.is_file()}
    return Shipped(result, files, f"{socket.gethostname()}:{os.getpid()}")


def receive(shipped: Shipped, inputs: Inputs, outputs: Path) -> grid.ReportResult:
    """Write a shipped report into the outputs folder, swapped in whole (or kept as .failed)."""
    job = shipped.result.job
    final = paths.report_dir(outputs, job.period, job.region)
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = final.with_name(f".{final.name}.receiving-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    for name, data in shipped.files.items():
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        (staging / name).write_bytes(data)
    measured = staging / builder.RUN
    if measured.is_file():  # where it ran is measured, as its timings are (not in the manifest)
        disk.write_json(measured, {**(disk.read_json_object(measured) or {}), "executed_on": shipped.worker})
    result = shipped.result
    if result.ok:
        builder.swap_in(staging, final)
        result.folder = final
    else:
        result.folder = builder.keep_failed(staging, final, result)
    return result


# ---------------------------------------------------------------- is a dask scheduler there?

#: Seconds a scheduler has to accept the connection, and then to greet.
CONNECT_TIMEOUT = 10.0
#: The most bytes a scheduler's greeting (dask's handshake: compression, Python, pickle protocol)
#: may announce; it takes about a hundred.
MAX_GREETING = 64 * 1024
#: The keys of dask's handshake.
HANDSHAKE = frozenset({"compression", "python", "pickle-protocol"})


class SchedulerError(PipelineError):
    """--scheduler names no dask scheduler that answers: the address and what was found there."""

    def __init__(self, address: str, found: str):
        super().__init__(f"--scheduler {address}: {found}")


def _received(sock: socket.socket, count: int, deadline: float, address: str, timeout: float) -> bytes:
    """`count` bytes from `sock` by `deadline`; a SchedulerError saying what came instead."""
    data = b""
    while len(data) < count:
        sock.settimeout(max(deadline - time.monotonic(), 0.001))
        try:
            chunk = sock.recv(count - len(data))
        except TimeoutError:
            said = f" after {data[:32]!r}" if data else ""
            raise SchedulerError(address, f"a service accepted the connection and said nothing{said} within "
                                          f"{timeout:g} s: no dask scheduler there") from None
        if not chunk:
            said = f" after {data[:32]!r}" if data else " without a word"
            raise SchedulerError(address, f"a service accepted the connection and closed it{said}: "
                                          "no dask scheduler there")
        data += chunk
    return data


def _more(sock: socket.socket) -> bytes:
    """What else a service has already said (to show it), waiting a moment at most."""
    sock.settimeout(0.2)
    try:
        return sock.recv(32)
    except OSError:
        return b""


def _not_dask(address: str, data: bytes) -> SchedulerError:
    return SchedulerError(address, f"a service that is not a dask scheduler answered (it began {data[:32]!r})")


def _greeting(host: str, port: int, address: str, timeout: float) -> dict[str, Any]:
    """The handshake a dask scheduler sends first to whoever connects, read as dask frames it
    (a length, then the frames' count and sizes, then msgpack), each length checked first."""
    from distributed.protocol import loads
    from distributed.protocol.utils import unpack_frames

    deadline = time.monotonic() + timeout
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except TimeoutError:
        raise SchedulerError(address, f"no answer to a connection within {timeout:g} s") from None
    except ConnectionRefusedError:
        raise SchedulerError(address, "nothing listens there (connection refused)") from None
    except socket.gaierror:
        raise SchedulerError(address, f"the host «{host}» is not known") from None
    except OSError as error:
        raise SchedulerError(address, f"cannot connect ({error.strerror or error})") from None
    with sock:
        head = _received(sock, 8, deadline, address, timeout)
        (length,) = struct.unpack("Q", head)  # in the byte order dask writes it
        if not 16 <= length <= MAX_GREETING:
            raise _not_dask(address, head + _more(sock))
        body = _received(sock, length, deadline, address, timeout)
    (count,) = struct.unpack_from("Q", body)
    sizes = struct.unpack_from(f"{count}Q", body, 8) if 8 + 8 * count <= length else ()
    if not sizes or 8 + 8 * count + sum(sizes) != length:  # frames' sizes that add up to the length
        raise _not_dask(address, head + body)
    try:
        message = loads(unpack_frames(body), deserialize=False)
    except Exception:  # noqa: BLE001 - whatever the bytes were, they are not dask's
        raise _not_dask(address, head + body) from None
    if not (isinstance(message, dict) and HANDSHAKE <= message.keys()):
        raise _not_dask(address, head + body)
    return message


def check_scheduler(address: str, timeout: float = CONNECT_TIMEOUT) -> None:
    """A dask scheduler answers at `address` (tcp://host:port, or host:port) within `timeout`
    seconds, else a SchedulerError in one line naming the address and what was found there:
    nothing, a service that stays silent, closes, or answers something else. Over TLS (or
    another transport) only the connection is checked: the client speaks first there."""
    from distributed.comm import registry
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        registry.get_backend(scheme)
        host, port = parse_host_port(location, default_port=8786) if scheme in ("tcp", "tls") else ("-", 1)
    except ValueError:
        host, port = "", 0
    if not host or not 0 < port < 2 ** 16:
        raise SchedulerError(address, "expected an address like tcp://host:8786")
    if scheme == "tcp":
        _greeting(host, port, address, timeout)
    elif scheme == "tls":
        try:
            socket.create_connection((host, port), timeout=timeout).close()
        except OSError as error:
            raise SchedulerError(address, f"cannot connect ({error.strerror or error})") from None


def connect(address: str, timeout: float = CONNECT_TIMEOUT) -> Client:
    """A dask Client of the scheduler at `address`, once `check_scheduler` has found one there."""
    from distributed import Client

    check_scheduler(address, timeout)
    try:
        return Client(address, timeout=timeout)
    except (OSError, TimeoutError) as error:
        raise SchedulerError(address, f"the scheduler did not let the client in: {error}") from None


class DaskExecutor:
    """Builds reports on a dask.distributed cluster (its scheduler's address, or a Client): the
    remote task is always `build_on_worker`, which needs nothing of this machine's disk."""

    def __init__(self, address: str | Client, inputs: ValidInputs, outputs: Path, formats: tuple[str, ...]) -> None:
        self.address, self.inputs, self.outputs, self.formats = address, inputs, Path(outputs), formats

    def run(self, jobs: Sequence[grid.ReportJob],
            on_result: Callable[[grid.ReportResult], None] = ignore) -> list[grid.ReportResult]:
        from distributed import Client, as_completed

        client = self.address if isinstance(self.address, Client) else connect(self.address, CONNECT_TIMEOUT)
        try:
            results: list[grid.ReportResult | None] = [None] * len(jobs)
            snapshot = client.scatter(Snapshot.take(self.inputs, paths.section_notebooks()), broadcast=True)
            named = provenance.inputs_name(self.inputs.root)
            language = self.inputs.grant.language
            futures = {client.submit(build_on_worker, job, snapshot, self.formats, named, language, pure=False): i
                       for i, job in enumerate(jobs)}
            for future in as_completed(futures):
                result = receive(future.result(), self.inputs, self.outputs)
                results[futures[future]] = result
                on_result(result)
            return [r for r in results if r is not None]
        finally:
            if not isinstance(self.address, Client):
                client.close()
