"""The transform registry: one :class:`TransformSpec` per registered name.

Built-in TransformsV2 transforms, the legacy V1 operations and Python functions all
register here; :func:`describe`, validation, JSON parsing, pipelines and (later) the dock's
forms read the same spec.
"""

from __future__ import annotations

import difflib
import threading
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from napari_whiskertoolbox.core.kinds import DATA_KINDS, DataKind
from napari_whiskertoolbox.transforms.errors import TransformError
from napari_whiskertoolbox.transforms.lift import ELEMENT_CONTAINER
from napari_whiskertoolbox.transforms.schema import Param, ParamSchema

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from napari_whiskertoolbox.transforms.units import OutputUnit

__all__ = [
    "REGISTRY",
    "Engine",
    "EntityGroupUse",
    "TransformKind",
    "TransformRegistry",
    "TransformSpec",
    "container_transform",
    "element_transform",
]

TransformKind = Literal[
    "element", "binary_element", "time_grouped", "container", "binary_container"
]
"""How a transform consumes its input (reference §1.2, §7)."""

Engine = Literal["v2", "v1", "python"]
"""Where a transform comes from: TransformsV2, the legacy V1 engine, or a Python function."""

ELEMENT_KINDS: tuple[TransformKind, ...] = ("element", "binary_element", "time_grouped")

EntityGroupUse = Literal["", "read", "edit"]
"""How a transform uses the DataManager's entity groups: not at all, reads them (its first
input carries a copy, ``Bound.groups``), or edits them (it returns a
:class:`~napari_whiskertoolbox.transforms.group_edit.GroupEdit` instead of data)."""


