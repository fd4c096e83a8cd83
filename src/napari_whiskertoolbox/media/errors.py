"""Errors and warnings raised when a media file or folder cannot be opened or read."""

from __future__ import annotations

__all__ = ["FrameDecodeError", "MediaError", "MediaFileNotFoundError", "MediaWarning"]


class MediaError(ValueError):
    """A media file or folder is unreadable or does not hold what was expected."""


class MediaFileNotFoundError(MediaError, FileNotFoundError):
    """A media path does not exist."""


class FrameDecodeError(MediaError):
    """One frame of a media file cannot be decoded (the file itself opened).

    Parameters
    ----------
    message : str
        The message, naming the file and the frame.
    frame : int
        The frame number (0-based, presentation order).
    """

    def __init__(self, message: str, frame: int) -> None:
        super().__init__(message)
        self.frame = int(frame)


class MediaWarning(UserWarning):
    """A media file carries something players honour that is not applied here."""
