"""ファイル → 書き出し: the plan as an Excel workbook, the KPI figures as CSV, and the collection
workbooks (調査票) for the departments, one per 担当課 in one action.

Each export runs on the database worker (`PlanDocument.run_task`, progress and cancel); a
cancelled or failed export leaves no file. `add_export_actions` puts the entries into the
window's export menu.

Threading: the `work` functions only call services; widgets are touched in the callbacks.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QMenu,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from aomori_desktop.domain.fiscal import fy_label, fy_label_era
from aomori_desktop.exchange.csv_collection import CsvEncoding
from aomori_desktop.services.changes import Applied
from aomori_desktop.services.dto import NodeKind

if TYPE_CHECKING:  # the window's menu is built before SQLAlchemy loads (ui/first_paint.py)
    from aomori_desktop.services.collection import Scope
    from aomori_desktop.services.tasks import TaskState
    from aomori_desktop.ui.document import PlanDocument

XLSX_FILTER = "Excel ブック (*.xlsx)"
CSV_FILTER = "CSV (*.csv)"


def add_export_actions(menu: QMenu, window: Any) -> None:
    """The Excel and CSV entries of ファイル → 書き出し (disabled without an open plan)."""
    has_doc = window.document is not None
    menu.addSeparator()
    for label, action in (
        ("調査票（Excel）を作成(&C)…", lambda: make_collection_forms(window)),
        ("計画全体をExcelで書き出す(&X)…", lambda: export_plan_xlsx(window)),
        ("KPIの値をCSV（UTF-8）で書き出す(&U)…", lambda: export_csv(window, CsvEncoding.UTF8_BOM)),
        ("KPIの値をCSV（Shift_JIS）で書き出す(&S)…", lambda: export_csv(window, CsvEncoding.CP932)),
    ):
        menu.addAction(label, action).setEnabled(has_doc)


def _run(window: Any, label: str, work: Any, done: str) -> None:
    document: PlanDocument = window.document

    def success(applied: Applied[Any]) -> None:
        window.statusBar().showMessage(done, 10000)

    document.run_task(
        label,
        work,
        on_success=success,
        on_failure=lambda exc: window.prompts.error(window, exc.message),
    )


def export_plan_xlsx(window: Any) -> None:
    document: PlanDocument | None = window.document
    if document is None:
        return
    fy = document.fiscal_year
    path = window.prompts.save_path(
        window, "計画全体をExcelで書き出す", f"計画_{fy_label_era(fy)}.xlsx", XLSX_FILTER
    )
    if not path:
        return
    from aomori_desktop.services.collection import export_plan_workbook

    access, target = document.services.access, Path(path)

    def work(state: TaskState) -> Applied[Path]:
        return export_plan_workbook(access, target, fy, state=state)

    _run(
        window,
        "計画全体のExcel書き出し",
        work,
        f"書き出しました（評価年度 {fy_label(fy)}）: {path}",
    )


def export_csv(window: Any, encoding: CsvEncoding) -> None:
    document: PlanDocument | None = window.document
    if document is None:
        return
    name = "UTF-8" if encoding is CsvEncoding.UTF8_BOM else "Shift_JIS"
    path = window.prompts.save_path(
        window, f"KPIの値をCSV（{name}）で書き出す", "KPI実績.csv", CSV_FILTER
    )
    if not path:
        return
    from aomori_desktop.services.collection import export_kpi_csv

    access, target = document.services.access, Path(path)

    def work(state: TaskState) -> Applied[Path]:
        return export_kpi_csv(access, target, encoding=encoding, state=state)

    _run(window, "KPIの値のCSV書き出し", work, f"書き出しました（{name}）: {path}")


class CollectionFormDialog(QDialog):
    """What the 調査票 covers and for which fiscal year."""

    def __init__(
        self,
        document: PlanDocument,
        section_names: list[str],
        parent: QWidget | None = None,
    ) -> None:
        from aomori_desktop.services.collection import NO_SECTION

        super().__init__(parent)
        self.setWindowTitle("調査票（Excel）を作成")
        tree = document.reader.tree()
        self.year = QComboBox()
        for fy in document.fiscal_years:
            self.year.addItem(fy_label(fy), fy)
        self.year.setCurrentIndex(list(document.fiscal_years).index(document.fiscal_year))

        self.per_section = QRadioButton("担当課ごとに1ファイルずつ作る（フォルダーを選びます）")
        self.one_section = QRadioButton("担当課")
        self.one_measure = QRadioButton("共創施策")
        self.one_pillar = QRadioButton("戦略の柱")
        self.whole = QRadioButton("計画全体（1ファイル）")
        self.kinds = QButtonGroup(self)
        for button in (
            self.per_section,
            self.one_section,
            self.one_measure,
            self.one_pillar,
            self.whole,
        ):
            self.kinds.addButton(button)
        self.per_section.setChecked(True)
        self.section = QComboBox()
        for name in section_names:
            self.section.addItem(name or NO_SECTION, name)
        self.measure = QComboBox()
        self.pillar = QComboBox()
        for pillar in tree.children:
            self.pillar.addItem(f"{pillar.code} {pillar.title}", pillar.ref)
            for measure in pillar.children:
                if measure.kind is NodeKind.MEASURE:
                    self.measure.addItem(f"{measure.code} {measure.title}", measure.ref)

        scope = QGroupBox("対象")
        grid = QGridLayout(scope)
        grid.addWidget(self.per_section, 0, 0, 1, 2)
        grid.addWidget(self.one_section, 1, 0)
        grid.addWidget(self.section, 1, 1)
        grid.addWidget(self.one_measure, 2, 0)
        grid.addWidget(self.measure, 2, 1)
        grid.addWidget(self.one_pillar, 3, 0)
        grid.addWidget(self.pillar, 3, 1)
        grid.addWidget(self.whole, 4, 0, 1, 2)
        form = QFormLayout()
        form.addRow("年度", self.year)
        note = QLabel(
            "担当課はKPI・共創プロジェクトの「担当課」欄で決まります。"
            "担当課が未設定のものは「担当課未設定」の調査票になります。"
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("作成…")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("キャンセル")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(scope)
        layout.addWidget(note)
        layout.addWidget(buttons)

    @property
    def fiscal_year(self) -> int:
        return int(self.year.currentData())

    @property
    def scope(self) -> Scope:
        from aomori_desktop.services.collection import Scope, ScopeKind

        if self.one_section.isChecked():
            return Scope(ScopeKind.SECTION, str(self.section.currentData() or ""))
        if self.one_measure.isChecked():
            return Scope(ScopeKind.MEASURE, str(self.measure.currentData()))
        if self.one_pillar.isChecked():
            return Scope(ScopeKind.PILLAR, str(self.pillar.currentData()))
        return Scope()

    @property
    def one_file_per_section(self) -> bool:
        return self.per_section.isChecked()

    def suggested_name(self) -> str:
        era = fy_label_era(self.fiscal_year)
        if self.one_section.isChecked():
            return f"調査票_{era}_{self.section.currentText()}.xlsx"
        if self.one_measure.isChecked():
            return f"調査票_{era}_共創施策{self.measure.currentData()}.xlsx"
        if self.one_pillar.isChecked():
            return f"調査票_{era}_戦略の柱{self.pillar.currentData()}.xlsx"
        return f"調査票_{era}_計画全体.xlsx"


def make_collection_forms(window: Any) -> None:
    document: PlanDocument | None = window.document
    if document is None:
        return
    from aomori_desktop.services.collection import sections, write_collection_workbooks

    dialog = CollectionFormDialog(document, sections(document.services.access), window)
    if not window.prompts.run_dialog(dialog):
        return
    if dialog.one_file_per_section:
        path = window.prompts.directory(window, "調査票を保存するフォルダー", "")
    else:
        path = window.prompts.save_path(
            window, "調査票を保存", dialog.suggested_name(), XLSX_FILTER
        )
    if not path:
        return
    access, target = document.services.access, Path(path)
    fy, scope, per_section = dialog.fiscal_year, dialog.scope, dialog.one_file_per_section

    def work(state: TaskState) -> Applied[list[Path]]:
        return write_collection_workbooks(
            access, fy, scope, target, per_section=per_section, state=state
        )

    def success(applied: Applied[list[Path]]) -> None:
        made = applied.value or []
        window.statusBar().showMessage(
            f"{fy_label(fy)}の調査票を {len(made)}件作成しました: {path}", 10000
        )

    document.run_task(
        "調査票の作成",
        work,
        on_success=success,
        on_failure=lambda exc: window.prompts.error(window, exc.message),
    )
