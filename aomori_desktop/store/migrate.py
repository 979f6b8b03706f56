"""Schema migrations with Alembic (scripts under db/migrations, shipped with the bundle).

Alembic is imported only when a database must be created or upgraded: opening a database that
is already current reads `alembic_version` directly and compares it with `SCHEMA_HEAD`
(a test keeps that constant equal to the newest migration).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text
from sqlalchemy.engine import URL

from aomori_desktop.paths import migrations_dir
from aomori_desktop.store.engine import is_sqlite, make_engine
from aomori_desktop.store.errors import SchemaTooNew, StoreError
from aomori_desktop.store.revision import SCHEMA_HEAD as SCHEMA_HEAD

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory


def _config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    return cfg


def _script() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config())


def head_revision() -> str:
    head = _script().get_current_head()
    if head is None:
        raise StoreError("アプリケーションのデータベース定義（マイグレーション）が見つかりません。")
    return head


def known_revisions() -> set[str]:
    return {rev.revision for rev in _script().walk_revisions()}


def current_revision(conn: Connection) -> str | None:
    """The schema revision stored in the database, None for a database without one."""
    if "alembic_version" not in inspect(conn).get_table_names():
        return None
    versions = [row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))]
    return versions[0] if len(versions) == 1 else None


def refuse_if_newer(current: str | None, location: str) -> None:
    if current is None or current == SCHEMA_HEAD:
        return
    if current not in known_revisions():
        raise SchemaTooNew(
            f"データベース「{location}」は、より新しいバージョンのアプリケーションで作成・更新されています"
            f"（データ形式 {current}）。このバージョンでは開けません。ファイルは変更していません。"
            "新しいバージョンのアプリケーションを使用してください。"
        )


def upgrade_to_head(url: URL, *, busy_timeout: float) -> None:
    """Run every pending migration in one transaction, with foreign keys off (batch mode
    copies tables), then verify the foreign keys before committing."""
    from alembic import command
    from alembic.util.exc import CommandError

    engine = make_engine(url, foreign_keys=False, busy_timeout=busy_timeout)
    try:
        with engine.begin() as conn:
            cfg = _config()
            cfg.attributes["connection"] = conn
            try:
                command.upgrade(cfg, "head")
            except CommandError as exc:
                raise StoreError(f"データベースの更新に失敗しました（{exc}）。") from exc
            if is_sqlite(url):
                broken = conn.execute(text("PRAGMA foreign_key_check")).fetchall()
                if broken:
                    raise StoreError(
                        "データベースの更新中に参照の不整合が見つかったため、更新を取り消しました。"
                    )
    finally:
        engine.dispose()
