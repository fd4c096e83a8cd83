"""Starting points for new scripts (the script runner's *New* menu).

Each template is a ``*.py.template`` file next to this module, shipped as package data.
"""

from __future__ import annotations

from importlib import resources

from napari_whiskertoolbox.core.close_match import did_you_mean

__all__ = ["TEMPLATES", "list_templates", "load_template"]

TEMPLATES: dict[str, str] = {
    "Blank": "blank.py.template",
    "Analog filter": "filter_analog.py.template",
    "Batch processing": "batch_processing.py.template",
    "Data export": "data_export.py.template",
    "Event detection": "event_detection.py.template",
    "Statistics summary": "statistics_summary.py.template",
    "Per-frame processing of points and lines": "per_frame.py.template",
    "Per-interval summary": "per_interval_summary.py.template",
    "Stream processor: band-pass": "bandpass_processor.py.template",
}
"""Template titles (as shown in the menu) → file names.

The first six are WhiskerToolbox's (Python phase 5); the others are ours. The stream
processor is run with "Run as processor…" (:mod:`napari_whiskertoolbox.scripting.processors`).
"""


def list_templates() -> list[str]:
    """Titles of the available templates, in menu order."""
    return list(TEMPLATES)


def load_template(title: str) -> str:
    """Source code of the template called ``title``.

    Raises
    ------
    KeyError
        If there is no template with that title.
    """
    try:
        filename = TEMPLATES[title]
    except KeyError:
        raise KeyError(
            f"no script template named {title!r}{did_you_mean(title, TEMPLATES)}; "
            f"available: {', '.join(TEMPLATES)}"
        ) from None
    return resources.files(__name__).joinpath(filename).read_text(encoding="utf-8")
