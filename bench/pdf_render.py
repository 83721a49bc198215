"""How long one report's PDF takes (issue 3: under 2 s for the demo), and its Word document
(issue 15).

    .venv/bin/python bench/pdf_render.py [--runs 7] [--outputs DIR] [--period 2022-interim] [--region all]
    .venv/bin/python bench/pdf_render.py --outputs DIR --every [--runs 5]
    .venv/bin/python bench/pdf_render.py --outputs DIR --chromium
    .venv/bin/python bench/pdf_render.py --in-build [--runs 3] [--period …] [--region …]

Uses the executed notebooks and manifest of `DIR/<period>/<region>/` when they are there
(e.g. after `bash scripts/demo.sh`, DIR = outputs), else builds that one report into a
temporary folder first (not timed). Then times what `builder.write_products` does for a
report: the report page (`stitching.to_html` of the merged notebooks, the «Реестр
показателей» appendix built from the manifest's figure provenance included; one export
serves report.html and report.pdf) and the PDF laid out from it by WeasyPrint
(`pdf.html_to_pdf`: the PDF's own cost), plus the PDF through the nbconvert exporter
(`pdf.to_pdf`, what `jupyter nbconvert --to grant_pdf` does), and the Word document made from
the same page by python-docx (`word.html_to_docx`). Prints medians of wall and CPU
time, the first call (WeasyPrint import, font set-up) apart, and the page count. The
machine's load average is printed too: on a busy machine wall time is not the PDF's. Wall
and CPU time of WeasyPrint vary up to 1.7x on this VM from one minute to the next, so the
work is also counted in Python function calls (one profiled run): a noise-free measure to
compare versions of the template by.

`--every` times every report built in DIR instead (the whole demo: 16 reports), one line per
report (the PDF, and the Word document), then the median and the largest over all reports. `--chromium` also times Debian's
headless Chromium printing the same page (through playwright), to compare engines.

`--in-build` times the PDF where a user meets it: inside a fresh process building one report
(`builder.build_report`, forced), where WeasyPrint's one-off import and font set-up (the
"first call" above) either overlaps the notebooks' execution (`pdf.warm_up`, what a build
does) or is paid when the PDF is made (warm-up off, as before it existed). Each run is a new
process; prints the report PDF's time and the whole build's, medians of `--runs`.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
DEMO_INPUTS = PROJECT / "inputs"  # the repository's demo grant, wherever the bench is started
sys.path.insert(0, str(PROJECT))

from pipeline import paths  # noqa: E402
from pipeline.assembly import pdf, stitching, word  # noqa: E402
from pipeline.notebook import views  # noqa: E402


def _built_report(outputs: Path | None, period: str, region: str, scratch: Path) -> Path:
    """The folder of one built report (executed notebooks and manifest)."""
    if outputs is not None:
        folder = paths.report_dir(outputs, period, region)
        if (folder / "manifest.json").exists() and any((folder / "notebooks").glob("*.ipynb")):
            return folder
    from pipeline.assembly.builder import ReportJob, build_report
    from pipeline.inputs.loading import load_inputs

    print(f"building {period}/{region} from {DEMO_INPUTS} (not timed)…", flush=True)
    result = build_report(ReportJob(period, region), load_inputs(DEMO_INPUTS), scratch, ("html",))
    if not result.ok:
        sys.exit(f"build failed: {result.error}")
    return result.folder


def _timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return value, time.perf_counter() - wall, time.process_time() - cpu


def _pages(data: bytes, scratch: Path) -> str:
    target = scratch / "bench.pdf"
    target.write_bytes(data)
    try:
        info = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "? (pdfinfo not installed)"
    return next(line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("Pages:"))


def _calls(fn) -> float:
    """Millions of Python function calls one run of `fn` makes (deterministic, unlike time)."""
    profile = cProfile.Profile()
    profile.runcall(fn)
    return pstats.Stats(profile).total_calls / 1e6


def _row(label: str, samples: list[tuple[float, float]]) -> str:
    wall = statistics.median(s[0] for s in samples)
    cpu = statistics.median(s[1] for s in samples)
    best = min(s[0] for s in samples)
    return f"{label:<34} median {wall:6.3f} s wall  {cpu:6.3f} s CPU   (best {best:.3f} s)"


def _report(folder: Path):
    """The report in `folder`: its executed notebooks, their merge as `write_products` makes
    it (the registry appendix from the manifest included), its title."""
    notebooks = sorted((folder / "notebooks").glob("*.ipynb"))
    provenance = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["figures"]

    def stitched():
        return stitching.merge(notebooks, (views.registry(provenance),))

    return notebooks, stitched, f"{folder.parent.name} — {folder.name}"


def every_report(outputs: Path, runs: int, scratch: Path) -> None:
    """Every built report of `outputs`: the PDF from its page, median and best of `runs`."""
    folders = [m.parent for m in sorted(outputs.glob("*/*/manifest.json")) if not m.parent.name.startswith(".")]
    if not folders:
        sys.exit(f"{outputs}: no built report")
    print(f"{len(folders)} reports of {outputs}, {runs} runs each, load average {os.getloadavg()[0]:.2f} "
          f"on {os.cpu_count()} CPUs")
    print("| report | pages | PDF median s | PDF best s | PDF M calls | page export s | Word median s |\n"
          "|---|---:|---:|---:|---:|---:|---:|")
    medians, documents = [], []
    for folder in folders:
        _, stitched, title = _report(folder)
        page, export, _ = _timed(lambda: stitching.to_html(stitched(), title))  # noqa: B023 - called at once
        data = pdf.html_to_pdf(page)  # the first call of a process pays WeasyPrint's import and font set-up
        samples = [_timed(lambda: pdf.html_to_pdf(page))[1] for _ in range(runs)]  # noqa: B023 - called at once
        medians.append((statistics.median(samples), f"{folder.parent.name}/{folder.name}"))
        paper = views.without_row_lists(page)
        documents.append(statistics.median(_timed(lambda: word.html_to_docx(paper))[1] for _ in range(runs)))  # noqa: B023
        print(f"| {medians[-1][1]} | {_pages(data, scratch)} | {medians[-1][0]:.2f} | {min(samples):.2f} "
              f"| {_calls(lambda: pdf.html_to_pdf(page)):.2f} | {export:.2f} | {documents[-1]:.2f} |",  # noqa: B023
              flush=True)
    largest = max(medians)
    print(f"median over the {len(medians)} reports: {statistics.median(m for m, _ in medians):.2f} s; "
          f"largest: {largest[0]:.2f} s ({largest[1]}); under 2 s: {sum(m < 2 for m, _ in medians)} of {len(medians)}")
    print(f"Word document: median over the reports {statistics.median(documents):.2f} s, largest {max(documents):.2f} s")


def in_build(period: str, region: str, runs: int) -> None:
    """The report's PDF inside a real one-report build, with and without the warm-up."""
    print(f"report {period}/{region} built from {DEMO_INPUTS} in a new process per run, "
          f"{runs} runs, load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    for warm in (False, True):
        samples = [json.loads(subprocess.run(
            [sys.executable, __file__, "--build-once", period, region, str(warm)],
            check=True, capture_output=True, text=True).stdout.splitlines()[-1]) for _ in range(runs)]
        label = "warm-up during the notebooks" if warm else "no warm-up"
        print(f"{label:<30} report PDF median {statistics.median(s['pdf'] for s in samples):.2f} s, "
              f"whole build median {statistics.median(s['build'] for s in samples):.2f} s")


def _build_once(period: str, region: str, warm: bool) -> None:
    """One forced build in this (new) process; prints its timings as a JSON line."""
    from pipeline.assembly import builder
    from pipeline.assembly.builder import ReportJob, build_report
    from pipeline.inputs.loading import load_inputs

    if not warm:
        pdf.warm_up = lambda: None
    render, spent = pdf.html_to_pdf, []

    def timed(page, *args, **kwargs):
        data, wall, _ = _timed(lambda: render(page, *args, **kwargs))
        spent.append(wall)
        return data

    builder.pdf.html_to_pdf = timed
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as tmp:
        result, wall, _ = _timed(lambda: build_report(ReportJob(period, region), load_inputs(DEMO_INPUTS),
                                                      Path(tmp), ("html", "pdf"), force=True))
    if not result.ok:
        sys.exit(f"build failed: {result.error}")
    print(json.dumps({"pdf": spent[-1], "build": wall}))  # the last call is the report's (the first may be the warm-up)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--outputs", type=Path, help="a folder of built reports (default: build one)")
    parser.add_argument("--period", default="2022-interim")
    parser.add_argument("--region", default="all")
    parser.add_argument("--every", action="store_true", help="time every report built in --outputs")
    parser.add_argument("--in-build", action="store_true",
                        help="time the report's PDF inside a real one-report build, warm-up on and off")
    parser.add_argument("--build-once", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--chromium", action="store_true",
                        help="also time headless Chromium printing the same HTML (Debian's chromium, playwright)")
    args = parser.parse_args()
    if args.build_once:
        period, region, warm = args.build_once
        return _build_once(period, region, warm == "True")
    if args.in_build:
        return in_build(args.period, args.region, args.runs)

    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as tmp:
        scratch = Path(tmp)
        if args.every:
            if args.outputs is None:
                sys.exit("--every needs --outputs (a folder of built reports)")
            return every_report(args.outputs, args.runs, scratch)
        folder = _built_report(args.outputs, args.period, args.region, scratch)
        notebooks, stitched, title = _report(folder)
        print(f"report {args.period}/{args.region}: {len(notebooks)} notebooks, {args.runs} runs, "
              f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")

        page = stitching.to_html(stitched(), title)
        data, first_wall, first_cpu = _timed(lambda: pdf.html_to_pdf(page))
        paper = views.without_row_lists(page)
        _, docx_first, _ = _timed(lambda: word.html_to_docx(paper))
        pages, laid_out, exported, documents = [], [], [], []
        for _ in range(args.runs):
            page, wall, cpu = _timed(lambda: stitching.to_html(stitched(), title))
            pages.append((wall, cpu))
            data, wall, cpu = _timed(lambda: pdf.html_to_pdf(page))  # noqa: B023 - called at once
            laid_out.append((wall, cpu))
            _, wall, cpu = _timed(lambda: pdf.to_pdf(stitched(), title))
            exported.append((wall, cpu))
            document, wall, cpu = _timed(lambda: word.html_to_docx(paper))
            documents.append((wall, cpu))

        print(f"{'first call (imports, fonts)':<34} {first_wall:6.3f} s wall  {first_cpu:6.3f} s CPU")
        print(_row("report page (nbconvert, shared)", pages))
        print(_row("PDF from it (WeasyPrint)", laid_out))
        print(_row("PDF via the nbconvert exporter", exported))
        print(_row("Word document from it (python-docx)", documents) + f"  (first call {docx_first:.3f} s)")
        print(f"work: {_calls(lambda: pdf.html_to_pdf(page)):.2f} M Python calls in WeasyPrint, "
              f"{_calls(lambda: stitching.to_html(stitched(), title)):.2f} M for the page")
        print(f"pages: {_pages(data, scratch)}, {len(data) / 1024:.0f} KiB; Word document {len(document) / 1024:.0f} KiB")
        if args.chromium:
            chromium(page, args.runs, scratch)


def chromium(html: str, runs: int, scratch: Path, executable: str = "/usr/bin/chromium") -> None:
    """The same HTML printed by headless Chromium (Debian's, through playwright) instead of
    WeasyPrint: a comparison of engines, not what the pipeline renders."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        (browser, wall, cpu) = _timed(lambda: p.chromium.launch(executable_path=executable))
        print(f"{'Chromium launch (once per process)':<34} {wall:6.3f} s wall")

        def render() -> bytes:
            page = browser.new_page()
            try:
                page.set_content(html, wait_until="load")
                return page.pdf(prefer_css_page_size=True, print_background=True)
            finally:
                page.close()

        samples = []
        for _ in range(runs):
            data, wall, cpu = _timed(render)
            samples.append((wall, cpu))
        browser.close()
    print(_row("Chromium print-to-PDF, same HTML", samples) + "  (browser CPU not counted)")
    print(f"pages: {_pages(data, scratch)}, {len(data) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
