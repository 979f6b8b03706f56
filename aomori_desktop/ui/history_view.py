"""変更履歴: the audit trail of one KPI or project — when, who, which field, old → new, why —
newest first, with target revisions (目標値の見直し) highlighted and summarised on top.

`history_rows` turns audit entries into display rows without any widget, so the wording is
tested on its own; `HistoryWindow` only lays the rows out and refreshes on `document.changed`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from aomori_desktop.domain.errors import InvalidInput, UserError
from aomori_desktop.domain.fiscal import fy_label
from aomori_desktop.domain.numbers import decimal_from_text, format_decimal
from aomori_desktop.domain.plan import AuditEntry, Direction, FigureStatus, ProjectStatus
from aomori_desktop.services.changes import Changes, Replay
from aomori_desktop.services.dto import NodeKind, TreeNode
from aomori_desktop.ui.document import PlanDocument

HEADERS = ["日時", "利用者", "対象", "変更前", "変更後", "理由"]
COL_AT, COL_USER, COL_TARGET, COL_OLD, COL_NEW, COL_REASON = range(6)
REVISION_BACKGROUND = "#fff3c4"  # the colour of target revisions on the KPI page too

FIELD_LABELS = {
    "actual": "実績値",
    "interim_target": "年度目標",
    "status": "速報/確定",
    "comment": "コメント",
    "target": "目標値",
    "target_fiscal_year": "目標年度",
    "name": "名称",
    "unit": "単位",
    "baseline": "基準値",
    "baseline_fiscal_year": "基準年度",
    "baseline_fiscal_year_confirmed": "基準年度の確認",
    "direction": "方向",
    "cumulative": "累計",
    "data_source": "出典",
    "responsible_section": "担当課",
    "definition": "定義・備考",
    "measures": "共創施策",
    "order": "並び順",
    "title": "名称",
    "description": "取組内容",
    "note": "メモ",
}
PROJECT_YEAR_LABELS = {"status": "状況"}  # a project's yearly status is not 速報/確定
ENTITY_LABELS = {"kpi": "KPI", "project": "共創プロジェクト"}
ACTION_VERBS = {"create": "作成", "delete": "削除", "restore": "復元", "move": "並び替え"}
NUMBER_FIELDS = {"actual", "interim_target", "target", "baseline"}
YEAR_FIELDS = {"target_fiscal_year", "baseline_fiscal_year"}
FLAG_WORDS = {
    "cumulative": {"true": "累計", "false": "累計でない"},
    "baseline_fiscal_year_confirmed": {"true": "確認済み", "false": "要確認"},
}


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One line of the history table, as the user reads it."""

    at: str  # local time to the second, YYYY-MM-DD HH:MM:SS (many edits share a minute)
    user: str
    target: str  # e.g. 令和7(2025)年度 実績値
    old: str
    new: str
    reason: str
    revision: bool  # a change of the KPI's target (目標値の見直し)
    numeric: bool = False  # old/new are numbers (aligned right)
    replay: Replay | None = None  # the change took back (元に戻す) or repeated (やり直し) one


def replay_of(reason: str) -> Replay | None:
    """元に戻す / やり直し, as `services.changes.replayed_reason` writes it into the reason."""
    for kind in Replay:
        if reason == kind.value or reason.startswith(f"{kind.value}: "):
            return kind
    return None


def field_label(entity: str, field: str) -> str:
    if entity == "project_year" and field in PROJECT_YEAR_LABELS:
        return PROJECT_YEAR_LABELS[field]
    return FIELD_LABELS.get(field, field)


