"""The invariant of incremental builds, tested the way build systems test theirs: after any
sequence of edits to a grant, every report an incremental run leaves is the report a build from
scratch writes (its figures.json and its page's text, report.html).

A copy of the other grant, built once, is edited at random in three steps, in a random order:
two steps of two edits of rows and prose (rows added, moved between regions and periods,
deleted; narratives written and deleted), and one step of an edit every report shows (a date
outside every period, a totals row, a text of grant.yml), alone, since it rebuilds every report
and would hide what the edits made with it leave alone. After each step `run` brings the outputs
up to date (the command line, as a user runs it). Each report it left as it was, or rebuilt
reusing a notebook, is then built from scratch in a folder of its own, in this process, and
compared; a report it rebuilt with every notebook executed anew (its manifest says so: no
notebook key of the build it replaced) was built as a forced build is, and is not built twice.
The seed is printed on a failure with the edits made so far; set GRANT_REPORT_INVARIANT_SEED to
replay them (each run draws a new one).

Kept small to stay under a minute on two cores: four reports (two periods; one region and
`all`: the other three regions are where rows move to and from), HTML only, three steps; the
builds from scratch run in two kernels started once.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from difflib import unified_diff
from pathlib import Path

import pytest
from conftest import OTHER_GRANT, run_cli

from pipeline import paths
from pipeline.assembly import builder, kernels
from pipeline.incremental import ledger
from pipeline.incremental.grid import ReportJob
from pipeline.inputs.loading import load_inputs

SEED_VARIABLE = "GRANT_REPORT_INVARIANT_SEED"
PERIODS = {"2023-h1": (date(2023, 1, 1), date(2023, 6, 30)), "2023-h2": (date(2023, 7, 1), date(2023, 12, 31))}
#: The reports built; the grant's other regions are where rows move to and from.
REPORT_REGIONS = ("akm", "all")
REGIONS = ("akm", "kar", "pav", "kst")


# ---------------------------------------------------------------- a table file, edited as it is written

@dataclass
class CsvFile:
    """A CSV file of the grant, read and written back in its own encoding, BOM, separator
    and line ends (only the rows edited change)."""

    path: Path
    encoding: str
    bom: bool
    separator: str
    newline: str
    rows: list[list[str]]

    @classmethod
    def read(cls, path: Path) -> CsvFile:
        data = path.read_bytes()
        bom = data.startswith(b"\xef\xbb\xbf")
        try:
            text, encoding = data.decode("utf-8-sig"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = data.decode("cp1251"), "cp1251"
        separator = ";" if ";" in text.splitlines()[0] else ","
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
        return cls(path, encoding, bom, separator, "\r\n" if b"\r\n" in data else "\n", rows)

    def write(self) -> None:
        buffer = io.StringIO(newline="")
        csv.writer(buffer, delimiter=self.separator, lineterminator=self.newline).writerows(self.rows)
        self.path.write_bytes((b"\xef\xbb\xbf" if self.bom else b"") + buffer.getvalue().encode(self.encoding))

    def column(self, name: str) -> int:
        return self.rows[0].index(name)

    def records(self) -> list[int]:
        """The indexes of the data rows (not the header, not a totals row added earlier)."""
        return [i for i in range(1, len(self.rows)) if self.rows[i] and not self.rows[i][0].startswith("Итого")]


def _day(rng: random.Random, period: str | None) -> date:
    """A day of `period`, or outside every period when None."""
    if period is None:
        return rng.choice([date(2022, 12, 20), date(2024, 3, 1)])
    start, end = PERIODS[period]
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _as_written(day: date, like: str) -> str:
    """A date written as the cell it replaces is (ISO or Russian)."""
    return day.strftime("%d.%m.%Y") if "." in like else day.isoformat()


# ---------------------------------------------------------------- the edits

Edit = Callable[[random.Random, Path], str]

#: Tables with a date, and with a region, that an edit may move a row of.
DATED = ("media.csv", "consultations.csv", "feedback.csv", "metrics.csv", "expenses/central.csv")
REGIONAL = ("media.csv", "consultations.csv", "centres.csv", "metrics.csv")


def add_publication(rng: random.Random, root: Path) -> str:
    media = CsvFile.read(root / "media.csv")
    row = list(media.rows[rng.choice(media.records())])
    period, region = rng.choice(list(PERIODS)), rng.choice([*REGIONS, ""])
    reach = rng.choice(["", str(rng.randrange(10, 900))])
    row[media.column("date")] = _day(rng, period).isoformat()
    row[media.column("region")], row[media.column("reach")] = region, reach
    row[media.column("title")] = f"Публикация {rng.randrange(1000)}"
    media.rows.append(row)  # as a new record is: the rows above stay where they are
    media.write()
    return f"media.csv: a publication added at row {len(media.rows)} ({period}, region «{region}», reach «{reach}»)"


def move_region(rng: random.Random, root: Path) -> str:
    name = rng.choice(REGIONAL)
    table = CsvFile.read(root / name)
    i, column = rng.choice(table.records()), table.column("region")
    old = table.rows[i][column]
    table.rows[i][column] = rng.choice([r for r in REGIONS if r != old])
    table.write()
    return f"{name}: row {i + 1} moved from region «{old}» to «{table.rows[i][column]}»"


def move_period(rng: random.Random, root: Path) -> str:
    name = rng.choice(DATED)
    table = CsvFile.read(root / name)
    i, column = rng.choice(table.records()), table.column("date")
    period = rng.choice(list(PERIODS))
    old = table.rows[i][column]
    table.rows[i][column] = _as_written(_day(rng, period), old)
    table.write()
    return f"{name}: row {i + 1} moved from {old} to {table.rows[i][column]} ({period})"


def _within_a_period(cell: str) -> bool:
    day = datetime.strptime(cell, "%d.%m.%Y" if "." in cell else "%Y-%m-%d").date()
    return any(start <= day <= end for start, end in PERIODS.values())


def date_outside_every_period(rng: random.Random, root: Path) -> str:
    name = rng.choice(["media.csv", "expenses/central.csv", "consultations.csv"])
    table = CsvFile.read(root / name)
    column = table.column("date")
    i = rng.choice([i for i in table.records() if _within_a_period(table.rows[i][column])])
    old = table.rows[i][column]
    table.rows[i][column] = _as_written(_day(rng, None), old)
    table.write()
    return f"{name}: row {i + 1} dated {table.rows[i][column]} (was {old}), outside every period"


def delete_row(rng: random.Random, root: Path) -> str:
    name = rng.choice(["media.csv", "training_surveys.csv", "participants/akm.csv", "metrics.csv", "centres.csv"])
    table = CsvFile.read(root / name)
    records = table.records()
    if len(records) < 2:
        return f"{name}: nothing deleted (one row left)"
    i = rng.choice(records)
    del table.rows[i]
    table.write()
    return f"{name}: row {i + 1} deleted"


def add_totals_row(rng: random.Random, root: Path) -> str:
    name = rng.choice(["media.csv", "expenses/central.csv", "participants/pav.csv", "training_surveys.csv"])
    table = CsvFile.read(root / name)
    width = len(table.rows[0])
    table.rows.append(["Итого", *([""] * (width - 2)), str(rng.randrange(1, 99))])
    table.write()
    return f"{name}: a totals row added under the table"


def edit_grant_text(rng: random.Random, root: Path) -> str:
    """A text of grant.yml the report shows: the signatory's name, the topic, the grantee's
    short name or the final period's title."""
    grant = root / paths.GRANT_FILE
    lines = grant.read_text(encoding="utf-8").splitlines(keepends=True)
    i = rng.choice([i for i, line in enumerate(lines)
                    if line.lstrip().startswith(("name: \"Д.", "topic:", "short_name:", "title: \"Итоговый"))])
    old = lines[i]
    lines[i] = old.replace('"', f'"Ред. {rng.randrange(100)} ', 1)
    grant.write_text("".join(lines), encoding="utf-8")
    return f"grant.yml: «{old.strip()}» → «{lines[i].strip()}»"


