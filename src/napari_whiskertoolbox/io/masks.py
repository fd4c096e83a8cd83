"""Mask formats of WhiskerToolbox.

* run-length CSV: header ``Frame,RLE`` then rows ``frame,"y,x_start,length,y,x_start,length,..."``;
  several rows with the same frame are several masks on that frame;
* image folder: one binary image per frame, the frame number at the start of the file name
  after ``filename_prefix`` (``mask_0000123.png`` with prefix ``mask_`` → frame 123).

Pixels are ``(x, y)`` uint32 pairs, as in the data model.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.io.atomic import atomic_open
from napari_whiskertoolbox.io.csv_arrow import masks_csv_bytes, pixel_key_view, read_masks_fast
from napari_whiskertoolbox.io.csv_tools import (
    delimiter_char,
    head_lines,
    parse_int,
    read_lines,
    read_text_bytes,
    sniff_quoted_delimiters,
)
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.frame_files import refuse_stale_frame_files
from napari_whiskertoolbox.io.report import RowSkips

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


def decode_rle(runs: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Expand ``(y, x_start, length)`` runs into ``(N, 2)`` uint32 ``(x, y)`` pixels.

    Pixel ``i`` of run ``r`` has ``x = i + (x_start[r] - first[r])`` modulo 2**32, which is
    exact for any in-range result. Into a C-ordered uint32 ``out`` (or a new array), when no
    run passes ``x = 2**32 - 1``, each pixel's ``(x, y)`` pair is written at once as the
    int64 ``y << 32 | x`` its memory holds.

    Parameters
    ----------
    runs : (R, 3) int
        The runs.
    out : (N, 2) uint32, optional
        Where to write the pixels (``N`` = the sum of the lengths); a new array if omitted.
    """
    runs = np.asarray(runs, dtype=np.int64).reshape(-1, 3)
    lengths = runs[:, 2]
    total = int(lengths.sum())
    if out is None:
        out = np.empty((total, 2), dtype=np.uint32)
    first = np.cumsum(lengths) - lengths
    keys = pixel_key_view(out)
    if keys is not None and _no_carry(runs):
        np.add(
            np.arange(total, dtype=np.int64),
            np.repeat((runs[:, 0] << 32) + runs[:, 1] - first, lengths),
            out=keys,
        )
        return out
    delta = ((runs[:, 1] - first) % (1 << 32)).astype(np.uint32)
    x = np.arange(total, dtype=np.uint32)
    x += np.repeat(delta, lengths)
    out[:, 0] = x
    out[:, 1] = np.repeat(runs[:, 0].astype(np.uint32), lengths)
    return out


def _no_carry(runs: np.ndarray) -> bool:
    """Whether every run's pixels have ``x < 2**32`` and ``0 <= y < 2**31`` (keys add up)."""
    if not runs.size:
        return True
    ends = runs[:, 1] + runs[:, 2]
    return bool(runs.min() >= 0 and runs[:, 0].max() < 1 << 31 and ends.max() <= 1 << 32)


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
    delimiter: str | None = ",",
    rle_delimiter: str | None = ",",
    has_header: bool = True,
    header_identifier: str = "Frame",
    skips: RowSkips | None = None,
) -> FlatMasks:
    """Read a run-length mask CSV with WhiskerToolbox's rules (``wt_loaders.md`` §6.1).

    Line 1 is a header when it contains ``header_identifier`` (and ``has_header``). In each
    row the frame is the text before the first ``delimiter`` and the runs lie between the
    next two ``"``; rows without them are skipped (reported). A frame that is not an
    integer (checked first, as WhiskerToolbox does: an unquoted header line that is not
    skipped fails too), or runs that are not ``y,x_start,length`` triplets of non-negative
    integers, are errors naming the line. ``""`` gives an empty mask. ``None`` delimiters are sniffed
    (``,`` or ``;``, see :func:`~.csv_tools.sniff_quoted_delimiters`).

    Returns
    -------
    times : (M,) int64
        Frame of each mask, in file order.
    offsets : (M + 1,) int64
        Mask ``k`` is ``pixels[offsets[k]:offsets[k + 1]]``.
    pixels : (P, 2) uint32
        ``(x, y)`` pixels of all masks.
    """
    skips = skips if skips is not None else RowSkips()
    data = read_text_bytes(path)
    head = head_lines(data)
    start = 1 if has_header and head and header_identifier in head[0] else 0
    delim, rle_delim = sniff_quoted_delimiters(head[start:], delimiter, rle_delimiter)
    fast = read_masks_fast(data, skip_rows=start, delimiter=delim, rle_delimiter=rle_delim)
    if fast is not None:
        return fast
    lines = read_lines(path, data)
    times: list[int] = []
    masks: list[np.ndarray] = []
    for number, text in enumerate(lines[start:], start=start + 1):
        if not text.strip():
            continue
        d = text.find(delim)
        if d < 0:
            skips.add(f"no {delim!r} followed by a quoted run list", number)
            continue
        # WhiskerToolbox reads the frame before it looks for the quotes: a frame cell that
        # is not a number (an unquoted header such as its own `Frame,RLE` when has_header
        # is false or header_identifier does not match it) fails the entry.
        frame = parse_int(text[:d].strip(), path, number, _frame_what(number, start))
        q1 = text.find('"', d + 1)
        q2 = text.find('"', q1 + 1) if q1 >= 0 else -1
        if q2 < 0:
            skips.add(f"no {delim!r} followed by a quoted run list", number)
            continue
        times.append(frame)
        masks.append(decode_rle(_parse_runs(text[q1 + 1 : q2], rle_delim, path, number)))
    return _flatten(times, masks)


