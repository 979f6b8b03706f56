from __future__ import annotations

from importlib.metadata import version

from aomori_desktop import __version__


def test_about_box_names_versions_and_the_font_licence(make_window, prompts) -> None:
    window = make_window(open_db=False)
    window.show_about()
    text = prompts.infos[-1]
    assert f"バージョン {__version__}" in text
    assert f"Qt (PySide6) {version('PySide6-Essentials')}" in text
    assert f"SQLAlchemy {version('SQLAlchemy')}" in text
    assert "SIL Open Font License 1.1" in text and "BIZ UDPGothic" in text
