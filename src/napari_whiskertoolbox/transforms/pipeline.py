"""TransformsV2 pipeline files (reference §6.1): load, validate, save and run.

A pipeline file names no data keys: the caller supplies the input object (or key) and
decides where the result goes.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.analog import AnalogTimeSeries
from napari_whiskertoolbox.core.close_match import did_you_mean
from napari_whiskertoolbox.core.events import DigitalEventSeries
from napari_whiskertoolbox.core.intervals import DigitalIntervalSeries
from napari_whiskertoolbox.io.atomic import atomic_write_text
from napari_whiskertoolbox.io.csv_tools import decode_text
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.transforms.api import PlannedRun, bound_key
from napari_whiskertoolbox.transforms.context import TransformContext, as_context
from napari_whiskertoolbox.transforms.errors import TransformError
from napari_whiskertoolbox.transforms.execute import execute_chain, parse_params
from napari_whiskertoolbox.transforms.json_fields import misnamed_hint, unknown_field_warnings
from napari_whiskertoolbox.transforms.lift import Bound
from napari_whiskertoolbox.transforms.output_keys import refuse_output_key
from napari_whiskertoolbox.transforms.range_reductions import get_reduction
from napari_whiskertoolbox.transforms.registry import REGISTRY, TransformSpec
from napari_whiskertoolbox.transforms.relative import relative_clock_name
from napari_whiskertoolbox.transforms.v1_names import V1_TO_V2, v1_in_pipeline_hint

if TYPE_CHECKING:
    from napari_whiskertoolbox.core.data_manager import DataManager
    from napari_whiskertoolbox.transforms.recorder import AppliedSteps
    from napari_whiskertoolbox.transforms.schema import Params, ParamSchema

__all__ = [
    "Pipeline",
    "PipelineStep",
    "PreReduction",
    "ReductionStep",
    "load_pipeline",
    "save_pipeline",
]


_TOP_FIELDS = ("metadata", "pre_reductions", "steps", "range_reduction")
"""The root fields of a pipeline file (reference §6.1)."""

LOGGER = logging.getLogger("napari_whiskertoolbox.transforms")
"""Logger that pipeline-file warnings (unknown parameters) are written to (WARNING level)."""
_LOGGED_WARNINGS: set[str] = set()


def _fail(message: str) -> TransformError:
    return TransformError(message, transform="pipeline")


def _obj(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise _fail(f"Failed to parse pipeline JSON: {where} must be an object, got {value!r}")
    return dict(value)


def _str(value: Any, where: str, required: bool = True, hint: str = "") -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        kind = "a non-empty string" if required else "a string"
        raise _fail(f"Failed to parse pipeline JSON: {where} must be {kind}, got {value!r}{hint}")
    return value


def _known(entry: type) -> tuple[str, ...]:
    """Return the JSON fields of a pipeline-file entry: its dataclass fields."""
    return tuple(f.name for f in fields(entry))


def _checked_fields(
    raw: dict[str, Any], known: tuple[str, ...], where: str, out: list[str]
) -> None:
    """Add a warning to ``out`` for each field of ``raw`` not in ``known`` (WT ignores them)."""
    out.extend(unknown_field_warnings(raw, known, where))


_METADATA_STRINGS = ("name", "description", "version", "author", "created")


def _metadata(value: Any) -> dict[str, Any]:
    """Return the ``metadata`` object; its fields are typed as in WT's descriptor (§6.1)."""
    metadata = _obj(value, "'metadata'")
    for key in _METADATA_STRINGS:
        if key in metadata and metadata[key] is not None:
            _str(metadata[key], f"metadata.{key}", required=False)
    tags = metadata.get("tags")
    if tags is not None and (
        not isinstance(tags, list) or not all(isinstance(t, str) for t in tags)
    ):
        raise _fail(
            f"Failed to parse pipeline JSON: metadata.tags must be an array of strings, got {tags!r}"
        )
    return metadata


def _bindings(value: Any, where: str) -> dict[str, str]:
    raw = _obj(value, where)
    if not all(isinstance(v, str) for v in raw.values()):
        raise _fail(
            f"Failed to parse pipeline JSON: {where} must map parameter names to store keys"
        )
    return raw


