"""Dead code fails the gate: vulture over pipeline/, with the section notebooks' code cells
(what they call is used), scripts/generate.py (which writes them from the declarations) and
scripts/vulture_whitelist.py (names only a library calls:
traitlets defaults, nbconvert exporter hooks, python-docx attributes, …).

    python scripts/dead_code.py

Configuration (confidence, decorators that mark a name used) is [tool.vulture] in
pyproject.toml. A function only the tests call is dead: delete it with its tests, or, when it
is an entry point kept on purpose (a public helper of the API), add it to the whitelist with why.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def notebook_code(notebook: Path) -> str:
    """The code cells of a notebook, one after another, IPython's magics left out."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    sources = ("".join(cell["source"]) for cell in cells if cell["cell_type"] == "code")
    return "\n\n".join("\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
                       for source in sources) + "\n"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="dead-code-") as scratch:
        extracted = []
        for notebook in sorted((PROJECT / "notebooks").glob("*.ipynb")):
            target = Path(scratch) / f"{notebook.stem}.py"
            target.write_text(notebook_code(notebook), encoding="utf-8")
            extracted.append(str(target))
        command = [sys.executable, "-m", "vulture", str(PROJECT / "pipeline"), str(PROJECT / "scripts" / "generate.py"),
                   str(PROJECT / "scripts" / "vulture_whitelist.py"), *extracted]
        return subprocess.call(command, cwd=PROJECT)


if __name__ == "__main__":
    sys.exit(main())
