"""OUT/index.html: the reviewers' entry point to every period x region built in a folder."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader

from pipeline import disk, paths

FAILED_SUFFIX = ".failed"


def _files(outputs: Path, folder: Path) -> dict[str, str]:
    """The report's formats that were written (a run may make HTML or PDF only), as links."""
    return {kind: (folder / name).relative_to(outputs).as_posix()
            for kind, name in paths.REPORT_FILES.items() if (folder / name).is_file()}


def _report(outputs: Path, folder: Path) -> dict:
    rel = folder.relative_to(outputs).as_posix()
    failed = folder.name.endswith(FAILED_SUFFIX)
    region = folder.name.removesuffix(FAILED_SUFFIX)
    notebooks = sorted(folder.glob("notebooks/*.html")) or sorted(folder.glob("notebooks/*.ipynb"))
    entry = {
        "period": folder.parent.name, "region": region, "failed": failed,
        "notebooks": [{"name": p.stem, "href": p.relative_to(outputs).as_posix()} for p in notebooks],
    }
    if failed:
        error = folder / "error.txt"
        entry["error"] = error.read_text(encoding="utf-8").strip() if error.is_file() else ""
        entry["previous"] = next(iter(_files(outputs, folder.with_name(region)).values()), None)
    else:
        entry.update(files=_files(outputs, folder), figures=f"{rel}/figures.json", manifest=f"{rel}/manifest.json")
    return entry


def reports(outputs: Path) -> list[dict]:
    """Every report folder (built or failed) under OUT/<period>/<region>, sorted."""
    found = []
    for folder in sorted(outputs.glob("*/*")):
        if folder.is_dir() and not folder.name.startswith(".") and (
                (folder / "manifest.json").is_file() or folder.name.endswith(FAILED_SUFFIX)):
            found.append(_report(outputs, folder))
    return found


def write_index(outputs: Path) -> Path:
    """Write OUT/index.html (replaced whole, never half-written)."""
    outputs = Path(outputs)
    env = Environment(loader=FileSystemLoader(paths.HTML_TEMPLATES_DIR), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    html = env.get_template("index.html.j2").render(reports=reports(outputs))
    target = outputs / "index.html"
    disk.write_text(target, html)
    return target