def value_text(entity: str, field: str, value: str | None) -> str:
    """A logged value in the words of the screen (速報, 令和15(2033)年度, 1,490,000)."""
    if value is None:
        return ""
    try:
        if field in NUMBER_FIELDS:
            return format_decimal(decimal_from_text(value))
        if field in YEAR_FIELDS:
            return fy_label(int(value))
        if field == "status":
            status = ProjectStatus if entity == "project_year" else FigureStatus
            return status(value).label
        if field == "direction":
            return Direction(value).label
    except (InvalidInput, ValueError):
        return value  # written by an older version, or by hand: show it as it is
    if field in FLAG_WORDS:
        return FLAG_WORDS[field].get(value, value)
    if field == "measures":
        return value.replace(",", "、")
    return value


def target_text(entry: AuditEntry) -> str:
    """What changed: 「令和7(2025)年度 実績値」, 「目標値」, 「KPIを削除」…"""
    label = field_label(entry.entity, entry.field)
    if entry.entity in ("kpi_year", "project_year"):
        _, _, year = entry.entity_key.partition("/")
        if year.isdigit():
            label = f"{fy_label(int(year))} {label}"
    verb = ACTION_VERBS.get(entry.action)
    if verb is None:
        return label
    if entry.entity in ENTITY_LABELS and entry.field in ("name", "title") and verb != "並び替え":
        return f"{ENTITY_LABELS[entry.entity]}を{verb}"
    return f"{label}（{verb}）"


def history_rows(entries: Sequence[AuditEntry], tz: tzinfo | None = None) -> list[HistoryRow]:
    """Display rows, newest first. Times in `tz` (default: the computer's local time)."""
    return [
        HistoryRow(
            at=e.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"),
            user=e.user,
            target=target_text(e),
            old=value_text(e.entity, e.field, e.old),
            new=value_text(e.entity, e.field, e.new),
            reason=e.reason,
            revision=e.entity == "kpi_target",
            numeric=e.field in NUMBER_FIELDS,
            replay=replay_of(e.reason),
        )
        for e in reversed(entries)
    ]


def revision_summary(rows: Sequence[HistoryRow]) -> list[str]:
    """One line per target change, newest first, for the header of the window."""
    return [
        f"{r.at}　{r.target}: {r.old} → {r.new}　理由: {r.reason}（{r.user}）"
        for r in rows
        if r.revision
    ]


def _one_line(text: str) -> str:
    return " ".join(text.split())


