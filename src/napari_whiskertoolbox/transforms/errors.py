"""The exceptions of the transforms package: bad input and cancellation."""

from __future__ import annotations

from typing import Any

__all__ = ["TransformCancelled", "TransformError"]


class TransformError(ValueError):
    """Bad input to a transform, a pipeline or a command.

    The message names what is wrong: the transform, the parameter and its value, the data
    key, the file, or the step. Raised before anything in a DataManager changes.

    Parameters
    ----------
    message : str
        What is wrong and what was expected.
    transform : str, optional
        The transform (or command, or pipeline step) concerned.
    parameter : str, optional
        The parameter concerned.
    value : object, optional
        The offending value.
    key : str, optional
        The DataManager key concerned.
    """

    def __init__(
        self,
        message: str,
        *,
        transform: str | None = None,
        parameter: str | None = None,
        value: Any = None,
        key: str | None = None,
    ) -> None:
        self.transform = transform
        self.parameter = parameter
        self.value = value
        self.key = key
        self.reason = message
        prefix = f"{transform}: " if transform and not message.startswith(transform) else ""
        super().__init__(prefix + message)

    def reworded(self, message: str, transform: str | None = None) -> TransformError:
        """Return this error with the whole text ``message`` (to raise ``from`` it).

        The parameter, value and key are kept; ``transform`` replaces the transform when
        given. ``message`` is not prefixed with the transform's name.
        """
        error = TransformError(message, parameter=self.parameter, value=self.value, key=self.key)
        error.transform = transform or self.transform
        return error


class TransformCancelled(RuntimeError):
    """A transform stopped because its run was cancelled; nothing was stored."""

    def __init__(self, transform: str | None = None) -> None:
        self.transform = transform
        super().__init__(f"{transform} cancelled" if transform else "transform cancelled")
