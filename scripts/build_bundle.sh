#!/usr/bin/env bash
# Build the one-folder bundle dist/aomori-desktop/ with PyInstaller and build_installer.spec.
#
#   bash scripts/build_bundle.sh          # then: bash scripts/smoke_bundle.sh
#
# The build runs in its own venv, .venv-build (Python 3.12, the same interpreter the application
# is developed and tested with, since that interpreter is what the bundle ships). It holds only the
# application's runtime dependencies from pyproject.toml plus the pinned PyInstaller: no dev tools
# and no second Qt binding can leak into the bundle. pip runs only when pyproject.toml or the pins
# below changed since the last install (stamp in .venv-build/.build-deps.sha256).
#
# Each build starts clean (build/ work files and dist/aomori-desktop/ are removed first), so what
# is in dist/ always comes from this spec and this source tree.
#
# Environment: AOMORI_PYTHON=/path/to/python3.12 chooses the interpreter for a new .venv-build.
# Windows: the same spec, see docs/installing.md (PowerShell).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD_VENV=.venv-build
STAMP="$BUILD_VENV/.build-deps.sha256"
WANTED_PYTHON=3.12
APP_NAME=aomori-desktop
# PyInstaller and its hooks, pinned: the hooks decide which Qt plugins and libraries are
# collected, so a new release can change what the bundle contains. Keep in step with
# docs/installing.md (Windows build commands).
BUILD_REQUIREMENTS=(
    "pyinstaller==6.22.3"
    "pyinstaller-hooks-contrib==2026.9"
)

say() {
    printf 'build_bundle: %s\n' "$*"
}

is_wanted_python() {
    # The pyenv shim `python3.12` exists but may refuse to run, so try each candidate for real.
    [[ -n "$1" ]] && "$1" -c "
import sys, venv, ensurepip, sysconfig
ok = sys.version_info[:2] == tuple(map(int, '$WANTED_PYTHON'.split('.')))
# PyInstaller needs the shared libpython on Linux (pyenv: --enable-shared).
ok = ok and (sys.platform != 'linux' or bool(sysconfig.get_config_var('Py_ENABLE_SHARED')))
sys.exit(not ok)
" >/dev/null 2>&1
}

find_python() {
    local candidates=()
    [[ -n "${AOMORI_PYTHON:-}" ]] && candidates+=("$AOMORI_PYTHON")
    # The interpreter behind the development venv: the one the tests ran with.
    if [[ -x .venv/bin/python ]]; then
        candidates+=("$(.venv/bin/python -c 'import sys; print(sys._base_executable)' 2>/dev/null || true)")
    fi
    command -v "python$WANTED_PYTHON" >/dev/null 2>&1 && candidates+=("$(command -v "python$WANTED_PYTHON")")
    local pyenv_root found
    if command -v pyenv >/dev/null 2>&1; then
        pyenv_root="$(pyenv root)"
    else
        pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
    fi
    while IFS= read -r found; do
        candidates+=("$found")
    done < <(ls -d "$pyenv_root"/versions/"$WANTED_PYTHON"*/bin/"python$WANTED_PYTHON" 2>/dev/null | sort -rV)
    candidates+=("/usr/bin/python$WANTED_PYTHON" "/usr/local/bin/python$WANTED_PYTHON")
    local candidate
    for candidate in "${candidates[@]}"; do
        if is_wanted_python "$candidate"; then
            "$candidate" -c 'import sys; print(sys.executable)'
            return 0
        fi
    done
    {
        echo "build_bundle: Python $WANTED_PYTHON with a shared libpython was not found."
        echo "  tried: ${candidates[*]}"
        echo "  Set AOMORI_PYTHON=/path/to/python$WANTED_PYTHON and run this script again."
    } >&2
    return 1
}

started=$SECONDS

# PyInstaller reads library dependencies with ldd and strips the Linux libraries (the spec's
# strip=True on Linux): binutils and libc-bin, both in Debian's base images.
if [[ "$(uname -s)" == Linux ]]; then
    for tool in ldd objdump strip; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "build_bundle: '$tool' is missing (Debian: apt-get install binutils libc-bin)" >&2
            exit 1
        fi
    done
fi

# ------------------------------------------------------------------ build venv
if [[ ! -x "$BUILD_VENV/bin/python" ]]; then
    python="$(find_python)"
    say "creating $BUILD_VENV with $python ($("$python" -V 2>&1))"
    "$python" -m venv "$BUILD_VENV"
    rm -f "$STAMP"
elif ! is_wanted_python "$BUILD_VENV/bin/python"; then
    echo "build_bundle: $BUILD_VENV does not run Python $WANTED_PYTHON; remove it and run again." >&2
    exit 1
fi

wanted_hash="$({ sha256sum pyproject.toml; printf '%s\n' "${BUILD_REQUIREMENTS[@]}"; } | sha256sum | cut -d' ' -f1)"
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$wanted_hash" ]]; then
    say "$BUILD_VENV is up to date"
else
    say "installing the runtime dependencies and ${BUILD_REQUIREMENTS[*]} into $BUILD_VENV"
    # Only [project].dependencies: the package itself is analysed from the source tree (the spec
    # puts the repository on PyInstaller's path), so nothing is written into the work tree.
    "$BUILD_VENV/bin/python" - >"$BUILD_VENV/runtime-requirements.txt" <<'EOF'
import tomllib
with open("pyproject.toml", "rb") as f:
    print("\n".join(tomllib.load(f)["project"]["dependencies"]))
EOF
    "$BUILD_VENV/bin/python" -m pip install --quiet --disable-pip-version-check --progress-bar off \
        -r "$BUILD_VENV/runtime-requirements.txt" "${BUILD_REQUIREMENTS[@]}"
    printf '%s\n' "$wanted_hash" >"$STAMP"
fi

# Only one Qt binding may be present: pyqtgraph (and PyInstaller's hooks) would pick up another.
"$BUILD_VENV/bin/python" - <<'EOF'
import importlib.util, sys
others = [name for name in ("PyQt5", "PyQt6", "PySide2") if importlib.util.find_spec(name)]
if others:
    sys.exit(f"build_bundle: other Qt bindings in .venv-build: {', '.join(others)}; remove them")
EOF
setup_done=$SECONDS

# ------------------------------------------------------------------ PyInstaller
rm -rf "build/build_installer" "dist/$APP_NAME"
say "pyinstaller build_installer.spec"
"$BUILD_VENV/bin/python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build build_installer.spec
built=$SECONDS

bundle="dist/$APP_NAME"
for exe in "$APP_NAME" "$APP_NAME-cli"; do
    if [[ ! -x "$bundle/$exe" && ! -f "$bundle/$exe.exe" ]]; then
        echo "build_bundle: $bundle/$exe is missing" >&2
        exit 1
    fi
done
say "bundle: $bundle ($(du -sh "$bundle" | cut -f1) unpacked, $(find "$bundle" -type f | wc -l) files); largest files:"
find "$bundle" -type f -printf '%s %P\n' | sort -rn \
    | awk 'NR <= 15 { printf "build_bundle:   %6.1f MB  %s\n", $1 / 1048576, $2 }'
say "time: $((setup_done - started)) s build venv, $((built - setup_done)) s PyInstaller"
