"""Every path the pipeline knows, defined once."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pipeline.exceptions import PipelineError

PACKAGE_DIR = Path(__file__).resolve().parent
#: Where an installed wheel keeps the section notebooks, in the package: the package data of
#: `pipeline._notebooks`, which pyproject.toml maps to the repository's top-level notebooks/.
SHIPPED_NOTEBOOKS = "_notebooks"


def notebooks_dir(package_dir: Path) -> Path:
    """The section notebooks' folder for the package in `package_dir`: the copy shipped inside
    it (an installed wheel, `pip install .` or `pipx install .`), else the repository's
    top-level notebooks/ beside it (a checkout on PYTHONPATH, or an editable install)."""
    shipped = package_dir / SHIPPED_NOTEBOOKS
    return shipped if shipped.is_dir() else package_dir.parent / "notebooks"


NOTEBOOKS_DIR = notebooks_dir(PACKAGE_DIR)
TEMPLATES_DIR = PACKAGE_DIR / "templates"
NBCONVERT_TEMPLATES_DIR = TEMPLATES_DIR / "nbconvert"
HTML_TEMPLATES_DIR = TEMPLATES_DIR / "html"
#: The message catalogues of the report's fixed texts (`pipeline.language`): <language>/LC_MESSAGES/.
LOCALE_DIR = PACKAGE_DIR / "locale"
#: The folders a command reads and writes unless told otherwise: ./inputs and ./outputs of
#: the current folder (relative, so that an installed tool serves any grant's folder).
DEFAULT_INPUTS = Path("inputs")
DEFAULT_OUTPUTS = Path("outputs")

#: What a run leaves in the temp folder (kernel sockets and connection files, the shared
#: inputs) is named TEMP_PREFIX + its process id + "-…": the next run removes a dead run's.
TEMP_PREFIX = "grant-report-kernel-"

GRANT_FILE = "grant.yml"

#: A report folder's report, by format: the form the grantee hands in, ending with its signature.
REPORT_FILES = {"html": "report.html", "pdf": "report.pdf", "docx": "report.docx"}
#: The evidence beside it, by format: the data notes and the registry of figures (each figure's
#: meaning, the cell that computed it, its rows). Written with any format; its PDF with the report's.
EVIDENCE_FILES = {"html": "evidence.html", "pdf": "evidence.pdf"}


def evidence_files(formats: Iterable[str]) -> list[str]:
    """The evidence files a build of these report formats writes."""
    chosen = set(formats)
    return [name for kind, name in EVIDENCE_FILES.items() if chosen and (kind == "html" or kind in chosen)]
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
