"""How grades look on screen: the colours come from the grade itself (domain.grading, the one
definition shared with the charts and the reports); the symbol is always drawn as well, so a
badge reads without colour."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

from aomori_desktop.domain.grading import every_grade
from aomori_desktop.domain.progress import Grade


class _GradeColours(Mapping[Grade, tuple[str, str]]):
    """(background, text) of any grade of any scheme, read from the grade's look."""

    def __getitem__(self, grade: Grade) -> tuple[str, str]:
        return grade.look.fill, grade.look.ink

    def __iter__(self) -> Iterator[Grade]:
        return iter(every_grade())

    def __len__(self) -> int:
        return len(every_grade())


GRADE_COLOURS: Mapping[Grade, tuple[str, str]] = _GradeColours()


def grade_text(grade: Grade) -> str:
    """'A 達成', '◎ 順調', '− 評価不能'."""
    return grade.text


def grade_badge(grade: Grade, size: int = 18) -> QIcon:
    """A rounded square with the grade's symbol (readable without colour)."""
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
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, grade.letter)
    painter.end()
    return QIcon(pixmap)
