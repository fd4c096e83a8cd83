"""WhiskerToolbox's text substitution in JSON configs: ``${NAME}`` variables, ``{name}`` loops.

Both the data loader (:mod:`.config_parse`) and the JSON pipeline runner
(:mod:`napari_whiskertoolbox.transforms.json_runner`) fill a config's values with these
rules (``wt_loaders.md`` §1.3, ``wt_transforms.md`` §6.6).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["LOOP_PLACEHOLDER", "VARIABLE", "fill_known_variables", "fill_loop", "loop_placeholders"]

VARIABLE = re.compile(r"\$\{([^}]*)\}")
"""A ``${NAME}`` reference to a root variable (or an environment variable)."""
LOOP_PLACEHOLDER = re.compile(r"(?<!\$)\{([A-Za-z_][A-Za-z0-9_]*)\}")
"""A loop variable's ``{name}`` placeholder (never the ``{`` of ``${``)."""


def loop_placeholders(value: Any) -> set[str]:
    """Return the loop names whose ``{name}`` placeholder a string value of ``value`` holds."""
    if isinstance(value, str):
        return set(LOOP_PLACEHOLDER.findall(value))
    if isinstance(value, list):
        return set().union(*(loop_placeholders(v) for v in value)) if value else set()
    if isinstance(value, Mapping):
        return set().union(*(loop_placeholders(v) for v in value.values())) if value else set()
    return set()


def fill_loop(value: Any, name: str, text: str) -> Any:
    """Return ``value`` with loop ``name``'s placeholders (in string values) replaced by ``text``."""
    if isinstance(value, str):
        return LOOP_PLACEHOLDER.sub(lambda m: text if m.group(1) == name else m.group(0), value)
    if isinstance(value, list):
        return [fill_loop(v, name, text) for v in value]
    if isinstance(value, Mapping):
        return {k: fill_loop(v, name, text) for k, v in value.items()}
    return value


def fill_known_variables(value: Any, variables: Mapping[str, str]) -> Any:
    """Replace ``${NAME}`` from ``variables``, then the environment; leave unknown names.

    Every string of ``value`` is filled, object keys included (WhiskerToolbox substitutes
    the text of the whole block), and every backslash of a value put in is written as
    ``/``, as in WhiskerToolbox.
    """
    if isinstance(value, str):

        def lookup(match: re.Match[str]) -> str:
            name = match.group(1)
            found = variables.get(name, os.environ.get(name))
            return match.group(0) if found is None else found.replace("\\", "/")

        return VARIABLE.sub(lookup, value)
    if isinstance(value, list):
        return [fill_known_variables(v, variables) for v in value]
    if isinstance(value, Mapping):
        return {
            fill_known_variables(k, variables): fill_known_variables(v, variables)
            for k, v in value.items()
        }
    return value
