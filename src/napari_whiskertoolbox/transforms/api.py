"""The public entry points: list, describe, apply and run transforms."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.core.close_match import did_you_mean
from napari_whiskertoolbox.core.counted import counted
from napari_whiskertoolbox.core.events import DigitalEventSeries
from napari_whiskertoolbox.core.free_names import first_free
from napari_whiskertoolbox.core.kinds import data_type_of
from napari_whiskertoolbox.transforms.context import TransformContext, as_context
from napari_whiskertoolbox.transforms.errors import TransformError
from napari_whiskertoolbox.transforms.execute import KeyLookup, check_inputs, execute, parse_params
from napari_whiskertoolbox.transforms.group_edit import store_group_edit, working_copy
from napari_whiskertoolbox.transforms.lift import Bound
from napari_whiskertoolbox.transforms.output_clock import (
    merge_note,
    natural_clock_of,
    on_output_clock,
    planned_clock_problem,
)
from napari_whiskertoolbox.transforms.output_keys import refuse_output_key
from napari_whiskertoolbox.transforms.registry import REGISTRY, Engine
from napari_whiskertoolbox.transforms.relative import (
    is_relative_clock,
    refuse_relative,
    relative_clock_name,
    relative_ticks,
    stored_relative,
)
from napari_whiskertoolbox.transforms.upsampling import upsampled_clock

if TYPE_CHECKING:
    from napari_whiskertoolbox.core.data_manager import DataManager
    from napari_whiskertoolbox.core.entity import EntityGroups
    from napari_whiskertoolbox.core.timeframe import TimeFrame
    from napari_whiskertoolbox.transforms.recorder import AppliedSteps
    from napari_whiskertoolbox.transforms.registry import TransformSpec

__all__ = [
    "PlannedRun",
    "apply_transform",
    "bound_key",
    "describe",
    "names",
    "plan_transform",
    "run_transform",
    "store_result",
]

CLOCK_LOGGER = logging.getLogger(__package__ or "napari_whiskertoolbox.transforms")
"""The transforms' logger (``napari_whiskertoolbox.transforms``, the pipelines' ``LOGGER``):
what converting a result to its output clock merged is written to it (WARNING)."""


def names(engine: Engine | None = None) -> list[str]:
    """Return the registered transform names.

    Parameters
    ----------
    engine : {"v2", "v1", "python"}, optional
        Only TransformsV2 names, V1 display names, or registered Python functions.

    Returns
    -------
    list of str
        In registration order.
    """
    return REGISTRY.names(engine)


def describe(name: str) -> dict[str, Any]:
    """Describe transform ``name``: kind, input kinds, output kind, parameter schema.

    Returns
    -------
    dict
        JSON-compatible: ``name``, ``kind``, ``engine``, ``category``, ``description``,
        ``input_kinds`` (one list of data kinds per input), ``output_kind``,
        ``parameters`` (name, type, default, bounds, choices, help), ``output_clock``.

    Raises
    ------
    TransformError
        Unknown name.
    """
    return REGISTRY.get(name).describe()


def _context(
    context: TransformContext | None,
    progress: Callable[[float], Any] | None,
    cancel: Any,
    name: str,
) -> TransformContext:
    if context is None and (progress is not None or cancel is not None):
        context = TransformContext(progress=progress, cancel=cancel)
    return as_context(context, name)


def _split_others(others: Any) -> tuple[list[Any], Mapping[str, Any]]:
    if others is None:
        return [], {}
    if isinstance(others, Mapping):
        return [], others
    if isinstance(others, (list, tuple)):
        return list(others), {}
    return [others], {}


def apply_transform(
    name: str,
    data: Any,
    params: Mapping[str, Any] | None = None,
    *,
    others: Any = None,
    clocks: Sequence[TimeFrame | None] | None = None,
    progress: Callable[[float], Any] | None = None,
    cancel: Any = None,
    context: TransformContext | None = None,
    groups: EntityGroups | None = None,
) -> Any:
    """Apply transform ``name`` to ``data`` and return a new data object (pure).

    Parameters
    ----------
    name : str
        A registered name (``names()``), e.g. ``"CalculateLineAngle"`` or ``"Calculate Area"``.
    data : data object
        The (first) input; never modified.
    params : mapping, optional
        JSON parameters; missing ones take their defaults.
    others : data object, sequence or mapping, optional
        The second input of a two-input transform (or a one-item sequence); a mapping
        ``{key: data}`` resolves parameters that name other data keys (V1 operations such
        as ``Boolean Operation``'s ``other_series``).
    clocks : sequence of TimeFrame or None, optional
        The clock of each input (used where a transform converts between clocks);
        without them indices are compared directly.
    progress : callable, optional
        Called with a fraction in [0, 1].
    cancel : threading.Event or callable, optional
        Set it (or make it return True) to stop the run with :class:`TransformCancelled`.
    context : TransformContext, optional
        Instead of ``progress`` and ``cancel``.
    groups : EntityGroups, optional
        The entity groups a transform reads or edits (``describe(name)["entity_groups"]``);
        never modified (the transform sees a copy).

    Returns
    -------
    data object or GroupEdit
        The result (see ``describe(name)["output_kind"]``); for a transform that edits
        entity groups, the :class:`~napari_whiskertoolbox.transforms.group_edit.GroupEdit`
        (``edit.apply(groups)`` makes it).

    Raises
    ------
    TransformError
        Unknown transform, wrong input kind, bad parameter; the message names them.
    TransformCancelled
        The run was cancelled.
    """
    spec = REGISTRY.get(name)
    extra, by_key = _split_others(others)
    items = [data, *extra]
    if len(items) == 1 and spec.arity == 2 and not spec.reads_other_key(params):
        items.append(data)  # not read (DigitalIntervalBoolean's not)
    clock_list = list(clocks or [])
    inputs = [
        Bound(obj, clock_list[i] if i < len(clock_list) else None) for i, obj in enumerate(items)
    ]
    if spec.entity_groups and groups is not None:
        inputs[0] = replace(inputs[0], groups=working_copy(groups))
    raw = dict(params or {})
    objects: dict[str, Bound] = {}
    for param in spec.schema:
        value = raw.get(param.name)
        if param.type == "key" and value is not None and not isinstance(value, str):
            objects[param.name] = value if isinstance(value, Bound) else Bound(value)
            raw[param.name] = "<object>"
    parsed = parse_params(spec, raw)
    if objects:
        parsed = parsed.replace(**objects)

    def lookup(key: str) -> Bound:
        if key not in by_key:
            raise TransformError(
                f"data key {key!r} is not among the given others {sorted(by_key)}",
                transform=spec.name,
                key=key,
            )
        return Bound(by_key[key], None, key)

    ctx = _context(context, progress, cancel, spec.name)
    return execute(spec, inputs, parsed, ctx, lookup if by_key else None)


def bound_key(dm: DataManager, key: str, owner: str, parameter: str | None = None) -> Bound:
    """Return the data under ``key`` with its clock.

    Parameters
    ----------
    dm : DataManager
    key : str
        The DataManager key.
    owner : str
        The transform or command asking, for the message.
    parameter : str, optional
        The parameter that named ``key`` (``"input_key"``), for the message.

    Raises
    ------
    TransformError
        ``key`` is not in ``dm`` (the message names the parameter, the closest key and
        lists the keys).
    """
    if not isinstance(key, str) or key not in dm:
        named_by = f" (parameter '{parameter}')" if parameter else ""
        raise TransformError(
            f"Input data '{key}' not found in DataManager{named_by}"
            f"{did_you_mean(key, dm.keys())}; keys: {sorted(dm.keys())}",
            transform=owner,
            parameter=parameter,
            value=key,
            key=str(key),
        )
    data, clock = dm.get_data(key), dm.clock_of(key)
    if is_relative_clock(dm.time_key(key)) and isinstance(data, DigitalEventSeries):
        return Bound(relative_ticks(data, clock), None, key, relative=True)
    return Bound(data, clock, key)


def is_relative_key(dm: DataManager, key: str) -> bool:
    """Return True when ``key`` holds relative ticks (see :mod:`.relative`)."""
    return is_relative_clock(dm.time_key(key))


def relative_store(
    dm: DataManager, output_key: str, result: Any, sampling_rate: float | None, owner: str
) -> tuple[Any, str, TimeFrame | None]:
    """Return ``result`` (relative ticks) as stored data, its clock's name and the clock to add.

    The clock is ``relative:<output_key>`` (``..._2`` … when a clock of that name holds
    other ticks: undo may still need them); None when it exists with these ticks.
    """
    data, clock = stored_relative(result, sampling_rate, owner)

    def taken(name: str) -> bool:
        return name in dm.time_keys() and dm.get_time(name) != clock

    name = first_free(relative_clock_name(output_key), taken)
    return data, name, None if name in dm.time_keys() else clock


def dm_lookup(dm: DataManager, owner: str) -> KeyLookup:
    """Return a function resolving parameter keys in ``dm``."""
    return lambda key: bound_key(dm, key, owner)


def store_result(
    dm: DataManager,
    output_key: str,
    result: Any,
    clock: str,
    label: str,
    owner: str,
) -> None:
    """Store ``result`` under ``output_key`` on ``clock`` as one undo step.

    Raises
    ------
    TransformError
        Empty key, unknown clock, or ``output_key`` holds data of another kind.
    """
    if not isinstance(output_key, str) or not output_key:
        raise TransformError(
            f"output key must be a non-empty string, got {output_key!r}", transform=owner
        )
    if clock not in dm.time_keys():
        raise TransformError(
            f"output clock '{clock}' does not exist (clocks: {dm.time_keys()})",
            transform=owner,
            parameter="output_time_key",
            value=clock,
        )
    if output_key in dm:
        old_kind, new_kind = dm.data_type(output_key), data_type_of(result)
        if old_kind != new_kind:
            raise TransformError(
                f"output key '{output_key}' already exists with a different data type "
                f"({old_kind}; the result is {new_kind})",
                transform=owner,
                key=output_key,
            )
    with dm.history.group(label):
        dm.set_data(output_key, result, clock)


@dataclass
class PlannedRun:
    """A checked run of a transform (or pipeline) on DataManager keys, not started yet.

    The work is split so a GUI can compute on a worker thread and store on the main
    thread: :meth:`compute` is pure (it reads the inputs, never changes the DataManager;
    cancel it and nothing happened), :meth:`store` adds the result as one undo step.

    Attributes
    ----------
    dm : DataManager
    name : str
        The transform (or pipeline) name.
    input_key, output_key : str
    output_time_key : str
        The clock the result will be stored on.
    other_keys : tuple of str
        Further inputs of a two-input transform.
    parameters : dict
        The JSON parameters with defaults filled in (what a recorder records).
    new_clock : TimeFrame or None
        A clock :meth:`store` creates as :attr:`output_time_key` (an upsampled clock),
        removed again with the last key bound to it (``DataManager.set_time(auto_remove=True)``).
    natural_time_key : str or None
        The clock the result's frames count (its input's). When :attr:`output_time_key` is
        another, chosen clock, :meth:`store` converts the frames to it or refuses
        (:func:`~napari_whiskertoolbox.transforms.output_clock.on_output_clock`).
    clock_note : str
        Set by :meth:`store`: what converting to the output clock merged ("882 events of the
        985 merged with another on the same 'camera' frame …",
        :func:`~napari_whiskertoolbox.transforms.output_clock.merge_note`), "" when nothing
        did. Also logged (WARNING) on the ``napari_whiskertoolbox.transforms`` logger.
    """

    dm: DataManager
    name: str
    input_key: str
    output_key: str
    output_time_key: str
    compute_fn: Callable[[TransformContext], Any] = field(repr=False)
    other_keys: tuple[str, ...] = ()
    parameters: dict[str, Any] = field(default_factory=dict)
    explicit_time_key: bool = False
    pipeline: dict[str, Any] | None = None
    new_clock: TimeFrame | None = None
    relative: bool = False
    sampling_rate: float | None = None
    edits_groups: bool = False
    natural_time_key: str | None = None
    clock_note: str = field(default="", init=False)

    @property
    def label(self) -> str:
        """Return the undo step's label."""
        if self.edits_groups:
            return f"{self.name} on {self.input_key} (entity groups)"
        return f"{self.name} → {self.output_key}"

    def compute(
        self,
        context: TransformContext | None = None,
        *,
        progress: Callable[[float], Any] | None = None,
        cancel: Any = None,
    ) -> Any:
        """Compute the result (pure; safe on a worker thread).

        Raises
        ------
        TransformError
            The transform failed.
        TransformCancelled
            The run was cancelled.
        """
        return self.compute_fn(_context(context, progress, cancel, self.name))

    def store(self, result: Any, recorder: AppliedSteps | None = None) -> None:
        """Store ``result`` under :attr:`output_key` and record the step: one undo step.

        Undoing it removes the key (or restores the one it replaced) and the recorded step.
        A transform that edits entity groups stores no key: ``result`` is its
        :class:`~napari_whiskertoolbox.transforms.group_edit.GroupEdit`, applied to
        ``dm.groups`` (undo reverts it).

        Raises
        ------
        TransformError
            The clock is gone, ``output_key`` now holds data of another kind, or the result
            cannot go on the chosen output clock (an analog signal or tensor whose sample
            count is not the clock's length; a relative clock).
        """
        time_key, new_clock = self.output_time_key, self.new_clock
        natural = self.natural_time_key
        self.clock_note = ""
        if self.explicit_time_key and natural is not None and natural != time_key:
            converted = on_output_clock(self.dm, result, natural, time_key, self.name)
            self.clock_note = merge_note(result, converted, time_key)
            result = converted
        if self.edits_groups:
            with self.dm.history.group(self.label):
                store_group_edit(self.dm, result, self.label)
                self._record(recorder)
            return
        if self.relative:
            result, time_key, new_clock = relative_store(
                self.dm, self.output_key, result, self.sampling_rate, self.name
            )
        with self.dm.history.group(self.label):
            if new_clock is not None and time_key not in self.dm.time_keys():
                # the transform's own clock: it goes with the last key bound to it
                self.dm.set_time(time_key, new_clock, auto_remove=True)
            store_result(self.dm, self.output_key, result, time_key, self.label, self.name)
            self._record(recorder)
        if self.clock_note:
            CLOCK_LOGGER.warning("%s: %s", self.label, self.clock_note)

    def _record(self, recorder: AppliedSteps | None) -> None:
        if recorder is not None:
            recorder.record(
                self.name,
                self.parameters,
                input_key=self.input_key,
                output_key=self.output_key,
                other_keys=self.other_keys,
                output_time_key=self.output_time_key if self.explicit_time_key else None,
                pipeline=self.pipeline,
                history=self.dm.history,
            )


