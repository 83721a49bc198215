#!/usr/bin/env bash
# Runs the test suite (creating .venv on first use). Extra arguments go to pytest.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
exec python -m pytest "$@"
