"""Running one registered transform, or a chain of them, on bound inputs (pure)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.core.kinds import data_type_of
from napari_whiskertoolbox.transforms.context import TransformContext, sub_context
from napari_whiskertoolbox.transforms.errors import TransformCancelled, TransformError
from napari_whiskertoolbox.transforms.group_edit import GroupEdit
from napari_whiskertoolbox.transforms.lift import (
    ELEMENT_CONTAINER,
    Batch,
    Bound,
    drop_empty,
    from_batch,
    pair_batches,
    to_batch,
)
from napari_whiskertoolbox.transforms.one_value_per_time import refuse_several_values_per_time
from napari_whiskertoolbox.transforms.relative import as_ticks
from napari_whiskertoolbox.transforms.units import output_unit, stamp_unit, unit_of

if TYPE_CHECKING:
    from napari_whiskertoolbox.transforms.registry import TransformSpec
    from napari_whiskertoolbox.transforms.schema import Params

__all__ = ["check_inputs", "execute", "execute_chain", "parse_params", "resolve_key_params"]

KeyLookup = Callable[[str], Bound]


def parse_params(
    spec: TransformSpec, raw: Mapping[str, Any] | None, *, strict: bool = True
) -> Params:
    """Validate parameters for ``spec``.

    Parameters
    ----------
    spec : TransformSpec
    raw : mapping or None
        Parameter name → JSON value; missing ones take their defaults.
    strict : bool
        Reject a name that is not a parameter of ``spec`` (the default: Python API and dock
        calls, where a misspelt name must not run with the default). ``False`` ignores it,
        as WhiskerToolbox's V2 pipeline loader does (reference §1.4); the pipeline loader
        then reports it as a warning. V1 operations are always strict and accept numbers
        written as text (reference §5).

    Raises
    ------
    TransformError
        An unknown parameter (naming the transform, the key, the closest valid key and
        every valid key), a missing required one, a wrong type or an out-of-bounds value.
    """
    v1 = spec.engine == "v1"
    return spec.schema.parse(raw, spec.name, strict=strict or v1, lenient=v1)


def check_inputs(spec: TransformSpec, inputs: Sequence[Bound]) -> None:
    """Check the number and kinds of ``inputs``.

    Raises
    ------
    TransformError
        Wrong count, a kind the transform does not accept (names the input), or an analog
        input with several values at one time for a transform that needs one
        (:attr:`TransformSpec.one_value_per_time`).
    """
    if len(inputs) != spec.arity:
        raise TransformError(
            f"takes {spec.arity} input{'s' if spec.arity > 1 else ''}, got {len(inputs)}",
            transform=spec.name,
        )
    for slot, bound in enumerate(inputs):
        try:
            kind = data_type_of(bound.data)
        except ValueError:
            raise TransformError(
                f"input {slot + 1} ({bound.label}) is a {type(bound.data).__name__}, not a data object",
                transform=spec.name,
                key=bound.key,
            ) from None
        accepted = spec.input_kinds(slot)
        if kind not in accepted:
            raise TransformError(
                f"input {slot + 1} ({bound.label}) is {kind} data; expected {' or '.join(accepted)}",
                transform=spec.name,
                key=bound.key,
                value=kind,
            )
        if spec.one_value_per_time and kind == "analog":
            refuse_several_values_per_time(bound, spec.name, slot)


def resolve_key_params(spec: TransformSpec, params: Params, lookup: KeyLookup | None) -> Params:
    """Replace every ``key`` parameter by the :class:`Bound` data it names.

    Raises
    ------
    TransformError
        No way to look keys up, an unknown key, or a key of the wrong kind.
    """
    changes: dict[str, Any] = {}
    for param in spec.schema:
        if param.type != "key":
            continue
        value = params[param.name]
        if not value and not param.required:
            changes[param.name] = None
            continue
        if isinstance(value, Bound):
            bound = value
        else:
            if not value:
                raise TransformError(
                    f"parameter '{param.name}' must name a data key",
                    transform=spec.name,
                    parameter=param.name,
                )
            if lookup is None:
                raise TransformError(
                    f"parameter '{param.name}' = {value!r} names a data key; pass the data in "
                    "'others' (a mapping of key to data) or run on a DataManager",
                    transform=spec.name,
                    parameter=param.name,
                    value=value,
                )
            try:
                bound = lookup(value)
            except TransformError as exc:
                if exc.parameter is not None:
                    raise
                raise TransformError(
                    f"parameter '{param.name}': {exc.reason}",
                    transform=spec.name,
                    parameter=param.name,
                    value=value,
                    key=exc.key,
                ) from exc
        kind = data_type_of(bound.data)
        if param.key_kinds and kind not in param.key_kinds:
            raise TransformError(
                f"parameter '{param.name}' = {bound.label} is {kind} data; expected "
                f"{' or '.join(param.key_kinds)}",
                transform=spec.name,
                parameter=param.name,
                value=bound.key,
            )
        changes[param.name] = bound
    return params.replace(**changes) if changes else params


def _named(spec: TransformSpec, exc: TransformError) -> TransformError:
    if exc.transform:
        return exc
    err = TransformError(
        exc.reason, transform=spec.name, parameter=exc.parameter, value=exc.value, key=exc.key
    )
    err.__cause__ = exc
    return err


def _element_batch(
    spec: TransformSpec, inputs: Sequence[Bound], p: Params, ctx: TransformContext
) -> Batch:
    if spec.kind == "binary_element":
        a = to_batch(inputs[0].data, spec.inputs[0], spec.name, 0)
        b = to_batch(inputs[1].data, spec.inputs[1], spec.name, 1)
        ia, ib = pair_batches(a, b, spec.name)
        out = spec.func(a.take(ia), b.take(ib), p, ctx)
        return drop_empty(out) if out.etype == "line" else out
    batch = to_batch(inputs[0].data, spec.inputs[0], spec.name, 0)
    return spec.func(batch, p, ctx)


def execute(
    spec: TransformSpec,
    inputs: Sequence[Bound],
    params: Params,
    ctx: TransformContext,
    lookup: KeyLookup | None = None,
) -> Any:
    """Run ``spec`` on ``inputs`` with parsed ``params``; return the new data object.

    Element transforms are lifted over the inputs' flat storage (reference §1.2-1.3);
    container transforms get the bound inputs. Inputs are never modified.

    Raises
    ------
    TransformError
        Bad inputs, or the transform failed (a container transform returned None).
    TransformCancelled
        ``ctx`` was cancelled.
    """
    check_inputs(spec, inputs)
    ctx.name = ctx.name or spec.name
    if spec.entity_groups and inputs[0].groups is None:
        raise TransformError(
            f"{'edits' if spec.edits_groups else 'reads'} entity groups: run it on a "
            "DataManager (run_transform) or pass groups= to apply_transform",
            transform=spec.name,
        )
    try:
        params = resolve_key_params(spec, params, lookup)
        ctx.check()
        if spec.is_element:
            if spec.output_clock is None:  # relative ticks out: ticks in
                inputs = [as_ticks(inputs[0], spec.name), *inputs[1:]]
            result = from_batch(_element_batch(spec, inputs, params, ctx))
        else:
            result = spec.func(list(inputs), params, ctx)
    except TransformCancelled:
        raise
    except TransformError as exc:
        raise _named(spec, exc) from exc.__cause__
    if result is None:
        raise TransformError("the transform failed (it returned no data)", transform=spec.name)
    if spec.edits_groups:
        if not isinstance(result, GroupEdit):
            raise TransformError(
                f"returned a {type(result).__name__}, not a GroupEdit", transform=spec.name
            )
        return result
    try:
        data_type_of(result)
    except ValueError:
        raise TransformError(
            f"returned a {type(result).__name__}, not a data object", transform=spec.name
        ) from None
    data = [bound.data for bound in inputs]
    return stamp_unit(spec, unit_of(data[0]) if data else None, params, result, data)


def _relabel(batch: Batch, spec: TransformSpec) -> Batch:
    """Give ``batch`` the element type ``spec`` accepts for the same container kind."""
    accepted = spec.inputs[0]
    if batch.etype in accepted:
        return batch
    kind = ELEMENT_CONTAINER[batch.etype]
    for etype in accepted:
        if ELEMENT_CONTAINER[etype] == kind:
            return replace(batch, etype=etype)  # type: ignore[arg-type]
    raise TransformError(
        f"receives {batch.etype} elements from the previous step; it accepts {list(accepted)}",
        transform=spec.name,
    )


def execute_chain(
    steps: Sequence[tuple[TransformSpec, Params]],
    source: Bound,
    ctx: TransformContext,
    labels: Sequence[str] | None = None,
) -> Any:
    """Run transforms one after another on one input (reference §6.1 execution).

    Runs of consecutive unary element steps are fused: the elements stay flat arrays
    between them and only the last one builds a container (the same results as running the
    steps one by one). Container steps get the previous step's whole output.

    Parameters
    ----------
    steps : sequence of (TransformSpec, Params)
        The chain; every step must take one input.
    source : Bound
        The input.
    ctx : TransformContext
        Progress and cancel (each step gets an equal share of the progress).
    labels : sequence of str, optional
        Step ids for error messages.

    Raises
    ------
    TransformError
        A step failed: the message starts with ``Step '<id>' failed:``.
    """
    current = source
    batch: Batch | None = None
    batch_step: str | None = None  # the step whose result ``batch`` is
    unit = unit_of(source.data)  # of the fused element steps' values (``batch``)
    n = len(steps)
    for i, (spec, params) in enumerate(steps):
        label = labels[i] if labels else spec.name
        step_ctx = sub_context(ctx, i / n, (i + 1) / n)
        step_ctx.name = spec.name
        try:
            if spec.arity != 1:
                raise TransformError(
                    f"takes {spec.arity} inputs; a pipeline step gets one", transform=spec.name
                )
            if current.relative and not spec.accepts_relative:
                raise TransformError(
                    f"gets relative ticks ({current.label}), not frame indices; it cannot "
                    "follow NormalizeDigitalEventSeriesRelative",
                    transform=spec.name,
                    key=current.key,
                )
            if spec.is_element:
                if spec.output_clock is None:  # relative ticks out: ticks in
                    if batch is not None:
                        data = _with_unit(from_batch(batch), unit)
                        current = replace(current, data=data, step=batch_step)
                    current = replace(as_ticks(current, spec.name), relative=True)
                    batch = None
                if batch is None:
                    check_inputs(spec, [current])
                    batch = to_batch(current.data, spec.inputs[0], spec.name)
                    unit = unit_of(current.data)
                batch = spec.func(_relabel(batch, spec), params, step_ctx)
                batch_step = label
                undeclared = spec.output_unit is None
                unit = None if undeclared else output_unit(spec.output_unit, unit, params)
                continue
            if batch is not None:
                current = replace(
                    current, data=_with_unit(from_batch(batch), unit), step=batch_step
                )
                batch = None
            relative = spec.makes_relative(current.relative)
            current = replace(
                current,
                data=execute(spec, [current], params, step_ctx),
                clock=None if relative else current.clock,
                relative=relative,
                step=label,
            )
        except TransformCancelled:
            raise
        except TransformError as exc:
            raise exc.reworded(f"Step '{label}' failed: {exc}", spec.name) from exc
    if batch is not None:
        return _with_unit(from_batch(batch), unit)
    return current.data


def _with_unit(result: Any, unit: str | None) -> Any:
    """Give a fused chain's analog result the unit its steps declare."""
    if unit is not None and hasattr(result, "unit"):
        result.unit = unit
    return result