def _input_count_problem(
    spec: TransformSpec, dm: DataManager, given: int, params: Mapping[str, Any] | None
) -> str:
    """Say how to give ``spec`` its inputs when ``given`` keys were given (for an error).

    Names the ``other_keys=`` argument, and each parameter given that is none of the
    transform's and names a key of ``dm`` (``other_series``: an input passed as a
    parameter, as WhiskerToolbox's V1 operation takes it).
    """
    message = f"takes {counted(spec.arity, 'input')}, got {given}"
    if spec.arity == 2 and given == 1:
        kinds = " or ".join(spec.input_kinds(1))
        message += f": pass the second ({kinds}) as other_keys='KEY'"
        if spec.other_unused_when is not None:
            name, value = spec.other_unused_when
            message += f" (not needed with {name}={value!r})"
    elif spec.arity == 1 and given > 1:
        message += ": leave other_keys out"
    known = set(spec.schema.names())
    as_keys = [
        (name, value)
        for name, value in (params or {}).items()
        if name not in known and isinstance(value, str) and value in dm
    ]
    if as_keys:
        named = ", ".join(f"{name!r} ({value!r})" for name, value in as_keys)
        message += (
            f"; the parameter{'s' if len(as_keys) > 1 else ''} {named} name"
            f"{'' if len(as_keys) > 1 else 's'} a key but {'are' if len(as_keys) > 1 else 'is'} "
            f"no parameter of {spec.name} (parameters: {', '.join(sorted(known)) or 'none'}): "
            f"an input goes in other_keys, e.g. other_keys={as_keys[0][1]!r}"
        )
    return message


