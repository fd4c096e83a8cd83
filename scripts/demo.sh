#!/usr/bin/env bash
# Sets up .venv and launches napari with napari-whiskertoolbox and its demo session.
#   bash scripts/demo.sh                     # interactive
#   bash scripts/demo.sh --screenshot out.png  # save a PNG of the window and exit (works without a display)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"
cd "$ROOT"

if [ -z "${DISPLAY:-}" ] || [[ " $* " == *" --screenshot "* ]]; then
  ensure_system_packages
fi
ensure_venv all

if [ -z "${DISPLAY:-}" ]; then
  echo "==> no DISPLAY: running under xvfb-run"
  exec xvfb-run -a -s "-screen 0 1600x1000x24" "$PY" -m napari_whiskertoolbox demo "$@"
fi
exec "$PY" -m napari_whiskertoolbox demo "$@"
