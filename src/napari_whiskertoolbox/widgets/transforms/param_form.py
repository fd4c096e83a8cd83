"""A magicgui form built from a transform's parameter schema.

One widget per :class:`~napari_whiskertoolbox.transforms.schema.Param`, made from
``Param.widget_options()``: integer spin boxes carry the schema's bounds, floats are
:class:`~.float_field.FloatField` text fields that keep any float exactly (0.00025, 2.5e-05),
enumerations are combo boxes of their choices, key parameters list the DataManager keys of
the allowed kinds. :meth:`ParamForm.values` returns the JSON parameters, validated by the
same schema (bounds, strict ones included); :meth:`ParamForm.problem` says why they are not
valid, for a dock to show before Run.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from magicgui.widgets import ComboBox, Container, Label, create_widget

from napari_whiskertoolbox.transforms.errors import TransformError
from napari_whiskertoolbox.widgets.transforms.float_field import FloatField
from napari_whiskertoolbox.widgets.transforms.other_keys import (
    OtherKey,
    is_used,
    sometimes_unused,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from napari_whiskertoolbox.transforms.schema import Param, ParamSchema

__all__ = ["ParamForm"]


class ParamForm(Container):
    """Editable parameters of one transform (or pipeline step).

    Parameters
    ----------
    schema : ParamSchema
        The parameters, in display order.
    owner : str
        Transform name, for error messages.
    key_choices : callable, optional
        ``key_choices(kinds) -> list[str]``: the DataManager keys a ``key`` parameter may
        name (refreshed by :meth:`refresh_keys`).
    input_kinds : tuple of str, optional
        The transform's input kinds. Given (the Transforms dock), each ``key`` parameter is
        an :class:`~.other_keys.OtherKey`: it defaults to a key other than the input named
        by :meth:`follow_input`. Not given (pipeline steps), key parameters keep their value.
    """

    def __init__(
        self,
        schema: ParamSchema,
        owner: str = "",
        key_choices: Callable[[tuple[str, ...]], list[str]] | None = None,
        input_kinds: tuple[str, ...] | None = None,
    ) -> None:
        super().__init__(labels=True)
        self.schema = schema
        self.owner = owner
        self._key_choices = key_choices or (lambda kinds: [])
        self._params = {p.name: p for p in schema}
        self.other_keys: dict[str, OtherKey] = {}
        """The ``key`` parameters following the input (only with ``input_kinds``)."""
        for param in schema:
            widget = self._make(param)
            self.append(widget)
            if param.type == "key" and input_kinds is not None:
                hint = Label(value="")  # no name: magicgui would label the row with it
                hint.visible = False
                self.append(hint)
                needed = param.required or sometimes_unused(owner)
                self.other_keys[param.name] = OtherKey(
                    widget, hint, owner, param.key_kinds, input_kinds, self._key_choices, needed
                )
        if not len(schema):
            self.append(Label(value="(no parameters)"))

    def _make(self, param: Param) -> Any:
        options = param.widget_options()
        widget_type = options.pop("widget_type")
        label = options.pop("label")
        value = options.pop("value", None)
        if widget_type == "FloatField":
            bounds = param.bounds_text()
            if bounds:
                options["tooltip"] = f"{options.get('tooltip') or ''} ({bounds})".strip()
            return FloatField(value=value, name=param.name, label=label, **options)
        if param.type == "key":
            keys = self._choices_for(param)
            options["choices"] = keys
            value = value if value in keys else (keys[0] if keys else None)
        widget = create_widget(
            value=value,
            annotation=param.annotation() if param.type.endswith("_list") else None,
            name=param.name,
            label=label,
            widget_type=widget_type,
            options=options,
        )
        if param.type == "key" and not param.required:
            widget.choices = ["", *widget.choices]
        return widget

    def _choices_for(self, param: Param) -> list[str]:
        return list(self._key_choices(param.key_kinds))

    def follow_input(self, input_key: str | None) -> None:
        """Default each ``key`` parameter to a key other than ``input_key`` (see OtherKey)."""
        for other in self.other_keys.values():
            other.follow(input_key)
        self.show_hints()

    def current(self) -> dict[str, Any]:
        """Return the widgets' values as shown (not validated)."""
        return {param.name: self[param.name].value for param in self.schema}

    def other_key_used(self) -> bool:
        """Return whether the transform, with the values shown, reads its other key."""
        return is_used(self.owner, self.current())

    def other_key_problem(self) -> str | None:
        """Return why a run cannot start for want of a key parameter, else None."""
        used = self.other_key_used()
        for other in self.other_keys.values():
            problem = other.problem(used)
            if problem:
                return problem
        return None

    def show_hints(self) -> None:
        """Show the hints of key parameters that are needed and missing."""
        used = self.other_key_used()
        for other in self.other_keys.values():
            other.show_hint(used)

    def refresh_keys(self) -> None:
        """Re-list the keys offered by ``key`` parameters (keeping the current choice)."""
        for other in self.other_keys.values():
            other.refresh()
        for param in self.schema:
            if param.type != "key" or param.name in self.other_keys:
                continue
            widget: ComboBox = self[param.name]
            keys = self._choices_for(param)
            current = widget.value
            widget.choices = keys if param.required else ["", *keys]
            if current in widget.choices:
                widget.value = current

    def values(self) -> dict[str, Any]:
        """Return the JSON parameters, checked against the schema.

        Raises
        ------
        TransformError
            A JSON-object parameter holds invalid JSON, a required key is not chosen, or a
            value breaks the schema; the message names the parameter.
        """
        raw: dict[str, Any] = {}
        for param in self.schema:
            value = self[param.name].value
            if param.type == "object":
                try:
                    value = json.loads(value or "{}")
                except json.JSONDecodeError as exc:
                    raise TransformError(
                        f"parameter '{param.name}' must be a JSON object: {exc.msg}",
                        transform=self.owner,
                        parameter=param.name,
                        value=value,
                    ) from None
            elif param.type == "key" and value is None:
                value = ""
            elif param.type.endswith("_list"):
                value = list(value)
            elif param.type == "float" and isinstance(value, str):
                value = param.parse(value, self.owner, lenient=True)  # "" or "1e" refused
            raw[param.name] = value
        return self.schema.to_json(self.schema.parse(raw, self.owner))

    def problem(self) -> str | None:
        """Return why :meth:`values` refuses the values shown (e.g. a bound), else None."""
        try:
            self.values()
        except TransformError as exc:
            return str(exc)
        return None

    def set_values(self, params: Mapping[str, Any]) -> None:
        """Show ``params`` (JSON values); parameters not given keep their value."""
        for name, value in params.items():
            param = self._params.get(name)
            if param is None:
                continue
            widget = self[name]
            if param.type == "object":
                widget.value = json.dumps(value)
            elif param.name in self.other_keys:
                self.other_keys[name].choose(value)
            elif param.type == "key" and value not in widget.choices:
                widget.choices = [*widget.choices, value]
                widget.value = value
            else:
                widget.value = value
