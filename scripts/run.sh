#!/usr/bin/env bash
# Install what is missing and start the application on its default database
# (created and seeded with 青森市しごと創造戦略 on first use):
#
#   bash scripts/run.sh [--db PATH]
#
# Debian/Ubuntu as root installs the Qt system libraries; elsewhere it prints what to install.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=system_packages.sh
source scripts/system_packages.sh
# Qt's xcb platform plugin (a desktop session) needs these as well.
SYSTEM_PACKAGES+=(
    libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
    libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0
)
install_system_packages
bash scripts/bootstrap.sh

if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" && "$(uname -s)" == Linux ]]; then
    # No screen (a server or CI machine): start on a virtual X screen so the window still runs.
    SYSTEM_PACKAGES=(xvfb xauth)
    install_system_packages
    if command -v xvfb-run >/dev/null 2>&1; then
        echo "No display: starting on a virtual screen (xvfb-run)." >&2
        exec xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/aomori-desktop "$@"
    fi
    echo "No display found and xvfb-run is not installed." >&2
    exit 1
fi
exec .venv/bin/aomori-desktop "$@"
