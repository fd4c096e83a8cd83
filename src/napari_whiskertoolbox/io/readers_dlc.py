"""Config readers for DeepLabCut (and LightningPose) tables.

=====================================  ==========================================================
item                                   keys
=====================================  ==========================================================
``format: "dlc_csv"`` / ``"dlc_h5"``   ``<name>_<bodypart>`` (single animal, WhiskerToolbox's
                                       keys) or ``<name>_<individual>_<bodypart>`` (multi-animal),
                                       and the pose set ``<name>`` (groups, skeleton, write-back)
``format: "csv"``,                     one body part under ``<name>`` (WhiskerToolbox's
``csv_layout: "dlc"``                  ``bodypart``; ``all_bodyparts`` gives the ``dlc_csv`` keys)
=====================================  ==========================================================

Every layout :func:`~.dlc.read_dlc` reads is accepted. The options are the rows of
:mod:`.option_table` for these formats: WhiskerToolbox's ``frame_column``,
``likelihood_threshold``, ``height``/``width``, ``scaled_width``/``scaled_height``,
``bodypart``/``all_bodyparts``, and ours: ``delimiter``, ``decimal``, ``image_size``,
``config``, ``frame_from``, ``images``. As in WhiskerToolbox a body part without any point
gets no key and every point of a repeated frame is kept (a pose set then cannot be made:
it holds one point per frame); points with a NaN coordinate are left out; a point with x and
y but an empty likelihood cell is kept (a prediction of unknown score). Each is reported on
the item with the file's line numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.ragged import ImageSize
from napari_whiskertoolbox.io.dlc import dlc_to_pose, read_dlc
from napari_whiskertoolbox.io.dlc_project import default_threshold, dlc_context
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.item_options import given, image_size_option, item_options, item_path
from napari_whiskertoolbox.io.pose import SINGLE_ANIMAL
from napari_whiskertoolbox.io.registry import register_reader
from napari_whiskertoolbox.io.report import RowSkips
from napari_whiskertoolbox.io.session_paths import option_path

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from napari_whiskertoolbox.core.points import PointData
    from napari_whiskertoolbox.io.config_parse import ConfigItem
    from napari_whiskertoolbox.io.dlc import DLCTable
    from napari_whiskertoolbox.io.pose import PoseSet

__all__ = ["read_dlc_item"]


@register_reader("points", "dlc_csv", "dlc_h5")
def _read_dlc_table(item: ConfigItem) -> list[tuple[str, Any]]:
    return read_dlc_item(item, single=False)


def read_dlc_item(item: ConfigItem, *, single: bool) -> list[tuple[str, Any]]:
    """Read a DeepLabCut config item into ``[(key, PointData), ..., (name, PoseSet)]``.

    Parameters
    ----------
    item : ConfigItem
        A ``dlc_csv``/``dlc_h5`` item, or a points ``csv`` item with ``csv_layout: "dlc"``.
    single : bool
        The ``csv_layout: "dlc"`` item: one body part under the item's name (unless
        ``all_bodyparts``), and no pose set.

    Raises
    ------
    FormatError
        A bad file (names the file and line), a ``bodypart`` not in the file, a body part of
        several individuals in the one-body-part layout, one scaled size without the other.
    """
    opts = item_options(item)
    path = item_path(item)
    table = read_dlc(
        path,
        delimiter=opts.get("delimiter") if given(item, "delimiter") else None,
        decimal=opts.get("decimal"),
        frame_column=opts.get("frame_column", 0),
    )
    size = image_size_option(item, opts)
    scale, size = _dlc_scaling(item, opts, size)
    project, images = dlc_context(
        path, option_path(opts["config"], item.path), option_path(opts["images"], item.path)
    )
    threshold = opts["likelihood_threshold"]
    if given(item, "config") and not given(item, "likelihood_threshold"):
        threshold = default_threshold(project)  # the named project's pcutoff

    def convert(
        part: DLCTable,
    ) -> tuple[list[tuple[str, PointData]], PoseSet | None, RowSkips]:
        skips = RowSkips()
        unscored = RowSkips()
        entries, pose = dlc_to_pose(
            part,
            item.name,
            source=path,
            project=project,
            likelihood_threshold=threshold,
            images=images,
            frame_from=opts["frame_from"],
            image_size=size,
            scale=scale,
            repeated_frames="keep",
            skips=skips,
            unscored=unscored,
        )
        item.notes.extend(unscored.notes(item.label, path, kind="info", verb="kept"))
        return entries, pose, skips

    if single and not opts["all_bodyparts"]:
        return _one_bodypart(item, table, opts["bodypart"], convert)
    entries, pose, skips = convert(table)
    item.note_skips(skips, path)
    return _without_empty_keys(item, path, entries, pose)


def _one_bodypart(
    item: ConfigItem,
    table: DLCTable,
    wanted: str,
    convert: Callable[[DLCTable], tuple[list[tuple[str, PointData]], PoseSet | None, RowSkips]],
) -> list[tuple[str, Any]]:
    """Return ``[(name, PointData)]`` of WhiskerToolbox's ``bodypart`` of a ``csv`` + ``dlc`` item.

    As in WhiskerToolbox only body parts with a point (above the likelihood threshold) exist:
    ``bodypart: ""`` takes the first of those in byte-wise order, and a body part without a
    point, or a table without any, fails the item (WhiskerToolbox skips the entry).
    """
    order = sorted(table.bodyparts, key=lambda p: p.encode("utf-8"))
    passed: list[str] = []
    for part in [wanted] if wanted else order:
        entries, _pose, skips = convert(table.select(_chosen_columns(item, table, part)))
        if entries[0][1].n_entries:
            item.note_skips(skips, item.path)
            if passed:
                item.note(
                    "info",
                    f"body part {part!r} is loaded: {passed} (before it in byte-wise order) "
                    "have no point above the likelihood threshold",
                    path=item.path,
                )
            return [(item.name, entries[0][1])]
        passed.append(part)
    what = f"body part {wanted!r} has no point" if wanted else "no body part has a point"
    raise FormatError(
        f"{what} (with a likelihood >= likelihood_threshold); WhiskerToolbox skips such an "
        "entry (it makes no key for a body part without points)",
        path=item.path,
        item=item.label,
    )


def _chosen_columns(item: ConfigItem, table: DLCTable, wanted: str) -> list[tuple[str, str]]:
    """Return the column of WhiskerToolbox's ``bodypart`` ('' = first in byte-wise order)."""
    parts = table.bodyparts
    wanted = wanted or min(parts, key=lambda p: p.encode("utf-8"))
    if wanted not in parts:
        raise FormatError(
            f"option 'bodypart' {wanted!r} is not in the file; body parts: {sorted(parts)}",
            path=item.path,
            item=item.label,
        )
    columns = [col for col in table.columns if col[1] == wanted]
    if len(columns) > 1:
        raise FormatError(
            f"body part {wanted!r} belongs to individuals {[ind for ind, _ in columns]}; "
            "csv_layout 'dlc' reads one body part of one animal: use format 'dlc_csv' for "
            "every individual's keys",
            path=item.path,
            item=item.label,
        )
    return columns


