"""The V1 ``transformations`` block of data configs (reference §6.5).

WhiskerToolbox only logs V1 step failures and still reports success. Here
:func:`run_v1_transformations` raises a :class:`TransformError` naming the step (and the
parameter) on validation errors and step failures — including a TransformsV2 name used in
this block, which WhiskerToolbox's own guide shows but its V1 engine rejects (reference
§8.1, option c: report it). The two entry points that load a config, ``io.load_config``
(the viewer's open) and the JSON pipeline runner, keep the loaded data as WhiskerToolbox
does and turn that error into a warning (``io.config_transformations``).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.core.close_match import did_you_mean
from napari_whiskertoolbox.io.config_parse import read_json
from napari_whiskertoolbox.transforms.api import run_transform
from napari_whiskertoolbox.transforms.context import TransformContext, as_context, sub_context
from napari_whiskertoolbox.transforms.errors import TransformCancelled, TransformError
from napari_whiskertoolbox.transforms.execute import parse_params
from napari_whiskertoolbox.transforms.json_fields import unknown_field_warnings
from napari_whiskertoolbox.transforms.legacy_v1 import V1_TO_V2
from napari_whiskertoolbox.transforms.output_keys import refuse_output_keys
from napari_whiskertoolbox.transforms.pipeline import LOGGER
from napari_whiskertoolbox.transforms.registry import REGISTRY

if TYPE_CHECKING:
    from napari_whiskertoolbox.core.data_manager import DataManager

__all__ = ["V1Step", "parse_v1_block", "run_v1_transformations"]

_VAR = re.compile(r"\$\{([^}]*)\}")
_OWNER = "transformations"
_STEP_FIELDS = (
    "step_id",
    "transform_name",
    "input_key",
    "output_key",
    "parameters",
    "phase",
    "enabled",
    "description",
    "tags",
)
"""The fields of a V1 step (reference §6.5); WhiskerToolbox ignores any other."""


@dataclass(frozen=True)
class V1Step:
    """One validated V1 step."""

    step_id: str
    transform_name: str
    input_key: str
    output_key: str
    parameters: dict[str, Any]
    phase: int
    enabled: bool


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _substitute(value: Any, variables: Mapping[str, Any]) -> Any:
    if isinstance(value, str):
        return _VAR.sub(
            lambda m: _text(variables[m.group(1)]) if m.group(1) in variables else m.group(0), value
        )
    if isinstance(value, list):
        return [_substitute(v, variables) for v in value]
    if isinstance(value, Mapping):
        return {k: _substitute(v, variables) for k, v in value.items()}
    return value


def _error(message: str) -> TransformError:
    return TransformError(message, transform=_OWNER)


def _unknown_name(name: str, where: str) -> TransformError:
    if name in REGISTRY and REGISTRY.get(name).engine != "v1":
        v1 = [k for k, v in V1_TO_V2.items() if v == name]
        hint = f" (its V1 name is '{v1[0]}')" if v1 else ""
        return _error(
            f"{where}: '{name}' is a TransformsV2 name; a transformations block runs V1 operations"
            f"{hint}; run V2 pipelines with the RunTransformsV2Pipeline command"
        )
    v1_names = REGISTRY.names("v1")
    hint = did_you_mean(name, v1_names)
    return _error(f"{where}: unknown V1 operation '{name}'{hint}; known: {v1_names}")


def parse_v1_block(block: Any) -> list[V1Step]:
    """Validate a ``{"metadata"?, "steps": [...]}`` block (reference §6.5).

    ``${name}`` in the steps is replaced from ``metadata.variables`` first (unknown names
    stay). Parameters are checked against each operation's setter table.

    Raises
    ------
    TransformError
        Not an object, duplicate or empty step ids, empty input keys, unknown operation,
        negative phase, unknown or unconvertible parameter.
    """
    if not isinstance(block, Mapping):
        raise _error(f"the transformations block must be an object, got {type(block).__name__}")
    meta = block.get("metadata") or {}
    variables = meta.get("variables", {}) if isinstance(meta, Mapping) else {}
    if not isinstance(variables, Mapping):
        raise _error("metadata.variables must be an object")
    usable = {k: v for k, v in variables.items() if isinstance(v, (str, int, float, bool))}
    raw_steps = block.get("steps", [])
    if not isinstance(raw_steps, list):
        raise _error("'steps' must be an array")
    steps = []
    seen: set[str] = set()
    for i, raw in enumerate(_substitute(raw_steps, usable)):
        where = f"steps[{i}]"
        if not isinstance(raw, Mapping):
            raise _error(f"{where} must be an object")
        step_id = raw.get("step_id")
        if not isinstance(step_id, str) or not step_id:
            raise _error(f"{where}: 'step_id' must be a non-empty string")
        where = f"steps[{i}] '{step_id}'"
        if step_id in seen:
            raise _error(f"{where}: duplicate step_id")
        seen.add(step_id)
        for warning in unknown_field_warnings(raw, _STEP_FIELDS, where):
            LOGGER.warning("%s", f"{_OWNER}: {warning}")
        name = raw.get("transform_name")
        if not isinstance(name, str) or name not in REGISTRY or REGISTRY.get(name).engine != "v1":
            raise _unknown_name(str(name), where)
        input_key = raw.get("input_key")
        if not isinstance(input_key, str) or not input_key:
            raise _error(f"{where}: 'input_key' must be a non-empty string")
        output_key = raw.get("output_key") or f"{step_id}_output"
        phase = raw.get("phase", 0)
        if isinstance(phase, bool) or not isinstance(phase, int):
            phase = 0  # non-integer phases are ignored
        if phase < 0:
            raise _error(f"{where}: 'phase' must be >= 0, got {phase}")
        enabled = raw.get("enabled", True)
        params = raw.get("parameters") or {}
        try:
            parse_params(REGISTRY.get(name), params)
        except TransformError as exc:
            raise _error(f"{where}: {exc}") from exc
        steps.append(
            V1Step(
                step_id, name, input_key, str(output_key), dict(params), phase, enabled is not False
            )
        )
    return steps


def _block_of(block: Any) -> Any:
    """Return the ``transformations`` block of ``block``, a config holding one, or its path.

    A config is a data config (a list, as *Save as config…* writes) with one item holding
    ``transformations``, or a runner config's root object with that key and no ``steps``.
    """
    if isinstance(block, (str, os.PathLike)):
        try:
            block = read_json(block)  # names the file, and the line of a syntax error
        except (OSError, ValueError) as exc:
            raise _error(f"cannot read the config: {exc}") from exc
    if isinstance(block, list):
        found = [i for i in block if isinstance(i, Mapping) and "transformations" in i]
        if len(found) != 1:
            what = "no item" if not found else f"{len(found)} items"
            raise _error(
                f"the config (a list of {len(block)} items) has {what} with a "
                "'transformations' block; pass the block itself or a config with exactly one"
            )
        return found[0]["transformations"]
    if isinstance(block, Mapping) and "transformations" in block and "steps" not in block:
        return block["transformations"]
    return block


def _check_output_keys(dm: DataManager, ordered: list[V1Step]) -> None:
    """Refuse the block before its first step when a step's output key would be refused.

    ``ordered`` are the steps as they will run; a key an earlier step writes counts with
    that step's kind. Keys keep any name, as in WhiskerToolbox's files.
    """
    outputs = [
        (f"step '{s.step_id}' ({s.transform_name})", s.output_key, spec.output_kind)
        for s in ordered
        if not (spec := REGISTRY.get(s.transform_name)).edits_groups
    ]
    try:
        refuse_output_keys(dm, outputs, check_name=False)
    except TransformError as exc:
        raise exc.reworded(f"{_OWNER}: {exc} (no step was run)", _OWNER) from exc


def run_v1_transformations(
    dm: DataManager, block: Any, *, context: TransformContext | None = None
) -> list[str]:
    """Run a V1 ``transformations`` block on ``dm``; return the keys written.

    ``block`` is the block (``{"steps": [...]}``), or a config holding it: the file
    *Save as config…* writes (``[{"transformations": {...}}]``, as loaded or by its path),
    a data config with one such item, or a runner config's root object.

    Operations that edit entity groups (``Group Lines by Index`` …) write no key: their
    group changes are one undo step each and what they did is logged (``LOGGER`` info and
    the context's log).

    Steps run by ascending phase (steps of one phase must not depend on each other; they
    run one after another here). Outputs go under the input key's clock; a step without
    ``output_key`` writes ``<step_id>_output``. Disabled steps do nothing. If a step of a
    phase fails, the phase's other steps still run, later phases do not, and the first
    failure is raised.

    Every step's output key is checked before the first step runs (a key holding another
    kind of data than the step's result, counting the kinds earlier steps write, refuses
    the whole block: nothing changes).

    Raises
    ------
    TransformError
        Validation (see :func:`parse_v1_block`), a refused output key (naming the step, the
        key, its kind and the result's), or the first failed step of a phase.
    TransformCancelled
        The context was cancelled.
    """
    steps = parse_v1_block(_block_of(block))
    ctx = as_context(context, _OWNER)
    written: list[str] = []
    enabled = [s for s in steps if s.enabled]
    _check_output_keys(dm, sorted(enabled, key=lambda s: s.phase))
    for n, phase in enumerate(sorted({s.phase for s in enabled})):
        errors = []
        for step in [s for s in enabled if s.phase == phase]:
            try:
                result = run_transform(
                    dm,
                    step.transform_name,
                    step.input_key,
                    step.output_key,
                    step.parameters,
                    context=sub_context(
                        ctx, n / max(len(enabled), 1), (n + 1) / max(len(enabled), 1)
                    ),
                    check_key_name=False,  # WhiskerToolbox's config names keys freely
                )
                if REGISTRY.get(step.transform_name).edits_groups:
                    # WhiskerToolbox's grouping operations change groups, not keys
                    LOGGER.info("%s", f"{_OWNER}: step '{step.step_id}': {result}")
                    ctx.log(f"step '{step.step_id}': {result}")
                else:
                    written.append(step.output_key)
            except TransformCancelled:
                raise
            except TransformError as exc:
                errors.append(f"step '{step.step_id}' ({step.transform_name}) failed: {exc}")
        if errors:
            raise _error(f"phase {phase}: " + "; ".join(errors))
    return written
