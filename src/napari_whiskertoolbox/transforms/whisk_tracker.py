"""The Janelia whisker tracker (``libwhisk`` of the ``whisk-janelia`` package) through ctypes.

Media-free: :class:`JaneliaTracer` finds whisker segments in one 8-bit grayscale image with
libwhisk's ``find_segments`` (the call whisk's own ``python/trace.py`` wraps; that wrapper is
Python 2 and is not used). :func:`serve` is the loop of a worker process that traces frames
sent by :mod:`napari_whiskertoolbox.transforms.whisk_pool`.

libwhisk keeps its tracing parameters in process-wide state and reads and writes its files
in the *current directory*: ``default.parameters`` and two detector banks
(``line.detectorbank``, ``halfspace.detectorbank``, about 35 MB each, computed in ~15 s the
first time). So it only runs in worker processes started in :func:`whisk_workdir`, never in
the caller's process.

whisk-janelia's Linux library links FFmpeg 6 (``libavcodec.so.60``, ...), which ``import
whisk`` downloads from GitHub into its ``bin`` folder the first time and preloads, or
``napari-whiskertoolbox setup-tracing`` installs from PyPI (:mod:`.whisk_ffmpeg`); when they
are missing the library does not load and :class:`WhiskUnavailableError` says so.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import sys
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from napari_whiskertoolbox.io.optional import require
from napari_whiskertoolbox.io.user_dirs import user_cache_dir

__all__ = [
    "FEATURE",
    "WHISK_DIR_ENV",
    "JaneliaTracer",
    "WhiskUnavailableError",
    "library_path",
    "load_tracer",
    "serve",
    "whisk_workdir",
]

FEATURE = "Whisker Tracing (the Janelia whisker tracker)"
"""What needs whisk-janelia, for error messages."""

WHISK_DIR_ENV = "NAPARI_WHISKERTOOLBOX_WHISK_DIR"
"""Environment variable naming the tracker's working folder (parameters, detector banks)."""

PARAMETERS_FILE = "default.parameters"
"""The parameter file libwhisk reads from its current directory (written with defaults)."""


class WhiskUnavailableError(RuntimeError):
    """whisk-janelia is installed but its native library cannot be loaded or initialised."""


def whisk_workdir() -> Path:
    """Return the tracker's working folder (created).

    ``$NAPARI_WHISKERTOOLBOX_WHISK_DIR`` when set, else ``whisk`` in platformdirs' user cache
    folder of napari-whiskertoolbox (``~/.cache/napari-whiskertoolbox/whisk`` on Linux).
    libwhisk keeps ``default.parameters`` (edit it to tune the tracker) and its detector
    banks there.
    """
    override = os.environ.get(WHISK_DIR_ENV)
    folder = Path(override).expanduser() if override else user_cache_dir() / "whisk"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class _Image(ctypes.Structure):
    # whisk's image.h: typedef struct { int kind, width, height; char *text; uint8 *array; }
    _fields_ = (
        ("kind", ctypes.c_int),
        ("width", ctypes.c_int),
        ("height", ctypes.c_int),
        ("text", ctypes.c_char_p),
        ("array", ctypes.POINTER(ctypes.c_uint8)),
    )


class _WhiskerSeg(ctypes.Structure):
    # whisk's trace.h: typedef struct { int id, time, len; float *x, *y, *thick, *scores; }
    _fields_ = (
        ("id", ctypes.c_int),
        ("time", ctypes.c_int),
        ("len", ctypes.c_int),
        ("x", ctypes.POINTER(ctypes.c_float)),
        ("y", ctypes.POINTER(ctypes.c_float)),
        ("thick", ctypes.POINTER(ctypes.c_float)),
        ("scores", ctypes.POINTER(ctypes.c_float)),
    )


def library_path(whisk_module: Any) -> Path:
    """Return the path of libwhisk inside an imported ``whisk`` package."""
    name = "whisk.dll" if sys.platform == "win32" else "libwhisk.so"
    return Path(whisk_module.__file__).parent / "bin" / name


