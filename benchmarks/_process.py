"""Process figures the benchmarks share: resident memory, machine load, fresh-interpreter runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any


def rss_mb() -> tuple[float, float]:
    """Return (current, peak) resident set size of this process in MB (Linux ``/proc``)."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def load_line() -> str:
    """Return the machine's 1/5/15-minute load averages and core count, for the printout."""
    return (
        f"load average: {' '.join(f'{v:.1f}' for v in os.getloadavg())} on {os.cpu_count()} cores"
    )


def run_measurement(script: str, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``script`` with ``args`` in a fresh Python and return the JSON its last line prints."""
    out = subprocess.run(
        [sys.executable, script, *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])
