"""The application draws Japanese with the bundled font and speaks Japanese in Qt's own dialogs.

These machines have no Japanese system font (`fc-list :lang=ja` is empty), so without the
bundled BIZ UDPGothic every kanji below would be a box.
"""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QImage, QPalette, QRawFont
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel
from pytestqt.qtbot import QtBot

from aomori_desktop import APP_NAME
from aomori_desktop.ui.qt_setup import (
    FONT_FAMILY,
    FONT_POINT_SIZE,
    FontLoadError,
    configure_application,
    create_application,
    load_bundled_fonts,
)

APP_TEXT = "青森市しごと創造戦略令和年度達成"
TOFU = "\ue000\ue000\ue000"  # private-use code points: no font has them, Qt draws .notdef boxes
REPLACEMENT = "\ufffd\ufffd\ufffd"


def _render(qtbot: QtBot, text: str) -> QImage:
    """Black text on white at a fixed size, in the application font, drawn offscreen."""
    label = QLabel(text)
    qtbot.addWidget(label)
    font = QApplication.font()
    font.setPointSize(28)
    label.setFont(font)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setFixedSize(240, 72)
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor("white"))
    palette.setColor(QPalette.ColorRole.WindowText, QColor("black"))
    label.setPalette(palette)
    label.setAutoFillBackground(True)
    return label.grab().toImage()


def _ink(image: QImage) -> int:
    """Number of dark pixels."""
    return sum(
        1
        for y in range(image.height())
        for x in range(image.width())
        if QColor(image.pixel(x, y)).lightness() < 128
    )


def test_configure_returns_the_bundled_family(qapp: QApplication) -> None:
    assert configure_application(qapp) == FONT_FAMILY  # a second call is harmless


def test_application_font_is_the_bundled_face(qapp: QApplication) -> None:
    app_font = QApplication.font()
    assert app_font.family() == FONT_FAMILY
    assert app_font.pointSize() == FONT_POINT_SIZE
    # The face Qt actually resolved, not just the name asked for.
    assert QRawFont.fromFont(app_font).familyName() == FONT_FAMILY


def test_regular_and_bold_files_are_both_registered(qapp: QApplication) -> None:
    # Without the Bold file Qt would synthesise bold (smeared strokes) from the Regular one.
    assert {"Regular", "Bold"} <= set(QFontDatabase.styles(FONT_FAMILY))
    bold = QFont(FONT_FAMILY, FONT_POINT_SIZE)
    bold.setBold(True)
    assert QRawFont.fromFont(bold).styleName() == "Bold"


@pytest.mark.parametrize("char", sorted(set(APP_TEXT)), ids=lambda c: f"U+{ord(c):04X}")
def test_application_font_has_glyph(qapp: QApplication, char: str) -> None:
    # int overload on purpose: supportsCharacter("青") answers False even for a Japanese font.
    assert QRawFont.fromFont(QApplication.font()).supportsCharacter(ord(char))


def test_kanji_are_drawn_not_tofu(qapp: QApplication, qtbot: QtBot) -> None:
    kanji = _render(qtbot, "青森市")
    assert _ink(kanji) > 300
    # Without a Japanese font the kanji render pixel-for-pixel like the tofu reference.
    assert kanji != _render(qtbot, TOFU)
    assert kanji != _render(qtbot, REPLACEMENT)
    # Tofu boxes look alike; real glyphs do not.
    assert _render(qtbot, "青") != _render(qtbot, "森")


def test_qt_standard_strings_are_japanese(qapp: QApplication, qtbot: QtBot) -> None:
    # qtbase_ja.qm puts the standard button texts in the QPlatformTheme context.
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "キャンセル"
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Yes
        | QDialogButtonBox.StandardButton.No
        | QDialogButtonBox.StandardButton.Cancel
    )
    qtbot.addWidget(buttons)
    texts = {
        buttons.button(QDialogButtonBox.StandardButton.Yes).text(),
        buttons.button(QDialogButtonBox.StandardButton.No).text(),
        buttons.button(QDialogButtonBox.StandardButton.Cancel).text(),
    }
    assert texts == {"はい(&Y)", "いいえ(&N)", "キャンセル"}


def test_default_locale_is_japanese(qapp: QApplication) -> None:
    locale = QLocale()
    assert locale.language() == QLocale.Language.Japanese
    assert locale.toString(1234567) == "1,234,567"


def test_application_names_and_chart_defaults(qapp: QApplication) -> None:
    import aomori_desktop.charts.base  # noqa: F401  (every chart module imports it)

    assert QCoreApplication.applicationName() == APP_NAME
    assert QCoreApplication.organizationName() == APP_NAME
    assert pg.getConfigOption("background") == "w"
    assert pg.getConfigOption("foreground") == "k"
    assert pg.getConfigOption("antialias") is True


def test_create_application_reuses_the_running_app(qapp: QApplication) -> None:
    assert create_application(["aomori-desktop"]) is qapp
    assert QApplication.font().family() == FONT_FAMILY


def test_missing_font_folder_is_reported_in_japanese(qapp: QApplication, tmp_path: Path) -> None:
    with pytest.raises(FontLoadError, match=r"同梱フォント.*見つかりません"):
        load_bundled_fonts(tmp_path / "fonts")


def test_broken_font_file_is_reported_in_japanese(qapp: QApplication, tmp_path: Path) -> None:
    broken = tmp_path / "BIZUDPGothic-Regular.ttf"
    broken.write_bytes(b"not a font")
    with pytest.raises(FontLoadError, match="読み込めませんでした") as excinfo:
        load_bundled_fonts(tmp_path)
    assert broken.name in str(excinfo.value)


def test_the_application_has_its_icon(qapp) -> None:
    icon = qapp.windowIcon()
    assert not icon.isNull()
    image = icon.pixmap(64, 64).toImage()
    centre = image.pixelColor(4, 32)  # the blue square's edge
    assert (centre.red(), centre.green(), centre.blue()) == (0x1F, 0x5F, 0xBF)