def _frame_what(line: int, start: int) -> str:
    """Return what a frame cell of file line ``line`` should be, for the error message."""
    if line == 1 and start == 0:
        return (
            "a frame number (line 1 is not skipped as a header: it must contain "
            "header_identifier, default 'Frame', and has_header must be true)"
        )
    return "a frame number"


def _parse_runs(text: str, delimiter: str, path: str | os.PathLike[str], line: int) -> np.ndarray:
    tokens = [t for t in (s.strip() for s in text.split(delimiter)) if t] if text.strip() else []
    if len(tokens) % 3:
        raise FormatError(
            f"expected run-length triplets y,x_start,length; found {len(tokens)} numbers",
            path=path,
            line=line,
        )
    values = []
    for token in tokens:
        if not token.isascii() or not token.isdigit():
            raise FormatError(
                f"expected a non-negative integer in the RLE, found {token!r}", path=path, line=line
            )
        values.append(int(token))
    runs = np.asarray(values, dtype=np.int64).reshape(-1, 3)
    if runs.size and (runs.max() > np.iinfo(np.uint32).max or int(runs[:, 2].sum()) > 1 << 31):
        raise FormatError("run values out of range for pixel coordinates", path=path, line=line)
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
    delimiter: str = ",",
    rle_delimiter: str = ",",
) -> None:
    """Atomically write masks as a run-length ``Frame,RLE`` CSV (one row per mask).

    ``delimiter`` (after the frame) and ``rle_delimiter`` (between the run-length numbers)
    are the loader options of the same names (``wt_loaders.md`` §6.1, first character).
    """
    times = np.asarray(times, dtype=np.int64)
    offsets = np.asarray(offsets, dtype=np.int64)
    with atomic_open(path, "wb") as handle:
        if header:
            handle.write((header + "\n").encode())
        for block in masks_csv_bytes(
            times,
            offsets,
            np.asarray(pixels).reshape(-1, 2),
            delimiter=delimiter_char(delimiter),
            rle_delimiter=delimiter_char(rle_delimiter),
        ):
            handle.write(block)


def read_mask_images(
    folder: str | os.PathLike[str],
    *,
    file_pattern: str = "*.png",
    filename_prefix: str = "",
    threshold_value: float = 128,
    invert_mask: bool = False,
    skips: RowSkips | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, int] | None]:
    """Read a folder of binary mask images, one mask per image (``wt_loaders.md`` §6.3).

    Parameters
    ----------
    file_pattern : str
        File names to take: ``*`` is any text, other characters keep their regular
        expression meaning, whole name, case-insensitive (WhiskerToolbox).
    filename_prefix : str
        Text the stem must start with; the frame is the integer at the start of what
        follows it (other files are skipped, reported; a negative frame is an error).
    threshold_value : float
        A pixel read as 8-bit gray (OpenCV's conversion) ``>= threshold_value`` is in the
        mask (``<`` with ``invert_mask``). Images without a mask pixel are skipped.

    Returns
    -------
    times, offsets, pixels
        As :func:`read_masks_csv`, sorted by file path.
    image_size : (width, height) or None
        Size of the images when they all share one, else ``None``.
    """
    import imageio.v3 as iio

    skips = skips if skips is not None else RowSkips()
    root = Path(folder)
    if not root.is_dir():
        raise FormatError("expected a folder of mask images", path=root)
    try:
        pattern = re.compile(file_pattern.replace("*", ".*"), re.IGNORECASE)
    except re.error as exc:
        raise FormatError(
            f"file_pattern {file_pattern!r} is not valid ({exc})", path=root
        ) from None
    entries = []
    for file in sorted(root.iterdir()):
        if not file.is_file() or not pattern.fullmatch(file.name):
            continue
        frame = _frame_of(file, filename_prefix)
        if frame is None:
            skips.add_file(
                f"file name does not start with {filename_prefix!r} and a frame number",
                file.name,
            )
            continue
        entries.append((frame, file))
    times, masks, sizes = [], [], set()
    for frame, file in entries:
        try:
            image = np.asarray(iio.imread(file))
        except Exception as exc:  # imageio raises many types for unreadable images
            raise FormatError(f"expected a readable image ({exc})", path=file) from exc
        gray = _gray8(image, file)
        sizes.add((int(gray.shape[1]), int(gray.shape[0])))
        inside = gray >= threshold_value
        ys, xs = np.nonzero(~inside if invert_mask else inside)
        if xs.size == 0:
            skips.add_file("image without a mask pixel", file.name)
            continue
        times.append(frame)
        masks.append(np.stack([xs, ys], axis=1).astype(np.uint32))
    size = next(iter(sizes)) if len(sizes) == 1 else None
    return (*_flatten(times, masks), size)


