"""The benchmark of issue 6: our build against the naive papermill loop, side by side.

    .venv/bin/python bench/run_bench.py [--regions 5] [--periods 2] [--rows 40] [--repeats 3]
        [--scenarios demo,synthetic] [--scaling 5,10,20,50] [--scaling-periods 4]
        [--scaling-budget SECONDS] [--out bench/results.json] [--write-readme]

Scenarios: `demo` (the project's own inputs/) and `synthetic` (bench/synth.py at
--regions x --periods x --rows). For each, every repeat measures, in this order:

  naive       papermill.execute_notebook over every period x region (+ all) x notebook of
              notebooks/ (sorted), one after another, each in a fresh kernel (in this process);
  cold        `python -m pipeline run --inputs I --outputs <fresh> --format html --quiet`;
  no-change   the same command again on the same outputs (must build nothing, start no kernel);
  one-region  bench/synth.change_one_region(I, region), the command again, then the inputs
              file is put back byte for byte.

and reports the medians, the ratios to the naive loop and to the cold build, CPU time, how
many reports were rebuilt (manifest.json files replaced) and how many kernels were started
(ipykernel_launcher processes seen under the command), and peak memory: the orchestrator's
own peak RSS (`python -m pipeline run`, its ru_maxrss at exit), the largest worker's and the
largest kernel's, and the peak of the whole process tree's summed RSS (sampled). Then the
scaling run: one cold build of a synthetic grant for each R in --scaling regions x
--scaling-periods periods, time per report and a linear fit.

The code under test is, by default, a snapshot of the working tree's pipeline/, notebooks/
and inputs/ copied when the benchmark starts (`--code snapshot`): other people editing the
project during a long run change neither what is measured nor the incremental-build keys
(the pipeline's own source is part of them). `--code HEAD` takes them from the last commit
(`git archive`), `--code live` runs in the project folder itself.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

import synth  # noqa: E402

README = BENCH_DIR / "README.md"
START, END = "<!-- bench:results:start -->", "<!-- bench:results:end -->"
VERSIONED = ("papermill", "nbclient", "jupyter_client", "ipykernel", "nbconvert", "nbformat", "scrapbook",
             "pandas", "matplotlib", "psutil")
MB = 1024 * 1024

# Every Python process of a build (orchestrator, workers) writes its own peak RSS at exit:
# VmHWM, the high-water mark of its own memory since its exec. (ru_maxrss would not do: on
# Linux a fork+exec'd process inherits its parent's high-water mark as a floor.)
SITECUSTOMIZE = '''\
import atexit, os, sys
_dir = os.environ.get("BENCH_RSS_DIR")
if _dir:
    def _bench_peak():
        import json, resource
        try:
            hwm = 0
            with open("/proc/self/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        hwm = int(line.split()[1])
            path = os.path.join(_dir, f"{os.getpid()}.json")
            with open(path + ".tmp", "w") as f:
                json.dump({"pid": os.getpid(), "ppid": os.getppid(), "argv": " ".join(sys.argv)[:300],
                           "vmhwm_kb": hwm, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}, f)
            os.replace(path + ".tmp", path)
        except OSError:
            pass
    atexit.register(_bench_peak)
'''


# ------------------------------------------------------------------ the code under test

def prepare_code(mode: str, work: Path) -> tuple[Path, dict]:
    """The project folder to run in (a snapshot unless `live`) and what it was."""
    info = {"mode": mode, "git_head": _git("rev-parse", "HEAD"),
            "dirty_files": [line[3:] for line in (_git("status", "--porcelain") or "").splitlines()
                            if not line[3:].startswith("bench/")]}
    if mode == "live":
        return PROJECT, info
    target = work / "project"
    target.mkdir(parents=True)
    if mode == "HEAD":
        archive = subprocess.run(["git", "-C", str(PROJECT), "archive", "HEAD", "pipeline", "notebooks", "inputs"],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
        info["dirty_files"] = []
    else:
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
        for name in ("pipeline", "notebooks", "inputs"):
            shutil.copytree(PROJECT / name, target / name, ignore=ignore)
    return target, info


def _git(*args: str) -> str | None:
    try:
        return subprocess.run(["git", "-C", str(PROJECT), *args], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


# ------------------------------------------------------------------ watching a process tree

def _role(cmdline: list[str], is_root: bool) -> str:
    text = " ".join(cmdline)
    if is_root:
        return "orchestrator"
    if "ipykernel_launcher" in text:
        return "kernel"
    if "resource_tracker" in text:
        return "other"
    if "multiprocessing" in text or "spawn_main" in text:
        return "worker"
    return "other"


def _hwm_kb(pid: int) -> int:
    """The process's peak resident set so far (VmHWM), in kB; 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeMonitor(threading.Thread):
    """Samples a process and its descendants: who ran (kernels, workers), each one's peak RSS
    (VmHWM, which only grows, so a late sample is exact), and the tree's summed RSS."""

    def __init__(self, root_pid: int, interval: float = 0.2):
        super().__init__(daemon=True)
        import psutil

        self.psutil = psutil
        self.root_pid, self.interval = root_pid, interval
        self.stop_event = threading.Event()
        self.roles: dict[int, str] = {}
        self.hwm_kb: dict[int, int] = {}
        self.tree_peak = 0

    def run(self) -> None:
        ps = self.psutil
        try:
            root = ps.Process(self.root_pid)
        except ps.Error:
            return
        while not self.stop_event.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
            except ps.Error:
                break
            total = 0
            for proc in procs:
                try:
                    # read again until it is a kernel: between fork and exec a new kernel still
                    # shows its parent's command line
                    if self.roles.get(proc.pid) != "kernel":
                        self.roles[proc.pid] = _role(proc.cmdline(), proc.pid == self.root_pid)
                    total += proc.memory_info().rss
                    self.hwm_kb[proc.pid] = max(self.hwm_kb.get(proc.pid, 0), _hwm_kb(proc.pid))
                except ps.Error:
                    continue
            self.tree_peak = max(self.tree_peak, total)
            self.stop_event.wait(self.interval)

    def finish(self) -> dict:
        self.stop_event.set()
        self.join()

        def peak(role: str) -> float | None:
            values = [self.hwm_kb.get(pid, 0) for pid, r in self.roles.items() if r == role]
            return round(max(values) / 1024, 1) if values else None

        return {"kernels": sum(r == "kernel" for r in self.roles.values()),
                "processes": len(self.roles) - (self.root_pid in self.roles),
                "workers": sum(r == "worker" for r in self.roles.values()),
                "sampled_peak_mb": {"orchestrator": peak("orchestrator"), "worker": peak("worker"),
                                    "kernel": peak("kernel")},
                "tree_rss_peak_mb": round(self.tree_peak / MB, 1)}


