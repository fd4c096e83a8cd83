"""DeepLabCut (and LightningPose) keypoint tables: CSV and pandas HDF5, read and written back.

DeepLabCut stores keypoints as a pandas DataFrame whose columns are a MultiIndex
``(scorer, [individuals,] bodyparts, coords)`` and whose index is either the frame number
(predictions, LightningPose) or the labelled image (``CollectedData_<scorer>``: one column
``labeled-data/<video>/imgNNN.png``, or DeepLabCut ≥ 2.3's three columns
``labeled-data, <video>, imgNNN.png``). ``coords`` is ``x, y, likelihood`` for predictions
and ``x, y`` for human labels; empty cells are absent points. The CSV is ``DataFrame.to_csv``
of that frame (3 header rows, 4 with ``individuals``); the ``.h5`` is ``DataFrame.to_hdf``
with key ``df_with_missing``. Source: DeepLabCut's ``deeplabcut/utils/auxfun_multianimal.py``
and ``generate_training_dataset`` (the layouts), the Reaching example project.

No DeepLabCut dependency: CSV through the ``csv`` module, HDF5 through pandas + PyTables
(extra ``[deeplabcut]``).
"""

from __future__ import annotations

import contextlib
import csv
import importlib.util
import io
import itertools
import re
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pacsv

from napari_whiskertoolbox.io import csv_arrow
from napari_whiskertoolbox.io.atomic import atomic_open, atomic_path
from napari_whiskertoolbox.io.csv_tools import (
    NumberStyle,
    check_file,
    delimiter_char,
    number_style,
    read_lines,
    read_text,
    split_row,
)
from napari_whiskertoolbox.io.dlc_layout import image_index as dlc_image_index
from napari_whiskertoolbox.io.dlc_layout import layout_frame, row_key
from napari_whiskertoolbox.io.dlc_merge import changed_cells, merge_labels
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.optional import require
from napari_whiskertoolbox.io.pose import SINGLE_ANIMAL, PoseSet, pose_key
from napari_whiskertoolbox.io.pose_written import threshold_hides

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable, Iterator, Mapping, Sequence

    import pandas as pd

    from napari_whiskertoolbox.core import DataManager
    from napari_whiskertoolbox.core.points import PointData
    from napari_whiskertoolbox.io.dlc_twins import KeptTwin
    from napari_whiskertoolbox.io.report import RowSkips

__all__ = [
    "DLC_H5_KEY",
    "LABELS_PREFIX",
    "DLCProject",
    "DLCTable",
    "PairWritten",
    "dlc_to_pose",
    "find_dlc_config",
    "is_labels_table",
    "labels_scorer",
    "read_dlc",
    "read_dlc_config",
    "read_dlc_csv",
    "read_dlc_source",
    "show_merged",
    "write_dlc",
    "write_dlc_csv",
    "write_dlc_pair",
    "write_labels_pair",
]

DLC_H5_KEY = "df_with_missing"
"""The HDF5 key DeepLabCut writes its tables under."""
H5_SUFFIXES = (".h5", ".hdf5", ".hdf")
LABELS_PREFIX = "CollectedData_"
"""File-name prefix of DeepLabCut's labelled-data tables, ``CollectedData_<scorer>.h5/.csv``."""
FrameFrom = Literal["position", "image_name"]
"""How labelled images map to frames: their position in the folder, or ``img<frame>.png``."""
_DIGITS = re.compile(r"(\d+)(?!.*\d)")
_ANY_WIDTH = 1 << 62


@dataclass
class DLCTable:
    """A DeepLabCut table in one normal form, whatever the file layout.

    Attributes
    ----------
    scorer : str
        The ``scorer`` header (labeller's name or network name).
    columns : list of (str, str)
        ``(individual, bodypart)`` of each keypoint column, in file order; individual is
        ``""`` for single-animal files.
    xy : (rows, columns, 2) float64
        Coordinates in pixels; NaN where the point is absent.
    likelihood : (rows, columns) float64 or None
        Network confidence (predictions); None for human labels.
    frames : (rows,) int64 or None
        Frame numbers of a numeric index; None for an image index.
    rows : list of str
        Image path of each row (``/``-joined when the index has three columns); frame numbers
        as text for a numeric index.
    index_levels : int
        Number of index columns: 1, or 3 for DeepLabCut's newer labelled-data index.
    multi_animal : bool
        The file has an ``individuals`` level.
    unscored : tuple of int
        Columns without a likelihood in a table that has some (their ``likelihood`` is NaN;
        they pass any threshold).
    row_lines : (rows,) int64 or None
        1-based file line of each row (CSV); None for HDF5 tables.
    nan_likelihood : (rows, columns) bool or None
        Where a CSV's likelihood cell says ``nan`` (a NaN likelihood, which fails any
        threshold as in WhiskerToolbox), unlike an empty cell (a score not given); None
        when no cell says so (and for HDF5 tables, whose NaN is DeepLabCut's empty cell).
    read_options : dict
        The :func:`read_dlc` options the file needed besides the defaults (to read it again).
    """

    scorer: str
    columns: list[tuple[str, str]]
    xy: np.ndarray
    likelihood: np.ndarray | None
    frames: np.ndarray | None
    rows: list[str]
    index_levels: int
    multi_animal: bool
    unscored: tuple[int, ...] = ()
    row_lines: np.ndarray | None = None
    nan_likelihood: np.ndarray | None = None
    read_options: dict[str, Any] = field(default_factory=dict)

    @property
    def individuals(self) -> list[str]:
        """Individuals in first-seen order (``[""]`` for single-animal files)."""
        return list(dict.fromkeys(ind for ind, _ in self.columns))

    @property
    def bodyparts(self) -> list[str]:
        """Body parts in first-seen order."""
        return list(dict.fromkeys(bp for _, bp in self.columns))

    def unknown_scores(self) -> np.ndarray:
        """Return where a point's score is not given: shown whatever the likelihood threshold.

        Returns
        -------
        (rows, columns) bool
            True in unscored columns and where a point with finite x and y has an empty
            likelihood cell (a NaN likelihood an HDF5 table holds, or a CSV's empty cell); a
            CSV cell saying ``nan`` is a NaN likelihood, which fails any threshold. All False
            for a table without likelihoods.
        """
        unknown = np.zeros(self.xy.shape[:2], dtype=bool)
        if self.likelihood is None:
            return unknown
        stated = self.nan_likelihood if self.nan_likelihood is not None else unknown
        unknown = np.isnan(self.likelihood) & ~stated & np.isfinite(self.xy).all(axis=-1)
        unknown[:, list(self.unscored)] = True
        return unknown

    def hidden_by(self, threshold: float | None) -> np.ndarray:
        """Return the predictions a likelihood threshold hides (:func:`.threshold_hides`).

        Parameters
        ----------
        threshold : float or None
            The likelihood threshold (None: none hidden).

        Returns
        -------
        (rows, columns) bool
            True where reading the table with ``threshold`` drops the point.
        """
        if self.likelihood is None or threshold is None:
            return np.zeros(self.xy.shape[:2], dtype=bool)
        return threshold_hides(self.likelihood, threshold, self.unknown_scores())

    def select(self, columns: list[tuple[str, str]]) -> DLCTable:
        """Return the table restricted to ``columns`` (``(individual, bodypart)`` pairs)."""
        index = [self.columns.index(col) for col in columns]
        return replace(
            self,
            columns=list(columns),
            xy=self.xy[:, index],
            likelihood=None if self.likelihood is None else self.likelihood[:, index],
            nan_likelihood=None if self.nan_likelihood is None else self.nan_likelihood[:, index],
            unscored=tuple(i for i, k in enumerate(index) if k in self.unscored),
        )


@dataclass
class DLCProject:
    """What a DeepLabCut ``config.yaml`` says about keypoints.

    Attributes
    ----------
    path : Path
        The config file.
    scorer : str
    bodyparts : list of str
        ``bodyparts`` (single animal) or ``multianimalbodyparts``.
    unique_bodyparts : list of str
        ``uniquebodyparts`` (multi-animal projects; the ``single`` individual).
    individuals : list of str
        ``individuals`` (multi-animal projects), else empty.
    skeleton : list of (str, str)
    dotsize : float or None
        ``dotsize``: the diameter DeepLabCut's labelling GUI draws keypoints with, in image
        pixels (None when the config has none).
    pcutoff : float or None
        ``pcutoff``: the likelihood below which DeepLabCut does not draw a prediction (labelled
        videos, plots); our default likelihood threshold for the project's tables (None when
        the config has none).
    colormap : str or None
        ``colormap``: the matplotlib colormap DeepLabCut colours body parts with (sampled at
        ``len(bodyparts)`` evenly spaced places; individuals for multi-animal projects), as
        its labelling GUI and labelled videos do (None when the config has none).
    skeleton_color : str or None
        ``skeleton_color``: the colour DeepLabCut draws a single animal's skeleton in (None
        when the config has none).
    """

    path: Path
    scorer: str
    bodyparts: list[str]
    unique_bodyparts: list[str]
    individuals: list[str]
    skeleton: list[tuple[str, str]]
    dotsize: float | None = None
    pcutoff: float | None = None
    colormap: str | None = None
    skeleton_color: str | None = None


# ----------------------------------------------------------------------------- reading


