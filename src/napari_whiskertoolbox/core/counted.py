"""Counts in messages and summaries: ``1 chunk``, ``3,000 chunks``."""

from __future__ import annotations

__all__ = ["counted"]


def counted(n: int, noun: str) -> str:
    """Return ``n`` (thousands separated) with ``noun``, plural unless ``n`` is 1."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"