# ------------------------------------------------------------------ one build command

@dataclass
class Env:
    project: Path
    python: str
    work: Path
    jobs: int | None
    hook: Path = field(init=False)

    def __post_init__(self):
        self.hook = self.work / "hook"
        self.hook.mkdir(parents=True, exist_ok=True)
        (self.hook / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")

    def environ(self, rss_dir: Path | None = None) -> dict:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(self.project), str(self.hook)])
        env.pop("BENCH_RSS_DIR", None)
        if rss_dir is not None:
            env["BENCH_RSS_DIR"] = str(rss_dir)
        return env


def manifests(outputs: Path) -> dict[str, tuple[int, int]]:
    """Every built report's manifest: (inode, mtime) tells a rebuilt one from a kept one."""
    found = {}
    for path in outputs.glob("*/*/manifest.json"):
        stat = path.stat()
        found[str(path.parent.relative_to(outputs))] = (stat.st_ino, stat.st_mtime_ns)
    return found


def run_build(env: Env, inputs: Path, outputs: Path, extra: tuple[str, ...] = ()) -> dict:
    """`python -m pipeline run` once, timed and watched."""
    cmd = [env.python, "-m", "pipeline", "run", "--inputs", str(inputs), "--outputs", str(outputs),
           "--format", "html", "--quiet", *extra]
    if env.jobs:
        cmd += ["--jobs", str(env.jobs)]
    before = manifests(outputs) if outputs.exists() else {}
    rss_dir = Path(tempfile.mkdtemp(prefix="rss-", dir=env.work))
    log = env.work / "build.log"
    load_before = os.getloadavg()[0]
    own_rss = _own_rss_mb()
    with open(log, "wb") as sink:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=env.project, env=env.environ(rss_dir), stdout=sink, stderr=sink)
        monitor = TreeMonitor(proc.pid)
        monitor.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    watched = monitor.finish()
    after = manifests(outputs)
    rebuilt = sorted(k for k, v in after.items() if before.get(k) != v)
    peaks, orchestrator_maxrss = {}, None
    for file in rss_dir.glob("*.json"):
        try:
            entry = json.loads(file.read_text())
        except ValueError:
            continue
        role = ("orchestrator" if entry["pid"] == proc.pid else
                "kernel" if "ipykernel_launcher" in entry["argv"] else
                "other" if entry["argv"].startswith("-c") else "worker")  # -c: multiprocessing's resource tracker
        peaks[role] = max(peaks.get(role, 0), entry.get("vmhwm_kb") or entry["maxrss_kb"])
        if role == "orchestrator":
            orchestrator_maxrss = entry["maxrss_kb"]
    shutil.rmtree(rss_dir, ignore_errors=True)
    output = log.read_text(encoding="utf-8", errors="replace")
    if proc.returncode != 0:
        raise SystemExit(f"build failed (exit {proc.returncode}): {' '.join(cmd)}\n{output[-3000:]}")
    sampled = watched["sampled_peak_mb"]
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "reports": len(after), "rebuilt": len(rebuilt), "rebuilt_reports": rebuilt,
        "kernels_started": watched["kernels"], "workers_started": watched["workers"],
        "child_processes": watched["processes"],
        # own peak RSS at exit (exact); the sampled VmHWM when a process did not report (killed)
        "orchestrator_peak_mb": round(peaks["orchestrator"] / 1024, 1) if "orchestrator" in peaks
        else sampled["orchestrator"],
        "worker_peak_mb": round(peaks["worker"] / 1024, 1) if "worker" in peaks else sampled["worker"],
        "kernel_peak_mb": max(round(peaks.get("kernel", 0) / 1024, 1), sampled["kernel"] or 0) or None,
        "tree_rss_peak_mb": watched["tree_rss_peak_mb"],
        "largest_process_peak_mb": round(usage.ru_maxrss / 1024, 1),  # wait4: max over the tree
        "benchmark_rss_mb": own_rss,
        # this process when it started the command (for reference)
        "orchestrator_ru_maxrss_mb": round(orchestrator_maxrss / 1024, 1) if orchestrator_maxrss else None,
        "load_1min_before": round(load_before, 2), "load_1min_after": round(os.getloadavg()[0], 2),
    }


