"""Database failures as sentences a city officer can act on (no tracebacks reach users)."""

from __future__ import annotations

from aomori_desktop.domain.errors import UserError


class StoreError(UserError):
    """A database could not be opened, read or written."""


class DatabaseNotFound(StoreError):
    pass


class DatabaseAlreadyExists(StoreError):
    pass


class DatabaseLocked(StoreError):
    pass


class DatabaseReadOnly(StoreError):
    pass


class DatabaseCorrupt(StoreError):
    pass


class NotAnApplicationDatabase(StoreError):
    pass


class SchemaTooNew(StoreError):
    pass


class BackupFailed(StoreError):
    pass


def translate_error(exc: BaseException, location: str) -> StoreError:
    """Map a DB-API/SQLAlchemy error to the sentence the user sees."""
    text = str(exc).lower()
    if "database is locked" in text or "database table is locked" in text or "busy" in text:
        return DatabaseLocked(
            f"データベース「{location}」は他の利用者またはプログラムが使用中のため開けません。"
            "しばらく待ってから、もう一度操作してください。"
        )
    if "readonly" in text or "read-only" in text or "read only" in text:
        return DatabaseReadOnly(
            f"データベース「{location}」は読み取り専用のため保存できません。"
            "ファイルの属性やフォルダーの書き込み権限を確認してください。"
        )
    if "file is not a database" in text or "not a database" in text:
        return NotAnApplicationDatabase(
            f"「{location}」はこのアプリケーションのデータベースではありません"
            "（SQLiteデータベースとして読み取れません）。"
        )
    if "malformed" in text or "corrupt" in text or "disk image" in text:
        return DatabaseCorrupt(
            f"データベース「{location}」が壊れています。バックアップから復元してください。"
        )
    if "unable to open database file" in text:
        return DatabaseNotFound(
            f"データベース「{location}」を開けません。場所とアクセス権を確認してください。"
        )
    if "disk i/o error" in text or "disk is full" in text or "database or disk is full" in text:
        return StoreError(
            f"データベース「{location}」への書き込みに失敗しました（ディスクの空き容量や"
            "ネットワークドライブの接続を確認してください）。"
        )
    return StoreError(f"データベース「{location}」の操作に失敗しました（{exc}）。")
