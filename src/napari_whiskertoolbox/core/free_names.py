"""The first free name: ``base``, else ``base_2``, ``base_3``… (keys, clocks, files, prefixes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Collection

__all__ = ["first_free", "free_prefix"]


def first_free(base: str, is_taken: Callable[[str], bool]) -> str:
    """Return ``base`` if ``is_taken`` says it is free, else the first free ``base_<n>``, n >= 2.

    Examples
    --------
    ``first_free("media", {"media", "media_2"}.__contains__)`` → ``"media_3"``.
    """
    name, n = base, 2
    while is_taken(name):
        name, n = f"{base}_{n}", n + 1
    return name


def free_prefix(base: str, taken: Collection[str]) -> str:
    """Return the first ``base`` / ``base_<n>`` free as a key prefix.

    Free: neither in ``taken`` nor the ``<name>_`` start of a name in it, so keys
    ``<prefix>_<part>`` cannot collide with those of ``taken``.
    """
    return first_free(
        base, lambda name: name in taken or any(k.startswith(f"{name}_") for k in taken)
    )