def _own_rss_mb() -> float:
    import psutil

    return round(psutil.Process().memory_info().rss / MB, 1)


# ------------------------------------------------------------------ the naive loop

def grid(inputs: Path) -> tuple[list[str], list[str]]:
    import yaml

    grant = yaml.safe_load((inputs / "grant.yml").read_text(encoding="utf-8"))
    return [str(p["id"]) for p in grant["periods"]], [str(r["id"]) for r in grant["regions"]] + ["all"]


def run_naive(env: Env, inputs: Path) -> dict:
    """papermill.execute_notebook over every period x region x notebook, one after another."""
    import resource

    import papermill

    # the section notebooks, as the pipeline finds them (pipeline.paths.section_notebooks)
    notebooks = sorted((env.project / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    periods, regions = grid(inputs)
    out = Path(tempfile.mkdtemp(prefix="naive-", dir=env.work))
    os.environ["PYTHONPATH"] = env.environ()["PYTHONPATH"]  # the kernels import the code under test
    per_notebook: dict[str, list[float]] = {nb.name: [] for nb in notebooks}
    load_before = os.getloadavg()[0]
    cpu = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    saved_stderr = os.dup(2)  # the kernels inherit fd 2: their start-up warnings go to a log
    with open(env.work / "naive-kernels.log", "ab") as log:
        os.dup2(log.fileno(), 2)
        try:
            started = time.perf_counter()
            for period in periods:
                for region in regions:
                    for nb in notebooks:
                        t0 = time.perf_counter()
                        papermill.execute_notebook(
                            str(nb), str(out / f"{period}__{region}__{nb.name}"),
                            parameters=dict(period=period, region=region, inputs=str(inputs)),
                            kernel_name="python3", progress_bar=False, cwd=str(env.project))
                        per_notebook[nb.name].append(time.perf_counter() - t0)
            wall = time.perf_counter() - started
        finally:
            os.dup2(saved_stderr, 2)
            os.close(saved_stderr)
    cpu_after = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    shutil.rmtree(out, ignore_errors=True)
    cpu_s = sum((a.ru_utime + a.ru_stime) - (b.ru_utime + b.ru_stime) for a, b in zip(cpu_after, cpu, strict=False))
    return {"wall_s": round(wall, 3), "cpu_s": round(cpu_s, 2), "reports": len(periods) * len(regions),
            "executions": len(periods) * len(regions) * len(notebooks), "kernels_started":
                len(periods) * len(regions) * len(notebooks),
            "mean_s_per_notebook": {k: round(statistics.mean(v), 3) for k, v in per_notebook.items()},
            "load_1min_before": round(load_before, 2), "load_1min_after": round(os.getloadavg()[0], 2)}


# ------------------------------------------------------------------ scenarios

def changed_region(inputs: Path, regions: list[str]) -> str:
    """The first region of grant.yml that has a consultation to edit."""
    for region in regions:
        if region == "all":
            continue
        try:
            backup = {p: p.read_bytes() for p in synth._consultation_files(inputs)}
            synth.change_one_region(inputs, region)
        except ValueError:
            continue
        for path, data in backup.items():
            path.write_bytes(data)
        return region
    raise SystemExit(f"{inputs}: no region has a consultation to change")


def run_scenario(env: Env, name: str, inputs: Path, repeats: int, naive_repeats: int) -> dict:
    periods, regions = grid(inputs)
    region = changed_region(inputs, regions)
    runs: dict[str, list[dict]] = {"naive": [], "cold": [], "no_change": [], "one_region": []}
    print(f"\n## {name}: {inputs} ({len(periods)} periods x {len(regions)} regions incl. all = "
          f"{len(periods) * len(regions)} reports; one-region change in «{region}»)", flush=True)
    for i in range(max(repeats, naive_repeats)):
        if i < naive_repeats:
            runs["naive"].append(run_naive(env, inputs))
            _say(name, i, "naive", runs["naive"][-1])
        if i >= repeats:
            continue
        outputs = Path(tempfile.mkdtemp(prefix=f"out-{name}-", dir=env.work))
        runs["cold"].append(run_build(env, inputs, outputs))
        _say(name, i, "cold", runs["cold"][-1])
        runs["no_change"].append(run_build(env, inputs, outputs))
        _say(name, i, "no-change", runs["no_change"][-1])
        backup = {p: p.read_bytes() for p in synth._consultation_files(inputs)}
        try:
            change = synth.change_one_region(inputs, region)
            runs["one_region"].append(run_build(env, inputs, outputs) | {"change": change})
        finally:
            for path, data in backup.items():
                path.write_bytes(data)
        _say(name, i, "one-region", runs["one_region"][-1])
        shutil.rmtree(outputs, ignore_errors=True)
    return {"inputs": str(inputs), "periods": len(periods), "regions": len(regions) - 1,
            "reports": len(periods) * len(regions), "changed_region": region, "runs": runs,
            "summary": summarise(runs)}


def _say(name: str, i: int, what: str, run: dict) -> None:
    extra = "" if what == "naive" else (f", rebuilt {run['rebuilt']}/{run['reports']}, kernels {run['kernels_started']}"
                                        f", orchestrator {run['orchestrator_peak_mb']} MB")
    print(f"  {name} #{i + 1} {what:<10} {run['wall_s']:8.2f} s  (cpu {run['cpu_s']:.1f} s{extra}; "
          f"load {run['load_1min_before']})", flush=True)


def _median(runs: list[dict], key: str) -> float | None:
    values = [r[key] for r in runs if r.get(key) is not None]
    return round(statistics.median(values), 3) if values else None


def summarise(runs: dict[str, list[dict]]) -> dict:
    out: dict[str, dict] = {}
    naive = _median(runs["naive"], "wall_s")
    cold = _median(runs["cold"], "wall_s")
    for kind, items in runs.items():
        if not items:
            continue
        wall = _median(items, "wall_s")
        out[kind] = {
            "median_wall_s": wall, "walls_s": [r["wall_s"] for r in items],
            "median_cpu_s": _median(items, "cpu_s"),
            "x_naive": round(wall / naive, 4) if naive and wall is not None else None,
            "x_cold": round(wall / cold, 4) if cold and kind != "naive" else None,
            "rebuilt": [r.get("rebuilt") for r in items] if kind != "naive" else None,
            "kernels_started": [r["kernels_started"] for r in items],
            "orchestrator_peak_mb": max((r.get("orchestrator_peak_mb") or 0 for r in items), default=None)
            if kind != "naive" else None,
            "worker_peak_mb": max((r.get("worker_peak_mb") or 0 for r in items), default=None)
            if kind != "naive" else None,
            "kernel_peak_mb": max((r.get("kernel_peak_mb") or 0 for r in items), default=None)
            if kind != "naive" else None,
            "tree_rss_peak_mb": max((r.get("tree_rss_peak_mb") or 0 for r in items), default=None)
            if kind != "naive" else None,
        }
    return out


def run_scaling(env: Env, counts: list[int], periods: int, rows: int, budget: float | None) -> dict:
    points, skipped = [], []
    spent = 0.0
    print(f"\n## scaling: cold build, {periods} periods, rows {rows}, regions {counts}", flush=True)
    for regions in counts:
        reports = periods * (regions + 1)
        if budget is not None and points:
            per_report = points[-1]["wall_s"] / points[-1]["reports"]
            predicted = per_report * reports * 1.1
            if spent + predicted > budget:
                skipped.append({"regions": regions, "reports": reports, "predicted_s": round(predicted)})
                print(f"  {regions} regions: skipped (predicted {predicted:.0f} s, budget left "
                      f"{budget - spent:.0f} s)", flush=True)
                continue
        inputs = synth.make_grant(env.work / f"inputs-scaling-{regions}", regions, periods, rows)
        outputs = Path(tempfile.mkdtemp(prefix=f"out-scaling-{regions}-", dir=env.work))
        run = run_build(env, inputs, outputs)
        spent += run["wall_s"]
        shutil.rmtree(outputs, ignore_errors=True)
        shutil.rmtree(inputs, ignore_errors=True)
        point = {"regions": regions, "periods": periods, "rows": rows,
                 "s_per_report": round(run["wall_s"] / run["reports"], 3)} | run
        points.append(point)
        print(f"  {regions:3d} regions: {reports:4d} reports in {run['wall_s']:8.1f} s = "
              f"{point['s_per_report']:.2f} s/report; orchestrator {run['orchestrator_peak_mb']} MB, "
              f"largest worker {run['worker_peak_mb']} MB, tree {run['tree_rss_peak_mb']} MB, "
              f"load {run['load_1min_before']}", flush=True)
    return {"points": points, "skipped": skipped, "fit": linear_fit(points)}


def run_memory_probe(env: Env, regions: int, periods: int, rows: int, region: str = "r01") -> dict:
    """The orchestrator on a big grant without building all of it: it reads and validates every
    input of an R x P grant, but builds only one region's P reports (`--region r01`)."""
    print(f"\n## memory probe: {regions} regions x {periods} periods, building only {region}", flush=True)
    inputs = synth.make_grant(env.work / f"inputs-probe-{regions}", regions, periods, rows)
    outputs = Path(tempfile.mkdtemp(prefix="out-probe-", dir=env.work))
    run = run_build(env, inputs, outputs, ("--region", region))
    shutil.rmtree(outputs, ignore_errors=True)
    shutil.rmtree(inputs, ignore_errors=True)
    print(f"  {run['reports']} reports in {run['wall_s']:.1f} s; orchestrator {run['orchestrator_peak_mb']} MB, "
          f"largest worker {run['worker_peak_mb']} MB, largest kernel {run['kernel_peak_mb']} MB", flush=True)
    return {"regions": regions, "periods": periods, "rows": rows, "built_region": region} | run


def linear_fit(points: list[dict]) -> dict | None:
    """wall = a + b * reports by least squares; R^2; per-report time, largest / smallest grid."""
    if len(points) < 2:
        return None
    xs = [p["reports"] for p in points]
    ys = [p["wall_s"] for p in points]
    mx, my = statistics.mean(xs), statistics.mean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=False)) / sxx
    intercept = my - slope * mx
    ss_res = sum((y - (intercept + slope * x)) ** 2 for x, y in zip(xs, ys, strict=False))
    ss_tot = sum((y - my) ** 2 for y in ys)
    return {"intercept_s": round(intercept, 2), "s_per_report": round(slope, 3),
            "r2": round(1 - ss_res / ss_tot, 4) if ss_tot and len(points) >= 3 else None,
            "per_report_largest_over_smallest": round(points[-1]["s_per_report"] / points[0]["s_per_report"], 3)}