@dataclass(frozen=True)
class TransformSpec:
    """Everything known about one registered transform.

    Attributes
    ----------
    name : str
        Registered name, used verbatim in JSON ``transform_name``.
    kind : TransformKind
        Element, binary element, time-grouped, container or binary container.
    inputs : tuple of tuple of str
        Per input slot, the accepted element types (element kinds) or data kinds
        (container kinds).
    output : str
        Output element type (element kinds) or data kind (container kinds).
    schema : ParamSchema
        Parameters.
    func : callable
        Element kinds: ``func(batch, params, ctx) -> Batch`` (binary: ``func(a, b, params,
        ctx)`` on paired batches). Container kinds: ``func(inputs, params, ctx) -> data``
        with ``inputs`` a list of :class:`~napari_whiskertoolbox.transforms.lift.Bound`.
    category, description : str
        Grouping and one-paragraph help for the dock.
    engine : Engine
        ``"v2"``, ``"v1"`` or ``"python"``.
    output_clock : int or None
        Index of the input whose clock the output lives on; None = no clock of its own
        (relative ticks), stored under the first input's clock unless told otherwise.
    keeps_relative : bool
        A result is relative ticks when the input is (``ShiftDigitalEventSeries``); see
        :mod:`napari_whiskertoolbox.transforms.relative`.
    upsampling_param : str or None
        The integer parameter ``k`` of a transform whose result has ``(N - 1)·k + 1``
        samples (``SincInterpolation``): stored without an explicit clock, the result goes
        on its clock upsampled ``k`` times (``<clock>_x<k>``, made if missing).
    in_wt_registry : bool
        False for algorithms WhiskerToolbox ships but does not register (reference §2).
    one_value_per_time : bool
        The transform walks analog samples in time order, so an analog input holding
        several values at one time (a ragged float result) is refused; see
        :mod:`napari_whiskertoolbox.transforms.one_value_per_time`.
    source : str
        Where the specification comes from (reference section, or the Python module).
    entity_groups : {"", "read", "edit"}
        ``"read"``: the function reads ``inputs[0].groups`` (a copy of the DataManager's
        groups). ``"edit"``: it changes that copy and returns a
        :class:`~napari_whiskertoolbox.transforms.group_edit.GroupEdit`; storing applies the
        edit to the DataManager's groups as one undo step and writes no key (WhiskerToolbox's
        grouping operations, reference §5).
    other_unused_when : tuple of (str, object) or None
        ``(parameter, value)``: with that value the transform does not read its other key,
        the second input or its ``key`` parameter (``DigitalIntervalBoolean``'s
        ``operation: "not"``, the gaps of the input; reference §3.5), which may then be
        left out.
    output_unit : OutputUnit
        The unit of an analog result (see :mod:`napari_whiskertoolbox.transforms.units`):
        ``"degrees"``, ``"{unit}"`` (the input's), ``"{unit}/sample"``, or
        ``(parameter, {value: unit})``; None leaves the result's unit as it is made.
    """

    name: str
    kind: TransformKind
    inputs: tuple[tuple[str, ...], ...]
    output: str
    schema: ParamSchema
    func: Callable[..., Any]
    category: str = ""
    description: str = ""
    engine: Engine = "v2"
    output_clock: int | None = 0
    keeps_relative: bool = False
    upsampling_param: str | None = None
    in_wt_registry: bool = True
    one_value_per_time: bool = False
    source: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    entity_groups: EntityGroupUse = ""
    other_unused_when: tuple[str, Any] | None = None
    output_unit: OutputUnit = None

    def reads_other_key(self, params: Mapping[str, Any] | None) -> bool:
        """Return whether the transform with the parameter values ``params`` reads its other key.

        A parameter left out has its default (see :attr:`other_unused_when`).
        """
        rule = self.other_unused_when
        if rule is None:
            return True
        name, value = rule
        given = (params or {}).get(name, self.schema[name].default)
        return given != value

    @property
    def edits_groups(self) -> bool:
        """Return True when the transform edits entity groups instead of producing data."""
        return self.entity_groups == "edit"

    @property
    def arity(self) -> int:
        """Return the number of data inputs (1 or 2)."""
        return len(self.inputs)

    @property
    def accepts_relative(self) -> bool:
        """Return True when the transform reads relative ticks as ticks (not frame indices)."""
        return self.output_clock is None or self.keeps_relative

    def makes_relative(self, input_relative: bool) -> bool:
        """Return True when the result holds relative ticks (no clock of its own)."""
        return self.output_clock is None or (self.keeps_relative and input_relative)

    @property
    def is_element(self) -> bool:
        """Return True for element, binary-element and time-grouped transforms."""
        return self.kind in ELEMENT_KINDS

    def input_kinds(self, slot: int = 0) -> tuple[DataKind, ...]:
        """Return the data kinds accepted at input ``slot``, in display order."""
        accepted = self.inputs[slot]
        kinds = {ELEMENT_CONTAINER[e] for e in accepted} if self.is_element else set(accepted)
        return tuple(k for k in DATA_KINDS if k in kinds)

    @property
    def output_kind(self) -> DataKind:
        """Return the data kind of the result."""
        if self.is_element:
            return ELEMENT_CONTAINER[self.output]
        return self.output  # type: ignore[return-value]

    def describe(self) -> dict[str, Any]:
        """Return a JSON-compatible description (kinds, parameters, help)."""
        out: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind,
            "engine": self.engine,
            "category": self.category,
            "description": self.description,
            "input_kinds": [list(self.input_kinds(i)) for i in range(self.arity)],
            "output_kind": self.output_kind,
            "parameters": self.schema.describe(),
            "output_clock": self.output_clock,
        }
        if self.upsampling_param is not None:
            out["upsampling_param"] = self.upsampling_param
        if self.is_element:
            out["element_inputs"] = [list(slot) for slot in self.inputs]
            out["element_output"] = self.output
        if not self.in_wt_registry:
            out["in_wt_registry"] = False
        if self.one_value_per_time:
            out["one_value_per_time"] = True
        if self.source:
            out["source"] = self.source
        if self.entity_groups:
            out["entity_groups"] = self.entity_groups
        if self.other_unused_when is not None:
            out["other_unused_when"] = list(self.other_unused_when)
        if self.output_unit is not None:
            unit = self.output_unit
            out["output_unit"] = unit if isinstance(unit, str) else [unit[0], dict(unit[1])]
        return out


