"""Database failures as sentences a city officer can act on (no tracebacks reach users)."""

from __future__ import annotations

from decimal import Decimal

from aomori_desktop.domain.errors import Interrupted, InvalidInput, UserError
from aomori_desktop.domain.numbers import decimal_from_text


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


def stored_decimal(value: object) -> Decimal:
    """A number stored as its canonical text ("8.40") read back; `DatabaseCorrupt` if it is
    not one (written by another program). The column type and the plain-SQL reads share it."""
    try:
        return decimal_from_text(str(value))
    except InvalidInput as exc:
        raise DatabaseCorrupt(
            f"データベースに数値として読み取れない値「{str(value)[:40]}」が記録されています。"
            "他のプログラムで書き換えられた可能性があります。バックアップから復元してください。"
        ) from exc


class NotAnApplicationDatabase(StoreError):
    pass


class SchemaTooNew(StoreError):
    pass


class BackupFailed(StoreError):
    pass


class DiskFull(StoreError):
    """SQLite could not grow the file (SQLITE_FULL): nothing of the change was stored."""


class DatabaseGone(StoreError):
    """The file was deleted, moved or replaced, or its drive disconnected, while open."""


def disk_full_message(location: str) -> str:
    return (
        f"ディスクの空き容量が足りないため、データベース「{location}」に保存できませんでした。"
        "この操作の内容は保存されていません（それまでに保存した内容はそのままです）。"
        "不要なファイルを削除して空き容量を増やしてから、もう一度操作してください。"
    )


def unreachable_message(location: str) -> str:
    return (
        f"データベース「{location}」を読み書きできませんでした（ネットワークドライブの接続が切れたか、"
        "ファイルが移動・削除された可能性があります）。この操作の内容は保存されていません。"
        "接続を確認してから、「ファイル」→「開く」で開き直してください。"
    )


class ServerUnreachable(StoreError, Interrupted):
    """The PostgreSQL server cannot be reached (down, wrong host or port, network)."""


class ConnectionLost(StoreError, Interrupted):
    """The connection to the server broke during an operation."""


class NeedsPassword(StoreError):
    """The server wants a password: none was given, or the one given was refused. `server`
    names it as the keyring does (user@host:port/dbname); the caller asks and tries again."""

    def __init__(self, message: str, server: str) -> None:
        super().__init__(message)
        self.server = server


class PasswordRequired(NeedsPassword):
    pass


class WrongPassword(NeedsPassword):
    pass


class StatementTimeout(StoreError, Interrupted):
    pass


class ServerTooOld(StoreError):
    pass


class PermissionDenied(StoreError):
    pass


# PostgreSQL error classes (SQLSTATE) by what the user can do about them
_PG_LOCKED = {"55P03", "40P01", "40001"}  # lock timeout, deadlock, serialization failure
_PG_LOST_PHRASES = (
    "terminating connection",
    "server closed the connection",
    "connection is closed",
    "consuming input failed",
    "connection reset",
    "connection is lost",
    "the connection is lost",
    "ssl connection has been closed",
    "could not receive data",
    "could not send data",
    "connection already closed",
)
_PG_UNREACHABLE_PHRASES = (
    "connection refused",
    "could not connect",
    "timeout expired",
    "could not translate host name",
    "name or service not known",
    "no route to host",
    "network is unreachable",
    "temporary failure in name resolution",
    "no such file or directory",  # a socket folder without a server
    "the database system is starting up",
    "the database system is shutting down",
)


def refuse_old_server(major: int | None, location: str, minimum: int) -> None:
    """A PostgreSQL server older than `minimum` is refused before anything is read or written."""
    if major is not None and major < minimum:
        raise ServerTooOld(
            f"データベースサーバー「{location}」は PostgreSQL {major} です。"
            f"このアプリケーションには PostgreSQL {minimum} 以降が必要です。"
            "サーバー管理者に更新を依頼してください（何も変更していません）。"
        )