class JaneliaTracer:
    """libwhisk's ``find_segments`` on 8-bit images.

    Parameters
    ----------
    lib : ctypes.CDLL
        The loaded libwhisk, its parameters loaded (see :func:`load_tracer`).
    """

    def __init__(self, lib: ctypes.CDLL) -> None:
        self._lib = lib
        lib.find_segments.restype = ctypes.POINTER(_WhiskerSeg)
        lib.find_segments.argtypes = (
            ctypes.c_int,
            ctypes.POINTER(_Image),
            ctypes.POINTER(_Image),
            ctypes.POINTER(ctypes.c_int),
        )
        lib.Free_Whisker_Seg_Vec.restype = None
        lib.Free_Whisker_Seg_Vec.argtypes = (ctypes.POINTER(_WhiskerSeg), ctypes.c_int)

    def find_segments(self, image: np.ndarray, frame: int = 0) -> list[np.ndarray]:
        """Return the whisker segments libwhisk finds in ``image``.

        Parameters
        ----------
        image : numpy.ndarray
            ``(height, width)`` uint8 grayscale frame (whiskers dark on a bright background).
        frame : int
            Time stamp libwhisk stores in the segments (not used otherwise).

        Returns
        -------
        list of numpy.ndarray
            One ``(N, 2)`` float32 array of ``(x, y)`` pixel coordinates per segment (x the
            column, y the row, pixel centres at integers), in libwhisk's order and direction.
        """
        img = np.ascontiguousarray(image, dtype=np.uint8)
        if img.ndim != 2:
            raise ValueError(f"find_segments expects a 2-D uint8 image, got shape {img.shape}")
        height, width = img.shape
        cimage = _Image(0, width, height, None, img.ctypes.data_as(ctypes.POINTER(ctypes.c_uint8)))
        count = ctypes.c_int(0)
        segs = self._lib.find_segments(int(frame), ctypes.byref(cimage), None, ctypes.byref(count))
        out = []
        try:
            for k in range(count.value):
                seg = segs[k]
                n = int(seg.len)
                if n <= 0:
                    out.append(np.empty((0, 2), np.float32))
                    continue
                x = np.ctypeslib.as_array(seg.x, (n,))
                y = np.ctypeslib.as_array(seg.y, (n,))
                out.append(np.column_stack([x, y]).astype(np.float32))
        finally:
            if segs:
                self._lib.Free_Whisker_Seg_Vec(segs, count)
        return out


def load_tracer() -> JaneliaTracer:
    """Load libwhisk and its parameters from the current directory; return a tracer.

    ``default.parameters`` is written there with libwhisk's defaults when missing.

    Raises
    ------
    MissingDependencyError
        whisk-janelia is not installed (the message names the ``tracing`` extra).
    WhiskUnavailableError
        Its library does not load (FFmpeg 6 libraries missing) or rejects the parameters.
    """
    whisk = require("whisk", FEATURE)
    path = library_path(whisk)
    try:
        lib = ctypes.CDLL(str(path))
    except OSError as exc:
        raise WhiskUnavailableError(
            f"whisk-janelia's tracker library {path} does not load ({exc}). It needs the "
            "FFmpeg 6 shared libraries (libavcodec.so.60, libavformat.so.60, libavutil.so.58, "
            f"libswscale.so.7, libavdevice.so.60) in {path.parent} or on the library path: "
            "run 'napari-whiskertoolbox setup-tracing' once (takes them from PyPI), or let "
            "whisk download them from GitHub on its first import (python -c 'import whisk')"
        ) from exc
    params = PARAMETERS_FILE.encode()
    if not Path(PARAMETERS_FILE).exists():
        lib.Print_Params_File(params)
    if lib.Load_Params_File(params) != 0:
        raise WhiskUnavailableError(
            f"libwhisk could not read its parameters from {Path(PARAMETERS_FILE).resolve()}; "
            "delete the file to have the defaults written again"
        )
    return JaneliaTracer(lib)


def _send(out: BinaryIO, message: tuple[str, Any]) -> None:
    pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
    out.flush()


def serve() -> None:
    """Worker side: load the tracer, answer ``("ready", None)``, then trace frame lists.

    Reads pickled lists of ``(height, width)`` uint8 frames from stdin until it closes and
    answers each with ``("ok", [segments of frame 0, ...])`` (see
    :meth:`JaneliaTracer.find_segments`), or ``("error", text)``. libwhisk's messages go
    to stderr (stdout carries only the answers).
    """
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        tracer = load_tracer()
        # the first call loads (or computes and saves) the detector banks
        tracer.find_segments(np.full((64, 64), 255, np.uint8))
    except Exception as exc:  # the parent raises it as a TransformError
        _send(answers, ("error", f"{type(exc).__name__}: {exc}"))
        return
    _send(answers, ("ready", None))
    requests = sys.stdin.buffer
    while True:
        try:
            frames = pickle.load(requests)
        except EOFError:
            return
        try:
            _send(answers, ("ok", [tracer.find_segments(f) for f in frames]))
        except Exception as exc:
            _send(answers, ("error", f"{type(exc).__name__}: {exc}"))
