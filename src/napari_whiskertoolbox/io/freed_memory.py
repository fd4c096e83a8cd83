"""Hand memory freed while parsing back to the system (glibc's ``malloc_trim``).

Parsing a big session allocates and frees many blocks (text, Python objects, temporary
arrays). glibc's allocator keeps freed heap memory for reuse, so after a load the process
stays ~100-150 MB bigger than the data it holds; ``malloc_trim(0)`` (glibc >= 2.8) returns
the free pages at the top of each heap and the unused pages inside them. Elsewhere (macOS,
Windows, musl) there is nothing to call and nothing is done.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from typing import Any

__all__ = ["release_freed_memory"]


@functools.cache
def _malloc_trim() -> Any:
    """Glibc's ``malloc_trim``, or None where the C library has none."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_freed_memory() -> bool:
    """Return the allocator's free memory to the system; whether any was released.

    Returns
    -------
    bool
        True when ``malloc_trim`` released memory; False when it found none or the C
        library has no ``malloc_trim``.
    """
    trim = _malloc_trim()
    return bool(trim(0)) if trim is not None else False
