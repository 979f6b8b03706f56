"""How grades look: colours that also read in monochrome, because the letter is always drawn."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

from aomori_desktop.domain.progress import Grade

GRADE_COLOURS: dict[Grade, tuple[str, str]] = {  # background, text
    Grade.A: ("#1b7f3b", "#ffffff"),
    Grade.B: ("#1f5fbf", "#ffffff"),
    Grade.C: ("#f2b705", "#000000"),
    Grade.D: ("#c62828", "#ffffff"),
    Grade.NONE: ("#d9d9d9", "#404040"),
}


def grade_text(grade: Grade) -> str:
    """'A 達成', '− 評価不能'."""
    letter = "−" if grade is Grade.NONE else grade.value
    return f"{letter} {grade.label}"


def grade_badge(grade: Grade, size: int = 18) -> QIcon:
    """A rounded square with the grade letter (readable without colour)."""
    ratio = 2
    pixmap = QPixmap(size * ratio, size * ratio)
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    background, foreground = GRADE_COLOURS[grade]
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor("#333333"))
    painter.setBrush(QColor(background))
    rect = QRectF(0.5, 0.5, size - 1, size - 1)
    painter.drawRoundedRect(rect, 3, 3)
    font = QFont(painter.font())
    font.setBold(True)
    font.setPixelSize(int(size * 0.7))
    painter.setFont(font)
    painter.setPen(QColor(foreground))
    painter.drawText(
        rect, Qt.AlignmentFlag.AlignCenter, "−" if grade is Grade.NONE else grade.value
    )
    painter.end()
    return QIcon(pixmap)
