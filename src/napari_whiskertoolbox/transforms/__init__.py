"""WhiskerToolbox's transforms and pipelines, Qt-free.

* the TransformsV2 catalogue under WhiskerToolbox's names and the legacy V1 operations
  under their display names (``names()``, ``describe(name)``);
* ``apply_transform`` (pure) and ``run_transform`` (stores a new key as one undo step);
* TransformsV2 pipeline files, the pipeline library, commands and the JSON pipeline runner;
* Python functions registered as transforms (``@transform``).

Everything follows ``shared/reference/wt_transforms.md`` (cited as "reference §n").

Importing the package is cheap (no scipy, scikit-image or scikit-learn: the functions that
use them import them), so every entry point that loads configs can import it; doing so
registers the runner of configs' ``transformations`` blocks with
:func:`napari_whiskertoolbox.io.config.set_transformations_runner`.
"""

from __future__ import annotations

from napari_whiskertoolbox.io.config import set_transformations_runner

# Catalogue modules register their transforms on import (order = registration order).
from napari_whiskertoolbox.transforms import (  # noqa: F401
    analog,
    interval_reductions,
    intervals,
    legacy_v1,
    lines,
    masks,
    points,
    tensors,
    v1_line_alignment,
    v1_line_groups,
    v1_particle_filter,
    v1_whisker_tracing,
    values,
)
from napari_whiskertoolbox.transforms.api import apply_transform, describe, names, run_transform
from napari_whiskertoolbox.transforms.commands import COMMANDS, run_command, run_commands
from napari_whiskertoolbox.transforms.context import TransformContext
from napari_whiskertoolbox.transforms.errors import TransformCancelled, TransformError
from napari_whiskertoolbox.transforms.json_runner import (
    PipelineRunResult,
    pipeline_cli,
    run_json_pipeline,
)
from napari_whiskertoolbox.transforms.library import PipelineLibrary, pipeline_file_stem
from napari_whiskertoolbox.transforms.pipeline import (
    Pipeline,
    PipelineStep,
    load_pipeline,
    save_pipeline,
)
from napari_whiskertoolbox.transforms.python_transforms import (
    load_entry_point_transforms,
    load_transforms_from_file,
    load_user_transforms,
    register_function,
    transform,
    unregister,
    user_transforms_dir,
)
from napari_whiskertoolbox.transforms.range_reductions import RANGE_REDUCTIONS
from napari_whiskertoolbox.transforms.recorder import AppliedStep, AppliedSteps
from napari_whiskertoolbox.transforms.registry import REGISTRY, TransformSpec
from napari_whiskertoolbox.transforms.schema import Param, Params, ParamSchema
from napari_whiskertoolbox.transforms.v1_runner import run_v1_transformations

__all__ = [
    "COMMANDS",
    "RANGE_REDUCTIONS",
    "REGISTRY",
    "AppliedStep",
    "AppliedSteps",
    "Param",
    "ParamSchema",
    "Params",
    "Pipeline",
    "PipelineLibrary",
    "PipelineRunResult",
    "PipelineStep",
    "TransformCancelled",
    "TransformContext",
    "TransformError",
    "TransformSpec",
    "apply_transform",
    "describe",
    "load_entry_point_transforms",
    "load_pipeline",
    "load_transforms_from_file",
    "load_user_transforms",
    "names",
    "pipeline_cli",
    "pipeline_file_stem",
    "register_function",
    "run_command",
    "run_commands",
    "run_json_pipeline",
    "run_transform",
    "run_v1_transformations",
    "save_pipeline",
    "transform",
    "unregister",
    "user_transforms_dir",
]

set_transformations_runner(run_v1_transformations)
