#!/usr/bin/env bash
# Builds every demo report from inputs/ into outputs/ (creating .venv on first use).
# Extra arguments go to `python -m pipeline run`, e.g. --period 2022-interim --region all.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
exec python -m pipeline run "$@"
