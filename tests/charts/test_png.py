"""The chart PNG writer: the exact pixels and the resolution come back when the file is read."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QApplication

from aomori_desktop.charts.base import dots_per_meter
from aomori_desktop.charts.png import png_bytes


def _drawing(width: int, height: int) -> QImage:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor("#1f5fbf"), 3))
    painter.drawLine(QPointF(5, height - 5), QPointF(width - 5, 7))  # antialiased shades
    painter.fillRect(10, 10, 30, 20, QColor("#c62828"))
    painter.end()
    return image


def test_pixels_and_dpi_survive(qapp: QApplication) -> None:
    image = _drawing(301, 97)  # odd width: rows are not a multiple of four bytes
    image.setDotsPerMeterX(dots_per_meter(300))
    image.setDotsPerMeterY(dots_per_meter(300))
    data = png_bytes(image)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    back = QImage.fromData(data, "PNG")
    assert (back.width(), back.height()) == (301, 97)
    assert back.convertToFormat(QImage.Format.Format_RGB32) == image
    assert back.dotsPerMeterX() == back.dotsPerMeterY() == 11811  # Word reads 300 dpi


def test_an_image_with_alpha_is_written_opaque(qapp: QApplication) -> None:
    image = QImage(4, 3, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.black)
    data = png_bytes(image)
    back = QImage.fromData(data, "PNG")
    assert back.pixelColor(3, 2) == QColor("black")
    assert not back.hasAlphaChannel()