def _gray8(image: np.ndarray, file: Path) -> np.ndarray:
    """Convert an image to 8-bit gray as OpenCV's ``IMREAD_GRAYSCALE`` does."""
    if image.dtype == np.uint16:
        image = (image >> 8).astype(np.uint8)
    elif image.dtype != np.uint8:
        image = np.clip(image, 0, 255).astype(np.uint8)
    if image.ndim == 3 and image.shape[2] in (3, 4):
        rgb = image[..., :3].astype(np.float64)
        image = np.floor(rgb @ np.array([0.299, 0.587, 0.114]) + 0.5).astype(np.uint8)
    elif image.ndim == 3 and image.shape[2] in (1, 2):
        image = image[..., 0]
    if image.ndim != 2:
        raise FormatError(f"expected a 2-D image, found shape {image.shape}", path=file)
    return image


def _frame_of(file: Path, prefix: str) -> int | None:
    stem = file.stem
    if not stem.startswith(prefix):
        return None
    match = re.match(r"[-+]?\d+", stem[len(prefix) :])
    if match is None:
        return None
    frame = int(match.group(0))
    if frame < 0:
        raise FormatError("expected a non-negative frame number in the file name", path=file)
    return frame


def _check_mask_images(
    root: Path,
    times: np.ndarray,
    pixels: np.ndarray,
    size: tuple[int, int],
    prefix: str,
) -> None:
    frames, counts = np.unique(times, return_counts=True)
    if (counts > 1).any():
        raise FormatError(
            f"cannot write {int(counts.max())} masks at frame {int(frames[counts > 1][0])} "
            "as images: one image per frame would merge them into one mask",
            path=root,
        )
    if frames.size and frames[0] < 0:
        raise FormatError(
            f"cannot write a mask image for negative frame {int(frames[0])}", path=root
        )
    outside = (pixels[:, 0] >= size[0]) | (pixels[:, 1] >= size[1])
    if outside.any():
        x, y = (int(v) for v in pixels[np.flatnonzero(outside)[0]])
        raise FormatError(
            f"cannot write pixel ({x}, {y}) into a {size[0]}x{size[1]} mask image "
            "(outside the image size)",
            path=root,
        )

    def frame_of(file: Path) -> int | None:
        if file.suffix.lower() != ".png":
            return None
        try:
            return _frame_of(file, prefix)
        except FormatError:  # a negative frame in the name: the reader refuses it
            return -1

    files = sorted(root.iterdir()) if root.is_dir() else []
    refuse_stale_frame_files(root, frames.tolist(), files, frame_of, "a mask image")


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
    """Write one 8-bit PNG per frame (``<prefix><frame>.png``), one mask per frame.

    Each file is written atomically.

    Raises
    ------
    FormatError
        Whatever the image folder cannot give back (``wt_loaders.md`` §6.3): two masks on
        one frame (they would merge), a negative frame, a pixel outside ``image_size``; or
        the folder already holds a mask image of a frame not written now (it would be read
        back as a mask there). Nothing is written then.
    """
    import imageio.v3 as iio

    width, height = int(image_size[0]), int(image_size[1])
    root = Path(folder)
    times = np.asarray(times, dtype=np.int64)
    offsets = np.asarray(offsets, dtype=np.int64)
    pixels = np.asarray(pixels).reshape(-1, 2)
    _check_mask_images(root, times, pixels, (width, height), filename_prefix)
    root.mkdir(parents=True, exist_ok=True)
    for frame in np.unique(times).tolist():
        image = np.full((height, width), background_value, dtype=np.uint8)
        for k in np.flatnonzero(times == frame).tolist():
            px = np.asarray(pixels[int(offsets[k]) : int(offsets[k + 1])], dtype=np.int64)
            inside = (px[:, 0] < width) & (px[:, 1] < height)
            image[px[inside, 1], px[inside, 0]] = mask_value
        name = f"{filename_prefix}{frame:0{frame_number_padding}d}.png"
        with atomic_open(root / name, "wb") as handle:
            handle.write(iio.imwrite("<bytes>", image, extension=".png"))