def _file_entry(entry: Any, required: int) -> dict[str, Any]:
    """Return a pipeline-file entry: the first ``required`` fields always, the rest when non-empty."""
    out: dict[str, Any] = {}
    for k, f in enumerate(fields(entry)):
        value = getattr(entry, f.name)
        if k < required or value:
            out[f.name] = value
    return out


@dataclass
class PipelineStep:
    """One step: a registered transform with JSON parameters.

    Attributes
    ----------
    step_id : str
        Label used in messages.
    transform_name : str
        A registered TransformsV2 (or Python) transform.
    parameters : dict
        JSON parameters (missing ones take defaults).
    param_bindings : dict of str to str
        Parameter → value-store key, filled from pre-reductions at run time.
    description : str
    tags : list of str
    """

    step_id: str
    transform_name: str
    parameters: dict[str, Any] = field(default_factory=dict)
    param_bindings: dict[str, str] = field(default_factory=dict)
    description: str = ""
    tags: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Return the step as written in a pipeline file."""
        return _file_entry(self, required=2)


@dataclass
class PreReduction:
    """A range reduction of the input computed before the steps (value store entry)."""

    reduction_name: str
    output_key: str
    parameters: dict[str, Any] = field(default_factory=dict)
    param_bindings: dict[str, str] = field(default_factory=dict)
    description: str = ""

    def to_json(self) -> dict[str, Any]:
        """Return the pre-reduction as written in a pipeline file."""
        return _file_entry(self, required=2)


@dataclass
class ReductionStep:
    """The optional final ``range_reduction`` (kept, not applied by the commands)."""

    reduction_name: str
    parameters: dict[str, Any] = field(default_factory=dict)
    description: str = ""

    def to_json(self) -> dict[str, Any]:
        """Return the reduction as written in a pipeline file."""
        return _file_entry(self, required=1)


@dataclass
class Pipeline:
    """A TransformsV2 pipeline (reference §6.1).

    Attributes
    ----------
    steps : list of PipelineStep
        The transform chain, applied in order.
    metadata : dict
        ``name``, ``description``, ``version``, ``author``, ``created``, ``tags``.
    pre_reductions : list of PreReduction
    range_reduction : ReductionStep or None
    path : Path or None
        The file it was loaded from.
    warnings : list of str
        Non-fatal problems found by :meth:`validate`: parameter names a step, pre-reduction
        or range reduction does not have (in ``parameters`` or a step's ``param_bindings``),
        and steps WhiskerToolbox's registry lacks (``AnalogHilbertPhase``). WhiskerToolbox ignores them (reference §1.4) and
        so do we, but each is listed here (naming the file, the step and the key, with the
        closest valid name) and logged on :data:`LOGGER`.
    """

    steps: list[PipelineStep] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    pre_reductions: list[PreReduction] = field(default_factory=list)
    range_reduction: ReductionStep | None = None
    path: Path | None = None
    warnings: list[str] = field(default_factory=list, compare=False)
    field_warnings: list[str] = field(default_factory=list, compare=False, repr=False)
    """Fields of the file that nothing reads (``params`` for ``parameters``), from :meth:`from_json`."""

    @property
    def name(self) -> str:
        """Return ``metadata["name"]`` (or the file stem, or "")."""
        name = self.metadata.get("name")
        if isinstance(name, str) and name:
            return name
        return self.path.stem if self.path else ""

    @property
    def output_kind(self) -> str | None:
        """Return the data kind the pipeline makes (its last step's), None without steps.

        None too when the last step names no registered transform (its run fails, saying so).
        """
        if not self.steps:
            return None
        name = self.steps[-1].transform_name
        return REGISTRY.get(name).output_kind if name in REGISTRY else None

    # ------------------------------------------------------------------ JSON
    @classmethod
    def from_json(cls, doc: Any, path: Path | None = None) -> Pipeline:
        """Parse and validate a pipeline document (reference §6.1 load rules).

        Raises
        ------
        TransformError
            Bad shape, no steps and no range reduction, unknown transform or reduction,
            a disabled step, or bad parameters; the message names the step index and id.
        """
        if not isinstance(doc, Mapping):
            raise _fail(
                f"Failed to parse pipeline JSON: the root must be an object, got {type(doc).__name__}"
            )
        ignored: list[str] = []
        _checked_fields(dict(doc), _TOP_FIELDS, "the root", ignored)
        metadata = _metadata(doc.get("metadata"))
        raw_steps = doc.get("steps", [])
        if not isinstance(raw_steps, list):
            raise _fail("Failed to parse pipeline JSON: 'steps' must be an array")
        raw_pre = doc.get("pre_reductions", [])
        if not isinstance(raw_pre, list):
            raise _fail("Failed to parse pipeline JSON: 'pre_reductions' must be an array")
        pre = [cls._pre(item, i, ignored) for i, item in enumerate(raw_pre)]
        rr = None
        if doc.get("range_reduction") is not None:
            raw = _obj(doc["range_reduction"], "'range_reduction'")
            _checked_fields(raw, _known(ReductionStep), "range_reduction", ignored)
            rr = ReductionStep(
                _str(raw.get("reduction_name"), "range_reduction.reduction_name"),
                _obj(raw.get("parameters"), "range_reduction.parameters"),
                _str(raw.get("description"), "range_reduction.description", required=False),
            )
        if not raw_steps and rr is None:
            raise _fail("Pipeline must have at least one step or a range reduction")
        steps = [cls._step(item, i, ignored) for i, item in enumerate(raw_steps)]
        pipeline = cls(steps, metadata, pre, rr, path, field_warnings=ignored)
        pipeline.validate()
        pipeline.log_warnings()
        return pipeline

    @staticmethod
    def _pre(item: Any, i: int, ignored: list[str]) -> PreReduction:
        raw = _obj(item, f"pre_reductions[{i}]")
        known = _known(PreReduction)
        _checked_fields(raw, known, f"pre_reductions[{i}]", ignored)
        return PreReduction(
            _str(
                raw.get("reduction_name"),
                f"pre_reductions[{i}].reduction_name",
                hint=misnamed_hint(raw, "reduction_name", known),
            ),
            _str(raw.get("output_key"), f"pre_reductions[{i}].output_key"),
            _obj(raw.get("parameters"), f"pre_reductions[{i}].parameters"),
            _bindings(raw.get("param_bindings"), f"pre_reductions[{i}].param_bindings"),
            _str(raw.get("description"), f"pre_reductions[{i}].description", required=False),
        )

    @staticmethod
    def _step(item: Any, i: int, ignored: list[str]) -> PipelineStep:
        raw = _obj(item, f"steps[{i}]")
        known = (*_known(PipelineStep), "enabled")
        step_id = _str(raw.get("step_id"), f"steps[{i}].step_id")
        where = f"steps[{i}] '{step_id}'"
        _checked_fields(raw, known, where, ignored)
        name = _str(
            raw.get("transform_name"),
            f"{where}.transform_name",
            hint=misnamed_hint(raw, "transform_name", known),
        )
        # a JSON null reads as absent, as WT's std::optional fields do
        tags = raw.get("tags") if raw.get("tags") is not None else []
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise _fail(f"Failed to parse pipeline JSON: {where}.tags must be an array of strings")
        enabled = raw.get("enabled") if raw.get("enabled") is not None else True
        if not isinstance(enabled, bool):
            raise _fail(f"Failed to parse pipeline JSON: {where}.enabled must be true or false")
        step = PipelineStep(
            step_id,
            name,
            _obj(raw.get("parameters"), f"{where}.parameters"),
            _bindings(raw.get("param_bindings"), f"{where}.param_bindings"),
            _str(raw.get("description"), f"{where}.description", required=False),
            list(tags),
        )
        _spec_of(step, i)
        if not enabled:
            raise _fail(f"{where}: Step '{step_id}' is disabled (pipeline files cannot skip steps)")
        return step

    def validate(self) -> None:
        """Check every reduction and transform exists and every parameter set parses.

        Parameter names a step does not have are ignored, as in WhiskerToolbox; they are
        listed in :attr:`warnings` (replaced on each call) and logged once per file load.

        Raises
        ------
        TransformError
            The first problem, naming the step index and id.
        """
        source = f"pipeline file '{self.path}'" if self.path is not None else "pipeline"
        found = [f"{source}, {w}" for w in self.field_warnings]
        for i, pre in enumerate(self.pre_reductions):
            red = get_reduction(pre.reduction_name)
            where = f"pre_reductions[{i}] '{pre.reduction_name}'"
            red.schema.parse(pre.parameters, where)
            found += self._unknown(red.schema, pre.parameters, where, red.name)
        if self.range_reduction is not None:
            red = get_reduction(self.range_reduction.reduction_name)
            red.schema.parse(self.range_reduction.parameters, "range_reduction")
            found += self._unknown(
                red.schema, self.range_reduction.parameters, "range_reduction", red.name
            )
        for i, step in enumerate(self.steps):
            spec = _spec_of(step, i)
            if not spec.in_wt_registry:
                found.append(
                    f"{source}, steps[{i}] '{step.step_id}': '{spec.name}' is not in "
                    "WhiskerToolbox's TransformsV2 registry (reference §8): WhiskerToolbox "
                    "cannot load this file"
                )
            found += self._unknown(
                spec.schema, step.parameters, f"steps[{i}] '{step.step_id}'", spec.name
            )
            try:
                parse_params(spec, step.parameters, strict=False)
            except TransformError as exc:
                raise _fail(
                    f"Failed to load parameters for transform '{spec.name}' in step "
                    f"'{step.step_id}' (steps[{i}]): {exc.reason}"
                ) from exc
            found += self._unknown(
                spec.schema,
                step.param_bindings,
                f"steps[{i}] '{step.step_id}'.param_bindings",
                spec.name,
            )
        self.warnings = found

    def _unknown(
        self, schema: ParamSchema, raw: Mapping[str, Any], where: str, name: str
    ) -> list[str]:
        source = f"pipeline file '{self.path}'" if self.path is not None else "pipeline"
        return [
            f"{source}, {where}: {name}: {schema.unknown_key_message(key)}; "
            "it is ignored (WhiskerToolbox ignores unknown parameters)"
            for key in schema.unknown_keys(raw)
        ]

    def log_warnings(self) -> None:
        """Write each of :attr:`warnings` to :data:`LOGGER` at WARNING level, once per process.

        A pipeline is parsed again whenever a dock lists or runs it; the same warning is not
        repeated (it stays in :attr:`warnings`).
        """
        for warning in self.warnings:
            if warning not in _LOGGED_WARNINGS:
                _LOGGED_WARNINGS.add(warning)
                LOGGER.warning("%s", warning)

    def to_json(self) -> dict[str, Any]:
        """Return the pipeline document."""
        out: dict[str, Any] = {}
        if self.metadata:
            out["metadata"] = self.metadata
        if self.pre_reductions:
            out["pre_reductions"] = [p.to_json() for p in self.pre_reductions]
        out["steps"] = [s.to_json() for s in self.steps]
        if self.range_reduction is not None:
            out["range_reduction"] = self.range_reduction.to_json()
        return out

    # ------------------------------------------------------------------ running
    def pre_reduce(self, data: Any) -> dict[str, float]:
        """Compute the pre-reductions on the input's raw elements (the value store)."""
        store: dict[str, float] = {}
        for pre in self.pre_reductions:
            red = get_reduction(pre.reduction_name)
            params = red.schema.parse(pre.parameters, pre.reduction_name)
            store[pre.output_key] = float(
                red.func(_raw_elements(data, red.element, red.name), params)
            )
        return store

    def bound_steps(self, store: Mapping[str, Any]) -> list[tuple[TransformSpec, Params]]:
        """Return every step's spec with its parameters, bindings applied from ``store``.

        As in WhiskerToolbox (``PipelineStep::applyBindings`` → ``tryApplyBindingsErased``),
        a step's bindings apply all together or not at all: when a store key is missing, or
        the bound parameters do not validate (a NaN mean, a number for an enum, a value
        out of bounds), the step keeps its own parameters. That is silent in WhiskerToolbox;
        here each such step is logged on :data:`LOGGER` (naming the step, the parameter and
        the store key). A binding to a parameter the transform does not have is ignored.
        """
        out = []
        for i, step in enumerate(self.steps):
            spec = _spec_of(step, i)
            params = parse_params(spec, step.parameters, strict=False)
            if step.param_bindings:
                params = self._bind(spec, step, i, params, store)
            out.append((spec, params))
        return out

    def _bind(
        self,
        spec: TransformSpec,
        step: PipelineStep,
        i: int,
        params: Params,
        store: Mapping[str, Any],
    ) -> Params:
        where = f"steps[{i}] '{step.step_id}'"
        if self.path is not None:
            where = f"pipeline file '{self.path}', {where}"
        missing = {p: k for p, k in step.param_bindings.items() if k not in store}
        if missing:
            LOGGER.warning(
                "%s: %s: param_bindings not applied (the step keeps its parameters, as in "
                "WhiskerToolbox): no value %s in the value store (keys: %s)",
                where,
                spec.name,
                ", ".join(f"'{k}' for '{p}'" for p, k in missing.items()),
                sorted(store),
            )
            return params
        raw = dict(step.parameters)
        names = spec.schema.names()
        for param, key in step.param_bindings.items():
            value = store[key]
            if (
                param in names
                and spec.schema[param].type == "int"
                and isinstance(value, (int, float))
                and float(value).is_integer()
            ):
                value = int(value)
            raw[param] = value
        try:
            return parse_params(spec, raw, strict=False)
        except TransformError as exc:
            bound = ", ".join(
                f"'{p}' = {store[k]!r} (from '{k}')" for p, k in step.param_bindings.items()
            )
            LOGGER.warning(
                "%s: %s: param_bindings not applied (the step keeps its parameters, as in "
                "WhiskerToolbox): %s; bound values: %s",
                where,
                spec.name,
                exc.reason,
                bound,
            )
            return params

    def run(
        self,
        data: Any,
        *,
        clock: Any = None,
        context: TransformContext | None = None,
        key: str | None = None,
        relative: bool = False,
    ) -> Any:
        """Run the steps over one whole data object and return the result (pure).

        ``key`` is the DataManager key ``data`` came from, named in error messages;
        ``relative`` says ``data`` holds relative ticks (see :mod:`.relative`).

        Raises
        ------
        TransformError
            "Pipeline has no steps", or "Step '<id>' failed: …" (preceded by the pipeline
            file when the pipeline came from one).
        TransformCancelled
            The context was cancelled.
        """
        if not self.steps:
            raise _fail("Pipeline has no steps")
        ctx = as_context(context, self.name or "pipeline")
        store = self.pre_reduce(data)
        steps = self.bound_steps(store)
        labels = [s.step_id for s in self.steps]
        try:
            return execute_chain(steps, Bound(data, clock, key, relative), ctx, labels)
        except TransformError as exc:
            if self.path is None:
                raise
            raise exc.reworded(f"pipeline file '{self.path}': {exc}") from exc

    def plan_on_key(
        self,
        dm: DataManager,
        input_key: str,
        output_key: str,
        output_time_key: str | None = None,
        *,
        check_key_name: bool = True,
    ) -> PlannedRun:
        """Check a :meth:`run_on_key` call and return it as a :class:`PlannedRun`.

        Raises
        ------
        TransformError
            Missing input key, unknown clock, an invalid pipeline or one without steps, or
            an output key the run would be refused (empty, holding another kind of data
            than the result, or new and against the key-name rule unless ``check_key_name``
            is False, as for WhiskerToolbox's command files:
            :func:`~napari_whiskertoolbox.transforms.output_keys.output_key_check`).
        """
        source = bound_key(dm, input_key, "pipeline", "input_key")
        clock = output_time_key or dm.time_key(input_key)
        if clock not in dm.time_keys():
            raise _fail(f"output_time_key '{clock}' is not a clock (clocks: {dm.time_keys()})")
        name = self.name or "(unnamed)"
        self.validate()
        if not self.steps:
            raise _fail("Pipeline has no steps")
        # before computing: storing into a key of another kind would fail after it
        refuse_output_key(
            dm, output_key, self.output_kind, f"pipeline '{name}'", check_name=check_key_name
        )

        def compute(ctx: TransformContext) -> Any:
            return self.run(
                source.data,
                clock=source.clock,
                context=ctx,
                key=input_key,
                relative=source.relative,
            )

        relative = source.relative
        for i, step in enumerate(self.steps):
            relative = _spec_of(step, i).makes_relative(relative)
        relative = relative and output_time_key is None

        return PlannedRun(
            dm,
            name,
            input_key,
            output_key,
            relative_clock_name(output_key) if relative else clock,
            compute,
            explicit_time_key=output_time_key is not None,
            pipeline=self.to_json(),
            relative=relative,
            sampling_rate=dm.get_time(clock).sampling_rate,
            natural_time_key=dm.time_key(input_key),
        )

    def run_on_key(
        self,
        dm: DataManager,
        input_key: str,
        output_key: str,
        output_time_key: str | None = None,
        *,
        context: TransformContext | None = None,
        recorder: AppliedSteps | None = None,
        check_key_name: bool = True,
    ) -> Any:
        """Run on ``dm[input_key]`` and store the result under ``output_key`` (one undo step).

        The output goes on ``output_time_key`` (must exist) or the input key's clock; an
        existing output of the same kind is replaced, one of another kind is refused before
        anything is computed.
        ``recorder`` records the run (as one pipeline step) in the same undo step. A new
        ``output_key`` must follow the key-name rule unless ``check_key_name`` is False.
        """
        planned = self.plan_on_key(
            dm, input_key, output_key, output_time_key, check_key_name=check_key_name
        )
        result = planned.compute(context)
        planned.store(result, recorder)
        return result


def _spec_of(step: PipelineStep, i: int) -> TransformSpec:
    where = f"steps[{i}] '{step.step_id}'"
    if step.transform_name not in REGISTRY:
        hint = did_you_mean(step.transform_name, REGISTRY.names("v2") + REGISTRY.names("python"))
        raise _fail(f"{where}: Transform '{step.transform_name}' not found in registry{hint}")
    spec = REGISTRY.get(step.transform_name)
    if spec.engine == "v1":
        raise _fail(f"{where}: {v1_in_pipeline_hint(spec.name, _twin_parameters(spec.name))}")
    return spec


def _twin_parameters(v1_name: str) -> list[str]:
    """Return the parameter names of V1 operation ``v1_name``'s TransformsV2 twin ([] if none)."""
    twin = V1_TO_V2.get(v1_name)
    return REGISTRY.get(twin).schema.names() if twin is not None and twin in REGISTRY else []


def _raw_elements(data: Any, element: str, name: str) -> Any:
    if isinstance(data, AnalogTimeSeries):
        if element == "raw":
            return data.values
        if element == "value":
            return data.times, data.values
    elif isinstance(data, DigitalEventSeries) and element == "event":
        return np.asarray(data.times, np.float64)
    elif isinstance(data, DigitalIntervalSeries) and element == "interval":
        return data.intervals, data.ids
    raise _fail(
        f"Range reduction '{name}' reduces {element} elements; the input is a {type(data).__name__}"
    )


def load_pipeline(source: str | os.PathLike[str] | Mapping[str, Any]) -> Pipeline:
    """Load and validate a pipeline file (or an already parsed document).

    Raises
    ------
    TransformError
        "Failed to open file: <path>", a JSON syntax error (with line and column), or any
        load rule of reference §6.1 (the message starts with the file's path).
    """
    if not isinstance(source, (str, os.PathLike)):
        return Pipeline.from_json(source)
    path = Path(source)
    try:
        data = path.read_bytes()
    except OSError:
        raise _fail(f"Failed to open file: {path}") from None
    try:
        text = decode_text(data, path)  # byte-order marks, BOM-less UTF-16, Windows-1252
    except FormatError as exc:
        raise _fail(f"Failed to read pipeline JSON: {exc}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(
            f"Failed to parse pipeline JSON {path}: line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    try:
        return Pipeline.from_json(doc, path)
    except TransformError as exc:  # name the file: a runner config may use several
        raise TransformError(
            f"{path}: {exc.reason}",
            transform=exc.transform,
            parameter=exc.parameter,
            value=exc.value,
            key=exc.key,
        ) from None


def save_pipeline(pipeline: Pipeline, path: str | os.PathLike[str]) -> Path:
    """Write ``pipeline`` as JSON (atomic; validated first); return the path."""
    pipeline.validate()
    target = Path(path)
    atomic_write_text(target, json.dumps(pipeline.to_json(), indent=2) + "\n")
    pipeline.path = target
    return target
