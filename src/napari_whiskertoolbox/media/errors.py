"""Errors raised when a media file or folder cannot be opened or read."""

from __future__ import annotations

__all__ = ["MediaError", "MediaFileNotFoundError"]


class MediaError(ValueError):
    """A media file or folder is unreadable or does not hold what was expected."""


class MediaFileNotFoundError(MediaError, FileNotFoundError):
    """A media path does not exist."""
