"""Pipeline documents from the WhiskerToolbox transforms reference, shared by tests."""

from __future__ import annotations

SELF_ZSCORE = {
    "metadata": {"name": "Self z-score", "version": "1.0"},
    "pre_reductions": [
        {"reduction_name": "MeanValueRaw", "output_key": "mu"},
        {"reduction_name": "StdValueRaw", "output_key": "sigma"},
    ],
    "steps": [
        {
            "step_id": "z",
            "transform_name": "ZScoreNormalizeV2",
            "parameters": {"clamp_outliers": False},
            "param_bindings": {"mean": "mu", "std_dev": "sigma"},
        }
    ],
}
"""The reference's "Self z-score" example: an analog series in, its z-score out."""
