#!/usr/bin/env bash
# The gates before the tests (run by .ci/run and by pre-commit): ruff (pyflakes, pycodestyle,
# isort, bugbear, pyupgrade), mypy over pipeline/, the import-linter contracts, and dead code
# (vulture, scripts/dead_code.py), and the notebooks and docs/figures.md as scripts/generate.py writes them.
# Extra arguments go to nothing; configuration is in pyproject.toml.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
set -x
ruff check pipeline tests bench notebooks scripts
mypy
lint-imports --no-cache
python scripts/dead_code.py
python scripts/generate.py --check