def _without_empty_keys(
    item: ConfigItem,
    path: Path,
    entries: list[tuple[str, PointData]],
    pose: PoseSet | None,
) -> list[tuple[str, Any]]:
    """Drop the keys without a point (WhiskerToolbox makes none) and say what else happened."""
    empty = [key for key, points in entries if points.n_entries == 0]
    kept: list[tuple[str, Any]] = [(k, p) for k, p in entries if k not in empty]
    if empty:
        parts = [key.removeprefix(f"{item.name}_") for key in empty]
        item.note(
            "skipped",
            f"body parts without a point above the likelihood threshold get no key: {parts}",
            count=len(empty),
            path=path,
        )
    if pose is None:
        item.note(
            "info",
            "rows repeat a frame: every point is kept (several on that frame, as in "
            "WhiskerToolbox), so no pose set is made (it holds one point per frame and body "
            "part): no skeleton, groups or DeepLabCut write-back for these keys",
            path=path,
        )
        return kept
    pose.keys = {
        ind: {bp: key for bp, key in parts.items() if key not in empty}
        for ind, parts in pose.keys.items()
    }
    pose.keys = {ind: parts for ind, parts in pose.keys.items() if parts}
    if not pose.keys:
        return kept
    pose.individuals = [i for i in pose.individuals if i in pose.keys] or [SINGLE_ANIMAL]
    return [*kept, (item.name, pose)]


def _dlc_scaling(
    item: ConfigItem, opts: dict[str, Any], size: ImageSize | None
) -> tuple[tuple[float, float] | None, ImageSize | None]:
    """Return the ``(x, y)`` factors (None: no scaling) and image size, as WhiskerToolbox rescales.

    Both ``scaled_*`` absent (-1) or equal to the image size: nothing changes. Without an
    image size the points are not scaled and the scaled size becomes the image size.
    Otherwise x is multiplied by ``scaled_width / width``, y by ``scaled_height / height``.
    """
    sw, sh = opts["scaled_width"], opts["scaled_height"]
    if sw == -1 and sh == -1:
        return None, size
    if (sw == -1) != (sh == -1):
        raise FormatError(
            "expected both 'scaled_width' and 'scaled_height' (WhiskerToolbox scales by a "
            "negative factor when only one is given)",
            item=item.label,
        )
    if sw < 1 or sh < 1:
        raise FormatError(
            f"expected scaled_width and scaled_height >= 1, got {sw}, {sh}", item=item.label
        )
    if size is None:
        return None, ImageSize(sw, sh)
    if (sw, sh) == (size.width, size.height):
        return None, size
    factors = np.asarray([sw / size.width, sh / size.height], np.float32)
    return (float(factors[0]), float(factors[1])), ImageSize(sw, sh)