class HistoryWindow(QWidget):
    """A non-modal window with the history of one KPI (`entity` "kpi") or project."""

    def __init__(
        self, document: PlanDocument, entity: str, code: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setObjectName(window_name(entity, code))
        self.document = document
        self.entity = entity
        self.code = code
        self.rows: list[HistoryRow] = []
        self._name = ""

        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setStyleSheet(
            f"background: {REVISION_BACKGROUND}; border: 1px solid #e0c060; padding: 6px;"
        )
        self.count_label = QLabel()
        self.count_label.setStyleSheet("color: #555555;")
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for column in (COL_AT, COL_USER, COL_TARGET):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        for column in (COL_OLD, COL_NEW):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(column, 170)
        header.setSectionResizeMode(COL_REASON, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.summary)
        layout.addWidget(self.count_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(1000, 520)

        document.changed.connect(self._on_changes)
        document.destroyed.connect(self.close)  # another database was opened
        self.refresh()

    def _on_changes(self, changes: Changes) -> None:
        mine = changes.kpis if self.entity == "kpi" else changes.projects
        if self.code in mine or changes.structure:
            self.refresh()

    def _current_name(self) -> str | None:
        try:
            if self.entity == "kpi":
                return self.document.reader.kpi_detail(self.code).name
            return self.document.reader.project_detail(self.code).title
        except UserError:
            return None  # removed: its history stays readable

    def refresh(self) -> None:
        name = self._current_name()
        self._name = name or self._name
        what = ENTITY_LABELS[self.entity]
        gone = "（削除済み）" if name is None else ""
        self.setWindowTitle(f"変更履歴 — {self.code} {self._name}{gone}")
        self.heading.setText(f"{what} {self.code}　{self._name}{gone}")
        self.rows = history_rows(self.document.services.queries.history(self.entity, self.code))
        lines = revision_summary(self.rows)
        self.summary.setText(
            f"目標値の見直し {len(lines)}件（黄色の行）:\n" + "\n".join(lines) if lines else ""
        )
        self.summary.setVisible(bool(lines))
        self.count_label.setText(
            f"{len(self.rows)}件の変更（新しい順）" if self.rows else "まだ変更の記録はありません。"
        )
        self.table.setRowCount(len(self.rows))
        bold = QFont(self.table.font())
        bold.setBold(True)
        italic = QFont(self.table.font())
        italic.setItalic(True)
        for r, row in enumerate(self.rows):
            values = (row.at, row.user, row.target, row.old, row.new, row.reason)
            for c, text in enumerate(values):
                item = QTableWidgetItem(_one_line(text))
                item.setToolTip(text)
                if c in (COL_OLD, COL_NEW) and row.numeric:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if row.revision:
                    item.setBackground(QBrush(QColor(REVISION_BACKGROUND)))
                    item.setFont(bold)
                elif row.replay is not None:  # an undo or redo reads apart from an edit
                    item.setFont(italic)
                    item.setForeground(QBrush(QColor("#555555")))
                self.table.setItem(r, c, item)


def window_name(entity: str, code: str) -> str:
    return f"history-{entity}-{code}"


def open_history(
    parent: QWidget, document: PlanDocument, node: TreeNode | None
) -> HistoryWindow | None:
    """Show the history of the selected KPI or project (raising its window if already open)."""
    if node is None or node.kind not in (NodeKind.KPI, NodeKind.PROJECT):
        document.prompts.info(
            parent,
            "変更履歴を表示するKPIまたは共創プロジェクトを、左の「戦略の構成」で選んでから、もう一度お試しください。",
        )
        return None
    entity = "kpi" if node.kind is NodeKind.KPI else "project"
    for window in parent.findChildren(HistoryWindow, window_name(entity, node.ref)):
        if window.document is document and window.isVisible():
            window.refresh()
            window.raise_()
            window.activateWindow()
            return window
    window = HistoryWindow(document, entity, node.ref, parent)
    window.show()
    return window


def _preview(argv: list[str]) -> int:
    """`python -m aomori_desktop.ui.history_view [--png PATH]`: the window on sample edits."""
    import tempfile
    from decimal import Decimal

    from aomori_desktop.services.workspace import create_seeded_database, default_plan_id
    from aomori_desktop.ui.prompts import Prompts
    from aomori_desktop.ui.qt_setup import create_application

    app = create_application(argv[:1])
    folder = tempfile.mkdtemp(prefix="aomori-history-")
    db = create_seeded_database(Path(folder) / "preview.sqlite3")
    document = PlanDocument(db, default_plan_id(db), Prompts(), user="企画課 青森 花子")
    s = document.services
    s.values.record_actual(
        "K10", 2024, Decimal("1150321"), status=FigureStatus.PRELIMINARY, comment="速報値"
    )
    s.values.record_actual("K10", 2024, Decimal("1152876"), status=FigureStatus.FINAL)
    s.values.set_interim_target("K10", 2025, Decimal("1200000"))
    s.kpi_fields.revise_target("K10", Decimal("1550000"), 2033, "新幹線開業効果を踏まえ上方修正")
    s.values.record_actual("K10", 2025, Decimal("1187004"), comment="インバウンドの回復が続いた")
    window = HistoryWindow(document, "kpi", "K10")
    window.resize(1100, 560)
    window.show()
    if "--png" in argv:
        target = Path(argv[argv.index("--png") + 1])
        target.parent.mkdir(parents=True, exist_ok=True)
        app.processEvents()
        ok = window.grab().save(str(target))
        window.close()
        db.close()
        if not ok:
            print(f"{target} に保存できませんでした。", file=sys.stderr)
        return 0 if ok else 1
    code = app.exec()
    db.close()
    return code


if __name__ == "__main__":
    sys.exit(_preview(sys.argv))