def plan_transform(
    dm: DataManager,
    name: str,
    input_key: str,
    output_key: str,
    params: Mapping[str, Any] | None = None,
    *,
    other_keys: Sequence[str] | str | None = None,
    output_time_key: str | None = None,
    check_key_name: bool = True,
) -> PlannedRun:
    """Check a :func:`run_transform` call and return it as a :class:`PlannedRun`.

    Every argument is as in :func:`run_transform`; nothing runs and nothing changes.

    Raises
    ------
    TransformError
        Unknown transform or key, wrong kind, bad parameter, unknown clock, or an output
        key the run would be refused (empty, holding another kind of data than the result,
        or new and named against the key-name rule:
        :func:`~napari_whiskertoolbox.transforms.output_keys.output_key_check`); the
        message names them.
    """
    spec = REGISTRY.get(name)
    keys = [input_key, *([other_keys] if isinstance(other_keys, str) else list(other_keys or []))]
    if len(keys) == 1 and spec.arity == 2 and not spec.reads_other_key(params):
        keys.append(input_key)  # not read (DigitalIntervalBoolean's not): as the dock passes it
    if len(keys) != spec.arity:
        raise TransformError(_input_count_problem(spec, dm, len(keys), params), transform=spec.name)
    named_by = ["input_key"] + ["other_keys"] * (len(keys) - 1)
    inputs = [bound_key(dm, key, spec.name, by) for key, by in zip(keys, named_by, strict=True)]
    check_inputs(spec, inputs)
    for key in keys:
        if is_relative_key(dm, key):
            refuse_relative(spec, key, dm)
    parsed = parse_params(spec, params)
    if output_time_key is not None and output_time_key not in dm.time_keys():
        raise TransformError(
            f"output clock '{output_time_key}' does not exist (clocks: {dm.time_keys()})",
            transform=spec.name,
            parameter="output_time_key",
            value=output_time_key,
        )
    factor = getattr(parsed, spec.upsampling_param) if spec.upsampling_param else 1
    problem = planned_clock_problem(dm, spec, keys, output_time_key, int(factor))
    if problem is not None:
        raise TransformError(
            problem, transform=spec.name, parameter="output_time_key", value=output_time_key
        )
    if spec.entity_groups:
        inputs[0] = replace(inputs[0], groups=working_copy(dm.groups))
    if spec.edits_groups:
        output_key = output_key if isinstance(output_key, str) else ""
    else:  # before computing: storing into a key of another kind would fail after it
        refuse_output_key(dm, output_key, spec.output_kind, spec.name, check_name=check_key_name)
    natural = natural_clock_of(spec, dm, keys)
    assert natural is not None  # the keys are bound
    lookup = dm_lookup(dm, spec.name)
    time_key = output_time_key or natural
    new_clock = None
    if output_time_key is None and factor > 1:
        time_key, new_clock = upsampled_clock(dm, time_key, int(factor), spec.name)
    relative = output_time_key is None and spec.makes_relative(is_relative_key(dm, input_key))
    if relative:
        time_key = relative_clock_name(output_key)

    def compute(ctx: TransformContext) -> Any:
        return execute(spec, inputs, parsed, ctx, lookup)

    return PlannedRun(
        dm,
        spec.name,
        input_key,
        output_key,
        time_key,
        compute,
        tuple(keys[1:]),
        spec.schema.to_json(parsed),
        explicit_time_key=output_time_key is not None,
        new_clock=new_clock,
        relative=relative,
        sampling_rate=dm.clock_of(input_key).sampling_rate,
        edits_groups=spec.edits_groups,
        natural_time_key=natural,
    )


