"""The project page (and its partners dialog). The overview page is ui/overview_page.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from aomori_desktop.domain.errors import Interrupted, UserError
from aomori_desktop.domain.fiscal import fy_label
from aomori_desktop.domain.plan import Partner, ProjectStatus, Sector
from aomori_desktop.services.changes import Changes
from aomori_desktop.services.dto import (
    ProjectDetail,
    TreeKey,
)
from aomori_desktop.services.projects import ProjectFieldsEdit
from aomori_desktop.services.tasks import Cancelled
from aomori_desktop.services.transaction import UNSET
from aomori_desktop.services.watch import OthersChanged
from aomori_desktop.ui.conflict_dialog import KeptTheirs
from aomori_desktop.ui.document import PlanDocument
from aomori_desktop.ui.message_line import ERROR_STYLE, MessageLine, heading_text
from aomori_desktop.ui.typing_guard import TypingGuard
from aomori_desktop.ui.year_table import INVALID_BACKGROUND

if TYPE_CHECKING:
    pass

PROJECT_STATUSES: list[ProjectStatus | None] = [None, *ProjectStatus]


SECTOR_LABELS = {
    Sector.INDUSTRY: "産（企業・団体）",
    Sector.ACADEMIA: "学（大学・研究機関）",
    Sector.FINANCE: "金（金融機関）",
    Sector.GOVERNMENT: "官（行政・公的機関）",
}


class PartnersDialog(QDialog):
    """Edit a project's co-creation partners (産学金官): one row per partner."""

    def __init__(self, partners: list[Partner], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("連携先（産学金官）の編集")
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["区分", "名称"])
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        for partner in partners:
            self.add_row(partner.sector, partner.name)
        add = QPushButton("追加")
        add.clicked.connect(lambda: self.add_row(Sector.INDUSTRY, ""))
        remove = QPushButton("選択した行を削除")
        remove.clicked.connect(self._remove_selected)
        self.message = MessageLine()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._try_accept)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.result_partners: list[Partner] | None = None
        self.resize(560, 360)

    def add_row(self, sector: Sector, name: str) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        combo = QComboBox()
        for value, label in SECTOR_LABELS.items():
            combo.addItem(label, value.value)
        combo.setCurrentIndex(list(SECTOR_LABELS).index(sector))
        self.table.setCellWidget(row, 0, combo)
        self.table.setItem(row, 1, QTableWidgetItem(name))
        self.table.resizeColumnToContents(0)

    def partners(self) -> list[Partner]:
        result = []
        for row in range(self.table.rowCount()):
            combo = self.table.cellWidget(row, 0)
            assert isinstance(combo, QComboBox)
            item = self.table.item(row, 1)
            result.append(Partner(Sector(combo.currentData()), item.text() if item else ""))
        return result

    def _remove_selected(self) -> None:
        for row in sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True):
            self.table.removeRow(row)

    def _try_accept(self) -> None:
        partners = self.partners()
        empty = [str(i) for i, p in enumerate(partners, start=1) if not p.name.strip()]
        if empty:
            self.message.show_error(
                f"{'、'.join(empty)}行目の名称を入力してください（不要な行は削除してください）。"
            )
            return
        self.result_partners = partners
        self.accept()


