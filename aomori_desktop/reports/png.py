"""PNG files for the report's charts, encoded here with zlib.

Qt's PNG writer took about 0.1–0.2 s for a 16 cm chart at 300 dpi (1890 × 1181) on these
machines, most of the Word report's time; filtering nothing and deflating at level 3 takes
under 0.03 s and gives smaller files for charts (mostly white). The dpi goes into the pHYs
chunk, so Word places the picture at its size.
"""

from __future__ import annotations

import struct
import zlib

from PySide6.QtGui import QImage

from aomori_desktop.charts.base import dots_per_meter

__all__ = ["png_bytes"]

_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_bytes(image: QImage, dpi: float, level: int = 3) -> bytes:
    """An 8-bit RGB PNG of `image`, tagged with `dpi`."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = rgb.width(), rgb.height(), rgb.bytesPerLine()
    bits = bytes(rgb.constBits())
    row = width * 3
    raw = b"".join(b"\x00" + bits[y * stride : y * stride + row] for y in range(height))
    ppm = dots_per_meter(dpi)
    return (
        _SIGNATURE
        + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + _chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1))
        + _chunk(b"IDAT", zlib.compress(raw, level))
        + _chunk(b"IEND", b"")
    )
