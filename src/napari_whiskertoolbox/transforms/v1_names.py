"""WhiskerToolbox's V1 operation names and their TransformsV2 twins, for messages and mapping.

Pipeline files (reference §6.1) hold TransformsV2 names only: WhiskerToolbox's pipeline
loader looks a step's ``transform_name`` up in the V2 registry and fails with "Transform
'<name>' not found in registry" for a V1 display name such as ``Calculate Area``. We refuse
them too, and say what to write instead: the V2 twin, or a config's ``transformations``
block for an operation that has none.
"""

from __future__ import annotations

__all__ = ["V1_TO_V2", "v1_in_pipeline_hint"]

V1_TO_V2: dict[str, str] = {
    "Calculate Area": "CalculateMaskArea",
    "Calculate Mask Centroid": "CalculateMaskCentroid",
    "Apply Median Filter": "MedianFilterMask",
    "Skeletonize Mask": "SkeletonizeMask",
    "Convert Mask To Line": "MaskToLine",
    "Threshold Event Detection": "AnalogEventThreshold",
    "Threshold Interval Detection": "AnalogIntervalThreshold",
    "Interval Peak Detection": "AnalogIntervalPeak",
    "Hilbert Phase": "AnalogHilbertPhase",
    "Boolean Operation": "DigitalIntervalBoolean",
    "Calculate Line Angle": "CalculateLineAngle",
    "Calculate Line Curvature": "CalculateLineCurvature",
    "Calculate Line to Point Distance": "CalculateLineMinPointDistance",
    "Clip Line by Reference Line": "ClipLineAtReference",
    "Extract Point from Line": "ExtractLinePoint",
    "Extract Line Subsegment": "ExtractLineSubsegment",
    "Resample Line": "ResampleLine",
    "Line Base Flip": "FlipLineBase",
}
"""V1 display name → the TransformsV2 transform sharing its implementation."""

_BLOCK = (
    "a config's transformations block (run_v1_transformations, the Transforms dock's "
    "'Save as config…')"
)


def v1_in_pipeline_hint(v1_name: str, v2_parameters: list[str] | None = None) -> str:
    """Say why V1 operation ``v1_name`` cannot go in a pipeline file, and what to write instead.

    Parameters
    ----------
    v1_name : str
        A V1 display name (reference §5).
    v2_parameters : list of str, optional
        The parameters of its TransformsV2 twin, named in the message.

    Returns
    -------
    str
        A sentence: its V2 twin (and that twin's parameters, whose names and defaults may
        differ from the V1 operation's, as may results: reference §5), or, with no twin,
        that it stays in a config's ``transformations`` block.
    """
    why = (
        f"'{v1_name}' is a WhiskerToolbox V1 operation name, which pipeline files do not hold "
        f"(WhiskerToolbox's pipeline loader refuses it too: \"Transform '{v1_name}' not found "
        'in registry")'
    )
    twin = V1_TO_V2.get(v1_name)
    if twin is None:
        return f"{why}; it has no TransformsV2 twin: keep it in {_BLOCK}"
    listed = ", ".join(v2_parameters or []) or "none"
    return (
        f"{why}; write its TransformsV2 twin '{twin}' instead (parameters: {listed}; names, "
        "defaults and some results differ from the V1 operation's, see the reference §5), "
        f"or keep '{v1_name}' in {_BLOCK}"
    )
