"""Qt application setup: bundled Japanese font, Qt's Japanese strings, locale.

The office PCs and the CI machines cannot be trusted to have a Japanese font (the CI machines have
none: every kanji would be drawn as a box), so the application always registers the BIZ UDPGothic
files shipped in ``resources/fonts`` and makes that face the application font.

Call :func:`configure_application` (or :func:`create_application`) once, on the GUI thread, before
any widget or pyqtgraph plot is created.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication

from aomori_desktop import APP_NAME, __version__
from aomori_desktop.paths import fonts_dir, resources_dir

__all__ = [
    "FONT_FAMILY",
    "FONT_POINT_SIZE",
    "ORGANIZATION_NAME",
    "QT_TRANSLATION_CATALOGUE",
    "FontLoadError",
    "configure_application",
    "create_application",
    "load_bundled_fonts",
    "load_qt_translations",
]

_log = logging.getLogger(__name__)

FONT_FAMILY = "BIZ UDPGothic"
"""Family name inside resources/fonts/BIZUDPGothic-*.ttf (SIL OFL 1.1, licence in OFL.txt)."""

FONT_POINT_SIZE = 10
"""Application font size; Windows' own UI font is 9 pt, one point more reads easier for kanji."""

ORGANIZATION_NAME = APP_NAME
"""QSettings organisation; with the application name it gives HKCU\\Software\\aomori-desktop\\..."""

QT_TRANSLATION_CATALOGUE = "qtbase"
"""Qt's own catalogue (standard buttons, file dialogs, context menus); qtbase_ja.qm ships in
PySide6-Essentials under QLibraryInfo's TranslationsPath."""

_JAPANESE = QLocale(QLocale.Language.Japanese, QLocale.Country.Japan)
# Dynamic properties on the QApplication remember what has been done for that application, so a
# second configure_application() call (tests, create_application reusing an instance) neither
# registers the font files again (Qt would hand out new ids for the same file) nor stacks
# translators.
_FONT_FAMILY_PROPERTY = "aomoriDesktopFontFamily"
_TRANSLATOR_OBJECT_NAME = "aomoriDesktopQtBaseTranslator"


class FontLoadError(RuntimeError):
    """The bundled Japanese font could not be registered; the message is meant for the user."""


def load_bundled_fonts(directory: Path) -> list[str]:
    """Register every ``*.ttf`` in *directory* with Qt and return the families they provide.

    Raises :class:`FontLoadError` (Japanese message) when a file is unreadable or not a font, or
    when none of the files provides :data:`FONT_FAMILY`.
    """
    font_files = sorted(directory.glob("*.ttf")) if directory.is_dir() else []
    if not font_files:
        raise FontLoadError(
            f"同梱フォント（{FONT_FAMILY}）のファイルが見つかりません。\n"
            f"場所: {directory}\n"
            "アプリケーションを再インストールしてください。"
        )
    families: list[str] = []
    for font_file in font_files:
        font_id = QFontDatabase.addApplicationFont(str(font_file))
        if font_id < 0:
            raise FontLoadError(
                "同梱フォントを読み込めませんでした。ファイルが壊れている可能性があります。\n"
                f"ファイル: {font_file}\n"
                "アプリケーションを再インストールしてください。"
            )
        for family in QFontDatabase.applicationFontFamilies(font_id):
            if family not in families:
                families.append(family)
    if FONT_FAMILY not in families:
        raise FontLoadError(
            f"同梱フォント（{FONT_FAMILY}）が見つかりません。\n"
            f"場所: {directory}（読み込めた書体: {'、'.join(families)}）\n"
            "アプリケーションを再インストールしてください。"
        )
    return families


def load_qt_translations(app: QCoreApplication) -> bool:
    """Install Qt's own Japanese strings (「キャンセル」, 「はい(&Y)」...) on *app*.

    Returns False, and logs a warning, when the catalogue is missing: the application still works,
    only Qt's standard buttons and dialogs stay in English.
    """
    if app.findChild(QTranslator, _TRANSLATOR_OBJECT_NAME) is not None:
        return True
    translations_path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    translator = QTranslator(app)  # parented: lives as long as the application
    translator.setObjectName(_TRANSLATOR_OBJECT_NAME)
    if not translator.load(_JAPANESE, QT_TRANSLATION_CATALOGUE, "_", translations_path):
        _log.warning(
            "Qt translation %s_ja.qm not found in %s; Qt's standard dialogs stay in English",
            QT_TRANSLATION_CATALOGUE,
            translations_path,
        )
        translator.deleteLater()
        return False
    if not QCoreApplication.installTranslator(translator):
        _log.warning("Qt refused to install translator %s", translator.filePath())
        translator.deleteLater()
        return False
    return True


def configure_application(app: QApplication) -> str:
    """Prepare *app* for the Japanese UI and return the application font's family name.

    Registers the bundled fonts and sets the application font, installs Qt's Japanese strings,
    makes Japanese/Japan the default QLocale (number and date formats) and sets the names QSettings
    uses. Safe to call more than once. Raises :class:`FontLoadError` if the bundled font cannot be loaded.
    """
    family = app.property(_FONT_FAMILY_PROPERTY)
    if not isinstance(family, str) or not family:
        load_bundled_fonts(fonts_dir())
        family = FONT_FAMILY
        app.setProperty(_FONT_FAMILY_PROPERTY, family)

    font = QFont(family, FONT_POINT_SIZE)
    font.setStyleHint(QFont.StyleHint.SansSerif)
    QApplication.setFont(font)

    load_qt_translations(app)
    QLocale.setDefault(_JAPANESE)

    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setOrganizationName(ORGANIZATION_NAME)
    QCoreApplication.setApplicationVersion(__version__)
    icon = resources_dir() / "icons" / f"{APP_NAME}.png"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    # pyqtgraph's defaults (white, black, antialiasing) are set where the charts are defined
    # (charts/base.py): importing pyqtgraph and numpy here cost a third of the start-up
    return family


def create_application(argv: list[str]) -> QApplication:
    """Return the running QApplication (or create one from *argv*), configured for this app."""
    existing = QApplication.instance()
    if existing is None:
        app = QApplication(argv)
    elif isinstance(existing, QApplication):
        app = existing
    else:
        raise RuntimeError(
            f"A {type(existing).__name__} is already running; the GUI needs a QApplication."
        )
    configure_application(app)
    return app
