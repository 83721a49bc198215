#!/usr/bin/env bash
# Runs the test suite (creating .venv on first use). Extra arguments go to pytest.
bash "$(dirname "${BASH_SOURCE[0]}")/system-packages.sh" --test || echo "continuing without them" >&2
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# pytest rewrites every test module's asserts as it imports it, seconds of the fast loop, unless
# it may keep the result as bytecode (in __pycache__/, ignored by git): even where the
# environment asks Python to write none.
export PYTHONDONTWRITEBYTECODE=""
exec python -m pytest "$@"