class TransformRegistry:
    """Name → :class:`TransformSpec`, thread-safe."""

    def __init__(self) -> None:
        self._specs: dict[str, TransformSpec] = {}
        self._lock = threading.RLock()

    def register(self, spec: TransformSpec, *, replace_existing: bool = False) -> TransformSpec:
        """Add ``spec``; return it.

        Raises
        ------
        ValueError
            The name is taken (unless ``replace_existing``), or the spec is inconsistent.
        """
        _check_spec(spec)
        with self._lock:
            old = self._specs.get(spec.name)
            if old is not None and not replace_existing:
                raise ValueError(
                    f"a transform named {spec.name!r} is already registered "
                    f"({old.engine}); pass replace_existing=True to replace it"
                )
            self._specs[spec.name] = spec
        return spec

    def unregister(self, name: str) -> bool:
        """Remove ``name``; return False if it was not registered."""
        with self._lock:
            return self._specs.pop(name, None) is not None

    def get(self, name: str) -> TransformSpec:
        """Return the spec of ``name``.

        Raises
        ------
        TransformError
            Unknown name (the message suggests close names).
        """
        spec = self._specs.get(name)
        if spec is None:
            hint = difflib.get_close_matches(str(name), list(self._specs), n=3)
            extra = f"; did you mean {', '.join(map(repr, hint))}?" if hint else ""
            raise TransformError(
                f"unknown transform {name!r}{extra}", transform=str(name), value=name
            )
        return spec

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def names(self, engine: Engine | None = None) -> list[str]:
        """Return registered names in registration order (optionally of one engine)."""
        return [n for n, s in list(self._specs.items()) if engine is None or s.engine == engine]

    def specs(self) -> list[TransformSpec]:
        """Return every spec in registration order."""
        return list(self._specs.values())


REGISTRY = TransformRegistry()
"""The process-wide registry every API function uses."""


def _check_spec(spec: TransformSpec) -> None:
    if not spec.name or not isinstance(spec.name, str):
        raise ValueError(f"a transform name must be a non-empty string, got {spec.name!r}")
    expected_arity = 2 if spec.kind.startswith("binary") else 1
    if spec.arity != expected_arity:
        raise ValueError(f"{spec.name}: a {spec.kind} transform takes {expected_arity} inputs")
    if spec.is_element:
        for slot in (*spec.inputs, (spec.output,)):
            for etype in slot:
                if etype not in ELEMENT_CONTAINER:
                    raise ValueError(
                        f"{spec.name}: unknown element type {etype!r}; expected one of "
                        f"{list(ELEMENT_CONTAINER)}"
                    )
    else:
        for slot in (*spec.inputs, (spec.output,)):
            for kind in slot:
                if kind not in DATA_KINDS:
                    raise ValueError(
                        f"{spec.name}: unknown data kind {kind!r}; expected one of {DATA_KINDS}"
                    )


def _schema(params: Iterable[Param] | ParamSchema) -> ParamSchema:
    return params if isinstance(params, ParamSchema) else ParamSchema(tuple(params))


