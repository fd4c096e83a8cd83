"""Mask formats of WhiskerToolbox.

* run-length CSV: header ``Frame,RLE`` then rows ``frame,"y,x_start,length,y,x_start,length,..."``;
  several rows with the same frame are several masks on that frame;
* image folder: one binary image per frame, the frame number taken from the last run of
  digits in the file name (``mask_0000123.png`` → frame 123).

Pixels are ``(x, y)`` uint32 pairs, as in the data model.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.io.atomic import atomic_open
from napari_whiskertoolbox.io.csv_tools import iter_csv_rows, parse_int
from napari_whiskertoolbox.io.errors import FormatError

if TYPE_CHECKING:
    import os

__all__ = [
    "decode_rle",
    "encode_rle",
    "read_mask_images",
    "read_masks_csv",
    "write_mask_images",
    "write_masks_csv",
]

FlatMasks = tuple[np.ndarray, np.ndarray, np.ndarray]
_DIGITS = re.compile(r"(\d+)(?!.*\d)")


def decode_rle(runs: np.ndarray) -> np.ndarray:
    """Expand ``(y, x_start, length)`` runs into ``(N, 2)`` uint32 ``(x, y)`` pixels."""
    runs = np.asarray(runs, dtype=np.int64).reshape(-1, 3)
    lengths = runs[:, 2]
    total = int(lengths.sum())
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    within = np.arange(total, dtype=np.int64) - starts
    x = np.repeat(runs[:, 1], lengths) + within
    y = np.repeat(runs[:, 0], lengths)
    return np.stack([x, y], axis=1).astype(np.uint32)


def encode_rle(pixels: np.ndarray) -> np.ndarray:
    """Encode ``(N, 2)`` ``(x, y)`` pixels as ``(R, 3)`` int64 ``(y, x_start, length)`` runs.

    Pixels are sorted by ``(y, x)`` first; duplicates are dropped.
    """
    px = np.asarray(pixels, dtype=np.int64).reshape(-1, 2)
    if px.size == 0:
        return np.empty((0, 3), dtype=np.int64)
    order = np.lexsort((px[:, 0], px[:, 1]))
    px = px[order]
    keep = np.ones(len(px), dtype=bool)
    keep[1:] = np.any(px[1:] != px[:-1], axis=1)
    px = px[keep]
    x, y = px[:, 0], px[:, 1]
    new_run = np.ones(len(px), dtype=bool)
    new_run[1:] = (y[1:] != y[:-1]) | (x[1:] != x[:-1] + 1)
    starts = np.flatnonzero(new_run)
    lengths = np.diff(np.append(starts, len(px)))
    return np.stack([y[starts], x[starts], lengths], axis=1)


def read_masks_csv(
    path: str | os.PathLike[str],
    *,
    delimiter: str = ",",
    rle_delimiter: str = ",",
    has_header: bool = True,
    header_identifier: str = "Frame",
) -> FlatMasks:
    """Read a run-length mask CSV.

    Returns
    -------
    times : (M,) int64
        Frame of each mask, in file order.
    offsets : (M + 1,) int64
        Mask ``k`` is ``pixels[offsets[k]:offsets[k + 1]]``.
    pixels : (P, 2) uint32
        ``(x, y)`` pixels of all masks.
    """
    times: list[int] = []
    masks: list[np.ndarray] = []
    rows = iter_csv_rows(
        path,
        n_columns=2,
        columns='frame,"y,x_start,length,..."',
        layout="'Frame,RLE' mask",
        delimiter=delimiter,
        has_header=has_header,
        header_identifier=header_identifier,
    )
    for number, (frame_text, runs_text) in rows:
        times.append(parse_int(frame_text, path, number, "a frame number"))
        masks.append(decode_rle(_parse_runs(runs_text, rle_delimiter, path, number)))
    return _flatten(times, masks)


def _parse_runs(text: str, delimiter: str, path: str | os.PathLike[str], line: int) -> np.ndarray:
    tokens = [t for t in (s.strip() for s in text.split(delimiter)) if t] if text.strip() else []
    if len(tokens) % 3:
        raise FormatError(
            f"expected run-length triplets y,x_start,length; found {len(tokens)} numbers",
            path=path,
            line=line,
        )
    values = [parse_int(t, path, line, "a non-negative integer in the RLE") for t in tokens]
    runs = np.asarray(values, dtype=np.int64).reshape(-1, 3)
    if np.any(runs < 0):
        raise FormatError("expected non-negative run values", path=path, line=line)
    return runs


def _flatten(times: list[int], masks: list[np.ndarray]) -> FlatMasks:
    counts = np.asarray([len(m) for m in masks], dtype=np.int64)
    offsets = np.zeros(len(masks) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    pixels = np.concatenate(masks) if masks else np.empty((0, 2), np.uint32)
    return np.asarray(times, dtype=np.int64), offsets, pixels.astype(np.uint32)


def write_masks_csv(
    path: str | os.PathLike[str],
    times: np.ndarray,
    offsets: np.ndarray,
    pixels: np.ndarray,
    *,
    header: str = "Frame,RLE",
) -> None:
    """Atomically write masks as a run-length ``Frame,RLE`` CSV (one row per mask)."""
    times = np.asarray(times, dtype=np.int64)
    with atomic_open(path, "w") as handle:
        if header:
            handle.write(header + "\n")
        for k, frame in enumerate(times.tolist()):
            runs = encode_rle(pixels[int(offsets[k]) : int(offsets[k + 1])])
            handle.write(f'{frame},"{",".join(map(str, runs.ravel().tolist()))}"\n')


def read_mask_images(
    folder: str | os.PathLike[str],
    *,
    file_pattern: str = "*.png",
    filename_prefix: str = "",
    threshold_value: float = 128,
    invert_mask: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, int] | None]:
    """Read a folder of binary mask images, one mask per image (WhiskerToolbox "image" masks).

    Parameters
    ----------
    file_pattern : str
        Glob of the image files.
    filename_prefix : str
        Text before the frame number in file names; without it the last run of digits
        in the name is the frame number.
    threshold_value : float
        Pixels ``>= threshold_value`` belong to the mask (``<`` with ``invert_mask``).

    Returns
    -------
    times, offsets, pixels
        As :func:`read_masks_csv`, sorted by frame.
    image_size : (width, height) or None
        Size of the images (``None`` when the folder has none).
    """
    import imageio.v3 as iio

    root = Path(folder)
    if not root.is_dir():
        raise FormatError("expected a folder of mask images", path=root)
    entries = [(_frame_of(file, filename_prefix), file) for file in root.glob(file_pattern)]
    entries.sort()
    times, masks, size = [], [], None
    for frame, file in entries:
        try:
            image = np.asarray(iio.imread(file))
        except Exception as exc:  # imageio raises many types for unreadable images
            raise FormatError(f"expected a readable image ({exc})", path=file) from exc
        if image.ndim == 3:
            image = image.max(axis=2)
        if image.ndim != 2:
            raise FormatError(f"expected a 2-D image, found shape {image.shape}", path=file)
        this_size = (int(image.shape[1]), int(image.shape[0]))
        if size is not None and this_size != size:
            raise FormatError(
                f"expected every mask image to be {size[0]}x{size[1]}, found "
                f"{this_size[0]}x{this_size[1]}",
                path=file,
            )
        size = this_size
        inside = image >= threshold_value
        ys, xs = np.nonzero(~inside if invert_mask else inside)
        times.append(frame)
        masks.append(np.stack([xs, ys], axis=1).astype(np.uint32))
    return (*_flatten(times, masks), size)


def _frame_of(file: Path, prefix: str) -> int:
    stem = file.stem
    if prefix:
        if not stem.startswith(prefix) or not stem[len(prefix) :].isdigit():
            raise FormatError(
                f"expected the file name to be {prefix!r} followed by a frame number", path=file
            )
        return int(stem[len(prefix) :])
    match = _DIGITS.search(stem)
    if match is None:
        raise FormatError("expected a frame number in the image file name", path=file)
    return int(match.group(1))


def write_mask_images(
    folder: str | os.PathLike[str],
    times: np.ndarray,
    offsets: np.ndarray,
    pixels: np.ndarray,
    image_size: tuple[int, int],
    *,
    filename_prefix: str = "",
    frame_number_padding: int = 4,
    mask_value: int = 255,
    background_value: int = 0,
) -> None:
    """Write one 8-bit PNG per frame (``<prefix><frame>.png``), all masks of a frame merged.

    Each file is written atomically. Pixels outside ``image_size`` are dropped.
    """
    import imageio.v3 as iio

    width, height = int(image_size[0]), int(image_size[1])
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    times = np.asarray(times, dtype=np.int64)
    for frame in np.unique(times).tolist():
        image = np.full((height, width), background_value, dtype=np.uint8)
        for k in np.flatnonzero(times == frame).tolist():
            px = np.asarray(pixels[int(offsets[k]) : int(offsets[k + 1])], dtype=np.int64)
            inside = (px[:, 0] < width) & (px[:, 1] < height)
            image[px[inside, 1], px[inside, 0]] = mask_value
        name = f"{filename_prefix}{frame:0{frame_number_padding}d}.png"
        with atomic_open(root / name, "wb") as handle:
            handle.write(iio.imwrite("<bytes>", image, extension=".png"))
