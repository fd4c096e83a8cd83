"""Memory freed while parsing goes back to the system after a load (glibc's malloc_trim)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from napari_whiskertoolbox.io.freed_memory import _malloc_trim, release_freed_memory


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(
    _malloc_trim() is None or not os.path.exists("/proc/self/statm"),
    reason="needs glibc's malloc_trim and /proc (Linux)",
)
def test_freed_heap_memory_leaves_the_process() -> None:
    blocks = [np.ones(1000) for _ in range(40_000)]  # 8 kB each: heap, not mmap
    blocks = blocks[1::2]  # every other block freed: holes glibc keeps without a trim
    before = _rss_bytes()
    assert release_freed_memory()
    released = before - _rss_bytes()
    assert released > 50 * 2**20, f"only {released / 2**20:.0f} MB released"
    assert len(blocks) == 20_000  # the rest is still there


def test_nothing_to_release_is_not_an_error() -> None:
    release_freed_memory()
    assert isinstance(release_freed_memory(), bool)
