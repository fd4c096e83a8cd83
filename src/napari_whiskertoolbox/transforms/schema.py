"""Typed parameter schemas: one declaration per transform parameter.

Validation, JSON parsing and serialisation, :func:`describe` output and (later) magicgui
forms all derive from :class:`Param`. JSON rules follow WhiskerToolbox (reference §1.4):
missing fields take their default, a value of the wrong JSON type is an error, declared
bounds are enforced, enumerations are case-sensitive strings. Unknown fields are rejected
with ``strict=True`` (V1 setter tables, and every Python API / dock call, where a typo must
not silently run with the default) and otherwise ignored, as WhiskerToolbox's V2 loader does
for pipeline files; those callers report them with :meth:`ParamSchema.unknown_keys` and
:meth:`ParamSchema.unknown_key_message` instead of staying silent.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from napari_whiskertoolbox.core.close_match import did_you_mean
from napari_whiskertoolbox.transforms.errors import TransformError

__all__ = [
    "Param",
    "ParamSchema",
    "ParamType",
    "Params",
    "p_bool",
    "p_enum",
    "p_float",
    "p_int",
    "p_key",
    "p_list",
    "p_object",
    "p_str",
]

ParamType = Literal[
    "float",
    "int",
    "bool",
    "str",
    "enum",
    "float_list",
    "int_list",
    "str_list",
    "object",
    "object_list",
    "key",
]
"""The value types a parameter may have (``key`` names another DataManager key)."""

_INT_LIMIT = 2**31 - 1
_ELEMENT_TYPES: dict[str, tuple[type, ...]] = {
    "float_list": (int, float),
    "int_list": (int,),
    "str_list": (str,),
    "object_list": (Mapping,),
}


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    if value is None:
        return "null"
    return type(value).__name__


def _title(name: str) -> str:
    return " ".join(w.capitalize() for w in name.split("_"))


@dataclass(frozen=True)
class Param:
    """One parameter of a transform or command.

    Attributes
    ----------
    name : str
        The JSON key (snake_case, as WhiskerToolbox writes it).
    type : ParamType
        Value type.
    default : object
        Default value (JSON-compatible); ignored when ``required``.
    help : str
        Tooltip text: meaning, unit, clock.
    minimum, maximum : float, optional
        Bounds for numbers (``exclusive_*`` makes them strict).
    exclusive_minimum, exclusive_maximum : bool
        Whether the bounds are strict (``> 0`` rather than ``>= 0``).
    choices : tuple of str, optional
        Allowed values of an ``enum`` (case-sensitive).
    required : bool
        The value must be given (commands' ``input_key`` and the like).
    key_kinds : tuple of str
        For ``key`` parameters: the data kinds the named key may have.
    display_name : str, optional
        Form label; Title Case of ``name`` when omitted.
    advanced : bool
        Shown collapsed in forms.
    allow_non_finite : bool
        A ``float`` parameter may be NaN or infinite (otherwise :meth:`parse` refuses them:
        ``nan``, ``inf`` and overflowing text such as ``1e400`` are no usable threshold,
        scale or bound).
    """

    name: str
    type: ParamType
    default: Any = None
    help: str = ""
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    choices: tuple[str, ...] | None = None
    required: bool = False
    key_kinds: tuple[str, ...] = ()
    display_name: str | None = None
    advanced: bool = False
    allow_non_finite: bool = False

    @property
    def label(self) -> str:
        """Return the form label (``display_name`` or the Title-Cased name)."""
        return self.display_name or _title(self.name)

    # ------------------------------------------------------------------ validation
    def _error(self, owner: str, value: Any, expected: str) -> TransformError:
        return TransformError(
            f"parameter '{self.name}' = {value!r} is invalid; expected {expected}",
            transform=owner,
            parameter=self.name,
            value=value,
        )

    def bounds_text(self) -> str:
        """Return the bounds as text, e.g. ``"> 0"`` or ``"in [0, 1]"`` ("" when unbounded)."""
        lo, hi = self.minimum, self.maximum
        if lo is not None and hi is not None:
            left = "(" if self.exclusive_minimum else "["
            right = ")" if self.exclusive_maximum else "]"
            return f"in {left}{lo:g}, {hi:g}{right}"
        if lo is not None:
            return f"{'>' if self.exclusive_minimum else '>='} {lo:g}"
        if hi is not None:
            return f"{'<' if self.exclusive_maximum else '<='} {hi:g}"
        return ""

    def _check_bounds(self, value: float, owner: str) -> None:
        lo, hi = self.minimum, self.maximum
        bad = (
            math.isnan(value)
            or (lo is not None and (value <= lo if self.exclusive_minimum else value < lo))
            or (hi is not None and (value >= hi if self.exclusive_maximum else value > hi))
        )
        if bad:
            raise self._error(owner, value, f"a number {self.bounds_text() or '(not NaN)'}")

    def parse(self, value: Any, owner: str = "", *, lenient: bool = False) -> Any:
        """Validate one JSON value and return it converted to the parameter's type.

        Parameters
        ----------
        value : object
            The JSON value (after ``json.loads``).
        owner : str
            Transform or command name, for the error message.
        lenient : bool
            Also accept strings holding a number or boolean (WhiskerToolbox's V1 setters
            convert text, e.g. after ``${var}`` substitution).

        Returns
        -------
        object
            ``float``, ``int``, ``bool``, ``str``, ``list`` or ``dict``.

        Raises
        ------
        TransformError
            Wrong JSON type, out of bounds, or not an allowed choice; the message names
            ``owner``, the parameter and the value.
        """
        kind = self.type
        if lenient and isinstance(value, str) and kind in ("float", "int", "bool"):
            value = self._from_text(value, owner)
        if kind == "float":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise self._error(owner, value, f"a number, got a {_type_name(value)}")
            out_f = float(value)
            if not self.allow_non_finite and not math.isfinite(out_f):
                raise self._error(owner, value, "a finite number (not NaN or infinite)")
            self._check_bounds(out_f, owner)
            return out_f
        if kind == "int":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise self._error(owner, value, f"an integer, got a {_type_name(value)}")
            if isinstance(value, float) and not math.isfinite(value):
                raise self._error(owner, value, "an integer, got a non-finite number")
            if isinstance(value, float) and not value.is_integer():
                raise self._error(owner, value, "an integer, got a fractional number")
            out_i = int(value)
            self._check_bounds(out_i, owner)
            return out_i
        if kind == "bool":
            if not isinstance(value, bool):
                raise self._error(owner, value, f"true or false, got a {_type_name(value)}")
            return value
        if kind in ("str", "key"):
            if not isinstance(value, str):
                raise self._error(owner, value, f"a string, got a {_type_name(value)}")
            if kind == "key" and not value and self.required:
                raise self._error(owner, value, "a non-empty data key")
            return value
        if kind == "enum":
            choices = self.choices or ()
            if not isinstance(value, str) or value not in choices:
                raise self._error(owner, value, f"one of {list(choices)} (case-sensitive)")
            return value
        if kind in _ELEMENT_TYPES:
            allowed = _ELEMENT_TYPES[kind]
            if not isinstance(value, (list, tuple)) or any(
                isinstance(v, bool) or not isinstance(v, allowed) for v in value
            ):
                raise self._error(owner, value, f"an array of {kind.split('_')[0]} values")
            if kind == "float_list":
                return [float(v) for v in value]
            return list(value)
        if kind == "object":
            if not isinstance(value, Mapping):
                raise self._error(owner, value, f"an object, got a {_type_name(value)}")
            return dict(value)
        raise self._error(owner, value, f"a value of type {kind}")  # pragma: no cover

    def _from_text(self, text: str, owner: str) -> Any:
        t = text.strip()
        if self.type == "bool":
            if t.lower() in ("true", "1", "yes", "on"):
                return True
            if t.lower() in ("false", "0", "no", "off"):
                return False
            raise self._error(owner, text, "true or false")
        try:
            number = float(t)
        except ValueError:
            raise self._error(owner, text, f"a number ({self.type})") from None
        return int(number) if self.type == "int" and number.is_integer() else number

    def to_json(self, value: Any) -> Any:
        """Return ``value`` as a JSON-compatible object."""
        if isinstance(value, tuple):
            return list(value)
        return value

    # ------------------------------------------------------------------ forms
    def annotation(self) -> Any:
        """Return the Python type a form widget edits (``Literal[...]`` for enums)."""
        if self.type == "enum":
            return Literal.__getitem__(tuple(self.choices or ()))
        return {
            "float": float,
            "int": int,
            "bool": bool,
            "str": str,
            "key": str,
            "float_list": list[float],
            "int_list": list[int],
            "str_list": list[str],
            "object": dict,
            "object_list": list[dict],
        }[self.type]

    def widget_options(self) -> dict[str, Any]:
        """Return magicgui widget options for this parameter.

        Returns
        -------
        dict
            ``label``, ``tooltip`` and ``value`` always; ``min``/``max``/``step`` for
            integers (bounds of the schema, else a wide range); ``step`` for floats;
            ``choices`` for enums; ``widget_type`` naming the magicgui widget, or
            ``"FloatField"`` for floats: a text field that keeps any float exactly (a spin
            box rounds to its decimals), whose bounds — strict ones included — :meth:`parse`
            enforces; its ``minimum``/``maximum``/``exclusive_minimum``/``exclusive_maximum``
            (the schema's, when set) stop Up/Down at the bound.
        """
        options: dict[str, Any] = {"label": self.label, "tooltip": self.help}
        if not self.required and self.type not in ("object",):
            options["value"] = self.default
        if self.type == "int":
            lo = -_INT_LIMIT if self.minimum is None else math.ceil(self.minimum)
            hi = _INT_LIMIT if self.maximum is None else math.floor(self.maximum)
            if self.exclusive_minimum and self.minimum is not None and lo == self.minimum:
                lo += 1
            if self.exclusive_maximum and self.maximum is not None and hi == self.maximum:
                hi -= 1
            options.update(widget_type="SpinBox", min=int(lo), max=int(hi), step=1)
        elif self.type == "float":
            step = 10 ** math.floor(math.log10(abs(self.default) or 1) - 1)
            options.update(widget_type="FloatField", value=float(self.default), step=step)
            if self.minimum is not None:
                options.update(minimum=self.minimum, exclusive_minimum=self.exclusive_minimum)
            if self.maximum is not None:
                options.update(maximum=self.maximum, exclusive_maximum=self.exclusive_maximum)
        elif self.type == "bool":
            options["widget_type"] = "CheckBox"
        elif self.type == "enum":
            options.update(widget_type="ComboBox", choices=list(self.choices or ()))
        elif self.type == "key":
            options.update(widget_type="ComboBox", choices=[])
        elif self.type == "object":
            options.update(widget_type="LineEdit", value=json.dumps(self.default or {}))
        elif self.type in _ELEMENT_TYPES:
            options["widget_type"] = "ListEdit"
        else:
            options["widget_type"] = "LineEdit"
        return options

    def describe(self) -> dict[str, Any]:
        """Return a JSON-compatible description of the parameter."""
        out: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "default": None if self.required else self.to_json(self.default),
            "help": self.help,
            "label": self.label,
            "required": self.required,
        }
        for attr in ("minimum", "maximum"):
            if getattr(self, attr) is not None:
                out[attr] = getattr(self, attr)
        if self.exclusive_minimum:
            out["exclusive_minimum"] = True
        if self.exclusive_maximum:
            out["exclusive_maximum"] = True
        if self.choices is not None:
            out["choices"] = list(self.choices)
        if self.key_kinds:
            out["key_kinds"] = list(self.key_kinds)
        if self.advanced:
            out["advanced"] = True
        return out


# ---------------------------------------------------------------------- constructors
def p_float(
    name: str,
    default: float,
    help: str = "",
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    exclusive_minimum: bool = False,
    exclusive_maximum: bool = False,
    advanced: bool = False,
    allow_non_finite: bool = False,
) -> Param:
    """Declare a float parameter (JSON number; finite unless ``allow_non_finite``)."""
    return Param(
        name,
        "float",
        float(default),
        help,
        minimum,
        maximum,
        exclusive_minimum,
        exclusive_maximum,
        advanced=advanced,
        allow_non_finite=allow_non_finite,
    )


def p_int(
    name: str,
    default: int,
    help: str = "",
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    exclusive_minimum: bool = False,
    advanced: bool = False,
) -> Param:
    """Declare an integer parameter (JSON integer; whole-number decimals accepted)."""
    return Param(
        name,
        "int",
        int(default),
        help,
        minimum,
        maximum,
        exclusive_minimum,
        advanced=advanced,
    )


def p_bool(name: str, default: bool, help: str = "", *, advanced: bool = False) -> Param:
    """Declare a boolean parameter (JSON true/false)."""
    return Param(name, "bool", bool(default), help, advanced=advanced)


def p_str(name: str, default: str = "", help: str = "", *, required: bool = False) -> Param:
    """Declare a free-text parameter."""
    return Param(name, "str", default, help, required=required)


def p_enum(
    name: str, choices: tuple[str, ...], help: str = "", default: str | None = None
) -> Param:
    """Declare an enumeration (case-sensitive strings); the default is the first choice."""
    value = choices[0] if default is None else default
    if value not in choices:
        raise ValueError(f"default {value!r} of {name!r} is not one of {choices}")
    return Param(name, "enum", value, help, choices=tuple(choices))


def p_list(
    name: str, element: Literal["float", "int", "str"], default: list[Any], help: str = ""
) -> Param:
    """Declare a list parameter of floats, integers or strings."""
    kind: ParamType = "float_list" if element == "float" else f"{element}_list"  # type: ignore[assignment]
    return Param(name, kind, list(default), help)


def p_object(name: str, default: dict[str, Any] | None = None, help: str = "") -> Param:
    """Declare a JSON-object parameter (e.g. a filter specification)."""
    return Param(name, "object", dict(default or {}), help)


def p_key(
    name: str,
    kinds: tuple[str, ...],
    help: str = "",
    *,
    required: bool = True,
    default: str = "",
) -> Param:
    """Declare a parameter naming another DataManager key of one of ``kinds``."""
    return Param(name, "key", default, help, required=required, key_kinds=tuple(kinds))


# ---------------------------------------------------------------------- values
class Params(Mapping[str, Any]):
    """Parsed parameter values: a read-only mapping with attribute access.

    Parameters
    ----------
    values : mapping
        Parameter name → value.
    """

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, Any]) -> None:
        object.__setattr__(self, "_values", dict(values))

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(
                f"no parameter {name!r}; parameters: {list(self._values)}"
            ) from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Params are read-only; use replace(**changes)")

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def replace(self, **changes: Any) -> Params:
        """Return a copy with some values replaced (not validated; see ParamSchema.parse)."""
        return Params({**self._values, **changes})

    def to_dict(self) -> dict[str, Any]:
        """Return the values as a new dict."""
        return dict(self._values)

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self._values.items())
        return f"Params({inner})"


@dataclass(frozen=True)
class ParamSchema:
    """The ordered parameters of one transform or command.

    Attributes
    ----------
    params : tuple of Param
        In display order.
    """

    params: tuple[Param, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        names = [p.name for p in self.params]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate parameter names in {names}")

    def __iter__(self) -> Iterator[Param]:
        return iter(self.params)

    def __len__(self) -> int:
        return len(self.params)

    def __contains__(self, name: object) -> bool:
        return any(p.name == name for p in self.params)

    def __getitem__(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(f"no parameter {name!r}; parameters: {self.names()}")

    def names(self) -> list[str]:
        """Return the parameter names in order."""
        return [p.name for p in self.params]

    def defaults(self) -> Params:
        """Return every parameter at its default (required ones are None)."""
        return Params({p.name: p.default for p in self.params})

    def parse(
        self,
        raw: Mapping[str, Any] | Params | None,
        owner: str = "",
        *,
        strict: bool = False,
        lenient: bool = False,
    ) -> Params:
        """Validate a JSON object of parameters and fill in defaults.

        Parameters
        ----------
        raw : mapping or None
            Parameter values (``None`` = all defaults). A :class:`Params` is re-validated.
        owner : str
            Transform or command name, for error messages.
        strict : bool
            Reject unknown keys (V1 setter tables; Python API and dock calls) instead of
            ignoring them (V2 JSON files, whose callers report them as warnings).
        lenient : bool
            Accept numbers and booleans written as strings (V1).

        Returns
        -------
        Params

        Raises
        ------
        TransformError
            Not an object, unknown key (``strict``), missing required value, wrong type or
            out of bounds; the message names ``owner``, the parameter and the value.
        """
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            raise TransformError(
                f"parameters must be a JSON object, got {_type_name(raw)} {raw!r}",
                transform=owner,
                value=raw,
            )
        if strict:
            unknown = self.unknown_keys(raw)
            if unknown:
                raise TransformError(
                    self.unknown_key_message(unknown[0]),
                    transform=owner,
                    parameter=unknown[0],
                    value=raw[unknown[0]],
                )
        values: dict[str, Any] = {}
        for p in self.params:
            if p.name in raw:
                values[p.name] = p.parse(raw[p.name], owner, lenient=lenient)
            elif p.required:
                raise TransformError(
                    f"parameter '{p.name}' is required",
                    transform=owner,
                    parameter=p.name,
                )
            else:
                values[p.name] = p.default
        return Params(values)

    def unknown_keys(self, raw: Mapping[str, Any] | None) -> list[str]:
        """Return the keys of ``raw`` that are not parameters, in the order given."""
        names = set(self.names())
        return [str(k) for k in (raw or {}) if k not in names]

    def unknown_key_message(self, key: str) -> str:
        """Return the text saying ``key`` is not a parameter (close match, valid keys).

        Examples
        --------
        ``unknown parameter 'positon' (did you mean 'position'?); valid parameters:
        ['method', 'position', ...]``
        """
        names = self.names()
        valid = f"valid parameters: {names}" if names else "it takes no parameters"
        return f"unknown parameter '{key}'{did_you_mean(key, names)}; {valid}"

    def to_json(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Return ``params`` as a JSON object (only declared parameters)."""
        return {p.name: p.to_json(params[p.name]) for p in self.params if p.name in params}

    def describe(self) -> list[dict[str, Any]]:
        """Return one JSON-compatible description per parameter."""
        return [p.describe() for p in self.params]

    def with_defaults(self, **defaults: Any) -> ParamSchema:
        """Return a copy whose listed parameters have other defaults."""
        return ParamSchema(
            tuple(replace(p, default=defaults[p.name]) if p.name in defaults else p for p in self)
        )
