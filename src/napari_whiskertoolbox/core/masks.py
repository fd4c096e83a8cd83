"""MaskData: any number of masks per frame, each an unordered list of (x, y) uint32 pixels."""

from __future__ import annotations

from typing import Any

import numpy as np

from napari_whiskertoolbox.core.ragged import ImageSize, RaggedSeries
from napari_whiskertoolbox.core.wtb_aliases import Mask2D, RaggedAliases

__all__ = ["MaskData"]


class MaskData(RaggedSeries, RaggedAliases):
    """Masks per frame, stored as flat arrays of uint32 ``(x, y)`` pixel coordinates.

    Parameters
    ----------
    image_size : (width, height), optional
        Needed to rasterise; set from the first ``(H, W)`` bool image added when unknown.
    """

    coord_dtype = np.dtype(np.uint32)
    has_offsets = True
    kind = "mask"
    wtb_element = Mask2D

    def _coerce_entry(self, obj: Any) -> np.ndarray:
        if hasattr(obj, "to_numpy"):
            obj = obj.to_numpy()
        arr = np.asarray(obj)
        if arr.dtype == np.bool_:
            return self._pixels_from_image(arr)
        if arr.size == 0:
            return np.empty((0, 2), np.uint32)
        if arr.ndim != 2 or arr.shape[1] != 2:
            raise ValueError(
                f"a mask must be an (N, 2) array of (x, y) pixels or an (H, W) bool image, "
                f"got shape {arr.shape} dtype {arr.dtype}"
            )
        self._check_pixels(arr, "mask pixel")
        return arr.astype(np.uint32)

    def _check_pixels(self, arr: np.ndarray, what: str) -> None:
        if not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
            raise ValueError(f"{what} coordinates must be numbers, got dtype {arr.dtype}")
        if arr.dtype.kind == "u" and arr.dtype.itemsize <= 4:
            return  # uint8..uint32: already valid pixels (a 200k-frame mask set: 1.5 s saved)
        if not np.issubdtype(arr.dtype, np.integer):
            bad = np.flatnonzero(~(np.isfinite(arr) & (arr == np.round(arr))).all(axis=1))
            if bad.size:
                raise ValueError(
                    f"{what} {int(bad[0])} is not an integer pixel: {arr[bad[0]].tolist()}"
                )
        bad = np.flatnonzero((arr < 0).any(axis=1))
        if bad.size:
            raise ValueError(f"{what} {int(bad[0])} is negative: {arr[bad[0]].tolist()}")
        if arr.size and arr.max() > np.iinfo(np.uint32).max:
            raise ValueError(f"{what} coordinates exceed the uint32 range")

    def _check_coords(self, arr: np.ndarray, what: str) -> None:
        if arr.size:
            self._check_pixels(arr, f"{what} row")

    def _pixels_from_image(self, image: np.ndarray) -> np.ndarray:
        if image.ndim != 2:
            raise ValueError(f"a mask image must be 2-D (H, W), got shape {image.shape}")
        height, width = image.shape
        if self._image_size is None:
            self._image_size = ImageSize(width, height)
        elif (width, height) != tuple(self._image_size):
            raise ValueError(
                f"mask image is {width}x{height} (width x height) but the MaskData image_size "
                f"is {self._image_size.width}x{self._image_size.height}"
            )
        rows, cols = np.nonzero(image)
        return np.column_stack((cols, rows)).astype(np.uint32)

    def _coerce_objects(self, objs: Any) -> list[np.ndarray]:
        if isinstance(objs, np.ndarray) and objs.dtype == np.bool_ and objs.ndim == 3:
            return [self._pixels_from_image(o) for o in objs]
        return [self._coerce_entry(o) for o in objs]

    def add(self, t: int, obj: Any) -> np.ndarray:
        """Append one mask (``(N, 2)`` pixels or ``(H, W)`` bool image) at ``t``; return its id."""
        return super().add(t, obj)

    def at(self, t: int) -> list[np.ndarray]:
        """Return the masks at frame ``t`` as a list of ``(Ni, 2)`` uint32 read-only views."""
        return super().at(t)

    def _require_size(self) -> tuple[int, int]:
        if self._image_size is None:
            raise ValueError(
                "MaskData has no image_size, so it cannot be rasterised: set it with "
                "mask.image_size = (width, height) (e.g. the video's), or give the mask's "
                "config item or data file 'height' and 'width'"
            )
        return self._image_size.height, self._image_size.width

    def label_image(self, t: int, out: np.ndarray | None = None) -> np.ndarray:
        """Return an ``(H, W)`` int32 image where mask ``k`` at frame ``t`` is labelled ``k + 1``.

        Pixels outside the image are ignored; later masks win where masks overlap.

        Parameters
        ----------
        t : int
            Frame.
        out : (H, W) int32 array, optional
            Written in place (cleared first) and returned.
        """
        shape = self._require_size()
        if out is None:
            out = np.zeros(shape, np.int32)
        else:
            if out.shape != shape:
                raise ValueError(f"out has shape {out.shape}, expected {shape} (H, W)")
            out[...] = 0
        frame = self._frame(int(t))
        if frame.ids.size == 0:
            return out
        lengths = self._entry_lengths(frame)
        labels = np.repeat(np.arange(1, frame.ids.size + 1, dtype=np.int32), lengths)
        x, y, inside = self._inside(frame.coords, shape)
        out[y, x] = labels[inside]
        return out

    def rasterize(self, t: int) -> np.ndarray:
        """Return the union of the masks at frame ``t`` as an ``(H, W)`` bool image."""
        shape = self._require_size()
        out = np.zeros(shape, bool)
        frame = self._frame(int(t))
        x, y, _ = self._inside(frame.coords, shape)
        out[y, x] = True
        return out

    @staticmethod
    def _inside(
        coords: np.ndarray, shape: tuple[int, int]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | slice]:
        """Return the x and y (intp) of the ``(P, 2)`` pixels inside an ``(H, W)`` image.

        The third value selects those pixels' rows of ``coords``: ``slice(None)`` when all
        are inside, else a boolean mask.
        """
        x = coords[:, 0]
        y = coords[:, 1]
        ok = (x < shape[1]) & (y < shape[0])
        if ok.all():
            return x.astype(np.intp), y.astype(np.intp), slice(None)
        return x[ok].astype(np.intp), y[ok].astype(np.intp), ok