def run_transform(
    dm: DataManager,
    name: str,
    input_key: str,
    output_key: str,
    params: Mapping[str, Any] | None = None,
    *,
    other_keys: Sequence[str] | str | None = None,
    output_time_key: str | None = None,
    progress: Callable[[float], Any] | None = None,
    cancel: Any = None,
    context: TransformContext | None = None,
    recorder: AppliedSteps | None = None,
    check_key_name: bool = True,
) -> Any:
    """Run transform ``name`` on ``dm[input_key]`` and store the result under ``output_key``.

    The result is computed first and stored as one undo step; on any error or cancel the
    DataManager is unchanged. An existing ``output_key`` of the same kind is replaced (undo
    restores it); one of another kind is refused before anything is computed. A transform that edits entity groups
    (WhiskerToolbox's grouping operations) writes no key (``output_key`` is ignored and may
    be empty): its :class:`~napari_whiskertoolbox.transforms.group_edit.GroupEdit` is
    applied to ``dm.groups`` as one undo step and returned (``str(edit)`` says what changed).

    Parameters
    ----------
    dm : DataManager
        Where the inputs are and the output goes.
    name : str
        A registered transform name.
    input_key : str
        The (first) input.
    output_key : str
        Key of the result.
    params : mapping, optional
        JSON parameters.
    other_keys : str or sequence of str, optional
        The second input of a two-input transform.
    output_time_key : str, optional
        Clock of the result; by default the clock of the input the transform puts its
        output on (usually ``input_key``'s; the analog's for ``AnalogIntervalPeak``).
    progress, cancel, context
        As in :func:`apply_transform`.
    recorder : AppliedSteps, optional
        Records the step once it succeeded, in the same undo step as the result (for
        "save as pipeline"; :meth:`AppliedSteps.of` gives a DataManager's own record).
    check_key_name : bool, default True
        A new ``output_key`` must follow the key-name rule the Data browser applies
        (letters, digits, ``_``, ``-`` or ``.``, starting with a letter or ``_``); an
        existing key may be replaced whatever its name. False accepts any string, as
        WhiskerToolbox does for keys named in its files (a config's ``transformations``).

    Returns
    -------
    data object
        The stored result.

    Raises
    ------
    TransformError
        Unknown transform or key, wrong kind, bad parameter, unknown clock, an output key
        holding another kind of data, a new output key against the key-name rule (all
        before computing); the message names them.
    TransformCancelled
        The run was cancelled.
    """
    planned = plan_transform(
        dm,
        name,
        input_key,
        output_key,
        params,
        other_keys=other_keys,
        output_time_key=output_time_key,
        check_key_name=check_key_name,
    )
    result = planned.compute(context, progress=progress, cancel=cancel)
    planned.store(result, recorder)
    return result