class ProjectPage(QWidget):
    """A project: title, description, section, partners (産学金官), where it is listed, and its
    yearly status and note. A re-listed project is the same project wherever it is shown."""

    navigate = Signal(object)  # the TreeKey to select

    def __init__(self, document: PlanDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.detail: ProjectDetail | None = None
        self.placement_key: TreeKey | None = None
        self._loading = False
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.relisting_label = QLabel()
        self.relisting_label.setWordWrap(True)
        self.home_button = QPushButton("掲載元へ移動")
        self.home_button.clicked.connect(self._go_home)
        self.title_edit = QLineEdit()
        self.description_edit = QPlainTextEdit()
        self.description_edit.setMaximumHeight(90)
        self.section_edit = QLineEdit()
        self.partners_label = QLabel()
        self.partners_label.setWordWrap(True)
        self.partners_button = QPushButton("連携先を編集…")
        self.partners_button.clicked.connect(self._edit_partners)
        partners_row = QHBoxLayout()
        partners_row.addWidget(self.partners_label, 1)
        partners_row.addWidget(self.partners_button)
        self.message = MessageLine()
        relisting_row = QHBoxLayout()
        relisting_row.addWidget(self.relisting_label, 1)
        relisting_row.addWidget(self.home_button)
        form = QFormLayout()
        form.addRow("名称", self.title_edit)
        form.addRow("取組内容", self.description_edit)
        form.addRow("担当課", self.section_edit)
        form.addRow("連携先（産学金官）", partners_row)
        box = QGroupBox("共創プロジェクト")
        box_layout = QVBoxLayout(box)
        box_layout.addLayout(form)
        box_layout.addWidget(self.message)
        self.years = QTableWidget(0, 2)
        self.years.setHorizontalHeaderLabels(["状況", "メモ"])
        self.years.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.years.itemChanged.connect(self._note_changed)
        years_box = QGroupBox("年度別の状況")
        QVBoxLayout(years_box).addWidget(self.years)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(relisting_row)
        layout.addWidget(box)
        layout.addWidget(years_box, 1)
        self.title_edit.editingFinished.connect(
            lambda: self._commit("title", self.title_edit.text(), "名称")
        )
        self.section_edit.editingFinished.connect(
            lambda: self._commit("responsible_section", self.section_edit.text(), "担当課")
        )
        self.description_edit.installEventFilter(self)
        self.typing_guard = TypingGuard(  # others' writes wait while the user types here
            [self.years], [self.title_edit, self.description_edit, self.section_edit], self
        )
        document.changed.connect(self._on_changes)

    def show_project(self, code: str, placement_key: TreeKey) -> None:
        self.placement_key = placement_key
        self.message.clear_message()
        if self.detail is None or self.detail.code != code:
            self.title_edit.setProperty("invalid", False)  # never carried to another project
            self.title_edit.setStyleSheet("")
        self._load(self.document.reader.project_detail(code))

    def _load(self, detail: ProjectDetail) -> None:
        self._loading = True
        try:
            self.detail = detail
            here = next((p for p in detail.placements if p.key == self.placement_key), detail.home)
            number = f"{here.key}" if here else ""
            self.heading.setText(heading_text(f"{number}　{detail.title}"))
            self.heading.setToolTip(f"{number}　{detail.title}")
            listing = "、".join(
                f"{p.key}（{p.measure_code} {p.measure_title}）"
                + ("〔再掲〕" if p.relisting else "〔掲載元〕")
                for p in detail.placements
            )
            is_relisting = here is not None and here.relisting
            prefix = (
                "このページは再掲です。内容は掲載元と共通です（どちらで編集しても同じプロジェクトが変わります）。"
                if is_relisting
                else ""
            )
            self.relisting_label.setText(f"{prefix}掲載先: {listing}")
            self.home_button.setVisible(is_relisting)
            if self.title_edit.property("invalid") is not True:
                self.title_edit.setText(detail.title)
            self.description_edit.setPlainText(detail.description)
            self.section_edit.setText(detail.responsible_section)
            self.partners_label.setText(
                "、".join(f"{Sector(s).label}: {n}" for s, n in detail.partners) or "（未登録）"
            )
            self._fill_years(detail)
        finally:
            self._loading = False

    def _fill_years(self, detail: ProjectDetail) -> None:
        stored = {y.fiscal_year: y for y in detail.years}
        years = list(self.document.fiscal_years)
        self.years.blockSignals(True)
        self.years.setRowCount(len(years))
        self.years.setVerticalHeaderLabels([fy_label(fy) for fy in years])
        for row, fy in enumerate(years):
            y = stored.get(fy)
            combo = QComboBox()
            for status in PROJECT_STATUSES:
                combo.addItem(status.label if status else "未設定", status.value if status else "")
            combo.setCurrentIndex(PROJECT_STATUSES.index(y.status if y else None))
            combo.activated.connect(lambda i, fy=fy: self._status_changed(fy, i))
            self.years.setCellWidget(row, 0, combo)
            self.years.setItem(row, 1, QTableWidgetItem(y.note if y else ""))
        self.years.resizeColumnToContents(0)
        self.years.blockSignals(False)

    def _on_changes(self, changes: Changes, initiator: object = None) -> None:
        if self.detail is not None and self.detail.code in changes.projects:
            if isinstance(initiator, OthersChanged) and self.typing_guard.hold(
                changes, self._on_changes
            ):
                return  # shown once the user is done typing
            try:
                self._load(self.document.reader.project_detail(self.detail.code))
            except UserError:
                self.detail = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.description_edit and event.type() == QEvent.Type.FocusOut:
            self._commit("description", self.description_edit.toPlainText(), "取組内容")
        return super().eventFilter(watched, event)

    def _commit(self, field: str, text: str, label: str) -> None:
        detail = self.detail
        if self._loading or detail is None or getattr(detail, field) == text.strip():
            return
        code = detail.code
        new = ProjectFieldsEdit(**{field: text})
        shown = ProjectFieldsEdit(**{field: getattr(detail, field)})
        try:  # expecting what the page shows: a change by another user is asked about
            self.document.apply_project_fields(f"{code} {label}の変更", code, shown, new)
        except KeptTheirs as kept:  # the page shows their text again
            self.message.show_info(kept.message)
            return
        except (Cancelled, Interrupted) as exc:  # the page shows what is stored; keep the text
            self.message.show_error(f"{exc.message}\n保存していない入力（{label}）: {text.strip()}")
            return
        except UserError as exc:
            self.message.show_error(exc.message)  # names the project and the field
            if field == "title":
                self.title_edit.setProperty("invalid", True)
                self.title_edit.setStyleSheet(ERROR_STYLE)
            return
        self.title_edit.setProperty("invalid", False)
        self.title_edit.setStyleSheet("")
        self.message.clear_message()

    def _status_changed(self, fiscal_year: int, index: int) -> None:
        detail = self.detail
        if detail is None:
            return
        new = PROJECT_STATUSES[index]
        old = next((y.status for y in detail.years if y.fiscal_year == fiscal_year), None)
        if new == old:
            return
        code = detail.code
        try:
            self.document.apply_project_year(
                f"{code} {fy_label(fiscal_year)}の状況",
                code,
                fiscal_year,
                (old, UNSET),
                (new, UNSET),
            )
        except KeptTheirs as kept:
            self.message.show_info(kept.message)
        except UserError as exc:
            self.message.show_error(exc.message)
            self._load(detail)  # the combo shows what is stored, not what failed

    def _note_changed(self, item: QTableWidgetItem) -> None:
        detail = self.detail
        if self._loading or detail is None or item.column() != 1:
            return
        fiscal_year = list(self.document.fiscal_years)[item.row()]
        old = next((y.note for y in detail.years if y.fiscal_year == fiscal_year), "")
        new = item.text()
        if new == old:
            return
        code = detail.code
        try:
            self.document.apply_project_year(
                f"{code} {fy_label(fiscal_year)}のメモ",
                code,
                fiscal_year,
                (UNSET, old),
                (UNSET, new),
            )
        except KeptTheirs as kept:  # the page shows their note again
            self.message.show_info(kept.message)
        except UserError as exc:
            # the typed note stays in the cell, marked, so it can be stored again
            self.years.blockSignals(True)
            item.setBackground(QColor(INVALID_BACKGROUND))
            item.setToolTip(f"保存されていません: {exc.message}")
            self.years.blockSignals(False)
            self.message.show_error(
                f"{fy_label(fiscal_year)}のメモは保存されていません。{exc.message}"
            )

    def _edit_partners(self) -> None:
        detail = self.detail
        if detail is None:
            return
        old = [Partner(Sector(s), n) for s, n in detail.partners]
        dialog = PartnersDialog(old, self)
        if not self.document.prompts.run_dialog(dialog) or dialog.result_partners is None:
            return
        new = dialog.result_partners
        code, projects = detail.code, self.document.services.projects
        try:
            self.document.apply(
                f"{code} 連携先の変更",
                lambda: projects.set_partners(code, new, expected=old),
                touches=Changes(projects=frozenset({code})),  # the page shows what is stored
            )
        except UserError as exc:
            self.message.show_error(exc.message)

    def _go_home(self) -> None:
        if self.detail and self.detail.home:
            self.navigate.emit(self.detail.home.key)
