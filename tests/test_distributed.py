"""The same grid on a dask.distributed cluster (a LocalCluster here): identical results; and a
`--scheduler` at which no dask scheduler answers fails fast, in one line naming the address."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from conftest import DEMO_INPUTS, run_cli

from pipeline.executors import cluster

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def scheduler():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  host="127.0.0.1") as cluster:
        yield cluster.scheduler_address


@pytest.mark.slow  # a cluster of two workers, and the demo build
def test_a_cluster_builds_the_same_reports(scheduler, demo_build, tmp_path):
    out = tmp_path / "out"
    result = run_cli("run", "--inputs", str(DEMO_INPUTS), "--outputs", str(out), "--period", "2022-interim",
                     "--region", "all", "atyrau", "--scheduler", scheduler, "--quiet")
    assert result.returncode == 0, result.stderr
    for region in ("all", "atyrau"):
        for name in ("figures.json", "report.html"):
            local = (demo_build[0] / "2022-interim" / region / name).read_bytes()
            remote = (out / "2022-interim" / region / name).read_bytes()
            assert remote == local, (region, name)
        manifest = json.loads((out / "2022-interim" / region / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["parameters"]["inputs"] == "inputs", "as the client names it, not the worker's folder"
        assert json.loads((out / "2022-interim" / region / "run.json").read_text(encoding="utf-8"))["executed_on"]
        for name in ("manifest.json", "report.pdf"):
            local = (demo_build[0] / "2022-interim" / region / name).read_bytes()
            assert (out / "2022-interim" / region / name).read_bytes() == local, (region, name)
    again = run_cli("run", "--inputs", str(DEMO_INPUTS), "--outputs", str(out), "--period", "2022-interim",
                    "--region", "all", "atyrau", "--scheduler", scheduler)
    assert again.returncode == 0 and "(0 built, 2 unchanged)" in again.stderr


@pytest.mark.slow  # a cluster of two workers, one report
def test_a_cluster_builds_in_the_language_the_run_chose(scheduler, tmp_path):
    """`run --language kk` reaches the workers' kernels (the inputs they are handed say it),
    not only grant.yml's `language:`."""
    out = tmp_path / "out"
    result = run_cli("run", "--inputs", str(DEMO_INPUTS), "--outputs", str(out), "--period", "2022-interim",
                     "--region", "atyrau", "--format", "html", "--language", "kk", "--scheduler", scheduler, "--quiet")
    assert result.returncode == 0, result.stderr
    page = (out / "2022-interim" / "atyrau" / "report.html").read_text(encoding="utf-8")
    assert '<html lang="kk">' in page and "Грант алушы:" in page and "Грантополучатель" not in page


# ---------------------------------------------------------------- no dask scheduler there

#: What an HTTP server answers a dask client's greeting: its first 8 bytes, read by dask as the
#: length of what follows, are 3.07 EiB.
HTTP = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"


@contextmanager
def service(greeting: bytes | None, close: bool = False, lives: float = 30) -> Iterator[str]:
    """A TCP service on 127.0.0.1 that is not a dask scheduler: it accepts every connection and
    writes `greeting` (None: nothing), then closes it (`close`) or holds it open in silence. It
    stops when the test leaves it, or by itself after `lives` seconds."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        deadline = time.monotonic() + lives
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            if greeting:
                connection.sendall(greeting)
            if close:
                connection.close()
            else:
                held.append(connection)
        for connection in held:
            connection.close()
        listener.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"tcp://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5)


@pytest.mark.parametrize("greeting, close, found", [
    (HTTP, False, "a service that is not a dask scheduler answered (it began b'HTTP/1.1 400 Bad Request\\r\\n"),
    pytest.param(None, False, "a service accepted the connection and said nothing within 1 s: no dask scheduler there",
                 marks=pytest.mark.slow),  # waits out the timeout (a second)
    (None, True, "a service accepted the connection and closed it without a word: no dask scheduler there"),
    (b"\x10\x00\x00\x00\x00\x00\x00\x00" + b"\xff" * 16, False,
     "a service that is not a dask scheduler answered (it began b'\\x10\\x00"),
], ids=["garbage", "silent", "closes", "framed garbage"])
def test_a_service_that_is_no_scheduler_is_one_line_within_the_timeout(greeting, close, found):
    with service(greeting, close) as address:
        start = time.monotonic()
        with pytest.raises(cluster.SchedulerError) as refused:
            cluster.connect(address, timeout=1)
        assert time.monotonic() - start < 3
    assert str(refused.value).startswith(f"--scheduler {address}: {found}"), str(refused.value)
    assert "\n" not in str(refused.value)


def test_nothing_listening_and_a_wrong_address_are_one_line_at_once():
    with service(None) as address:
        pass  # stopped: nothing listens there any more
    start = time.monotonic()
    with pytest.raises(cluster.SchedulerError) as refused:
        cluster.check_scheduler(address, timeout=1)
    assert str(refused.value) == f"--scheduler {address}: nothing listens there (connection refused)"
    for wrong in ("tcp://", "127.0.0.1:99999", "foo://127.0.0.1:8786"):
        with pytest.raises(cluster.SchedulerError) as refused:
            cluster.check_scheduler(wrong, timeout=1)
        assert str(refused.value) == f"--scheduler {wrong}: expected an address like tcp://host:8786"
    assert time.monotonic() - start < 3


@pytest.mark.slow  # waits out a timeout (a second)
def test_the_executor_fails_fast_at_a_silent_service(monkeypatch, tmp_path):
    """Dask's client once waited forever for a greeting."""
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 1)
    with service(None) as address:
        start = time.monotonic()
        with pytest.raises(cluster.SchedulerError, match="said nothing within 1 s"):
            cluster.DaskExecutor(address, None, tmp_path, ("html",)).run([])
        assert time.monotonic() - start < 3


def test_a_scheduler_is_recognised():
    with distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=None, protocol="tcp",
                                  scheduler_kwargs={"host": "127.0.0.1"}) as local:
        cluster.check_scheduler(local.scheduler_address, timeout=5)
        cluster.check_scheduler(local.scheduler_address.removeprefix("tcp://"), timeout=5)
        with cluster.connect(local.scheduler_address, timeout=5) as client:
            assert client.scheduler_info()["address"] == local.scheduler_address


@pytest.mark.slow  # validates the demo inputs first, in a subprocess
def test_run_at_a_service_that_is_no_scheduler_says_one_line(tmp_path):
    with service(HTTP) as address:
        result = run_cli("run", "--inputs", str(DEMO_INPUTS), "--outputs", str(tmp_path / "out"), "--period",
                         "2022-interim", "--region", "atyrau", "--scheduler", address, "--quiet", timeout=120)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith(
        f"--scheduler {address}: a service that is not a dask scheduler answered (it began b'HTTP/1.1 400")
    assert "Traceback" not in result.stderr and "EiB" not in result.stderr
