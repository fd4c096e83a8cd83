"""Config readers for other tools' files: DeepLabCut, SLEAP, NWB, Neo recordings.

=================  ==================  ====================================================
format             data_type           reads
=================  ==================  ====================================================
``dlc_csv``        points              DeepLabCut / LightningPose CSV (every layout)
``dlc_h5``         points              DeepLabCut pandas ``.h5``
``sleap_h5``       points              SLEAP analysis ``.h5`` (h5py)
``slp``            points              SLEAP project ``.slp`` (sleap-io, extra ``[sleap]``)
``nwb``            any data kind       that kind's objects of an NWB file (extra ``[nwb]``)
``neo``            analog              Open Ephys / Intan through Neo (extra ``[ephys]``)
=================  ==================  ====================================================
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.core.kinds import DATA_KINDS
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.item_options import image_size_option, item_path, option
from napari_whiskertoolbox.io.registry import register_reader

if TYPE_CHECKING:
    from napari_whiskertoolbox.io.config_parse import ConfigItem


def _relative(item: ConfigItem, value: str | None) -> Path | None:
    if value is None:
        return None
    path = Path(value)
    if not path.is_absolute() and item.path is not None:
        path = item.path.parent / path
    return path


@register_reader("points", "dlc_csv", "dlc_h5")
def _read_dlc(item: ConfigItem) -> list[tuple[str, Any]]:
    from napari_whiskertoolbox.io.dlc_project import load_dlc_entries

    return load_dlc_entries(
        item_path(item),
        item.name,
        likelihood_threshold=option(item, "likelihood_threshold", float, 0.0),
        config=_relative(item, option(item, "config", str, None)),
        frame_from=option(item, "frame_from", str, "position"),
        images=_relative(item, option(item, "images", str, None)),
        image_size=image_size_option(item),
        delimiter=option(item, "delimiter", str, ","),
        decimal=option(item, "decimal", str, "."),
    )


@register_reader("points", "sleap_h5", "slp")
def _read_sleap(item: ConfigItem) -> list[tuple[str, Any]]:
    from napari_whiskertoolbox.io.sleap import load_sleap_entries

    return load_sleap_entries(item_path(item), item.name, image_size=image_size_option(item))


def _read_nwb(item: ConfigItem) -> list[tuple[str, Any]]:
    from napari_whiskertoolbox.io.nwb_import import load_nwb_entries

    entries = load_nwb_entries(item_path(item), kinds=(item.data_type,), prefix=item.name)
    if not entries:
        raise FormatError(
            f"expected {item.data_type!r} data in the NWB file, found none", path=item.path
        )
    return entries


for _kind in DATA_KINDS:
    register_reader(_kind, "nwb")(_read_nwb)


@register_reader("analog", "neo")
def _read_neo(item: ConfigItem) -> list[tuple[str, Any]]:
    from napari_whiskertoolbox.io.ephys import load_recording_entries

    return load_recording_entries(
        item_path(item),
        item.name,
        io_name=option(item, "io", str, None),
        channels=option(item, "channels", list, None),
        clock=item.clock or "time",
        stream=option(item, "stream", (int, str), None),
    )
