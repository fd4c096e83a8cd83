"""The unit of a transform's analog result, from the transform's one declaration.

Each transform that makes an analog signal declares its unit where it is registered
(``output_unit=`` of :func:`~napari_whiskertoolbox.transforms.registry.element_transform`
and :func:`~napari_whiskertoolbox.transforms.registry.container_transform`), following the
reference's conventions (§1.6: angles in degrees, phase in radians, lengths in pixels):

* a unit (``"degrees"``, ``"radians"``, ``"pixels"``, ``"dimensionless"``);
* a template of the input's unit: ``"{unit}"`` keeps it (a filtered or interpolated
  signal), ``"{unit}/sample"`` makes it per sample (a difference); an input without a unit
  gives a result without one;
* ``(parameter, {value: unit or template})``: the unit depends on a parameter (Hilbert's
  ``output_type``: ``Phase`` in radians, ``Amplitude`` in the input's unit); a value not
  listed gives no unit.

A transform that declares nothing leaves its result's unit as it made it. The unit is kept
by sessions and written to NWB (a ``TimeSeries``' ``unit``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Union

from napari_whiskertoolbox.core.analog import AnalogTimeSeries

if TYPE_CHECKING:
    from napari_whiskertoolbox.transforms.registry import TransformSpec
    from napari_whiskertoolbox.transforms.schema import Params

__all__ = [
    "DEGREES",
    "DIMENSIONLESS",
    "FRAMES",
    "INPUT_UNIT",
    "PIXELS",
    "RADIANS",
    "OutputUnit",
    "output_unit",
    "stamp_unit",
    "unit_of",
]

OutputUnit = Union[str, tuple[str, Mapping[str, str]], None]  # noqa: UP007 (a runtime alias)
"""A transform's declaration of its result's unit (see the module docstring)."""

INPUT_UNIT = "{unit}"
DEGREES = "degrees"
RADIANS = "radians"
PIXELS = "pixels"
FRAMES = "frames"
DIMENSIONLESS = "dimensionless"


def unit_of(data: Any) -> str | None:
    """Return the unit of an analog signal (None for other data or no unit)."""
    return data.unit if isinstance(data, AnalogTimeSeries) else None


def output_unit(declared: OutputUnit, input_unit: str | None, params: Params | None) -> str | None:
    """Return the result's unit for the declaration ``declared``.

    Parameters
    ----------
    declared : OutputUnit
        The transform's declaration (not None).
    input_unit : str or None
        The first input's unit.
    params : Params or None
        The parsed parameters (for a declaration that depends on one).
    """
    if isinstance(declared, tuple):
        name, by_value = declared
        value = None if params is None else getattr(params, name, None)
        template = by_value.get(str(value)) if value is not None else None
    else:
        template = declared
    if template is None:
        return None
    if INPUT_UNIT in template:
        return None if input_unit is None else template.replace(INPUT_UNIT, input_unit)
    return template


def stamp_unit(
    spec: TransformSpec,
    input_unit: str | None,
    params: Params | None,
    result: Any,
    inputs: Sequence[Any] = (),
) -> Any:
    """Set ``spec``'s declared unit on an analog ``result`` and return it.

    A result that is one of ``inputs`` (a transform returning its input) is copied first,
    so the input keeps its unit. Undeclared transforms and other data are returned as they
    are.
    """
    if spec.output_unit is None or not isinstance(result, AnalogTimeSeries):
        return result
    unit = output_unit(spec.output_unit, input_unit, params)
    if unit == result.unit:
        return result
    if any(result is data for data in inputs):
        result = result.copy()
    result.unit = unit
    return result