def edit_narrative(rng: random.Random, root: Path) -> str:
    """A narrative written (a period's or a region's override, new or rewritten) or deleted."""
    written = sorted((root / paths.NARRATIVES_DIR).rglob("*.md"))
    if written and rng.random() < 0.5:
        chosen = rng.choice(written)
        chosen.unlink()
        return f"{chosen.relative_to(root).as_posix()} deleted"
    period, region = rng.choice(list(PERIODS)), rng.choice(["", *REGIONS, "all"])
    path = root / paths.NARRATIVES_DIR / period / region / f"{rng.choice(['A2', 'A5', 'success_story'])}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"Текст {rng.randrange(1000)}: охват {{{{ fig(\"media.reach\") }}}}, "
                    f"консультаций {{{{ fig(\"consultations.count\") }}}}.\n", encoding="utf-8")
    return f"{path.relative_to(root).as_posix()} written"


#: Edits of rows and prose: each changes what some reports count or say, not every report's.
ROW_EDITS: tuple[Edit, ...] = (add_publication, move_region, move_period, delete_row, edit_narrative)
#: Edits every report shows (a note about the folder, grant.yml's texts): each is a step of its own,
#: or it would hide what the edits made with it leave alone.
FOLDER_EDITS: tuple[Edit, ...] = (date_outside_every_period, add_totals_row, edit_grant_text)


def steps(rng: random.Random) -> list[list[Edit]]:
    """Two steps of two edits of rows and prose, and one step of an edit every report shows,
    in a random order; no kind of edit made twice."""
    rows = rng.sample(ROW_EDITS, 4)
    dealt = [rows[:2], rows[2:], [rng.choice(FOLDER_EDITS)]]
    rng.shuffle(dealt)
    return dealt


# ---------------------------------------------------------------- builds and their comparison

JOBS = [ReportJob(period, region) for period in PERIODS for region in REPORT_REGIONS]


def run_incrementally(inputs: Path, outputs: Path) -> str:
    """`run` on the grid, as a user runs it: what it says of the reports built and unchanged."""
    result = run_cli("run", "--inputs", str(inputs), "--outputs", str(outputs), "--period", *PERIODS,
                     "--region", *REPORT_REGIONS, "--format", "html", "--jobs", "2")
    assert result.returncode == 0, result.stderr
    said = re.search(r"\(\d+ built, \d+ unchanged\)", result.stderr)
    return said.group(0) if said else result.stderr


@contextmanager
def scratch_kernels(inputs: Path, count: int = 2) -> Iterator[list[kernels.ReportKernel]]:
    """Kernels for the builds from scratch, each working in the inputs folder and reading it
    itself (no inputs shared by a run): started once, reset between notebooks as a build's
    kernel is."""
    started = [kernels.ReportKernel(folder=inputs) for _ in range(count)]
    try:
        yield started
    finally:
        for kernel in started:
            kernel.shutdown()


def build_from_scratch(inputs: Path, outputs: Path, jobs: list[ReportJob],
                       with_kernels: list[kernels.ReportKernel]) -> None:
    """The reports `jobs` in an empty folder, in this process (`builder.build_report`, forced),
    shared out among the kernels."""
    read = load_inputs(inputs)

    def build(kernel: kernels.ReportKernel, share: list[ReportJob]) -> None:
        for job in share:
            result = builder.build_report(job, read, outputs, ("html",), force=True, kernel=kernel)
            assert result.ok, result.error

    count = len(with_kernels)
    with ThreadPoolExecutor(count) as pool:
        list(pool.map(build, with_kernels, [jobs[i::count] for i in range(count)]))


def builds(outputs: Path) -> dict[ReportJob, dict]:
    """The keys of the build each report's folder holds (its manifest's `build`)."""
    return {job: ledger.last_manifest(paths.report_dir(outputs, job.period, job.region)).get("build", {})
            for job in JOBS}


def not_rebuilt_in_full(before: dict[ReportJob, dict], after: dict[ReportJob, dict]) -> list[ReportJob]:
    """The reports a run left as they were (the same key) or rebuilt reusing a notebook of the
    build it replaced (the same notebook key). A report the run built with every notebook
    executed anew was built as a forced build is (`builder.build_report` does nothing else),
    from the inputs as they are: it needs no second build to compare with."""
    return [job for job in JOBS if after[job]["report"] == before[job]["report"]
            or set(after[job]["notebooks"].items()) & set(before[job]["notebooks"].items())]


def differences(incremental: Path, scratch: Path, jobs: list[ReportJob]) -> list[str]:
    """Each of the reports `jobs` whose figures.json or report.html differs between the two folders."""
    found = []
    for job in jobs:
        mine, fresh = (paths.report_dir(folder, job.period, job.region) for folder in (incremental, scratch))
        kept, built = (json.loads((f / "figures.json").read_text(encoding="utf-8")) for f in (mine, fresh))
        moved = {name: (kept.get(name), built.get(name)) for name in {*kept, *built} if kept.get(name) != built.get(name)}
        if moved:
            found.append(f"{job.label}: figures (incremental, from scratch): {moved}")
        page, fresh_page = ((f / "report.html").read_text(encoding="utf-8") for f in (mine, fresh))
        if page != fresh_page:
            diff = list(unified_diff(fresh_page.splitlines(), page.splitlines(), "from scratch", "incremental",
                                     n=0, lineterm=""))
            found.append(f"{job.label}: report.html differs:\n" + "\n".join(diff[:12]))
    return found


@pytest.mark.slow
def test_an_incremental_run_equals_a_build_from_scratch_after_every_edit(tmp_path):
    seed = int(os.environ.get(SEED_VARIABLE) or random.SystemRandom().randrange(2**32))
    rng = random.Random(seed)
    inputs, outputs = shutil.copytree(OTHER_GRANT / "inputs", tmp_path / "inputs"), tmp_path / "outputs"
    made: list[str] = []
    try:
        with scratch_kernels(inputs) as started:
            build_from_scratch(inputs, outputs, JOBS, started)  # the first build, which `run` keeps up to date
            for n, edits in enumerate(steps(rng), start=1):
                made += [f"step {n}: {edit(rng, inputs)}" for edit in edits]
                before = builds(outputs)
                made.append(f"step {n}: the incremental run said: {run_incrementally(inputs, outputs)}")
                compared = not_rebuilt_in_full(before, builds(outputs))
                scratch = tmp_path / f"scratch-{n}"
                build_from_scratch(inputs, scratch, compared, started)
                found = differences(outputs, scratch, compared)
                if found:
                    raise AssertionError("\n".join(found))
                shutil.rmtree(scratch, ignore_errors=True)
    except AssertionError as failure:
        raise AssertionError(f"seed {seed} ({SEED_VARIABLE}={seed} replays it); the edits:\n" + "\n".join(made)
                             + f"\n{failure}") from None