def read_dlc(
    path: str | os.PathLike[str],
    *,
    delimiter: str | None = None,
    decimal: str | None = None,
    frame_column: int = 0,
) -> DLCTable:
    """Read a DeepLabCut or LightningPose CSV or ``.h5`` table.

    Parameters
    ----------
    path : path-like
        ``.h5``/``.hdf5`` (pandas HDF5, key ``df_with_missing``, else the file's only key) or
        a CSV.
    delimiter : str, optional
        CSV field delimiter (first character); default ``,``, or ``;`` when every line holds
        one (:func:`~.csv_tools.number_style`).
    decimal : {".", ","}, optional
        Decimal mark; default ``.``, or a comma inside a number once commas do not delimit.
    frame_column : int
        CSV column (from 0) holding the index, WhiskerToolbox's ``frame_column``; DeepLabCut
        writes it first.

    Returns
    -------
    DLCTable
        The table in normal form.

    Raises
    ------
    FormatError
        The file is not a DeepLabCut table (names the file, line or header, and what was
        expected).
    MissingDependencyError
        An ``.h5`` file and PyTables is not installed (extra ``[deeplabcut]``).
    """
    path = check_file(path, "DeepLabCut file")
    if path.suffix.lower() in H5_SUFFIXES:
        return _table_from_frame(_read_h5_frame(path), path)
    return _read_csv(path, delimiter, decimal, frame_column)


def _check_hdf5_structure(path: Path) -> None:
    """Walk the file's groups, datasets and attributes with h5py; a damaged file raises here.

    PyTables can crash the process (a segmentation fault in ``File.__get_root_group``)
    opening a byte-flipped file that h5py reports as an error; h5py walks the same
    metadata first, so such a file is a :class:`FormatError` naming it instead.
    """
    try:
        import h5py
    except ImportError:  # pragma: no cover - h5py comes with the [deeplabcut] extra's tables
        return

    def visit(_name: str, obj: Any) -> None:
        dict(obj.attrs)
        if isinstance(obj, h5py.Dataset):
            _ = obj.shape, obj.dtype

    try:
        with h5py.File(path, "r") as handle:
            dict(handle.attrs)
            handle.visititems(visit)
    except Exception as exc:  # h5py raises many types for a damaged file
        raise FormatError(
            f"cannot read as an HDF5 file; damaged or truncated? ({type(exc).__name__}: {exc})",
            path=path,
        ) from exc


def _read_h5_frame(path: Path) -> pd.DataFrame:
    require("tables", "reading DeepLabCut .h5 files")
    import pandas as pd

    _check_hdf5_structure(path)
    try:
        with pd.HDFStore(path, mode="r") as store:
            keys = [k.lstrip("/") for k in store]
            if DLC_H5_KEY in keys:
                key = DLC_H5_KEY
            elif len(keys) == 1:
                key = keys[0]
            else:
                raise FormatError(
                    f"expected a pandas table under key {DLC_H5_KEY!r} or a single key, "
                    f"found keys {keys}",
                    path=path,
                )
            frame = store.get(key)
    except FormatError:
        raise
    except Exception as exc:  # PyTables/HDF5 raise many types for a damaged file
        raise FormatError(
            f"cannot read as a pandas HDF5 table ({type(exc).__name__}: {exc})", path=path
        ) from exc
    if not isinstance(frame, pd.DataFrame):
        raise FormatError(f"expected a pandas DataFrame, found {type(frame).__name__}", path=path)
    return frame


def _table_from_frame(frame: pd.DataFrame, path: Path) -> DLCTable:
    """Normalise a DeepLabCut DataFrame (from ``read_hdf``) into a :class:`DLCTable`."""
    import pandas as pd

    columns = frame.columns
    nlevels = columns.nlevels
    if nlevels not in (3, 4):
        raise FormatError(
            f"expected column levels (scorer, [individuals,] bodyparts, coords), found "
            f"{nlevels} level(s) {list(columns.names)}",
            path=path,
        )
    names = [list(map(str, col)) for col in columns]
    header = {
        "scorer": [c[0] for c in names],
        "individuals": [c[1] for c in names] if nlevels == 4 else None,
        "bodyparts": [c[-2] for c in names],
        "coords": [c[-1] for c in names],
    }
    try:
        values = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise FormatError(f"expected numeric coordinates ({exc})", path=path) from exc
    index = frame.index
    if isinstance(index, pd.MultiIndex):
        rows = ["/".join(map(str, parts)) for parts in index]
        levels = index.nlevels
    else:
        rows = [str(v) for v in index]
        levels = 1
    return _build_table(header, values, rows, levels, path, line=None)


def _read_csv(
    path: Path, delimiter: str | None, decimal: str | None, frame_column: int
) -> DLCTable:
    lines = read_lines(path)
    style = number_style(
        lines,
        path,
        delimiter=delimiter_char(delimiter),
        delimiter_given=delimiter is not None,
        decimal=decimal,
        n_numbers=0,
        # The header rows are text: a DeepLabCut table is never decimal commas in disguise.
        used_columns=_ANY_WIDTH,
    )
    header_rows: list[tuple[int, list[str]]] = []
    data: list[tuple[int, list[str]]] = []
    moved = _FrameColumnFirst(frame_column, path)
    records = (
        (line, moved.fields(fields, line) if frame_column else fields)
        for line, fields in _csv_records(lines, style.delimiter, path)
    )
    for line, fields in records:
        entry = (line, fields)
        if not header_rows or (len(header_rows) < 4 and _is_header(fields, header_rows)):
            header_rows.append(entry)
        else:
            data.append(entry)
            break
    labels = [fields[0].strip().lower() for _, fields in header_rows]
    expected = ["scorer", "bodyparts", "coords"]
    if labels[:1] != ["scorer"]:
        raise FormatError(
            "expected 3 DeepLabCut header rows (scorer, bodyparts, coords) or 4 with "
            f"individuals; the first field is {labels[0] if labels else 'missing'!r}",
            path=path,
            line=header_rows[0][0] if header_rows else None,
        )
    if labels not in (expected, ["scorer", "individuals", "bodyparts", "coords"]):
        raise FormatError(
            "expected 3 DeepLabCut header rows (scorer, bodyparts, coords) or 4 with "
            f"individuals, found {labels}",
            path=path,
            line=header_rows[-1][0],
        )
    coord_line, coord_fields = header_rows[-1]
    n_fields = len(coord_fields)
    for line, fields in header_rows:
        if len(fields) != n_fields:
            raise FormatError(
                f"expected every header row to have {n_fields} fields like the coords row, "
                f"found {len(fields)}",
                path=path,
                line=line,
            )
    scorer_fields = header_rows[0][1]
    levels = 1
    while levels < n_fields and not scorer_fields[levels].strip():
        levels += 1
    header = {
        "scorer": scorer_fields[levels:],
        "individuals": header_rows[1][1][levels:] if len(header_rows) == 4 else None,
        "bodyparts": header_rows[-2][1][levels:],
        "coords": coord_fields[levels:],
    }
    fast = None
    if (
        csv_arrow.ENABLED
        and data
        and not frame_column
        and style.decimal == "."
        and style.delimiter.strip()
    ):
        fast = _read_data_fast(lines[data[0][0] - 1 :], n_fields, levels, style.delimiter)
    if fast is not None:
        rows, values, empty = fast
        row_lines = np.arange(data[0][0], data[0][0] + len(rows), dtype=np.int64)
    else:
        rows = []
        cells: list[list[str]] = []
        blank: list[list[bool]] = []
        line_numbers: list[int] = []
        for line, fields in itertools.chain(data, records):
            if len(fields) != n_fields:
                raise FormatError(
                    f"expected {n_fields} columns, found {len(fields)}", path=path, line=line
                )
            line_numbers.append(line)
            rows.append("/".join(f.strip() for f in fields[:levels]))
            cells.append([f.strip() or "nan" for f in fields[levels:]])
            blank.append([not f.strip() for f in fields[levels:]])
        row_lines = np.asarray(line_numbers, np.int64)
        n_values = n_fields - levels
        values = _parse_cells(cells, row_lines, n_values, levels, style, moved.positions, path)
        empty = np.asarray(blank, bool).reshape(values.shape)
    table = _build_table(header, values, rows, levels, path, line=coord_line, empty=empty)
    table.row_lines = row_lines
    given = {"delimiter": delimiter, "decimal": decimal, "frame_column": frame_column}
    table.read_options = {k: v for k, v in given.items() if v}
    return table


def _read_data_fast(
    lines: list[str], n_fields: int, levels: int, delimiter: str
) -> tuple[list[str], np.ndarray, np.ndarray] | None:
    """Parse the data rows with pyarrow's CSV reader, or return ``None``.

    ``None`` (the caller's line-by-line reader then runs, naming the line of any fault)
    unless every line is one record of ``n_fields`` fields whose value cells pyarrow reads
    as numbers or leaves empty: a blank line, a short or long row, a quote or a cell that is
    not a number sends the file to the line-by-line reader. Numbers are parsed
    to the nearest float64, as Python's ``float`` does; empty cells are NaN.

    Returns
    -------
    rows : list of str
        Each row's index cells, stripped, joined with ``/``.
    values : (rows, n_fields - levels) float64
    empty : (rows, n_fields - levels) bool
        The empty cells (NaN in ``values``, like a cell saying ``nan``).
    """
    text = "\n".join(lines)
    if '"' in text:  # quoted fields, maybe spanning lines: csv's rules, line by line
        return None
    names = [f"f{i}" for i in range(n_fields)]
    types = {name: pa.string() if i < levels else pa.float64() for i, name in enumerate(names)}
    try:
        table = pacsv.read_csv(
            io.BytesIO(text.encode()),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char='"'),
            convert_options=pacsv.ConvertOptions(
                column_types=types, null_values=[""], strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, UnicodeEncodeError):
        return None
    if table.num_rows != len(lines):  # pyarrow skips blank lines
        return None
    index = [pc.utf8_trim_whitespace(table.column(i)) for i in range(levels)]
    joined = index[0] if levels == 1 else pc.binary_join_element_wise(*index, "/")
    if not pc.all(pc.not_equal(joined, "/" * (levels - 1))).as_py():
        return None  # an empty index (a row of empty cells): the line-by-line reader decides
    values = np.column_stack([table.column(i).to_numpy() for i in range(levels, n_fields)]).astype(
        np.float64, copy=False
    )
    empty = np.column_stack(
        [table.column(i).is_null().to_numpy(zero_copy_only=False) for i in range(levels, n_fields)]
    )
    shape = (len(lines), n_fields - levels)
    return joined.to_pylist(), values.reshape(shape), empty.reshape(shape)


