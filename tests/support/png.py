"""A PNG's pixels without an imaging library: enough for Chromium's screenshots (8-bit RGB/RGBA, not interlaced)."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def read_png(path: Path) -> np.ndarray:
    """The image as a height x width x channels array of uint8."""
    data = path.read_bytes()
    assert data[:8] == SIGNATURE, f"{path} is not a PNG"
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    assert header is not None, "no IHDR"
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0, f"unsupported PNG: {header}"
    channels = 3 if color == 2 else 4
    stride = width * channels
    raw = zlib.decompress(b"".join(idat))
    rows = np.zeros((height, stride), dtype=np.uint8)
    previous = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], np.frombuffer(raw, np.uint8, stride, start + 1)
        rows[y] = _unfilter(kind, line, previous, channels)
        previous = rows[y]
    return rows.reshape(height, width, channels)


def _unfilter(kind: int, line: np.ndarray, up: np.ndarray, bpp: int) -> np.ndarray:
    if kind == 0:
        return line
    if kind == 1:  # Sub: a running sum per channel
        return (line.reshape(-1, bpp).astype(np.int64).cumsum(axis=0) % 256).astype(np.uint8).reshape(-1)
    if kind == 2:
        return line + up  # uint8 wraps as the filter means
    out, line_b, up_b = bytearray(len(line)), line.tobytes(), up.tobytes()
    for i in range(len(line_b)):  # Average and Paeth depend on the byte just decoded
        left = out[i - bpp] if i >= bpp else 0
        above = up_b[i]
        if kind == 3:
            out[i] = (line_b[i] + (left + above) // 2) & 0xFF
            continue
        corner = up_b[i - bpp] if i >= bpp else 0
        estimate = left + above - corner
        da, db, dc = abs(estimate - left), abs(estimate - above), abs(estimate - corner)
        predictor = left if da <= db and da <= dc else above if db <= dc else corner
        out[i] = (line_b[i] + predictor) & 0xFF
    return np.frombuffer(bytes(out), np.uint8)