def element_transform(
    name: str,
    inputs: str | tuple[str, ...],
    output: str,
    params: Iterable[Param] | ParamSchema = (),
    *,
    kind: TransformKind = "element",
    second: str | tuple[str, ...] | None = None,
    category: str = "",
    description: str = "",
    with_context_twin: bool = True,
    source: str = "",
    registry: TransformRegistry | None = None,
    output_clock: int | None = 0,
    output_unit: OutputUnit = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a built-in vectorised element transform (decorator).

    Parameters
    ----------
    name : str
        Registered name.
    inputs : str or tuple of str
        Element type(s) accepted (first input).
    output : str
        Output element type.
    params : iterable of Param
        Parameter declarations.
    kind : {"element", "binary_element", "time_grouped"}
        How the function consumes elements.
    second : str or tuple of str, optional
        Element type(s) of the second input (binary element transforms).
    category, description, source : str
        Help for describe() and the dock.
    with_context_twin : bool
        Also register ``<name>WithContext`` with the same parameters and results
        (WhiskerToolbox registers one for every element transform, reference §1.4).
    registry : TransformRegistry, optional
        Where to register (the global one by default).
    output_clock : int or None
        None: the elements' times come in as ticks of their clock and the result is
        relative ticks (see :attr:`TransformSpec.output_clock`).
    output_unit : OutputUnit
        See :attr:`TransformSpec.output_unit`.
    """
    first = (inputs,) if isinstance(inputs, str) else tuple(inputs)
    slots: tuple[tuple[str, ...], ...] = (first,)
    if second is not None:
        slots += ((second,) if isinstance(second, str) else tuple(second),)
    target = REGISTRY if registry is None else registry

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        spec = TransformSpec(
            name,
            kind,
            slots,
            output,
            _schema(params),
            func,
            category=category,
            description=description or (func.__doc__ or "").strip().split("\n")[0],
            source=source,
            output_clock=output_clock,
            output_unit=output_unit,
        )
        target.register(spec)
        if with_context_twin:
            target.register(
                replace(
                    spec,
                    name=f"{name}WithContext",
                    description=f"{spec.description} (context variant of {name})",
                )
            )
        return func

    return register


def container_transform(
    name: str,
    inputs: tuple[str | tuple[str, ...], ...],
    output: str,
    params: Iterable[Param] | ParamSchema = (),
    *,
    category: str = "",
    description: str = "",
    output_clock: int | None = 0,
    keeps_relative: bool = False,
    upsampling_param: str | None = None,
    in_wt_registry: bool = True,
    one_value_per_time: bool = False,
    source: str = "",
    engine: Engine = "v2",
    registry: TransformRegistry | None = None,
    entity_groups: EntityGroupUse = "",
    other_unused_when: tuple[str, Any] | None = None,
    output_unit: OutputUnit = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a built-in container transform (decorator).

    Parameters
    ----------
    name : str
        Registered name.
    inputs : tuple
        One entry per input: a data kind or a tuple of accepted data kinds.
    output : str
        Output data kind.
    params : iterable of Param
        Parameter declarations.
    output_clock : int or None
        Input whose clock the output lives on (None: relative ticks, no clock).
    keeps_relative : bool
        See :attr:`TransformSpec.keeps_relative`.
    upsampling_param : str or None
        See :attr:`TransformSpec.upsampling_param`.
    in_wt_registry : bool
        False for algorithms WhiskerToolbox does not register.
    one_value_per_time : bool
        See :attr:`TransformSpec.one_value_per_time`.
    category, description, source, engine, registry, entity_groups, other_unused_when
    output_unit
        As in :class:`TransformSpec`.
    """
    slots = tuple((s,) if isinstance(s, str) else tuple(s) for s in inputs)
    kind: TransformKind = "binary_container" if len(slots) == 2 else "container"
    target = REGISTRY if registry is None else registry

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        target.register(
            TransformSpec(
                name,
                kind,
                slots,
                output,
                _schema(params),
                func,
                category=category,
                description=description or (func.__doc__ or "").strip().split("\n")[0],
                engine=engine,
                output_clock=output_clock,
                keeps_relative=keeps_relative,
                upsampling_param=upsampling_param,
                in_wt_registry=in_wt_registry,
                one_value_per_time=one_value_per_time,
                source=source,
                entity_groups=entity_groups,
                other_unused_when=other_unused_when,
                output_unit=output_unit,
            )
        )
        return func

    return register
