"""Backups (sqlite3 backup API) and upgrading an older schema with a backup taken first.

A database one revision behind is simulated with a copy of the real migration scripts plus a
test-only revision "next" on top of the newest one (the real upgrade from 0001 to 0002 is tested
in test_upgrade_0002.py).
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from aomori_desktop.exchange.json_format import dump_plan
from aomori_desktop.paths import migrations_dir
from aomori_desktop.services.plan_services import PlanServices
from aomori_desktop.services.workspace import default_plan_id, export_plan
from aomori_desktop.store import migrate
from aomori_desktop.store.database import backup_copy, backup_to, open_database, to_url
from aomori_desktop.store.errors import BackupFailed, StoreError
from tests.store.helpers import assert_japanese_sentence, dump, sha256

HEAD = migrate.SCHEMA_HEAD  # the revision a seeded database has
CLOCK = lambda: datetime(2026, 4, 1, 0, 30, tzinfo=UTC)  # noqa: E731


def _exported_text(path: Path) -> str:
    db = open_database(path)
    try:
        return dump_plan(export_plan(db))
    finally:
        db.close()


def _with_an_actual(path: Path) -> None:
    db = open_database(path)
    try:
        PlanServices(db, default_plan_id(db), user="tester", clock=CLOCK).values.record_actual(
            "K16", 2024, Decimal("8.50")
        )
    finally:
        db.close()


def test_backup_copy_is_a_complete_database_in_the_backups_folder(seeded_copy: Path) -> None:
    _with_an_actual(seeded_copy)
    original = _exported_text(seeded_copy)

    backup = backup_copy(to_url(seeded_copy), suffix="manual", clock=CLOCK)

    assert backup is not None and backup.parent == seeded_copy.parent / "backups"
    stamp = CLOCK().astimezone().strftime("%Y%m%d-%H%M%S")
    assert backup.name == f"plan.{stamp}.manual.sqlite3"
    assert _exported_text(backup) == original  # same plan, same actual "8.50", same audit
    assert dump(backup) == dump(seeded_copy)
    assert sorted(p.name for p in backup.parent.iterdir()) == [backup.name]  # no temporary file


def test_backup_refuses_to_overwrite_an_existing_file(seeded_copy: Path, tmp_path: Path) -> None:
    target = tmp_path / "existing.sqlite3"
    target.write_bytes(b"keep me")
    with pytest.raises(BackupFailed) as info:
        backup_to(seeded_copy, target)
    assert_japanese_sentence(info.value.message)
    assert target.read_bytes() == b"keep me"


def test_backup_of_a_missing_database_fails_and_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "backup.sqlite3"
    with pytest.raises(BackupFailed) as info:
        backup_to(tmp_path / "missing.sqlite3", target)
    assert_japanese_sentence(info.value.message)
    assert "見つからないため、バックアップを作成できません" in info.value.message
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize("folder", ["企画課 #1", "100% 確定?", "a%23b"])
def test_backup_works_in_folders_with_uri_special_characters(
    seeded_template: Path, tmp_path: Path, folder: str
) -> None:
    """Regression: the path was spliced raw into a file: URI, so '#' or '?' cut it short and
    SQLite created an empty file at the cut-off path and "backed up" that."""
    source = tmp_path / folder / "plan.sqlite3"
    source.parent.mkdir()
    shutil.copy(seeded_template, source)

    backup = backup_to(source, source.with_name("backup.sqlite3"))

    assert dump(backup) == dump(source)
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder]  # no stray file
    assert sorted(p.name for p in source.parent.iterdir()) == ["backup.sqlite3", "plan.sqlite3"]


REVISION_NEXT = '''"""test-only revision: a new column on kpi (batch mode copies the table)."""
import sqlalchemy as sa
from alembic import op

revision = "next"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("kpi") as batch_op:
        batch_op.add_column(sa.Column("test_note", sa.Text(), nullable=True))
    {extra}


def downgrade() -> None:
    pass
'''


@pytest.fixture
def newer_scripts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Point the application at a copy of its migrations plus the test revision "next"."""

    def install(extra: str = "") -> None:
        scripts = tmp_path / "migrations"
        shutil.copytree(migrations_dir(), scripts, ignore=shutil.ignore_patterns("__pycache__"))
        (scripts / "versions" / "next_test.py").write_text(
            REVISION_NEXT.format(extra=extra, head=HEAD), encoding="utf-8"
        )
        monkeypatch.setattr(migrate, "migrations_dir", lambda: scripts)
        # the newer application would also carry the newer head constant
        monkeypatch.setattr(migrate, "SCHEMA_HEAD", "next")  # what a release with it ships
        assert migrate.head_revision() == "next"

    return install


def test_older_database_is_backed_up_then_upgraded(seeded_copy: Path, newer_scripts) -> None:
    _with_an_actual(seeded_copy)
    content_before = dump(seeded_copy)
    plan_before = _exported_text(seeded_copy)
    newer_scripts()

    db = open_database(seeded_copy, clock=CLOCK)
    try:
        report = db.report
        assert report.upgraded_from == HEAD
        assert db.schema_revision() == "next"
        with db.engine.connect() as conn:
            columns = [r[1] for r in conn.exec_driver_sql("PRAGMA table_info(kpi)")]
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        assert "test_note" in columns
        assert dump_plan(export_plan(db)) == plan_before  # no data lost in the table copy
    finally:
        db.close()

    backup = report.backup_path
    assert backup is not None and backup.exists()
    assert backup.name.endswith(f".before-upgrade-from-{HEAD}.sqlite3")
    assert dump(backup) == content_before  # the backup is the database as it was
    con = sqlite3.connect(seeded_copy)
    try:
        events = con.execute("SELECT event, detail FROM maintenance_log ORDER BY id").fetchall()
    finally:
        con.close()
    assert events[-1][0] == "upgraded"
    assert f"{HEAD} -> next" in events[-1][1] and str(backup) in events[-1][1]


def test_failed_upgrade_changes_nothing_and_keeps_the_backup(
    seeded_copy: Path, newer_scripts
) -> None:
    _with_an_actual(seeded_copy)
    before = sha256(seeded_copy)
    content_before = dump(seeded_copy)
    newer_scripts(extra='op.execute("UPDATE no_such_table SET x = 1")')

    with pytest.raises(StoreError) as info:
        open_database(seeded_copy, clock=CLOCK)

    assert info.value.message.startswith(f"データベース「{seeded_copy}」")
    assert dump(seeded_copy) == content_before  # the new column was rolled back too
    assert sha256(seeded_copy) == before
    backups = [
        p
        for p in (seeded_copy.parent / "backups").iterdir()
        if f"before-upgrade-from-{HEAD}" in p.name
    ]
    assert len(backups) == 1 and dump(backups[0]) == content_before
