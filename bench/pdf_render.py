"""How long `pipeline.pdf.to_pdf` takes for one report (issue 3: under 2 s for the demo).

    .venv/bin/python bench/pdf_render.py [--runs 7] [--outputs DIR] [--period 2022-interim] [--region all]

Uses the executed notebooks of `DIR/<period>/<region>/notebooks/` when they are there (e.g.
after `bash scripts/demo.sh`, DIR = outputs), else builds that one report into a temporary
folder first (not timed). Then times `to_pdf(stitching.merge(notebooks), title)` -- what
`run --format pdf` does per report -- and, separately, its two halves: nbconvert (merge +
HTML through the report template) and WeasyPrint (`html_to_pdf`). Prints medians of wall
and CPU time, the first call (WeasyPrint import, font set-up) apart, and the page count.
The machine's load average is printed too: on a busy machine wall time is not the PDF's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from pipeline import paths, pdf, stitching  # noqa: E402


def _notebooks(outputs: Path | None, period: str, region: str, scratch: Path) -> list[Path]:
    if outputs is not None:
        found = sorted((paths.report_dir(outputs, period, region) / "notebooks").glob("*.ipynb"))
        if found:
            return found
    from pipeline.loading import load_inputs
    from pipeline.running import ReportJob, build_report

    print(f"building {period}/{region} from {paths.DEFAULT_INPUTS} (not timed)…", flush=True)
    result = build_report(ReportJob(period, region), load_inputs(paths.DEFAULT_INPUTS), scratch, ("html",))
    if not result.ok:
        sys.exit(f"build failed: {result.error}")
    return sorted((result.folder / "notebooks").glob("*.ipynb"))


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


def _row(label: str, samples: list[tuple[float, float]]) -> str:
    wall = statistics.median(s[0] for s in samples)
    cpu = statistics.median(s[1] for s in samples)
    best = min(s[0] for s in samples)
    return f"{label:<34} median {wall:6.3f} s wall  {cpu:6.3f} s CPU   (best {best:.3f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--outputs", type=Path, help="a folder of built reports (default: build one)")
    parser.add_argument("--period", default="2022-interim")
    parser.add_argument("--region", default="all")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as tmp:
        scratch = Path(tmp)
        notebooks = _notebooks(args.outputs, args.period, args.region, scratch)
        title = f"{args.period} — {args.region}"
        print(f"report {args.period}/{args.region}: {len(notebooks)} notebooks, {args.runs} runs, "
              f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")

        data, first_wall, first_cpu = _timed(lambda: pdf.to_pdf(stitching.merge(notebooks), title))
        whole, halves_html, halves_pdf = [], [], []
        for _ in range(args.runs):
            data, wall, cpu = _timed(lambda: pdf.to_pdf(stitching.merge(notebooks), title))
            whole.append((wall, cpu))
            html, wall, cpu = _timed(lambda: stitching.to_html(stitching.merge(notebooks), title))
            halves_html.append((wall, cpu))
            _, wall, cpu = _timed(lambda: pdf.html_to_pdf(html))
            halves_pdf.append((wall, cpu))

        print(f"{'first call (imports, fonts)':<34} {first_wall:6.3f} s wall  {first_cpu:6.3f} s CPU")
        print(_row("to_pdf (merge + nbconvert + PDF)", whole))
        print(_row("  merge + nbconvert HTML", halves_html))
        print(_row("  WeasyPrint html_to_pdf", halves_pdf))
        print(f"pages: {_pages(data, scratch)}, {len(data) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
