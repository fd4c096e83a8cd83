"""The single exception family raised for bad input files and configs."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from os import PathLike

__all__ = ["FormatError"]


class FormatError(ValueError):
    """Bad input: a missing or malformed file, or an invalid config item.

    The message always names where the problem is (file, 1-based line, config item)
    and what was expected.

    Parameters
    ----------
    message : str
        What is wrong and what was expected.
    path : str or path-like, optional
        The offending file.
    line : int, optional
        1-based line number inside ``path``.
    item : str, optional
        Config item description, e.g. ``"data[2] 'whisker'"``.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | PathLike[str] | None = None,
        line: int | None = None,
        item: str | None = None,
    ) -> None:
        self.path = None if path is None else str(path)
        self.line = line
        self.item = item
        self.reason = message
        where = []
        if item is not None:
            where.append(f"config item {item}")
        if self.path is not None:
            where.append(f"file '{self.path}'" + (f", line {line}" if line is not None else ""))
        elif line is not None:
            where.append(f"line {line}")
        prefix = "; ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)

    def with_item(self, item: str) -> FormatError:
        """Return a copy of this error that also names the config ``item``."""
        if self.item is not None:
            return self
        err = FormatError(self.reason, path=self.path, line=self.line, item=item)
        err.__cause__ = self.__cause__
        return err
