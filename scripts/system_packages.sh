#!/usr/bin/env bash
# Debian packages the application needs at run time (Qt's X/EGL/font libraries) and, apart, the
# ones the checks need (CHECK_PACKAGES). Sourced by .ci/run and scripts/run.sh; installs only
# what is missing, only as root. No font packages: the application bundles its Japanese font,
# and a system CJK font would hide a broken bundle.

# Debian packages behind the shared libraries that PySide6's QtCore/QtGui/QtWidgets and the
# offscreen platform plugin link against (found with readelf/ldd; ICU ships inside the wheel).
SYSTEM_PACKAGES=(
    libegl1
    libgl1
    libx11-6
    libxkbcommon0
    libfontconfig1
    libfreetype6
    libdbus-1-3
    libglib2.0-0
)

# What the checks need besides (installed by .ci/run only, not by scripts/run.sh): the files the
# product writes are opened by real readers.
CHECK_PACKAGES=(
    # PDF text, fonts and page images (tests, docs/examples)
    poppler-utils
    # the Word report is converted with LibreOffice in CI (scripts/check_report.sh)
    libreoffice-writer-nogui
    # the exported workbooks are opened with LibreOffice in CI (scripts/check_xlsx_libreoffice.py)
    libreoffice-calc-nogui
    # issue 14: the PostgreSQL server the tests run a throw-away cluster of (scripts/pg_cluster.sh)
    postgresql
)

install_system_packages() {
    if ! command -v dpkg-query >/dev/null 2>&1; then
        echo "not a Debian-like system: skipping (needs: ${SYSTEM_PACKAGES[*]})"
        return 0
    fi
    local missing=() package
    for package in "${SYSTEM_PACKAGES[@]}"; do
        if [[ "$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null)" != installed ]]; then
            missing+=("$package")
        fi
    done
    if ((${#missing[@]} == 0)); then
        echo "all present: ${SYSTEM_PACKAGES[*]}"
        return 0
    fi
    if [[ "$(id -u)" != 0 ]]; then
        echo "WARNING: missing ${missing[*]} and not root; install them with:" >&2
        echo "  sudo apt-get install --no-install-recommends ${missing[*]}" >&2
        return 0
    fi
    echo "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
