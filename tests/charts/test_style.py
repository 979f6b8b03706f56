"""Chart style: sizes follow the dpi, monochrome is grey, grades stay apart without colour."""

from __future__ import annotations

from PySide6.QtGui import QFontInfo, QRawFont
from PySide6.QtWidgets import QApplication

from aomori_desktop.charts.style import ChartStyle, Hatch, Role
from aomori_desktop.domain.grading import PRESETS, every_grade
from aomori_desktop.domain.progress import Grade
from aomori_desktop.ui.qt_setup import FONT_FAMILY


def test_sizes_scale_with_dpi(qapp: QApplication) -> None:
    screen, print_ = ChartStyle(dpi=96), ChartStyle(dpi=300)
    assert screen.px(72) == 96
    assert print_.px(72) == 300
    ratio = print_.pen(Role.ACTUAL).widthF() / screen.pen(Role.ACTUAL).widthF()
    assert abs(ratio - 300 / 96) < 1e-9
    ratio = print_.font().pixelSize() / screen.font().pixelSize()
    assert abs(ratio - 300 / 96) < 0.15


def test_chart_font_is_the_bundled_face_and_has_kanji(qapp: QApplication) -> None:
    font = ChartStyle().font()
    assert QFontInfo(font).family() == FONT_FAMILY
    raw = QRawFont.fromFont(font)
    assert all(raw.supportsCharacter(ord(c)) for c in "青森市令和年度累計達成")


def test_monochrome_has_no_colour(qapp: QApplication) -> None:
    mono = ChartStyle(monochrome=True)
    for role in Role:
        c = mono.colour(role)
        assert c.red() == c.green() == c.blue(), role
    for grade in every_grade():
        c = mono.grade_look(grade).fill
        assert c.red() == c.green() == c.blue(), grade


def test_grades_differ_in_grey_or_hatch_when_monochrome(qapp: QApplication) -> None:
    mono = ChartStyle(monochrome=True)
    for scheme in PRESETS.values():
        grades = scheme.all_grades
        looks = {(mono.grade_look(g).fill.name(), mono.grade_look(g).hatch) for g in grades}
        assert len(looks) == len(grades), scheme.key
    assert mono.grade_look(Grade.C).hatch is not Hatch.NONE
