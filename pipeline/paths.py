"""Every path the pipeline knows, defined once."""

from __future__ import annotations

from pathlib import Path

from pipeline.exceptions import PipelineError

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"
TEMPLATES_DIR = PACKAGE_DIR / "templates"
NBCONVERT_TEMPLATES_DIR = TEMPLATES_DIR / "nbconvert"
HTML_TEMPLATES_DIR = TEMPLATES_DIR / "html"
DEFAULT_INPUTS = PROJECT_DIR / "inputs"
DEFAULT_OUTPUTS = PROJECT_DIR / "outputs"

#: What a run leaves in the temp folder (kernel sockets and connection files, the shared
#: inputs) is named TEMP_PREFIX + its process id + "-…": the next run removes a dead run's.
TEMP_PREFIX = "grant-report-kernel-"

GRANT_FILE = "grant.yml"

#: A report folder's report, by format.
REPORT_FILES = {"html": "report.html", "pdf": "report.pdf", "docx": "report.docx"}
NARRATIVES_DIR = "narratives"


def inside(root: Path, *segments: str) -> Path:
    """`root / segment / …`, made sure to stay inside `root`: each segment is one plain name
    (no separator, not `.` or `..`, not absolute) and the resolved path lies under `root`.

    Ids are checked against their shape (`pipeline.ids`) when the inputs are validated; this
    is the second wall, for every path the pipeline writes or reads under an id."""
    base = Path(root)
    for segment in segments:
        text = str(segment)
        if not text or text in (".", "..") or "/" in text or "\\" in text or "\0" in text:
            raise PipelineError(f"{text!r}: not a plain file or folder name; refused as a path under {root}")
    path = base.joinpath(*segments)
    resolved_root = base.resolve()
    if not path.resolve().is_relative_to(resolved_root):
        raise PipelineError(f"{path}: leads outside {root}; refused")
    return path


def report_dir(outputs: Path, period: str, region: str) -> Path:
    """Where one period x region report lives: OUT/<period>/<region>/ (never outside OUT)."""
    return inside(outputs, period, region)


def section_notebooks() -> list[Path]:
    """The report's section notebooks, in report order (by their NN_ prefix)."""
    return sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