# ------------------------------------------------------------------ the machine, the tables

def machine() -> dict:
    from importlib import metadata

    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    versions = {}
    for name in VERSIONED:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {"nproc": os.cpu_count(), "cpu": model, "memory_gb": round(mem_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "platform": platform.platform(), "packages": versions,
            "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "load_1_5_15_at_start": [round(x, 2) for x in os.getloadavg()]}


def _s(value: float | None) -> str:
    return "—" if not value else (f"{value:.2f}" if value < 100 else f"{value:.0f}")


def _x(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}×"


def targets(results: dict) -> list[tuple[str, str, str, str]]:
    """(scenario, target, measured, met) for each target of the issue."""
    rows = []
    for name, sc in results["scenarios"].items():
        s = sc["summary"]
        cold, nochange, one = s.get("cold", {}), s.get("no_change", {}), s.get("one_region", {})
        if cold.get("x_naive") is not None:
            rows.append((name, "cold build ≤ 0.5× naive loop (aim 0.25×)", _x(cold["x_naive"]),
                         "yes" if cold["x_naive"] <= 0.5 else "**no**"))
        if nochange:
            no_kernel = all(k == 0 for k in nochange["kernels_started"]) and all(r == 0 for r in nochange["rebuilt"])
            rows.append((name, "no-change rebuild ≤ 0.05× cold, no kernel started",
                         f"{_x(nochange['x_cold'])}, kernels {max(nochange['kernels_started'])}, "
                         f"rebuilt {max(nochange['rebuilt'])}",
                         "yes" if nochange["x_cold"] <= 0.05 and no_kernel else "**no**"))
        if one:
            rows.append((name, "one-region change ≤ 0.5× cold", _x(one["x_cold"]),
                         "yes" if one["x_cold"] <= 0.5 else "**no**"))
    scaling = results.get("scaling")
    if scaling and scaling["points"]:
        big = scaling["points"][-1]
        rows.append((f"scaling {big['regions']}×{big['periods']}", "orchestrator peak memory < 1 GB",
                     f"{big['orchestrator_peak_mb']} MB", "yes" if big["orchestrator_peak_mb"] < 1024 else "**no**"))
        fit = scaling["fit"]
        if fit:
            linear = fit["per_report_largest_over_smallest"] <= 1.25 and (fit["r2"] is None or fit["r2"] >= 0.98)
            rows.append(("scaling", "time linear in reports "
                         "(s/report at the largest grid ≤ 1.25× the smallest; R² ≥ 0.98 from 3 points)",
                         f"{fit['per_report_largest_over_smallest']}× ({len(scaling['points'])} points"
                         + (f", R² {fit['r2']}" if fit["r2"] is not None else "") + ")",
                         "yes" if linear else "**no**"))
        if scaling["skipped"] and results.get("memory_probe"):
            probe = results["memory_probe"]
            rows.append((f"probe {probe['regions']}×{probe['periods']}", "orchestrator peak memory < 1 GB "
                         "(all inputs read and validated, one region built)", f"{probe['orchestrator_peak_mb']} MB",
                         "yes" if probe["orchestrator_peak_mb"] < 1024 else "**no**"))
        if scaling["skipped"]:
            rows.append(("scaling", "50 regions × 4 periods completes",
                         "skipped: " + ", ".join(f"{p['regions']} regions" for p in scaling["skipped"]), "not run"))
    return rows


def markdown(results: dict) -> str:
    out = []
    m = results["machine"]
    code = results["code"]
    out.append(f"Run {m['date']} on {m['nproc']} × {m['cpu']}, {m['memory_gb']} GB RAM, Python {m['python']} "
               f"({m['platform']}); load average at start {m['load_1_5_15_at_start']}.")
    out.append("Packages: " + ", ".join(f"{k} {v}" for k, v in m["packages"].items() if v) + ".")
    dirty = code.get("dirty_files") or []
    out.append(f"Code: `--code {code['mode']}` of commit `{(code.get('git_head') or '?')[:10]}`"
               + (f" plus uncommitted changes to {len(dirty)} files ({', '.join(dirty[:8])}"
                  f"{'…' if len(dirty) > 8 else ''})" if dirty else "") + ".")
    out.append(f"Command: `{results['command']}` (total {results.get('total_wall_s', '?')} s).")
    for note in results.get("notes", []):
        out.append(f"Note: {note}")
    out.append("")
    for name, sc in results["scenarios"].items():
        naive_runs = len(sc["runs"]["naive"])
        out.append(f"#### {name}: ({sc['regions']} regions + `all`) × {sc['periods']} periods = {sc['reports']} "
                   f"reports; one-region change in `{sc['changed_region']}`; builds × {len(sc['runs']['cold'])}, "
                   f"naive loop × {naive_runs}")
        out.append("")
        out.append("| measurement | median wall s | runs (s) | median CPU s | × naive | × cold | reports rebuilt "
                   "| kernels started | orchestrator peak MB | largest worker MB | largest kernel MB | tree RSS peak MB |")
        out.append("|---|---:|---|---:|---:|---:|---|---|---:|---:|---:|---:|")
        labels = {"naive": "naive papermill loop", "cold": "cold build", "no_change": "no-change rebuild",
                  "one_region": "one-region change"}
        for kind, label in labels.items():
            s = sc["summary"].get(kind)
            if not s:
                continue
            out.append(f"| {label} | {_s(s['median_wall_s'])} | {', '.join(_s(w) for w in s['walls_s'])} | "
                       f"{_s(s['median_cpu_s'])} | {_x(s['x_naive'])} | {_x(s['x_cold'])} | "
                       f"{'—' if s['rebuilt'] is None else ', '.join(map(str, s['rebuilt']))} | "
                       f"{', '.join(map(str, s['kernels_started']))} | {_s(s['orchestrator_peak_mb'])} | "
                       f"{_s(s['worker_peak_mb'])} | {_s(s['kernel_peak_mb'])} | {_s(s['tree_rss_peak_mb'])} |")
        out.append("")
    scaling = results.get("scaling")
    if scaling:
        out.append(f"#### Scaling: cold build, synthetic grant, {results['args']['scaling_periods']} periods, "
                   f"rows {results['args']['rows']} per table per region and period (one run each)")
        out.append("")
        out.append("| regions | reports | wall s | s / report | CPU s | orchestrator peak MB | largest worker MB "
                   "| largest kernel MB | tree RSS peak MB | load before |")
        out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for p in scaling["points"]:
            out.append(f"| {p['regions']} | {p['reports']} | {_s(p['wall_s'])} | {p['s_per_report']:.2f} | "
                       f"{_s(p['cpu_s'])} | {_s(p['orchestrator_peak_mb'])} | {_s(p['worker_peak_mb'])} | "
                       f"{_s(p['kernel_peak_mb'])} | {_s(p['tree_rss_peak_mb'])} | {p['load_1min_before']} |")
        for p in scaling["skipped"]:
            out.append(f"| {p['regions']} | {p['reports']} | skipped (predicted {p['predicted_s']} s) | | | | | | | |")
        fit = scaling["fit"]
        if fit:
            out.append("")
            out.append(f"Least-squares fit: wall ≈ {fit['intercept_s']} s + {fit['s_per_report']} s × reports"
                       + (f" (R² = {fit['r2']})" if fit["r2"] is not None else " (two points: no R²)")
                       + f"; time per report at the largest grid / at the smallest = "
                       f"{fit['per_report_largest_over_smallest']}.")
        out.append("")
    probe = results.get("memory_probe")
    if probe:
        out.append(f"#### Memory probe: the orchestrator on a {probe['regions']} regions × {probe['periods']} periods "
                   f"grant, building only `{probe['built_region']}`")
        out.append("")
        out.append(f"`pipeline run --region {probe['built_region']}` reads and validates every input of the "
                   f"{probe['regions']}×{probe['periods']} grant and builds {probe['reports']} reports in "
                   f"{_s(probe['wall_s'])} s: orchestrator peak {_s(probe['orchestrator_peak_mb'])} MB, largest worker "
                   f"{_s(probe['worker_peak_mb'])} MB, largest kernel {_s(probe['kernel_peak_mb'])} MB, tree RSS peak "
                   f"{_s(probe['tree_rss_peak_mb'])} MB.")
        out.append("")
    out.append("#### Targets")
    out.append("")
    out.append("| scenario | target | measured | met |")
    out.append("|---|---|---|---|")
    for row in targets(results):
        out.append("| " + " | ".join(row) + " |")
    return "\n".join(out) + "\n"


def write_readme(text: str) -> None:
    """Replace the results block of bench/README.md (between the markers), keep the rest."""
    block = f"{START}\n{text}{END}"
    current = README.read_text(encoding="utf-8") if README.exists() else ""
    if START in current and END in current:
        head, rest = current.split(START, 1)
        tail = rest.split(END, 1)[1]
        new = head + block + tail
    else:
        new = current.rstrip("\n") + ("\n\n" if current else "") + "## Results\n\n" + block + "\n"
    README.write_text(new, encoding="utf-8")


# ------------------------------------------------------------------ main

def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scenarios", default="demo,synthetic", help="comma-separated: demo, synthetic")
    p.add_argument("--regions", type=int, default=5, help="regions of the synthetic scenario")
    p.add_argument("--periods", type=int, default=2, help="periods of the synthetic scenario")
    p.add_argument("--rows", type=int, default=40, help="rows per table per region and period (synthetic grants)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--naive-repeats", type=int, default=None,
                   help="runs of the naive loop per scenario (default: --repeats; 0 = skip it)")
    p.add_argument("--scaling", type=_ints, default=[5, 10, 20, 50], help="region counts; empty string: none")
    p.add_argument("--scaling-periods", type=int, default=4)
    p.add_argument("--scaling-budget", type=float, default=None,
                   help="seconds the scaling run may take; a point predicted to exceed it is skipped")
    p.add_argument("--memory-probe", type=int, default=0, metavar="R",
                   help="also run the orchestrator on an R x --scaling-periods grant, building one region only")
    p.add_argument("--jobs", type=int, default=None, help="--jobs for `pipeline run` (default: the pipeline's)")
    p.add_argument("--code", choices=("snapshot", "HEAD", "live"), default="snapshot")
    p.add_argument("--python", default=sys.executable, help="interpreter of the project's venv")
    p.add_argument("--workdir", type=Path, default=None, help="scratch folder (default: a new temp folder)")
    p.add_argument("--keep", action="store_true", help="keep the scratch folder")
    p.add_argument("--out", type=Path, default=BENCH_DIR / "results.json")
    p.add_argument("--write-readme", action="store_true", help="rewrite the results section of bench/README.md")
    p.add_argument("--check", action="store_true", help="exit status 1 when a target of the issue is missed")
    p.add_argument("--from-json", type=Path, default=None,
                   help="run nothing: print the tables of a results.json (and --write-readme them)")
    return p.parse_args(argv)


def report(results: dict, args: argparse.Namespace) -> int:
    """Print the tables (and write them into bench/README.md); exit status under --check."""
    table = markdown(results)
    print("\n" + table)
    if args.write_readme:
        write_readme(table)
        print(f"results written into {README}")
    failed = [row for row in targets(results) if row[3] == "**no**"]
    for row in failed:
        print(f"TARGET MISSED: {row[0]}: {row[1]}: measured {row[2]}", file=sys.stderr)
    return 1 if failed and args.check else 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.from_json:
        return report(json.loads(args.from_json.read_text(encoding="utf-8")), args)
    work = Path(tempfile.mkdtemp(prefix="grant-bench-", dir=args.workdir))
    started = time.perf_counter()
    try:
        project, code = prepare_code(args.code, work)
        env = Env(project=project, python=args.python, work=work, jobs=args.jobs)
        results: dict = {"command": "python bench/run_bench.py " + " ".join(sys.argv[1:] if argv is None else argv),
                         "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
                         "machine": machine(), "code": code, "scenarios": {}}
        print(f"code under test: {project} ({args.code}); scratch {work}", flush=True)
        for name in [s.strip() for s in args.scenarios.split(",") if s.strip()]:
            if name == "demo":
                inputs = work / "inputs-demo"
                shutil.copytree(project / "inputs", inputs)
            elif name == "synthetic":
                inputs = synth.make_grant(work / "inputs-synthetic", args.regions, args.periods, args.rows, args.seed)
                name = f"synthetic {args.regions}×{args.periods}"
            else:
                raise SystemExit(f"unknown scenario {name!r}")
            results["scenarios"][name] = run_scenario(env, name, inputs, args.repeats,
                                                      args.repeats if args.naive_repeats is None else args.naive_repeats)
            _save(args.out, results)
        if args.scaling:
            results["scaling"] = run_scaling(env, args.scaling, args.scaling_periods, args.rows, args.scaling_budget)
        if args.memory_probe:
            results["memory_probe"] = run_memory_probe(env, args.memory_probe, args.scaling_periods, args.rows)
            _save(args.out, results)
        results["machine"]["load_1_5_15_at_end"] = [round(x, 2) for x in os.getloadavg()]
        results["total_wall_s"] = round(time.perf_counter() - started, 1)
        _save(args.out, results)
        return report(results, args)
    finally:
        if args.keep:
            print(f"scratch kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def _save(path: Path, results: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
