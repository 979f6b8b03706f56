"""Draw the application icon (resources/icons/aomori-desktop.png and .ico) with the bundled font.

    .venv/bin/python scripts/make_icon.py

A blue rounded square with 青 and a rising line: the window icon, the executable's icon and
the installer's shortcuts use it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def draw(size: int):  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPainterPath, QPen

    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    s = size / 256
    rect = QRectF(8 * s, 8 * s, 240 * s, 240 * s)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#1f5fbf"))
    p.drawRoundedRect(rect, 44 * s, 44 * s)
    path = QPainterPath(QPointF(40 * s, 200 * s))
    path.lineTo(100 * s, 168 * s)
    path.lineTo(150 * s, 180 * s)
    path.lineTo(216 * s, 120 * s)
    p.setPen(
        QPen(
            QColor("#f2b705"),
            16 * s,
            Qt.PenStyle.SolidLine,
            Qt.PenCapStyle.RoundCap,
            Qt.PenJoinStyle.RoundJoin,
        )
    )
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPath(path)
    font = QFont("BIZ UDPGothic")
    font.setBold(True)
    font.setPixelSize(int(150 * s))
    p.setFont(font)
    p.setPen(QColor("#ffffff"))
    p.drawText(QRectF(8 * s, 0, 240 * s, 190 * s), Qt.AlignmentFlag.AlignCenter, "青")
    p.end()
    return image


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QImageWriter

    from aomori_desktop.ui.qt_setup import create_application

    create_application(["icon"])
    out = ROOT / "resources" / "icons"
    out.mkdir(parents=True, exist_ok=True)
    draw(256).save(str(out / "aomori-desktop.png"))
    writer = QImageWriter(str(out / "aomori-desktop.ico"), b"ico")
    if not writer.write(draw(256)):
        print(writer.errorString(), file=sys.stderr)
        return 1
    print(out / "aomori-desktop.png", out / "aomori-desktop.ico")
    return 0


if __name__ == "__main__":
    sys.exit(main())