def _postgres_error(exc: BaseException, location: str, *, committing: bool) -> StoreError | None:
    """The sentence for a failure reported by the PostgreSQL driver, None for other errors."""
    orig = getattr(exc, "orig", None) or exc
    if not type(orig).__module__.startswith("psycopg"):
        return None
    sqlstate = getattr(orig, "sqlstate", None) or ""
    text = str(orig).lower()
    server = f"データベースサーバー「{location}」"
    lost = bool(getattr(exc, "connection_invalidated", False)) or sqlstate.startswith("08")
    if "password authentication failed" in text or sqlstate == "28P01":
        return WrongPassword(
            f"{server}に接続できません。利用者名またはパスワードが違います。"
            "もう一度入力してください。",
            location,
        )
    if "no password supplied" in text:
        return PasswordRequired(f"{server}に接続するにはパスワードが必要です。", location)
    if sqlstate == "28000" or ("role" in text and "does not exist" in text):
        return PermissionDenied(
            f"{server}に接続できません。この利用者名は登録されていないか、接続が許可されていません。"
            "サーバー管理者に確認してください。"
        )
    if sqlstate == "3D000" or ("database" in text and "does not exist" in text):
        return DatabaseNotFound(
            f"{server}にデータベース「{location.rsplit('/', 1)[-1]}」がありません。"
            "接続先のデータベース名を確認するか、サーバー管理者に作成を依頼してください。"
        )
    if sqlstate == "57014" and "statement timeout" in text:
        return StatementTimeout(
            f"{server}の処理が時間内に終わらなかったため中止しました（何も保存していません）。"
            "しばらく待ってから、もう一度操作してください。"
        )
    if sqlstate in _PG_LOCKED:
        return DatabaseLocked(
            f"{server}の同じデータを他の利用者が変更中です。"
            "しばらく待ってから、もう一度操作してください。"
        )
    if sqlstate == "42501":
        return PermissionDenied(
            f"{server}のデータを変更する権限がありません。サーバー管理者に確認してください。"
        )
    if sqlstate == "25006":
        return DatabaseReadOnly(f"{server}は読み取り専用のため保存できません。")
    if lost or any(phrase in text for phrase in _PG_LOST_PHRASES):
        if committing:
            return ConnectionLost(
                f"{server}との接続が保存の途中で切れました。保存されたかどうかは、"
                "再接続した後の画面で確認してください（半分だけ保存されることはありません）。"
            )
        return ConnectionLost(
            f"{server}との接続が切れたため、この操作は保存していません。"
            "ネットワークを確認して、もう一度操作してください（再接続は自動で行います）。"
        )
    if any(phrase in text for phrase in _PG_UNREACHABLE_PHRASES):
        return ServerUnreachable(
            f"{server}に接続できません。サーバーが起動しているか、ネットワークに接続しているか、"
            "接続先（ホスト名・ポート番号）が正しいかを確認してください。"
        )
    return None


def translate_error(exc: BaseException, location: str, *, committing: bool = False) -> StoreError:
    """Map a DB-API/SQLAlchemy error to the sentence the user sees. `committing`: the error
    came from the COMMIT itself (a connection lost then leaves the outcome to be checked)."""
    server = _postgres_error(exc, location, committing=committing)
    if server is not None:
        return server
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
    if "disk is full" in text or "database or disk is full" in text:
        return DiskFull(disk_full_message(location))
    if "disk i/o error" in text:
        return DatabaseGone(unreachable_message(location))
    return StoreError(f"データベース「{location}」の操作に失敗しました（{_reason(exc)}）。")


def _reason(exc: BaseException) -> str:
    """The database's own words for an unforeseen failure, on one line: the driver's first
    line, without the SQL, its parameters and SQLAlchemy's notes (which SQLAlchemy's text
    carries, over many lines, and the server's CONTEXT lines)."""
    original = getattr(exc, "orig", None) or exc
    lines = str(original).strip().splitlines()
    return lines[0][:200] if lines else type(original).__name__
