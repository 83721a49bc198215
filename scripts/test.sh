#!/usr/bin/env bash
# Runs the test suite (creating .venv on first use). Extra arguments go to pytest.
bash "$(dirname "${BASH_SOURCE[0]}")/system-packages.sh" --test || echo "continuing without them" >&2
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
exec python -m pytest "$@"
