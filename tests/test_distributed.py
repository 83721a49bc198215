"""The same grid on a dask.distributed cluster (a LocalCluster here): identical results."""

from __future__ import annotations

import json

import pytest
from conftest import DEMO_INPUTS, run_cli

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.slow  # a cluster of two workers, and the demo build


@pytest.fixture(scope="module")
def scheduler():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  host="127.0.0.1") as cluster:
        yield cluster.scheduler_address


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
