"""変更履歴: the rows the user reads (pure mapping) and the window on a real database."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QApplication

from aomori_desktop.domain.plan import AuditEntry, FigureStatus, ProjectStatus
from aomori_desktop.ui.history_view import (
    COL_NEW,
    COL_OLD,
    COL_REASON,
    COL_TARGET,
    HEADERS,
    HistoryRow,
    HistoryWindow,
    history_rows,
    revision_summary,
    value_text,
)

JST = timezone(timedelta(hours=9))


def entry(
    entity: str,
    key: str,
    field: str,
    old: str | None,
    new: str | None,
    *,
    action: str = "update",
    reason: str = "",
    minute: int = 0,
) -> AuditEntry:
    return AuditEntry(
        at=datetime(2026, 4, 1, 0, minute, tzinfo=UTC),
        user="青森 太郎",
        action=action,
        entity=entity,
        entity_key=key,
        field=field,
        old=old,
        new=new,
        reason=reason,
    )


# ------------------------------------------------------------ the mapping, without widgets


def test_rows_are_newest_first_in_local_time_with_japanese_targets_and_values() -> None:
    entries = [
        entry("kpi", "K10", "name", None, "主要宿泊施設宿泊客数", action="create", minute=1),
        entry("kpi_year", "K10/2025", "actual", None, "1109980", minute=2),
        entry("kpi_year", "K10/2025", "status", "preliminary", "final", minute=3),
        entry("kpi_target", "K10", "target", "1490000", "1550000", reason="上方修正", minute=4),
        entry(
            "kpi_target", "K10", "target_fiscal_year", "2033", "2035", reason="上方修正", minute=4
        ),
        entry("kpi", "K10", "direction", "increase", "maintain", minute=5),
        entry("kpi", "K10", "cumulative", "false", "true", minute=6),
        entry("kpi", "K10", "baseline_fiscal_year_confirmed", "false", "true", minute=7),
        entry("kpi", "K10", "measures", "4-1", "4-1,4-2", minute=8),
        entry("kpi", "K10", "name", "主要宿泊施設宿泊客数", None, action="delete", minute=9),
    ]

    rows = history_rows(entries, JST)

    assert rows[-1] == HistoryRow(
        "2026-04-01 09:01:00", "青森 太郎", "KPIを作成", "", "主要宿泊施設宿泊客数", "", False
    )
    assert [(r.at[-8:-3], r.target, r.old, r.new) for r in rows] == [
        ("09:09", "KPIを削除", "主要宿泊施設宿泊客数", ""),
        ("09:08", "共創施策", "4-1", "4-1、4-2"),
        ("09:07", "基準年度の確認", "要確認", "確認済み"),
        ("09:06", "累計", "累計でない", "累計"),
        ("09:05", "方向", "増加", "維持"),
        ("09:04", "目標年度", "令和15(2033)年度", "令和17(2035)年度"),
        ("09:04", "目標値", "1,490,000", "1,550,000"),
        ("09:03", "令和7(2025)年度 速報/確定", "速報", "確定"),
        ("09:02", "令和7(2025)年度 実績値", "", "1,109,980"),
        ("09:01", "KPIを作成", "", "主要宿泊施設宿泊客数"),
    ]
    assert [r.revision for r in rows] == [False] * 5 + [True, True] + [False] * 3
    assert rows[6].numeric and not rows[5].numeric
    assert revision_summary(rows) == [
        "2026-04-01 09:04:00　目標年度: 令和15(2033)年度 → 令和17(2035)年度　理由: 上方修正（青森 太郎）",
        "2026-04-01 09:04:00　目標値: 1,490,000 → 1,550,000　理由: 上方修正（青森 太郎）",
    ]


def test_project_fields_and_statuses_read_as_on_screen() -> None:
    rows = history_rows(
        [
            entry("project", "PJ02", "title", "旧名称", "新名称"),
            entry("project", "PJ02", "description", "", "取組の内容"),
            entry("project_year", "PJ02/2024", "status", None, "studying"),
            entry("project_year", "PJ02/2024", "note", "", "勉強会"),
            entry("project", "PJ02", "title", None, "新名称", action="restore"),
        ],
        JST,
    )
    assert [(r.target, r.old, r.new) for r in rows] == [
        ("共創プロジェクトを復元", "", "新名称"),
        ("令和6(2024)年度 メモ", "", "勉強会"),
        ("令和6(2024)年度 状況", "", "検討中"),
        ("取組内容", "", "取組の内容"),
        ("名称", "旧名称", "新名称"),
    ]


def test_values_that_do_not_parse_are_shown_as_stored() -> None:
    assert value_text("kpi_year", "actual", "8.40") == "8.40"
    assert value_text("kpi_year", "actual", "12345678.5") == "12,345,678.5"
    assert value_text("kpi_year", "actual", "不明") == "不明"
    assert value_text("kpi", "name", "2030") == "2030"  # a text field is never a number
    assert value_text("kpi_year", "status", "draft") == "draft"
    assert value_text("kpi", "target_fiscal_year", "来年") == "来年"
    assert value_text("kpi_year", "comment", None) == ""


# ------------------------------------------------------------ the window


def history_windows(window) -> list[HistoryWindow]:
    return [w for w in window.findChildren(HistoryWindow) if w.isVisible()]


def cells(history: HistoryWindow, row: int) -> list[str]:
    return [history.table.item(row, c).text() for c in range(len(HEADERS))]


def test_history_of_a_kpi_shows_edits_and_highlights_the_target_revision(
    make_window, qtbot
) -> None:
    window = make_window()
    document = window.document
    services = document.services
    window.select_key("K01@1-1")
    window.show_history()
    [history] = history_windows(window)
    assert history.windowTitle() == "変更履歴 — K01 青森港を利用する洋上風力発電事業者数(累計)"
    assert history.table.rowCount() == 0
    assert history.count_label.text() == "まだ変更の記録はありません。"

    # edits made after the window opened appear in it (it follows document.changed)
    document.apply(
        "K01 実績値",
        lambda: services.values.record_actual(
            "K01", 2025, Decimal("1"), status=FigureStatus.PRELIMINARY
        ),
    )
    document.apply(
        "K01 目標値の見直し",
        lambda: services.kpi_fields.revise_target("K01", Decimal("1250"), 2033, "洋上風力の案件増"),
    )

    assert history.count_label.text() == "3件の変更（新しい順）"
    newest = cells(history, 0)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", newest[0])  # to the second
    assert newest[2:] == ["目標値", "3", "1,250", "洋上風力の案件増"]
    assert cells(history, 1)[2:5] == ["令和7(2025)年度 速報/確定", "", "速報"]
    assert cells(history, 2)[2:5] == ["令和7(2025)年度 実績値", "", "1"]
    for column in range(len(HEADERS)):
        revision = history.table.item(0, column)
        assert revision.background().color().name() == "#fff3c4"
        assert revision.font().bold()
        plain = history.table.item(1, column)
        assert plain.background().style() == Qt.BrushStyle.NoBrush
        assert not plain.font().bold()
    assert history.table.item(0, COL_NEW).textAlignment() & Qt.AlignmentFlag.AlignRight
    assert history.summary.isVisible()
    assert "目標値: 3 → 1,250　理由: 洋上風力の案件増" in history.summary.text()
    assert history.table.item(0, COL_REASON).toolTip() == "洋上風力の案件増"

    # asking again raises the same window instead of opening a second one
    window.show_history()
    assert history_windows(window) == [history]
    history.close()
    QApplication.processEvents()


def test_history_of_a_project_and_of_a_removed_kpi(make_window) -> None:
    window = make_window()
    document = window.document
    services = document.services
    document.apply(
        "PJ02 状況",
        lambda: services.projects.set_project_year("PJ02", 2024, status=ProjectStatus.STUDYING),
    )
    window.select_key("1-2-3")  # the re-listing: the history is the one project's
    window.show_history()
    [project_history] = history_windows(window)
    assert (
        project_history.heading.text()
        == "共創プロジェクト PJ02　市内事業者・立地企業の脱炭素化の推進"
    )
    assert cells(project_history, 0)[2:5] == ["令和6(2024)年度 状況", "", "検討中"]

    window.select_key("K16@5-3")
    window.show_history()
    [kpi_history] = [w for w in history_windows(window) if w is not project_history]
    document.apply("KPI K16 の削除", lambda: services.kpis.remove_kpi("K16"))
    assert kpi_history.windowTitle().endswith("（削除済み）")
    assert cells(kpi_history, 0)[2] == "KPIを削除"
    assert kpi_history.table.item(0, COL_OLD).text().startswith("青森市が継続的に働ける場")
    assert kpi_history.table.item(0, COL_TARGET).text() == "KPIを削除"
    for w in history_windows(window):
        w.close()
    QApplication.processEvents()


def test_history_needs_a_kpi_or_a_project(make_window, prompts) -> None:
    window = make_window()
    window.select_key("1-2")
    window.show_history()
    assert history_windows(window) == []
    assert prompts.infos == [
        "変更履歴を表示するKPIまたは共創プロジェクトを、左の「戦略の構成」で選んでから、もう一度お試しください。"
    ]


def test_history_windows_close_with_the_document(make_window, db_file) -> None:
    window = make_window()
    window.select_key("K01@1-1")
    window.show_history()
    assert len(history_windows(window)) == 1
    window.open_database(db_file)  # another document replaces this one
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert history_windows(window) == []


def test_undo_and_redo_are_marked_and_told_apart_to_the_second(make_window) -> None:
    """The window's undo stack (元に戻す / やり直し) writes through the services; the history
    says which entries were an undo or a redo, and at what second."""
    window = make_window()
    document = window.document
    services = document.services
    window.select_key("K03@1-3")
    document.apply("K03 実績値", lambda: services.values.record_actual("K03", 2025, Decimal("78")))
    document.undo()
    document.redo()
    window.show_history()
    [history] = history_windows(window)
    rows = [cells(history, r) for r in range(history.table.rowCount())]
    assert [(r[2], r[4], r[5]) for r in rows] == [
        ("令和7(2025)年度 実績値", "78", "やり直し"),
        ("令和7(2025)年度 実績値", "", "元に戻す"),
        ("令和7(2025)年度 実績値", "78", ""),
    ]
    for row in rows:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", row[0])
    assert history.table.item(0, COL_REASON).font().italic()
    assert history.table.item(1, COL_REASON).font().italic()
    assert not history.table.item(2, COL_REASON).font().italic()
    history.close()
    QApplication.processEvents()
