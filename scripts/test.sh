#!/usr/bin/env bash
# Installs what the tests need, runs ruff, the import contracts and mypy, then the whole pytest
# suite (GUI tests under Xvfb).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"
cd "$ROOT"

ensure_system_packages
ensure_venv testing

echo "==> FFmpeg 6 libraries of the whisker tracker (whisk-janelia), from PyPI"
"$PY" -m napari_whiskertoolbox setup-tracing

echo "==> ruff"
"$VENV/bin/ruff" check src tests benchmarks scripts
"$VENV/bin/ruff" format --check src tests benchmarks scripts

echo "==> import contracts (import-linter)"
"$VENV/bin/lint-imports"

echo "==> mypy"
"$VENV/bin/mypy"

echo "==> pytest"
export QT_API="${QT_API:-pyqt6}"
# pytest-xvfb starts a virtual X server for the whole run, so GUI tests get real OpenGL (Mesa).
# The whole suite (no arguments) runs in one worker process per core (pytest-xdist, each
# worker with its own Xvfb); arguments run as given, in this process.
if [ "$#" -eq 0 ]; then
  set -- -n auto
fi
set +e
"$PY" -m pytest "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "ERROR: pytest collected no tests" >&2
fi
exit "$rc"
