#!/usr/bin/env bash
# CI check of the annual report (issue 11), run by .ci/run: a fresh database with the default
# plan, the report of 令和7(2025)年度 from the command line as PDF and .docx, then
#   - the PDF's text is searchable and its font embedded (pdftotext, pdffonts),
#   - LibreOffice converts the .docx without error, and the result carries the same headings.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
python="${PYTHON:-.venv/bin/python}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export QT_QPA_PLATFORM=offscreen

"$python" -m aomori_desktop init --db "$work/plan.sqlite3" >/dev/null
"$python" -m aomori_desktop report --db "$work/plan.sqlite3" --year 2025 -o "$work/report.pdf"
"$python" -m aomori_desktop report --db "$work/plan.sqlite3" --year R7 -o "$work/report.docx"

fail() {
    echo "check_report: $*" >&2
    exit 1
}
# text of a PDF without any spaces (LibreOffice sets a space between kanji and Latin letters)
text_of() {
    pdftotext "$1" - | tr -d ' \n'
}
text_of "$work/report.pdf" >"$work/pdf.txt"
for needle in "年次進捗報告書" "令和7(2025)年度" "1-1GX関連産業参入・脱炭素経営の推進" "有識者会議の意見"; do
    grep -q -- "$needle" "$work/pdf.txt" || fail "the PDF has no text「$needle」"
done
pdffonts "$work/report.pdf" | grep -E "BIZUDPGothic-Regular +CID TrueType +Identity-H +yes" >/dev/null ||
    fail "the PDF does not embed BIZ UDPGothic"
bash scripts/docx_to_pdf.sh "$work/report.docx" "$work/docx.pdf"
text_of "$work/docx.pdf" >"$work/docx.txt"
for needle in "年次進捗報告書" "1-1GX関連産業参入・脱炭素経営の推進" "5-3ダイバーシティ経営の推進"; do
    grep -q -- "$needle" "$work/docx.txt" || fail "LibreOffice's rendering of the .docx has no「$needle」"
done
echo "annual report: PDF $(pdfinfo "$work/report.pdf" | awk '/^Pages/ {print $2}') pages," \
    ".docx converted by LibreOffice to $(pdfinfo "$work/docx.pdf" | awk '/^Pages/ {print $2}') pages"
