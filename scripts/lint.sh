#!/usr/bin/env bash
# The gates before the tests (run by .ci/run and by pre-commit): ruff (pyflakes, pycodestyle,
# isort, bugbear, pyupgrade), mypy over pipeline/, and the import-linter layers contract.
# Extra arguments go to nothing; configuration is in pyproject.toml.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
set -x
ruff check pipeline tests bench notebooks scripts
mypy
lint-imports --no-cache
