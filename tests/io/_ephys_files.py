"""Small genuine Open Ephys binary recordings, written in the GUI's documented layout.

Layout (Open Ephys GUI >= 0.6, "Binary" record engine): ``Record Node <id>/settings.xml``,
``experiment<N>/recording<M>/structure.oebin`` (JSON), ``continuous/<stream>/continuous.dat``
(int16, samples x channels, C order) with ``sample_numbers.npy`` and ``timestamps.npy``, and
``events/<stream>/TTL/`` with ``states.npy`` (+line on rising, -line on falling edges),
``sample_numbers.npy``, ``timestamps.npy`` and ``full_words.npy``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from pathlib import Path

RATE = 30000.0
BIT_VOLTS = 0.195
STREAM = "Acquisition_Board-100.Rhythm Data"


def write_open_ephys(
    root: Path, samples: np.ndarray, ttl: dict[int, list[tuple[int, int]]], first_sample: int = 1000
) -> Path:
    """Write a recording of ``samples`` (n, channels) int16 and TTL pulses per line.

    ``ttl`` maps a line number to ``[(rising sample, falling sample), ...]`` (sample indices
    from the recording's start). Returns the ``Record Node`` folder.
    """
    node = root / "Record Node 101"
    recording = node / "experiment1" / "recording1"
    cont = recording / "continuous" / STREAM
    events = recording / "events" / STREAM / "TTL"
    cont.mkdir(parents=True)
    events.mkdir(parents=True)
    (node / "settings.xml").write_text(
        "<SETTINGS><INFO><VERSION>0.6.4</VERSION></INFO></SETTINGS>\n"
    )
    n, n_channels = samples.shape
    np.ascontiguousarray(samples, dtype=np.int16).tofile(cont / "continuous.dat")
    sample_numbers = np.arange(first_sample, first_sample + n, dtype=np.int64)
    np.save(cont / "sample_numbers.npy", sample_numbers)
    np.save(cont / "timestamps.npy", sample_numbers / RATE)
    edges = sorted(
        (s, sign * line)
        for line, pulses in ttl.items()
        for on, off in pulses
        for s, sign in ((on, 1), (off, -1))
    )
    at = np.array([first_sample + s for s, _ in edges], np.int64)
    np.save(events / "sample_numbers.npy", at)
    np.save(events / "timestamps.npy", at / RATE)
    np.save(events / "states.npy", np.array([state for _, state in edges], np.int16))
    np.save(events / "full_words.npy", np.zeros(len(edges), np.uint64))
    structure = {
        "GUI version": "0.6.4",
        "continuous": [
            {
                "folder_name": f"{STREAM}/",
                "sample_rate": RATE,
                "source_processor_name": "Acquisition Board",
                "source_processor_id": 100,
                "stream_name": "Rhythm Data",
                "recorded_processor": "Record Node",
                "recorded_processor_id": 101,
                "num_channels": n_channels,
                "channels": [
                    {
                        "channel_name": f"CH{k + 1}",
                        "description": "headstage data channel",
                        "identifier": "genericdata.continuous",
                        "history": "Acquisition Board -> Record Node",
                        "bit_volts": BIT_VOLTS,
                        "units": "uV",
                    }
                    for k in range(n_channels)
                ],
            }
        ],
        "events": [
            {
                "folder_name": f"{STREAM}/TTL/",
                "channel_name": "Rhythm Data TTL Input",
                "description": "TTL events",
                "identifier": "genericevent",
                "sample_rate": RATE,
                "type": "int16",
                "num_channels": 8,
                "source_processor": "Acquisition Board",
                "stream_name": "Rhythm Data",
            }
        ],
        "spikes": [],
    }
    (recording / "structure.oebin").write_text(json.dumps(structure, indent=2))
    return node


def _qstring(text: str) -> bytes:
    data = text.encode("utf-16-le")
    return np.uint32(len(data)).tobytes() + data


def write_intan_rhd(
    path: Path, amplifier: np.ndarray, digital: np.ndarray, rate: float = 20000.0
) -> Path:
    """Write a traditional (header-attached) Intan RHD2000 file, format version 1.3.

    ``amplifier`` is (n, channels) uint16 (0.195 uV per step around 32768), ``digital``
    (n,) uint16 with bit ``k`` = digital input ``k``; ``n`` is a multiple of 60, the block
    size of versions < 2.0. Layout: Intan's "RHD2000 Application Note: Data File Formats".
    """
    n, n_amp = amplifier.shape
    assert n % 60 == 0
    header = bytearray()
    header += np.uint32(0xC6912702).tobytes() + np.int16(1).tobytes() + np.int16(3).tobytes()
    header += np.float32(rate).tobytes() + np.int16(1).tobytes()
    header += np.array([1.0, 0.1, 7500.0, 1.0, 0.1, 7500.0], np.float32)[:6].tobytes()
    header += np.int16(0).tobytes() + np.array([1000.0, 1000.0], np.float32).tobytes()
    header += _qstring("") + _qstring("") + _qstring("")
    header += np.int16(0).tobytes()  # temperature sensor channels (v1.1+)
    header += np.int16(0).tobytes()  # eval board mode (v1.3+)
    header += np.int16(2).tobytes()  # signal groups
    channels = [(f"A-{k:03d}", 0, k) for k in range(n_amp)]
    for group, prefix, members in (
        ("Port A", "A", channels),
        ("Board Digital Inputs", "DIN", [("DIN-00", 4, 0), ("DIN-01", 4, 1)]),
    ):
        header += _qstring(group) + _qstring(prefix) + np.int16(1).tobytes()
        header += (
            np.int16(len(members)).tobytes()
            + np.int16(len(members) if prefix == "A" else 0).tobytes()
        )
        for native, signal_type, order in members:
            header += _qstring(native) + _qstring(native)
            header += np.array(
                [order, order, signal_type, 1, order, 0, 0, 0, 0, 0], np.int16
            ).tobytes()
            header += np.array([0.0, 0.0], np.float32).tobytes()
    blocks = n // 60
    dtype = (
        [("timestamp", "<i4", 60)]
        + [(f"A-{k:03d}", "<u2", 60) for k in range(n_amp)]
        + [("din", "<u2", 60)]
    )
    data = np.zeros(blocks, dtype=dtype)
    data["timestamp"] = np.arange(n, dtype=np.int32).reshape(blocks, 60)
    for k in range(n_amp):
        data[f"A-{k:03d}"] = amplifier[:, k].reshape(blocks, 60)
    data["din"] = digital.reshape(blocks, 60)
    path.write_bytes(bytes(header) + data.tobytes())
    return path
