#!/usr/bin/env bash
# Create .venv with Python 3.12 and install the project (editable) with its dev tools.
#
#   bash scripts/bootstrap.sh && .venv/bin/aomori-desktop
#
# Idempotent: pip runs only when pyproject.toml changed since the last install (its sha256 is
# kept in .venv/.bootstrap-pyproject.sha256). Shared by .ci/run and the README quick start.
# Python 3.12 is required: PySide6 6.12 crashed on 3.11 (see pyproject.toml); set
# AOMORI_PYTHON=/path/to/python3.12 to choose the interpreter yourself.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

VENV=.venv
STAMP="$VENV/.bootstrap-pyproject.sha256"
WANTED_PYTHON=3.12

is_wanted_python() {
    # The pyenv shim `python3.12` exists but refuses to run unless PYENV_VERSION is set, so try
    # each candidate for real (and make sure it can create a venv) instead of trusting the name.
    [[ -n "$1" ]] && "$1" -c "
import sys, venv, ensurepip
sys.exit(sys.version_info[:2] != tuple(map(int, '$WANTED_PYTHON'.split('.'))))
" >/dev/null 2>&1
}

find_python() {
    local candidates=()
    if [[ -n "${AOMORI_PYTHON:-}" ]]; then
        candidates+=("$AOMORI_PYTHON")
    fi
    if command -v "python$WANTED_PYTHON" >/dev/null 2>&1; then
        candidates+=("$(command -v "python$WANTED_PYTHON")")
    fi
    local pyenv_root
    if command -v pyenv >/dev/null 2>&1; then
        pyenv_root="$(pyenv root)"
    else
        pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
    fi
    local found
    # Newest 3.12.x first.
    while IFS= read -r found; do
        candidates+=("$found")
    done < <(ls -d "$pyenv_root"/versions/"$WANTED_PYTHON"*/bin/"python$WANTED_PYTHON" 2>/dev/null \
        | sort -rV)
    candidates+=("/usr/bin/python$WANTED_PYTHON" "/usr/local/bin/python$WANTED_PYTHON")

    local candidate
    for candidate in "${candidates[@]}"; do
        if is_wanted_python "$candidate"; then
            # The interpreter itself, not a shim or wrapper in front of it.
            "$candidate" -c 'import sys; print(sys.executable)'
            return 0
        fi
    done
    {
        echo "bootstrap: Python $WANTED_PYTHON was not found (or does not run)."
        echo "  tried: ${candidates[*]}"
        echo "  Install Python $WANTED_PYTHON (e.g. 'pyenv install $WANTED_PYTHON'), or set"
        echo "  AOMORI_PYTHON=/path/to/python$WANTED_PYTHON and run this script again."
    } >&2
    return 1
}

if [[ ! -x "$VENV/bin/python" ]]; then
    python="$(find_python)"
    echo "bootstrap: creating $VENV with $python ($("$python" -V 2>&1))"
    "$python" -m venv "$VENV"
    rm -f "$STAMP"
elif ! is_wanted_python "$VENV/bin/python"; then
    echo "bootstrap: $VENV exists but does not run Python $WANTED_PYTHON" \
        "($("$VENV/bin/python" -V 2>&1 || echo broken))." >&2
    echo "  Remove it ('rm -rf $VENV') and run this script again." >&2
    exit 1
fi

wanted_hash="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$wanted_hash" ]] \
    && "$VENV/bin/python" -c "import importlib.metadata as m; m.version('aomori-desktop')" \
        >/dev/null 2>&1; then
    echo "bootstrap: $VENV is up to date with pyproject.toml"
    exit 0
fi

echo "bootstrap: installing the project, its dev tools and the benchmarks' anchors into $VENV (pip install -e .[dev,bench])"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --progress-bar off \
    -e ".[dev,bench]"
printf '%s\n' "$wanted_hash" >"$STAMP"
echo "bootstrap: done ($("$VENV/bin/python" -V))"
