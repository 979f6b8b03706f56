#!/usr/bin/env bash
# Convert a .docx to PDF with LibreOffice headless, as CI checks the Word report.
#
#     bash scripts/docx_to_pdf.sh REPORT.docx OUT.pdf
#
# The report names BIZ UDPゴシック, which Windows 10/11 ship; this machine has no Japanese font,
# so LibreOffice is given the bundled face (resources/fonts) through a private fontconfig file,
# as an office PC has it installed. A private LibreOffice profile keeps runs independent.
# Exits non-zero (with LibreOffice's message) when the conversion fails or writes nothing.
set -euo pipefail

if (($# != 2)); then
    echo "usage: $0 REPORT.docx OUT.pdf" >&2
    exit 2
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source="$(realpath "$1")"
target="$(realpath -m "$2")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cat >"$work/fonts.conf" <<CONF
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>$root/resources/fonts</dir>
  <cachedir>$work/fontcache</cachedir>
</fontconfig>
CONF

soffice="$(command -v soffice || command -v libreoffice || true)"
if [[ -z "$soffice" ]]; then
    echo "LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui" >&2
    exit 1
fi
mkdir -p "$work/out"
FONTCONFIG_FILE="$work/fonts.conf" timeout 300 "$soffice" --headless --norestore \
    "-env:UserInstallation=file://$work/profile" \
    --convert-to pdf:writer_pdf_Export --outdir "$work/out" "$source" >"$work/log" 2>&1 || {
    cat "$work/log" >&2
    exit 1
}
produced="$work/out/$(basename "${source%.*}").pdf"
if [[ ! -s "$produced" ]]; then
    echo "LibreOffice wrote no PDF for $source:" >&2
    cat "$work/log" >&2
    exit 1
fi
mv "$produced" "$target"
