"""build_installer.spec, installer.iss and the build scripts agree with the application.

The spec is executed with stand-ins for PyInstaller's Analysis/PYZ/EXE/COLLECT (PyInstaller is
not installed in the development venv), so these checks run in the normal test suite in well under
a second. The real build and a run of the built bundle are scripts/build_bundle.sh and
scripts/smoke_bundle.py.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

import aomori_desktop
from aomori_desktop import paths

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "build_installer.spec"
ISS = REPO / "installer.iss"
APP_NAME = "aomori-desktop"


class _Recorder:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args = args
        self.kwargs = kwargs


class _Analysis(_Recorder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scripts: list[Any] = []
        self.pure: list[Any] = []
        self.binaries: list[tuple[str, str, str]] = []
        # PyInstaller turns (source file, destination folder) pairs into (dest, source, kind).
        self.datas = [
            (str(PurePosixPath(dest_dir) / Path(src).name), src, "DATA")
            for src, dest_dir in kwargs["datas"]
        ]


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    namespace: dict[str, Any] = {
        "SPECPATH": str(REPO),
        "Analysis": _Analysis,
        "PYZ": _Recorder,
        "EXE": _Recorder,
        "COLLECT": _Recorder,
        "__file__": str(SPEC),
    }
    exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)
    return namespace


def _bundled_files(spec: dict[str, Any]) -> set[str]:
    return {dest for dest, _src, _kind in spec["a"].datas}


def _relative_to_bundle(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def test_paths_use_the_bundle_root_when_frozen(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert paths.bundle_root() == tmp_path
    assert paths.fonts_dir() == tmp_path / "resources" / "fonts"
    assert paths.migrations_dir() == tmp_path / "db" / "migrations"
    assert paths.default_seed_file().parent == tmp_path / "db" / "seed"


def test_every_file_the_application_looks_up_is_bundled_where_paths_looks(
    spec: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    wanted = [
        paths.fonts_dir() / "BIZUDPGothic-Regular.ttf",
        paths.fonts_dir() / "BIZUDPGothic-Bold.ttf",
        paths.fonts_dir() / "OFL.txt",
        paths.migrations_dir() / "env.py",
        paths.migrations_dir() / "script.py.mako",
        paths.default_seed_file(),
    ]
    wanted += [
        paths.migrations_dir() / "versions" / version.name
        for version in (REPO / "db" / "migrations" / "versions").glob("*.py")
    ]
    bundled = _bundled_files(spec)
    missing = [_relative_to_bundle(p, tmp_path) for p in wanted]
    missing = [name for name in missing if name not in bundled]
    assert not missing, f"not in the bundle's datas: {missing}"
    assert not [name for name in bundled if "__pycache__" in name or name.endswith(".pyc")]


def test_two_executables_share_one_folder(spec: dict[str, Any]) -> None:
    gui, cli = spec["gui_exe"], spec["cli_exe"]
    assert gui.kwargs["name"] == APP_NAME and gui.kwargs["console"] is False
    assert cli.kwargs["name"] == f"{APP_NAME}-cli" and cli.kwargs["console"] is True
    for exe in (gui, cli):
        assert exe.kwargs["exclude_binaries"] is True  # one folder: libraries go to COLLECT
        assert exe.kwargs["upx"] is False
    coll = spec["coll"]
    assert coll.kwargs["name"] == APP_NAME
    assert gui in coll.args and cli in coll.args
    entry = spec["a"].args[0][0]
    assert Path(entry) == REPO / "aomori_desktop" / "__main__.py"


def test_hidden_imports_cover_the_package_and_the_migrations(spec: dict[str, Any]) -> None:
    hidden = set(spec["a"].kwargs["hiddenimports"])
    modules = {
        ".".join(p.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
        for p in (REPO / "aomori_desktop").rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert modules <= hidden, f"not collected: {sorted(modules - hidden)}"
    # env.py (loaded by Alembic from a file path) imports the models; the migrations import
    # sqlalchemy and alembic's op
    assert {"aomori_desktop.store.models", "alembic", "sqlalchemy"} <= hidden
    # pyqtgraph imports these with importlib.import_module(f"{QT_LIB}.QtOpenGL")
    assert {"PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets"} <= hidden


def _imported_modules(folder: Path) -> set[str]:
    names: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_excludes_spare_everything_the_application_imports(spec: dict[str, Any]) -> None:
    excludes = set(spec["a"].kwargs["excludes"])
    imported = _imported_modules(REPO / "aomori_desktop") | _imported_modules(REPO / "db")
    needed = imported | {
        "PySide6.QtCore",
        "PySide6.QtGui",
        "PySide6.QtWidgets",
        "PySide6.QtSvg",
        "PySide6.QtOpenGL",
        "PySide6.QtOpenGLWidgets",
        "numpy",
        "pyqtgraph",
    }
    clashes = sorted(
        name for name in needed if any(name == ex or name.startswith(f"{ex}.") for ex in excludes)
    )
    assert not clashes, f"imported by the application but excluded in the spec: {clashes}"


@pytest.mark.parametrize(
    ("dest", "kept"),
    [
        ("PySide6/Qt/translations/qtbase_ja.qm", True),
        ("PySide6/Qt/translations/qt_ja.qm", True),
        ("PySide6/Qt/translations/qtbase_de.qm", False),
        ("PySide6\\translations\\qtbase_fr.qm", False),
        ("PySide6/translations/qtbase_ja.qm", True),
        ("resources/fonts/OFL.txt", True),
        ("db/seed/aomori_shigoto_senryaku.toml", True),
    ],
)
def test_only_japanese_qt_translations_are_kept(
    spec: dict[str, Any], dest: str, kept: bool
) -> None:
    assert spec["_keep_data"](dest) is kept


@pytest.mark.parametrize(
    ("dest", "dropped"),
    [
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", False),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", False),
        ("PySide6/Qt/plugins/platforms/libqminimal.so", False),
        ("PySide6/Qt/plugins/imageformats/libqsvg.so", False),
        ("PySide6/Qt/plugins/imageformats/libqjpeg.so", False),
        ("PySide6/Qt/plugins/platforms/libqeglfs.so", True),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", True),
        ("PySide6/Qt/plugins/generic/libqtuiotouchplugin.so", True),
        ("PySide6/Qt/plugins/imageformats/libqtiff.so", True),
        ("PySide6/Qt/lib/libQt6Core.so.6", False),
        ("numpy/_core/_multiarray_umath.cpython-312-x86_64-linux-gnu.so", False),
    ],
)
def test_unused_qt_plugins_are_dropped(spec: dict[str, Any], dest: str, dropped: bool) -> None:
    assert spec["_dropped_plugin"](dest) is dropped


def test_the_version_has_one_source(spec: dict[str, Any]) -> None:
    with (REPO / "pyproject.toml").open("rb") as f:
        project_version = tomllib.load(f)["project"]["version"]
    assert spec["APP_VERSION"] == aomori_desktop.__version__ == project_version
    assert spec["_version_tuple"]("0.1.0") == (0, 1, 0, 0)
    assert spec["_version_tuple"]("1.2.3.4") == (1, 2, 3, 4)
    assert spec["_version_tuple"]("2.0rc1") == (2, 0, 0, 0)
    assert spec["_version_tuple"]("1.10.0.dev3") == (1, 10, 0, 0)


def _iss_setup() -> dict[str, str]:
    section, values = "", {}
    for line in ISS.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line
        elif section == "[Setup]" and "=" in line and not line.startswith(";"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def test_installer_installs_per_user_and_keeps_the_database() -> None:
    text = ISS.read_text(encoding="utf-8")
    setup = _iss_setup()
    assert setup["PrivilegesRequired"] == "lowest"
    assert setup["DefaultDirName"] == r"{userpf}\aomori-desktop"  # %LOCALAPPDATA%\Programs
    assert re.fullmatch(r"\{\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", setup["AppId"])
    assert setup["AppVersion"] == "{#AppVersion}"
    assert 'GetStringFileInfo(AppExePath, "ProductVersion")' in text
    assert r'MessagesFile: "compiler:Languages\Japanese.isl"' in text
    assert r'Source: "{#BundleDir}\*"' in text and "recursesubdirs" in text
    assert '#define BundleDir "dist\\aomori-desktop"' in text
    assert '#define AppExeName "aomori-desktop.exe"' in text
    assert "{group}" in text and "{autodesktop}" in text and "Tasks: desktopicon" in text
    # the uninstaller never deletes the user's data folder (%LOCALAPPDATA%\aomori-desktop)
    assert "[UninstallDelete]" not in text
    install_delete = text.split("[InstallDelete]", 1)[1].split("\n[", 1)[0]
    assert "{localappdata}" not in install_delete and r"{app}\_internal" in install_delete


def test_build_pins_are_documented() -> None:
    script = (REPO / "scripts" / "build_bundle.sh").read_text(encoding="utf-8")
    pins = re.findall(r'"((?:pyinstaller|pyinstaller-hooks-contrib)==[^"]+)"', script)
    assert len(pins) == 2
    docs = (REPO / "docs" / "installing.md").read_text(encoding="utf-8")
    for pin in pins:
        assert pin in docs, f"{pin} (scripts/build_bundle.sh) is not in docs/installing.md"


def test_links_to_pruned_libraries_are_dropped(spec: dict[str, Any]) -> None:
    binaries = [("PySide6/Qt/lib/libQt6Core.so.6", "/src/libQt6Core.so.6", "BINARY")]
    datas = [
        ("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"),
        ("libQt6Network.so.6", "PySide6/Qt/lib/libQt6Network.so.6", "SYMLINK"),
        ("resources/fonts/OFL.txt", "/src/OFL.txt", "DATA"),
    ]
    kept = spec["_drop_dangling_symlinks"](datas, binaries)
    assert [dest for dest, _src, _kind in kept] == ["libQt6Core.so.6", "resources/fonts/OFL.txt"]