def _csv_records(lines: list[str], delimiter: str, path: Path) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(1-based line, fields)`` of each non-blank record (quotes honoured)."""
    if not delimiter.strip():  # blank-delimited: runs of spaces and tabs
        for number, text in enumerate(lines, start=1):
            if text.strip():
                yield number, split_row(text, delimiter)
        return
    reader = csv.reader(lines, delimiter=delimiter, quotechar='"')
    try:
        for fields in reader:
            if fields and any(f.strip() for f in fields):
                yield reader.line_num, fields
    except csv.Error as exc:
        raise FormatError(f"malformed CSV ({exc})", path=path, line=reader.line_num) from exc


class _FrameColumnFirst:
    """Put WhiskerToolbox's ``frame_column`` first, where DeepLabCut keeps its index.

    Two layouts are read, told apart by the first row:

    - the labels (``scorer``, ``bodyparts``, ``coords``) in the frame column itself (a
      table whose index column was moved): every row has that column moved to the front;
    - DeepLabCut's own, the labels in column 0 and the frame number in another column
      (WhiskerToolbox reads the frame there and ignores the columns without a body part):
      each row keeps its label (header rows) or frame (data rows) first, then the body-part
      columns; column 0 and the columns whose ``scorer`` cell is empty (DeepLabCut's
      index columns) are left out.
    """

    def __init__(self, frame_column: int, path: Path) -> None:
        self.frame_column = frame_column
        self.path = path
        self.width: int | None = None
        self.kept: list[int] | None = None
        self.positions: list[int] | None = None
        """The file column (from 0) of each field returned; None until the first row."""

    def fields(self, fields: list[str], line: int) -> list[str]:
        """Return one row's fields, the frame column (or the row's label) first."""
        k = self.frame_column
        if k >= len(fields):
            raise FormatError(
                f"option frame_column {k} is past the last column ({len(fields)} "
                "columns; columns count from 0)",
                path=self.path,
                line=line,
            )
        if self.width is None:
            self.width = len(fields)
            labels_first = (
                fields[0].strip().lower() == "scorer" and fields[k].strip().lower() != "scorer"
            )
            if labels_first:
                self.kept = [c for c in range(1, len(fields)) if c != k and fields[c].strip()]
                self.positions = [k, *self.kept]
            else:
                self.positions = [k, *range(k), *range(k + 1, len(fields))]
        if self.kept is None:
            return [fields[k], *fields[:k], *fields[k + 1 :]]
        if len(fields) != self.width:
            raise FormatError(
                f"expected {self.width} columns, found {len(fields)}", path=self.path, line=line
            )
        label = fields[0].strip().lower() in ("scorer", "individuals", "bodyparts", "coords")
        return [fields[0] if label else fields[k], *(fields[c] for c in self.kept)]


def _is_header(fields: list[str], so_far: list[tuple[int, list[str]]]) -> bool:
    label = fields[0].strip().lower()
    return label in ("individuals", "bodyparts", "coords") and all(
        f[0].strip().lower() != "coords" for _, f in so_far
    )


def _parse_cells(
    cells: list[list[str]],
    lines: np.ndarray,
    n_values: int,
    levels: int,
    style: NumberStyle,
    positions: list[int] | None,
    path: Path,
) -> np.ndarray:
    """Convert the text cells to float64 at C speed; name the first bad cell's line.

    ``positions``: the file column (from 0) of each field of a row (None: the same).
    """
    if not cells:
        return np.empty((0, n_values), np.float64)
    text = np.array(cells, dtype=str)
    if style.decimal != ".":
        text = np.char.replace(text, ",", ".")
    try:
        return text.astype(np.float64)
    except ValueError:
        pass
    for row, line in zip(cells, lines.tolist()):
        for col, token in enumerate(row):
            try:
                float(style.normalise(token))
            except ValueError:
                position = col + levels
                column = 1 + (positions[position] if positions else position)
                raise FormatError(
                    f"expected a number in column {column}, found {token!r}",
                    path=path,
                    line=line,
                ) from None
    raise FormatError("expected numbers in every coordinate cell", path=path)  # unreachable


DLC_COORDS = ("x", "y", "likelihood")
"""The coords a DeepLabCut 2D table has: ``x``, ``y`` and, for predictions, ``likelihood``."""


def _build_table(
    header: dict[str, list[str] | None],
    values: np.ndarray,
    rows: list[str],
    levels: int,
    path: Path,
    line: int | None,
    empty: np.ndarray | None = None,
) -> DLCTable:
    """Build the table; ``empty`` (as ``values``, CSV only) marks the empty cells."""
    bodyparts = header["bodyparts"] or []
    coords = [c.strip().lower() for c in header["coords"] or []]
    individuals = header["individuals"]
    columns: dict[tuple[str, str], dict[str, int]] = {}
    for col, (bp, coord) in enumerate(zip(bodyparts, coords)):
        if not bp.strip():  # WhiskerToolbox ignores columns without a body part
            continue
        ind = SINGLE_ANIMAL if individuals is None else individuals[col].strip()
        if coord not in DLC_COORDS:  # read, it would be dropped on saving: refuse instead
            who = f"body part {bp.strip()!r}" + (f" of individual {ind!r}" if ind else "")
            raise FormatError(
                f"expected coords {', '.join(DLC_COORDS)}, found {coord!r} for {who}: "
                "DeepLabCut writes no other coords in a 2D table (a 3D table, or a column "
                "added by hand, is not read: saving it back would drop the column)",
                path=path,
                line=line,
            )
        columns.setdefault((ind, bp.strip()), {})[coord] = col
    if not columns:
        raise FormatError("expected at least one body part column", path=path, line=line)
    for (ind, bp), cols in columns.items():
        missing = {"x", "y"} - cols.keys()
        if missing:
            who = f"body part {bp!r}" + (f" of individual {ind!r}" if ind else "")
            raise FormatError(
                f"expected coords x and y for {who}, missing {sorted(missing)}",
                path=path,
                line=line,
            )
    keys = list(columns)
    x = values[:, [columns[k]["x"] for k in keys]]
    y = values[:, [columns[k]["y"] for k in keys]]
    likelihood = None
    nan_likelihood = None
    unscored: tuple[int, ...] = ()
    if any("likelihood" in c for c in columns.values()):
        unscored = tuple(k for k, key in enumerate(keys) if "likelihood" not in columns[key])
        likelihood = np.full((len(values), len(keys)), np.nan)
        stated = np.zeros((len(values), len(keys)), bool)
        for k, key in enumerate(keys):
            if "likelihood" in columns[key]:
                likelihood[:, k] = values[:, columns[key]["likelihood"]]
                if empty is not None:  # a cell saying nan, not an empty one
                    stated[:, k] = (
                        np.isnan(likelihood[:, k]) & ~empty[:, columns[key]["likelihood"]]
                    )
        nan_likelihood = stated if stated.any() else None
    frames = _numeric_index(rows) if levels == 1 else None
    scorers = header["scorer"] or [""]
    return DLCTable(
        scorer=scorers[0].strip(),
        columns=keys,
        xy=np.stack([x, y], axis=-1),
        likelihood=likelihood,
        frames=frames,
        rows=rows,
        index_levels=levels,
        multi_animal=individuals is not None,
        unscored=unscored,
        nan_likelihood=nan_likelihood,
    )


def _numeric_index(rows: list[str]) -> np.ndarray | None:
    """Return the rows as int64 frame numbers, or None when any is not a whole number."""
    try:
        values = np.array([float(r) for r in rows], dtype=np.float64)
    except ValueError:
        return None
    if values.size and (not np.all(np.isfinite(values)) or np.any(values != np.round(values))):
        return None
    return values.astype(np.int64)


# ----------------------------------------------------------------------------- project


def find_dlc_config(path: str | os.PathLike[str]) -> Path | None:
    """Return the ``config.yaml`` of the DeepLabCut project holding ``path``, if any.

    Looked for beside the file, then two folders up (``<project>/labeled-data/<video>/``).
    """
    start = Path(path).resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, folder.parent, folder.parent.parent):
        config = candidate / "config.yaml"
        if config.is_file():
            return config
    return None


def read_dlc_config(path: str | os.PathLike[str]) -> DLCProject:
    """Read body parts, individuals, skeleton, dot size, pcutoff and colours from a DeepLabCut ``config.yaml``.

    Raises
    ------
    FormatError
        Not YAML, ``bodyparts``/``skeleton`` of the wrong shape, a ``dotsize`` that is not a
        positive number, a ``pcutoff`` that is not a number in [0, 1], or a ``colormap`` /
        ``skeleton_color`` that is not a name (names the key).
    """
    import yaml

    path = check_file(path, "DeepLabCut config.yaml")
    text = read_text(path)  # FormatError naming the file for binary or undecodable bytes
    try:
        content = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise FormatError(f"cannot read the YAML ({exc})", path=path) from exc
    if not isinstance(content, dict):
        raise FormatError("expected a YAML mapping with 'bodyparts'", path=path)
    multi = bool(content.get("multianimalproject"))
    bodyparts = content.get("multianimalbodyparts") if multi else content.get("bodyparts")
    if multi and bodyparts is None:
        bodyparts = content.get("bodyparts")
    lists = {
        "bodyparts": bodyparts or [],
        "uniquebodyparts": content.get("uniquebodyparts") or [],
        "individuals": content.get("individuals") if multi else [],
    }
    for key, value in lists.items():
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
            raise FormatError(f"expected {key!r} to be a list of names, got {value!r}", path=path)
    skeleton = content.get("skeleton") or []
    if not isinstance(skeleton, list) or not all(
        isinstance(e, list) and len(e) == 2 for e in skeleton
    ):
        raise FormatError(
            f"expected 'skeleton' to be a list of [bodypart, bodypart] pairs, got {skeleton!r}",
            path=path,
        )
    dotsize = content.get("dotsize")
    if dotsize is not None and (
        isinstance(dotsize, bool) or not isinstance(dotsize, (int, float)) or not dotsize > 0
    ):
        raise FormatError(f"expected 'dotsize' to be a positive number, got {dotsize!r}", path=path)
    pcutoff = content.get("pcutoff")
    if pcutoff is not None and (
        isinstance(pcutoff, bool) or not isinstance(pcutoff, (int, float)) or not 0 <= pcutoff <= 1
    ):
        raise FormatError(
            f"expected 'pcutoff' to be a likelihood between 0 and 1, got {pcutoff!r}", path=path
        )
    colours = {key: content.get(key) for key in ("colormap", "skeleton_color")}
    for key, value in colours.items():
        if value is not None and not isinstance(value, str):
            raise FormatError(f"expected {key!r} to be a colour name, got {value!r}", path=path)
    return DLCProject(
        path=path,
        scorer=str(content.get("scorer", "")),
        bodyparts=[str(b) for b in lists["bodyparts"] or []],
        unique_bodyparts=[str(b) for b in lists["uniquebodyparts"] or []],
        individuals=[str(i) for i in lists["individuals"] or []],
        skeleton=[(str(a), str(b)) for a, b in skeleton],
        dotsize=None if dotsize is None else float(dotsize),
        pcutoff=None if pcutoff is None else float(pcutoff),
        colormap=colours["colormap"] or None,
        skeleton_color=colours["skeleton_color"] or None,
    )


# ----------------------------------------------------------------------------- to keys


def image_frames(
    rows: list[str], images: list[str] | None, frame_from: FrameFrom, path: Path
) -> np.ndarray:
    """Return the frame of each labelled-image row (-1 for an image not shown).

    Parameters
    ----------
    rows : list of str
        The table's image paths.
    images : list of str or None
        File names of the images shown as media, in frame order; None: the rows' own file
        names in natural order.
    frame_from : {"position", "image_name"}
        ``position``: the image's index in ``images``; ``image_name``: the number in the file
        name (DeepLabCut names extracted frames ``img<frame>.png``).
    path : Path
        The table (for error messages).
    """
    names = [PurePosixPath(row_key(r)).name for r in rows]
    if frame_from == "image_name":
        frames = []
        for name in names:
            match = _DIGITS.search(PurePosixPath(name).stem)
            if match is None:
                raise FormatError(
                    f"expected a frame number in image name {name!r} (frame_from='image_name')",
                    path=path,
                )
            frames.append(int(match.group(1)))
        return np.asarray(frames, np.int64)
    from napari_whiskertoolbox.media._common import natural_sort_key

    order = images if images is not None else sorted(set(names), key=natural_sort_key)
    position = {name: i for i, name in enumerate(order)}
    return np.asarray([position.get(name, -1) for name in names], np.int64)


def dlc_to_pose(
    table: DLCTable,
    name: str,
    *,
    source: Path,
    project: DLCProject | None = None,
    likelihood_threshold: float = 0.0,
    images: list[str] | None = None,
    frame_from: FrameFrom = "position",
    image_size: Any = None,
    scale: tuple[float, float] | None = None,
    repeated_frames: Literal["error", "keep"] = "error",
    skips: RowSkips | None = None,
    unscored: RowSkips | None = None,
    frame_offset: int | None = None,
) -> tuple[list[tuple[str, PointData]], PoseSet | None]:
    """Turn a table into one PointData per (individual, body part) and their pose set.

    Parameters
    ----------
    table : DLCTable
        What :func:`read_dlc` returned.
    name : str
        Key prefix: ``name_bodypart`` or ``name_individual_bodypart``.
    source : Path
        The table's file (recorded for write-back).
    project : DLCProject, optional
        Body-part order and skeleton.
    likelihood_threshold : float
        Predictions below it are dropped (WhiskerToolbox keeps ``likelihood >= threshold``;
        a body part without a likelihood column always passes, and so does a point whose
        likelihood cell is empty: its score is unknown, see ``unscored``).
    images : list of str, optional
        Image file names in frame order (the media), for labelled-image rows.
    frame_from : {"position", "image_name"}
        See :func:`image_frames`.
    image_size : ImageSize, optional
        Size of the images the points annotate.
    scale : (float, float), optional
        ``(x, y)`` factors applied to the coordinates (WhiskerToolbox's ``scaled_width`` /
        ``scaled_height``); recorded so that write-back divides them out again.
    repeated_frames : {"error", "keep"}
        Rows mapping to a frame already seen: an error naming it, or every point kept
        (several points on that frame, WhiskerToolbox's ``dlc_csv`` rule); a pose set holds
        one point per frame per key, so then none is made.
    skips : RowSkips, optional
        Receives the rows left out: a point with a NaN coordinate that passed the threshold,
        a labelled image not among ``images`` (file lines for CSV tables, a count for HDF5
        ones). Negative frame numbers are kept, as WhiskerToolbox keeps them.
    unscored : RowSkips, optional
        Receives the rows kept whose point has x and y but an empty likelihood cell (in a
        column that has likelihoods): a prediction of unknown score, kept (never dropped
        unseen) and drawn as a prediction without a score.
    frame_offset : int, optional
        For labelled-image rows: the frame of ``images[0]`` when the frames show other
        images too (a project of several videos shows each labelled-data folder's images
        after the previous folder's, see :func:`.dlc_project.load_dlc_path`); image ``i``
        is frame ``frame_offset + i``. Default: image ``i`` is frame ``i``.

    Returns
    -------
    entries, pose
        ``[(key, PointData)]`` in pose order, and the :class:`PoseSet` (None when repeated
        frames were kept).

    Raises
    ------
    FormatError
        Two rows map to one frame and ``repeated_frames`` is ``"error"``; an image name
        without a number with ``frame_from="image_name"``.
    """
    from napari_whiskertoolbox.core.points import PointData

    if table.frames is not None:
        frames = table.frames
        index_kind = "frame"
        present = np.ones(frames.shape, dtype=bool)  # negative frames too, as WhiskerToolbox
    else:
        frames = image_frames(table.rows, images, frame_from, source)
        index_kind = "image"
        present = frames >= 0  # -1: the image is not among the media
        _skip(skips, "labelled image not among the images shown", table.row_lines, ~present)
        frames = np.where(present, frames + int(frame_offset or 0), frames)
    factors = None if scale is None else np.asarray(scale, np.float32)
    bodyparts = _ordered(table.bodyparts, project)
    individuals = _ordered_individuals(table.individuals, project)
    column_of = {col: k for k, col in enumerate(table.columns)}
    unknown_scores = table.unknown_scores()
    entries: list[tuple[str, PointData]] = []
    keys: dict[str, dict[str, str]] = {}
    repeated = False
    for ind in individuals:
        for bp in bodyparts:
            k = column_of.get((ind, bp))
            if k is None:
                continue
            xy = table.xy[:, k]
            keep = present.copy()
            finite = np.isfinite(xy).all(axis=1)
            unknown = np.zeros(keep.shape, dtype=bool)
            who = bp if ind == SINGLE_ANIMAL else f"{ind} {bp}"
            if table.likelihood is not None and k not in table.unscored:
                stated = (
                    table.nan_likelihood[:, k]
                    if table.nan_likelihood is not None
                    else np.zeros(keep.shape, bool)
                )
                # an empty cell: a score not given (kept); "nan": fails, as in WhiskerToolbox
                unknown = unknown_scores[:, k]
                _skip(skips, f"{who}: a likelihood of nan (fails any likelihood threshold, "
                      "as in WhiskerToolbox)", table.row_lines, keep & stated & finite)  # fmt: skip
                keep &= ~threshold_hides(table.likelihood[:, k], likelihood_threshold, unknown)
            _skip(skips, f"{who}: NaN x or y (a NaN cell is DeepLabCut's absent keypoint)",
                  table.row_lines, keep & ~finite)  # fmt: skip
            keep &= finite
            _skip(unscored, f"{who}: x and y with an empty likelihood (a prediction of unknown "
                  "score, shown whatever the likelihood threshold)",
                  table.row_lines, keep & unknown)  # fmt: skip
            order = np.argsort(frames[keep], kind="stable")
            times = frames[keep][order]
            if times.size and np.any(np.diff(times) == 0):
                if repeated_frames == "error":
                    frame = int(times[np.flatnonzero(np.diff(times) == 0)[0]])
                    raise FormatError(f"two rows map to frame {frame}", path=source)
                repeated = True
            coords = xy[keep][order].astype(np.float32)
            if factors is not None:
                coords = coords * factors
            key = pose_key(name, ind, bp)
            entries.append((key, PointData.from_flat(times, coords, image_size=image_size)))
            keys.setdefault(ind, {})[bp] = key
    if repeated:
        return entries, None
    row_frames = {int(f): row for f, row in zip(frames.tolist(), table.rows) if f >= 0}
    pose = PoseSet(
        name=name,
        bodyparts=bodyparts,
        individuals=[i for i in individuals if i in keys] or [SINGLE_ANIMAL],
        skeleton=[
            e for e in (project.skeleton if project else []) if all(b in bodyparts for b in e)
        ],
        keys=keys,
        point_size=project.dotsize if project else None,
        colormap=project.colormap if project else None,
        skeleton_color=project.skeleton_color if project else None,
        source={
            "format": "deeplabcut",
            "path": str(source),
            "scorer": table.scorer,
            "index": index_kind,
            "index_levels": table.index_levels,
            "multi_animal": table.multi_animal,
            "likelihood": table.likelihood is not None,
            **(
                {"likelihood_threshold": float(likelihood_threshold)}
                if table.likelihood is not None
                else {}
            ),
            "rows": {str(f): r for f, r in sorted(row_frames.items())}
            if index_kind == "image"
            else {},
        },
    )
    if index_kind == "image":
        pose.source["new_rows"] = _new_row_rule(table.rows, images, frame_from, source)
        if frame_offset is not None:
            pose.source["new_rows"]["offset"] = int(frame_offset)
    if scale is not None:
        pose.source["scale"] = [float(scale[0]), float(scale[1])]
    if table.read_options:
        pose.source["read"] = dict(table.read_options)
    return entries, pose


def _new_row_rule(
    rows: list[str], images: list[str] | None, frame_from: FrameFrom, source: Path
) -> dict[str, Any]:
    """Say how to name the row of an image that had no label in the source table.

    The row is the image's path as DeepLabCut writes it: the folder part of the source's
    rows (``labeled-data/<video>/``, with their separator), else ``labeled-data/<folder of
    the table>/``; then the image's file name: the ``images`` entry at the frame
    (``position``), or ``img<frame>.png`` zero-padded as the source's names are
    (``image_name``). A rule with an ``offset`` (one folder of a project of several videos)
    counts positions from that frame.
    """
    if rows:
        first = rows[0]
        name = PurePosixPath(row_key(first)).name
        prefix = first[: len(first) - len(name)]
    else:
        prefix = f"labeled-data/{source.parent.name}/"
    stems = [PurePosixPath(row_key(r)).stem for r in rows]
    widths = [len(m.group(1)) for stem in stems if (m := _DIGITS.search(stem))]
    return {
        "prefix": prefix,
        "frame_from": frame_from,
        "images": list(images) if images is not None and frame_from == "position" else None,
        "width": min(widths) if widths else 3,
        "suffix": PurePosixPath(rows[0]).suffix if rows else ".png",
    }


def own_frames(pose: PoseSet) -> range | None:
    """Return the frames showing a pose set's own images when the media shows others too.

    One labelled-data folder of a project of several videos: its images are frames
    ``offset .. offset + n - 1`` of the media over every folder (see :func:`dlc_to_pose`'s
    ``frame_offset``); a point of this pose set on another frame has no image path. None
    for any other pose set (its frames are the media's).
    """
    rule = pose.source.get("new_rows") if pose.source.get("format") == "deeplabcut" else None
    if not isinstance(rule, dict) or "offset" not in rule:
        return None
    offset = int(rule["offset"])
    return range(offset, offset + len(rule.get("images") or []))


def other_folders_image(pose: PoseSet, frame: int, others: Iterable[PoseSet] = ()) -> str:
    """Why ``pose`` can hold no point on ``frame`` (``""`` when it can), for a notice.

    The frame shows an image of another labelled-data folder of the project
    (:func:`own_frames`): the point would have no image path in the folder's table. The
    folder of ``others`` (the session's pose sets) whose images include the frame is named,
    so that the notice says which keypoints layer labels this image; the notice starts with
    that (a collapsed napari notification shows only its first words).
    """
    frames = own_frames(pose)
    if frames is None or not len(frames) or frame in frames:
        return ""
    shown = next(
        (o.name for o in others if o.name != pose.name and frame in (own_frames(o) or ())),
        None,
    )
    # what to do first: a collapsed napari notice shows only its first words
    layer = f"the keypoints layer {shown!r}" if shown else "that folder's keypoints layer"
    folder = f"labelled-data folder {shown}" if shown else "another labelled-data folder"
    return (
        f"select {layer} to label this image: it is an image of {folder}, and "
        f"{pose.name} labels frames {frames.start}-{frames.stop - 1}"
    )


def _new_row(rule: dict[str, Any] | None, frame: int) -> str:
    """Return the row label of a labelled image that the source table did not hold.

    Raises
    ------
    FormatError
        No image of that frame is known (its path would be made up).
    """
    if rule is None:
        raise FormatError(
            f"frame {frame} has points but no image path: the source table had no row for "
            "it and the images it was read with are not known"
        )
    if rule.get("frame_from") == "image_name":
        name = f"img{frame:0{int(rule['width'])}d}{rule['suffix']}"
    else:
        images = rule.get("images") or []
        offset = int(rule.get("offset", 0))
        if not 0 <= frame - offset < len(images):
            shown = (
                f" (frames {offset}..{offset + len(images) - 1} show this folder's images; "
                "the points belong to another folder's image: move them to that folder's "
                "keypoints layer)"
                if "offset" in rule
                else ""
            )
            raise FormatError(
                f"frame {frame} has points but there is no image at that position among the "
                f"{len(images)} images the labels were read with{shown}"
            )
        name = images[frame - offset]
    return f"{rule['prefix']}{name}"


def _skip(skips: RowSkips | None, reason: str, lines: np.ndarray | None, rows: np.ndarray) -> None:
    """Record the table rows selected by the boolean ``rows`` as skipped for ``reason``."""
    if skips is None or not rows.any():
        return
    if lines is None:
        skips.add_count(reason, int(rows.sum()))
    else:
        skips.add_many(reason, lines[rows])


def _ordered(found: list[str], project: DLCProject | None) -> list[str]:
    if project is None:
        return found
    known = [*project.bodyparts, *project.unique_bodyparts]
    return [b for b in known if b in found] + [b for b in found if b not in known]


def _ordered_individuals(found: list[str], project: DLCProject | None) -> list[str]:
    if project is None or not project.individuals:
        return found
    known = [*project.individuals, "single"]
    return [i for i in known if i in found] + [i for i in found if i not in known]


# ----------------------------------------------------------------------------- writing


def write_dlc(dm: DataManager, pose: PoseSet, path: str | os.PathLike[str]) -> Path:
    """Write a pose set back as DeepLabCut's own file: ``.h5`` (and/or) ``.csv``.

    The layout follows the file it was read from (``pose.source``): same MultiIndex levels
    and names, float64, image-path index for labelled data (``CollectedData_<scorer>``),
    frame index otherwise; ``likelihood`` columns only when the source had them (1.0 for a
    point placed or moved here); a pose set read from SLEAP or NWB that holds predictions
    gets them too, written to a predictions table (any name but ``CollectedData_*``): the
    prediction's SLEAP point score or NWB confidence (also after a swap of identities), 1
    for a point labelled, placed or moved by hand. What the DataManager holds is written: a point deleted
    here is gone from the file (never resurrected). A prediction the likelihood threshold
    hid (never shown, so never deleted) is written as the source has it, unless a point
    was placed there; a body part that has no key (none of its points passed the
    threshold) keeps the source's columns and values. Rows of the source file for images
    that were not shown are written unchanged, and an untouched point keeps its float64
    value (and likelihood) from the source. Coordinates scaled when read (``scaled_width`` /
    ``scaled_height``) are written in the source's pixels. A ``CollectedData_<scorer>``
    table already at ``path`` that is not the pose set's own source is merged into, as
    DeepLabCut's refine step does (:mod:`.dlc_merge`: its images keep their labels except
    the points changed here, new images are added, its scorer and layout are kept); the
    pose sets of ``dm`` read from that table are then brought up to date with it
    (:func:`show_merged`), so that their own next save keeps the merged points.

    Parameters
    ----------
    dm : DataManager
        Holds the pose set's keys.
    pose : PoseSet
        The keys to write.
    path : path-like
        ``.h5``/``.hdf5`` (pandas HDF5, key ``df_with_missing``; "table" format, "fixed" for a
        three-column image index) or ``.csv``.

    Returns
    -------
    Path
        The file written (atomically).

    Raises
    ------
    FormatError
        Labels of video frames for a ``CollectedData_*`` table; a table to merge into whose
        body parts or individuals differ (names the file; nothing is written).
    """
    path = Path(path)
    to_write = _frame_to_write(dm, pose, path)
    _warn_labels_in_predictions(to_write.placed, path)
    with _staged(to_write.frame, path):
        pass
    _written(to_write)
    show_merged(dm, pose, path)
    return path


def show_merged(dm: DataManager, pose: PoseSet, path: str | os.PathLike[str]) -> list[str]:
    """Bring the pose sets read from the labels table ``path`` up to date after ``pose`` merged into it.

    ``pose`` (refined machine labels, labels read elsewhere) was just written into the
    ``CollectedData_*`` table ``path`` that is not its own source: the sets of ``dm`` read
    from that table (its ``.h5`` or ``.csv``) must show what it now holds, or their next
    save (their own table: written whole) would put their old values back over the
    merged ones. One undo step per set that changed
    (:func:`~napari_whiskertoolbox.io.dlc_refresh.sync_with_table`).

    Returns
    -------
    list of str
        The names of the pose sets brought up to date (empty when ``path`` is ``pose``'s
        own table, or no set of ``dm`` was read from it).
    """
    from napari_whiskertoolbox.io.dlc_refresh import sync_with_table
    from napari_whiskertoolbox.io.pose import pose_sets

    path = Path(path)
    own = pose.source.get("path")
    if not is_labels_table(path) or (own and _same_table(Path(str(own)), path)):
        return []
    shown = []
    for other in pose_sets(dm).values():
        source = other.source.get("path")
        if other.source.get("format") != "deeplabcut" or not source:
            continue
        if not _same_table(Path(str(source)), path):
            continue
        with dm.history.group(f"Show the labels merged into {path.name}"):
            sync_with_table(dm, other, path)
        shown.append(other.name)
    return shown


def _frame_to_write(dm: DataManager, pose: PoseSet, path: Path) -> _ToWrite:
    """Return the frame to write at ``path``, the points placed by hand, the table replaced.

    Merged into the labels already at ``path`` (:func:`_merge_target`); the count is of
    points placed or moved here in a table with likelihoods (see :func:`_dlc_frame`). The
    table replaced (the pose set's source when ``path`` is its table, the table merged
    into) is remembered by :func:`_written` once the file is written.
    """
    written = _dlc_frame(dm, pose, labels_scorer(path))
    existing = _merge_target(pose, path)
    if existing is None:
        own = str(pose.source.get("path") or "")
        replaced = written.original if own and _same_table(Path(own), path) else None
        read_from = Path(own) if replaced is not None else None
        return _ToWrite(written.frame, written.placed, path, replaced, read_from)
    new = _table_from_frame(written.frame, path)
    target = read_dlc(existing)
    frame = merge_labels(new, written.changed, target, existing, pose.name)
    return _ToWrite(frame, 0, existing, target, existing)


class _ToWrite(NamedTuple):
    """A frame to write, and what it replaces (see :func:`_frame_to_write`)."""

    frame: pd.DataFrame
    placed: int
    path: Path
    replaced: DLCTable | None
    read_from: Path | None
    """The file ``replaced`` was read from (None: nothing was read)."""


def _written(to_write: _ToWrite) -> None:
    """Remember the table a save replaced (:func:`remember_replaced`), once it is written."""
    if to_write.replaced is not None:
        remember_replaced(to_write.path, to_write.replaced)


def labels_scorer(path: str | os.PathLike[str]) -> str | None:
    """Return ``<scorer>`` of a ``CollectedData_<scorer>`` file name (None for other names)."""
    path = Path(path)
    return path.stem[len(LABELS_PREFIX) :] if is_labels_table(path) else None


def _merge_target(pose: PoseSet, path: Path) -> Path | None:
    """Return the labelled-data table that saving ``pose`` at ``path`` merges into, if any.

    Saving into a ``CollectedData_<scorer>`` table (``.h5`` or ``.csv``) that already exists
    and is not the pose set's own source (refined predictions, ``machinelabels-iter<N>``,
    or labels read elsewhere) merges, as DeepLabCut's refine step does
    (:mod:`.dlc_merge`): the ``.h5`` is read when there is one (DeepLabCut trains from it),
    else the ``.csv``. None: the file is new, or the pose set's own (written whole).
    """
    if not is_labels_table(path):
        return None
    own = str(pose.source.get("path") or "")
    if own and is_labels_table(own) and _same_table(Path(own), path):
        return None
    twins = [path.with_suffix(".h5"), path.with_suffix(".csv")]
    if importlib.util.find_spec("tables") is None:
        twins.reverse()
    return next((twin for twin in twins if twin.is_file()), None)


def _same_table(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` are one table (the ``.h5`` and ``.csv`` of a pair count as one)."""
    return a.resolve().with_suffix("") == b.resolve().with_suffix("")


def _warn_labels_in_predictions(placed: int, path: Path) -> None:
    """Warn that ``placed`` labels go into predictions table ``path`` (they read back as such).

    A DeepLabCut predictions table has no place for a label: a point placed or moved here is
    written with likelihood 1, and reading the table again gives a prediction of score 1.
    """
    if placed:
        warnings.warn(
            f"{path.name}: {placed} point{'s' if placed != 1 else ''} placed or moved by hand "
            "written with likelihood 1 to a predictions table, where they read back as "
            "predictions of score 1; save to a labelled-data table (CollectedData_<scorer>.h5) "
            "to keep them as labels",
            stacklevel=3,
        )


@contextlib.contextmanager
def _staged(frame: pd.DataFrame, path: Path) -> Iterator[None]:
    """Write ``frame`` beside ``path``; it replaces ``path`` when the block ends without error."""
    if path.suffix.lower() in H5_SUFFIXES:
        require("tables", "writing DeepLabCut .h5 files")
        import pandas as pd

        # PyTables' "table" format (the Reaching example's) cannot hold a MultiIndex on both
        # axes; DeepLabCut's three-column image index is then written in "fixed" format.
        layout = "fixed" if isinstance(frame.index, pd.MultiIndex) else "table"
        key = _existing_key(path)
        with atomic_path(path) as temp:
            frame.to_hdf(temp, key=key, mode="w", format=layout)
            yield
    else:
        with atomic_open(path, "w") as handle:
            frame.to_csv(handle)
            yield


def _existing_key(path: Path) -> str:
    """Return the HDF key to write a table to ``path`` under: the key the file there has.

    ``df_with_missing`` (DeepLabCut's) for a new file, one holding that key, or one that
    does not read as a pandas HDF5 file with one key; else the file's only key (``poses``...),
    which the readers of that file look it up by.
    """
    if not path.is_file():
        return DLC_H5_KEY
    import pandas as pd

    try:
        with pd.HDFStore(path, mode="r") as store:
            keys = [k.lstrip("/") for k in store]
    except Exception:  # pandas/PyTables raise many types: replaced by DeepLabCut's key
        return DLC_H5_KEY
    return keys[0] if len(keys) == 1 and DLC_H5_KEY not in keys else DLC_H5_KEY


def is_labels_table(path: str | os.PathLike[str]) -> bool:
    """Return whether ``path`` names a labelled-data table (``CollectedData_<scorer>.*``)."""
    return Path(path).name.startswith(LABELS_PREFIX)


def write_dlc_pair(dm: DataManager, pose: PoseSet, path: str | os.PathLike[str]) -> list[Path]:
    """Write a pose set as :func:`write_dlc` does; labelled data also as the other format.

    :func:`write_labels_pair`, with a warning for each file of the pair whose old contents
    were kept in a backup (:mod:`.dlc_twins`).

    Returns
    -------
    list of Path
        The files written: ``path`` first.
    """
    written = write_labels_pair(dm, pose, path)
    for kept in written.kept:
        warnings.warn(kept.message(), stacklevel=2)
    return written.files


class PairWritten(NamedTuple):
    """What :func:`write_labels_pair` wrote, and the files of the pair it kept a backup of."""

    files: list[Path]
    kept: list[KeptTwin]


def write_labels_pair(dm: DataManager, pose: PoseSet, path: str | os.PathLike[str]) -> PairWritten:
    """Write a pose set as :func:`write_dlc` does; labelled data also as the other format.

    DeepLabCut keeps each ``CollectedData_<scorer>`` table twice, ``.h5`` (what training
    reads) and ``.csv`` (to read by eye), and writes both on every save; saving one here
    writes its twin too, from the one file read. A file of the pair that is unreadable, or
    holds labels that differ from the file read (edited apart, by hand or by another tool),
    is first copied to ``<name>.<YYYYmmdd-HHMMSS>.bak`` beside it (:func:`.dlc_twins.keep_twin`),
    so that nothing on disk is lost. Other tables (predictions...) are written alone.
    Without PyTables (the ``.h5``) only the ``.csv`` is written, with a warning.

    Returns
    -------
    PairWritten
        The files written (``path`` first) and the backups kept.
    """
    from napari_whiskertoolbox.io.dlc_twins import keep_twin, twin_of

    path = Path(path)
    if not is_labels_table(path):
        return PairWritten([write_dlc(dm, pose, path)], [])
    twin = twin_of(path)
    to_h5 = twin.suffix == ".h5"
    if to_h5 and importlib.util.find_spec("tables") is None:
        written = [write_dlc(dm, pose, path)]
        warnings.warn(
            f"{twin.name} was not written (PyTables is not installed): DeepLabCut trains "
            f"from the .h5, which now differs from {path.name}",
            stacklevel=2,
        )
        return PairWritten(written, [])
    to_write = _frame_to_write(dm, pose, path)
    read_from = to_write.read_from
    # Both written beside their originals first: a failure leaves both files as they were.
    with _staged(to_write.frame, path), _staged(to_write.frame, twin):
        kept = [
            backup
            for file in (path, twin)
            if read_from is None or file.resolve() != read_from.resolve()
            if (backup := keep_twin(file, read_from, to_write.replaced)) is not None
        ]
    _written(to_write)
    show_merged(dm, pose, path)  # the labels sets of a table merged into show it
    return PairWritten([path, twin], kept)


def dlc_frame(dm: DataManager, pose: PoseSet) -> pd.DataFrame:
    """Return the pose set as a DeepLabCut DataFrame (see :func:`write_dlc`)."""
    return _dlc_frame(dm, pose, None).frame


class _Written(NamedTuple):
    """What :func:`_dlc_frame` built: the frame, and what in it was done by hand."""

    frame: pd.DataFrame
    placed: int
    """Points placed or moved here, in a table with likelihoods."""
    changed: np.ndarray
    """``(rows, columns)``: points placed, moved or deleted here (:func:`.changed_cells`)."""
    original: DLCTable | None
    """The pose set's source table as it was on disk when the frame was built."""


def _dlc_frame(dm: DataManager, pose: PoseSet, labels_scorer: str | None) -> _Written:
    """Return the pose set as a DeepLabCut DataFrame, and what in it was done by hand.

    ``labels_scorer``: the frame is a labelled-data table (``CollectedData_<scorer>``) of
    that scorer: ``x, y`` only, whatever the source held, so that its points read back as
    labels.

    Raises
    ------
    FormatError
        A labelled-data table of a pose set read from a frame-indexed table: DeepLabCut's
        labels are indexed by image path, which such a set does not know.
    """
    import pandas as pd

    source = pose.source
    scorer = str(source.get("scorer") or "napari_whiskertoolbox")
    multi = bool(source.get("multi_animal", pose.multi_animal))
    with_likelihood = bool(source.get("likelihood", False))
    threshold = source.get("likelihood_threshold")
    read_threshold = threshold
    if labels_scorer is not None:
        if source.get("index") != "image":
            raise FormatError(
                f"expected a pose set of labelled images for {LABELS_PREFIX}{labels_scorer}: "
                f"pose set {pose.name!r} comes from a table indexed by video frame, and "
                "DeepLabCut's labels are indexed by image path (labeled-data/<video>/img*.png); "
                "save it as a predictions table, or open the labelled-data folder and label there"
            )
        scorer = labels_scorer or scorer
        with_likelihood = False  # labels: x, y
        threshold = None  # predictions hidden by a threshold were never seen: not labels
    scores = None
    original = _original_table(source)
    # A DeepLabCut table gone (the set read back from our NWB export) leaves its scores there.
    gone = original is None and with_likelihood and source.get("format") == "deeplabcut"
    if labels_scorer is None and (source.get("format") in ("sleap", "nwb") or gone):
        from napari_whiskertoolbox.io.pose_scores import source_scores

        scores = source_scores(pose)  # a network's predictions: their scores as likelihood
        with_likelihood = scores is not None or with_likelihood
    by_hand = 0
    scale = np.asarray(source.get("scale") or (1.0, 1.0), np.float32)
    columns = _written_columns(dm, pose, original)
    coords = ["x", "y", "likelihood"] if with_likelihood else ["x", "y"]
    hidden = {}
    if original is None and threshold is not None:
        from napari_whiskertoolbox.io.pose_written import hidden_predictions

        hidden = hidden_predictions(dm, pose)  # from our NWB export: the source is not at hand
    frames = _written_frames(dm, pose, columns)
    if hidden:
        frames = np.union1d(frames, np.concatenate([times for times, _, _ in hidden.values()]))
    if original is not None and original.frames is not None:
        # Every frame of the source keeps its row (empty when its points were deleted).
        frames = np.union1d(frames, original.frames)
    rows_of_frames = {int(k): v for k, v in (source.get("rows") or {}).items()}
    image_index = source.get("index") == "image"
    new_rows = source.get("new_rows")
    labels = [
        (rows_of_frames[f] if f in rows_of_frames else _new_row(new_rows, f))
        if image_index
        else str(f)
        for f in frames.tolist()
    ]
    values = np.full((len(frames), len(columns), len(coords)), np.nan)
    held = np.full((len(frames), len(columns), 2), np.nan, np.float32)  # as the keys hold them
    for c, (ind, bp) in enumerate(columns):
        key = pose.key(ind, bp)
        if key in hidden:
            hidden_times, hidden_xy, likelihood = hidden[key]
            where = np.searchsorted(frames, hidden_times)
            values[where, c, 0:2] = hidden_xy.astype(np.float64) / scale
            if with_likelihood:
                values[where, c, 2] = likelihood
        if key is None or key not in dm:
            continue  # the source's column, written empty
        points: PointData = dm.get_data(key)
        flat = points.to_flat()
        where = np.searchsorted(frames, flat.times)
        held[where, c] = flat.coords
        values[where, c, 0:2] = flat.coords.astype(np.float64) / scale
        if with_likelihood:
            values[where, c, 2] = 1.0
        if scores is not None:
            for row, t, point in zip(where, flat.times.tolist(), flat.coords):
                score = scores.score(key, int(t), point)
                if score is None:
                    by_hand += 1
                else:
                    values[row, c, 2] = score
    extra_rows: list[str] = []
    restored = np.zeros((len(labels), len(columns)), dtype=bool)
    if original is not None:
        values, extra_rows = _merge_original(
            values,
            held,
            scale,
            labels,
            columns,
            original,
            with_likelihood,
            threshold,
            restored,
            unseen_rows=not (labels_scorer is not None and source.get("likelihood")),
            earlier=replaced_tables(str(source.get("path") or "")),
        )
    _shortest_edited(values, held, scale, restored)
    from_file = bool(source.get("path"))  # points given as arrays (write_dlc_csv) are no labels
    placed = (
        int((np.isfinite(held[..., 0]) & ~restored).sum()) if with_likelihood and from_file else 0
    )
    if scores is not None:
        placed = by_hand
    labels = labels + extra_rows
    if image_index:
        labels_sorted = sorted(range(len(labels)), key=lambda i: labels[i])
        values = values[labels_sorted] if len(labels) else values
        labels = [labels[i] for i in labels_sorted]
    index = (
        dlc_image_index(labels, int(source.get("index_levels", 1)))
        if image_index
        else pd.Index([int(lab) for lab in labels])
    )
    frame = layout_frame(values, index, scorer, columns, coords, multi)
    changed = changed_cells(values[..., 0:2], labels, columns, original, read_threshold)
    return _Written(frame, placed, changed, original)


def _written_columns(
    dm: DataManager, pose: PoseSet, original: DLCTable | None
) -> list[tuple[str, str]]:
    """``(individual, bodypart)`` columns in pose order: those with a key, and the source's."""
    in_source = set(original.columns) if original is not None else set()
    individuals = list(pose.individuals)
    bodyparts = list(pose.bodyparts)
    if original is not None:
        individuals += [i for i in original.individuals if i not in individuals]
        bodyparts += [b for b in original.bodyparts if b not in bodyparts]
    return [
        (ind, bp)
        for ind in individuals
        for bp in bodyparts
        if pose.key(ind, bp) in dm or (ind, bp) in in_source
    ]


def _written_frames(dm: DataManager, pose: PoseSet, columns: list[tuple[str, str]]) -> np.ndarray:
    keys = [pose.key(ind, bp) for ind, bp in columns]
    times = [dm.get_data(key).times_with_data() for key in keys if key is not None and key in dm]
    rows = [int(k) for k in (pose.source.get("rows") or {})]
    all_frames: Any = np.concatenate([*times, np.asarray(rows, np.int64)]) if times or rows else []
    return np.unique(np.asarray(all_frames, np.int64))


def read_dlc_source(source: Mapping[str, Any]) -> DLCTable | None:
    """Read a pose set's DeepLabCut source file again, with the options it was read with.

    Parameters
    ----------
    source : mapping
        :attr:`PoseSet.source` of a pose set read by :func:`dlc_to_pose` (``path`` and the
        ``read`` options ``delimiter``, ``decimal``, ``frame_column``).

    Returns
    -------
    DLCTable or None
        None when the file is gone.

    Raises
    ------
    FormatError, ImportError
        As :func:`read_dlc`: the file no longer reads as a DeepLabCut table.
    """
    path = source.get("path")
    if not path or not Path(path).is_file():
        return None
    read = source.get("read") or {}
    return read_dlc(
        path,
        delimiter=read.get("delimiter"),
        decimal=read.get("decimal"),
        frame_column=int(read.get("frame_column", 0)),
    )


def _original_table(source: dict[str, Any]) -> DLCTable | None:
    """Re-read the source file, if it is still there and readable, to keep its exact values."""
    try:
        return read_dlc_source(source)
    except (FormatError, ImportError):
        return None


def _merge_original(
    values: np.ndarray,
    held: np.ndarray,
    scale: np.ndarray,
    labels: list[str],
    columns: list[tuple[str, str]],
    original: DLCTable,
    with_likelihood: bool,
    threshold: float | None = None,
    restored: np.ndarray | None = None,
    unseen_rows: bool = True,
    earlier: Sequence[DLCTable] = (),
) -> tuple[np.ndarray, list[str]]:
    """Keep source values of untouched points; append source rows absent from ``labels``.

    A point is untouched when the float32 coordinates its key holds are what reading the
    source gave (its value times ``scale``); it is then written with the source's float64
    value and likelihood (and marked in ``restored``, ``(len(labels), len(columns))``). So
    is a prediction below the likelihood ``threshold`` it was read with, where the key holds
    no point: it was never shown, so never deleted. A point that is the source's value of
    the same body part of another individual in that row (individuals swapped) is untouched
    too, written with that value and likelihood. ``unseen_rows`` False: the source rows
    of images not shown are left out (predictions nobody looked at are not labels).
    ``earlier``: tables this process replaced in the source's place (:func:`replaced_tables`,
    newest first); a point that is not the source's value but is an earlier table's value
    of the same row and column (an edit saved, then undone) is written with that value and
    likelihood, and marked in ``restored``.
    """
    column_of = {col: k for k, col in enumerate(original.columns)}
    before = [
        (
            table,
            {r: i for i, r in enumerate(table.rows)},
            {col: k for k, col in enumerate(table.columns)},
        )
        for table in earlier
    ]
    cols = [column_of.get(c, -1) for c in columns]
    siblings = [
        [k for k, (_, bp) in enumerate(original.columns) if bp == part and k != column_of.get(col)]
        for col, (_, part) in zip(columns, columns)
    ]
    row_of = {r: i for i, r in enumerate(original.rows)}
    hides = original.hidden_by(threshold)  # the reader's rule: below it, or a NaN likelihood
    for i, label in enumerate(labels):
        j = row_of.get(label)
        if j is None:
            continue
        for c, k in enumerate(cols):
            if k < 0:
                continue
            old = original.xy[j, k]
            if np.isfinite(held[i, c]).all() and not _reads_as(old, scale, held[i, c]):
                # another individual's prediction of this body part (individuals swapped)
                for other in siblings[c]:
                    if _reads_as(original.xy[j, other], scale, held[i, c]):
                        k = other
                        old = original.xy[j, k]
                        break
            if _reads_as(old, scale, held[i, c]):
                values[i, c, 0:2] = old
                if with_likelihood:
                    values[i, c, 2] = _source_likelihood(original, j, k)
                if restored is not None:
                    restored[i, c] = True
            elif hides[j, k] and np.all(np.isfinite(old)) and np.all(np.isnan(held[i, c])):
                values[i, c, 0:2] = old  # hidden by the threshold, kept as the source has it
                if with_likelihood:  # a scored column (hidden_by): the source's own score
                    values[i, c, 2] = _source_likelihood(original, j, k)
            elif with_likelihood and not np.any(np.isfinite(old)) and np.all(np.isnan(held[i, c])):
                values[i, c, 2] = _source_likelihood(original, j, k)  # absent, its score kept
            elif before and np.isfinite(held[i, c]).all():
                _restore_earlier(values, held, scale, before, i, c, label, columns[c], restored)
    missing = [r for r in original.rows if r not in set(labels)] if unseen_rows else []
    if not missing:
        return values, []
    extra = np.full((len(missing), len(columns), values.shape[2]), np.nan)
    for m, label in enumerate(missing):
        j = row_of[label]
        for c, k in enumerate(cols):
            if k >= 0:
                extra[m, c, 0:2] = original.xy[j, k]
                if with_likelihood:
                    extra[m, c, 2] = _source_likelihood(original, j, k)
    return np.concatenate([values, extra]), missing


def _reads_as(value: np.ndarray, scale: np.ndarray, held: np.ndarray) -> bool:
    """Whether the file's float64 point ``value`` reads as the key's float32 ``held`` point."""
    return bool(np.isfinite(value).all() and np.array_equal(value.astype(np.float32) * scale, held))


def _restore_earlier(
    values: np.ndarray,
    held: np.ndarray,
    scale: np.ndarray,
    before: list[tuple[DLCTable, dict[str, int], dict[tuple[str, str], int]]],
    i: int,
    c: int,
    label: str,
    column: tuple[str, str],
    restored: np.ndarray | None,
) -> None:
    """Write point ``(i, c)`` with the value of the newest earlier table that read to it."""
    for table, row_of, column_of in before:
        j, k = row_of.get(label), column_of.get(column)
        if j is None or k is None:
            continue
        old = table.xy[j, k]
        if _reads_as(old, scale, held[i, c]):
            values[i, c, 0:2] = old
            if values.shape[2] > 2:
                values[i, c, 2] = _source_likelihood(table, j, k)
            if restored is not None:
                restored[i, c] = True
            return


def _shortest_edited(
    values: np.ndarray, held: np.ndarray, scale: np.ndarray, restored: np.ndarray
) -> None:
    """Write each point not restored from a file as the shortest text of its float32.

    ``values[:len(held), :, 0:2]`` (float64, source pixels) of the points the keys hold
    and no file gave (placed or moved here) become the float64 of the shortest decimal
    that reads back to the same float32 (``204.31158``, not ``204.31158447265625``), when
    that float32 times ``scale`` is what the key holds (else the value is left as it is).
    Written to the CSV as that short text, to the ``.h5`` as its float64: both read back
    to the held float32, and to each other's values.
    """
    n = held.shape[0]
    edited = np.isfinite(held).all(axis=2) & ~restored
    if not edited.any():
        return
    block = values[:n, :, 0:2]
    exact = block[edited]  # (m, 2) float64
    single = exact.astype(np.float32)
    if not np.isfinite(single).all():
        return  # a scale of 0 (no such file reads): nothing shorter to write
    # orjson writes a float32 array as the shortest text of each (~30 ns a number, pyarrow's
    # formatter ~10x that); read back as float64, that text is what pandas writes.
    text = orjson.dumps(single.ravel(), option=orjson.OPT_SERIALIZE_NUMPY)
    short = np.asarray(orjson.loads(text), np.float64).reshape(exact.shape)
    fits = short.astype(np.float32) * scale == held[edited]
    block[edited] = np.where(fits, short, exact)
    values[:n, :, 0:2] = block


_REPLACED_PER_TABLE = 4
"""Tables remembered per file (the first one replaced, the file as opened, is always kept)."""
_REPLACED_BYTES = 256 * 1024 * 1024
"""Memory the remembered tables may hold in all; the least recently saved files go first."""
_replaced: dict[str, list[DLCTable]] = {}


def _table_key(path: str | os.PathLike[str]) -> str:
    """One key for a table's ``.h5`` and ``.csv`` (:func:`_same_table`)."""
    return str(Path(path).resolve().with_suffix(""))


def _table_bytes(table: DLCTable) -> int:
    return table.xy.nbytes + (0 if table.likelihood is None else table.likelihood.nbytes)


def remember_replaced(path: str | os.PathLike[str], table: DLCTable) -> None:
    """Remember ``table``, the values a save just replaced at ``path`` (bounded, in memory).

    A point saved and then undone holds the float32 of a value the file no longer has:
    :func:`_merge_original` finds it here and writes it back with its float64 text. At
    most ``_REPLACED_PER_TABLE`` tables a file (the oldest, the file as this process first
    replaced it, stays), ``_REPLACED_BYTES`` in all (the least recently saved files are
    forgotten first; one table is always kept). A table equal to one remembered is not
    kept twice.
    """
    key = _table_key(path)
    tables = _replaced.pop(key, [])
    if not any(_same_values(table, known) for known in tables):
        tables.append(table)
        if len(tables) > _REPLACED_PER_TABLE:
            del tables[1]
    _replaced[key] = tables  # most recently saved last
    while sum(_table_bytes(t) for ts in _replaced.values() for t in ts) > _REPLACED_BYTES:
        if len(_replaced) > 1:
            del _replaced[next(iter(_replaced))]
        elif len(tables) > 1:
            del tables[1 if len(tables) > 2 else 0]
        else:
            break


def replaced_tables(path: str | os.PathLike[str]) -> list[DLCTable]:
    """Return the tables saves of this process replaced at ``path`` (or its twin), newest first."""
    if not path:
        return []
    return list(reversed(_replaced.get(_table_key(path), [])))


def _same_values(a: DLCTable, b: DLCTable) -> bool:
    return (
        a.rows == b.rows
        and a.columns == b.columns
        and np.array_equal(a.xy, b.xy, equal_nan=True)
        and (
            (a.likelihood is None and b.likelihood is None)
            or (
                a.likelihood is not None
                and b.likelihood is not None
                and np.array_equal(a.likelihood, b.likelihood, equal_nan=True)
            )
        )
    )


def _source_likelihood(original: DLCTable, row: int, column: int) -> float:
    """Likelihood of a source point: its own, or 1.0 for a body part the source did not score."""
    if original.likelihood is None or column in original.unscored:
        return 1.0 if np.all(np.isfinite(original.xy[row, column])) else np.nan
    return float(original.likelihood[row, column])


# ----------------------------------------------------------------------------- legacy API


def read_dlc_csv(
    path: str | os.PathLike[str],
    *,
    frame_column: int = 0,
    likelihood_threshold: float = 0.0,
    delimiter: str | None = None,
    decimal: str | None = None,
    skips: RowSkips | None = None,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Read a DeepLabCut CSV into ``{bodypart: (times, (N, 2) float32)}``.

    WhiskerToolbox's ``dlc_csv`` reading: every point of a repeated frame is kept, a body
    part without a likelihood column always passes ``likelihood_threshold``, points with a
    NaN coordinate are left out (recorded in ``skips``). Multi-animal files give
    ``individual_bodypart`` names. See :func:`read_dlc` and :func:`dlc_to_pose` for every
    layout and pose sets.

    Parameters
    ----------
    path : path-like
        The CSV.
    frame_column : int
        Column of the frame number.
    likelihood_threshold : float
        Points with a likelihood below it are dropped.
    delimiter, decimal : str, optional
        As in :func:`read_dlc`.
    skips : RowSkips, optional
        Receives the rows left out, with their file lines.

    Returns
    -------
    dict
        ``{bodypart: (times (N,) int64, coords (N, 2) float32)}`` in header order.
    """
    table = read_dlc(path, delimiter=delimiter, decimal=decimal, frame_column=frame_column)
    entries, _ = dlc_to_pose(
        table,
        "",
        source=Path(path),
        likelihood_threshold=likelihood_threshold,
        repeated_frames="keep",
        skips=skips,
    )
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for key, points in entries:
        flat = points.to_flat()
        out[key.removeprefix("_")] = (flat.times, flat.coords)
    return out


def write_dlc_csv(
    path: str | os.PathLike[str],
    parts: dict[str, tuple[np.ndarray, np.ndarray]],
    *,
    scorer: str = "napari_whiskertoolbox",
) -> None:
    """Atomically write single-animal body-part points as a DeepLabCut predictions CSV.

    Parameters
    ----------
    path : path-like
        The CSV to write.
    parts : dict
        ``{bodypart: (times, (N, 2) coords)}`` with at most one point per frame each.
    scorer : str
        The ``scorer`` header.
    """
    from napari_whiskertoolbox.core import DataManager
    from napari_whiskertoolbox.core.points import PointData

    dm = DataManager()
    keys = {}
    for part, (times, xy) in parts.items():
        dm.set_data(
            part, PointData.from_flat(np.asarray(times, np.int64), np.asarray(xy, np.float32))
        )
        keys[part] = part
    pose = PoseSet(
        name="",
        bodyparts=list(parts),
        individuals=[SINGLE_ANIMAL],
        keys={SINGLE_ANIMAL: keys},
        source={"format": "deeplabcut", "scorer": scorer, "index": "frame", "likelihood": True},
    )
    write_dlc(dm, pose, path)
