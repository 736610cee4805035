"""The session log in SQLite (sqlite-utils 4): nothing lost, resumable, mergeable.

:class:`SqliteLog` implements :class:`dkdl.sessionlog.PracticeLog` with the semantics of
:class:`dkdl.sessionlog.MemoryLog`; every write is committed before the method returns, so a
killed app loses no answer already given.

Opening a file (:func:`open_log`) first inspects it through a read-only connection
(``file:...?mode=ro``) and refuses, with a Dutch :class:`StoreError` that names the file and says
what to do, anything that is not a dkdl log of a schema this version knows: not SQLite, corrupt,
another program's database, a newer schema. Only then is anything written (WAL mode, pending
migrations), so a refused file stays byte-for-byte as it was. Later write failures (disk full,
read-only location, locked) become a :class:`StoreError` too; the transaction is rolled back.

Write transactions start with ``BEGIN IMMEDIATE``: in WAL mode a deferred transaction that reads
and then writes can fail at once with "database is locked" when another process wrote in between;
taking the write lock up front lets the busy timeout do its work instead.

Schema: ``docs/schema.md``. No table holds client-identifying data.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir
from sqlite_utils import Database, Migrations

from dkdl.cases import Case
from dkdl.errors import UserError
from dkdl.questionnaire import Questionnaire
from dkdl.scoring import Result
from dkdl.sessionlog import (
    AFGEBROKEN,
    AFGEROND,
    BEZIG,
    MODES,
    AnswerRecord,
    SessionInfo,
    check_pseudonym,
    now,
)

DB_ENV = "DKDL_DB"
BUSY_TIMEOUT_S = 10.0
SQLITE_HEADER = b"SQLite format 3\x00"
MIGRATION_SET = "dkdl"
OUR_TABLES = frozenset({"nurses", "sessions", "answers"})
ITEM_SEP = ","

# SQLite primary result codes (sqlite3.Error.sqlite_errorcode & 0xFF)
_SQLITE_PERM, _SQLITE_BUSY, _SQLITE_LOCKED = 3, 5, 6
_SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_CORRUPT = 8, 10, 11
_SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 13, 14, 26


class StoreError(UserError):
    """A log file that cannot be used or written: a Dutch message naming the file and what to do.

    The CLI prints the message and exits with status 2; the app shows it. ``path`` is the file;
    ``kind`` says what went wrong, for code that reacts differently (e.g. retry when ``busy``):
    ``missing``, ``not_sqlite``, ``corrupt``, ``not_ours``, ``newer``, ``read_only``, ``full``,
    ``busy``, ``io`` or ``other``.
    """

    def __init__(self, message: str, path: Path | None = None, kind: str = "other"):
        super().__init__(message)
        self.path = path
        self.kind = kind


# -- where the log lives -----------------------------------------------------------------------


def default_db_path() -> Path:
    """The log in the user data directory (per OS, via platformdirs): ``.../dkdl/dkdl.db``."""
    return Path(user_data_dir("dkdl", appauthor=False)) / "dkdl.db"


def resolve_db_path(cli_value: str | None) -> Path:
    """The log file to use: ``--db`` beats ``DKDL_DB`` beats :func:`default_db_path`."""
    if cli_value:
        return Path(cli_value).expanduser()
    env = os.environ.get(DB_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    return default_db_path()


# -- schema, as named migrations ---------------------------------------------------------------

migrations = Migrations(MIGRATION_SET)


@migrations()
def m001_nurses_sessions_answers(db: Database) -> None:
    """The three tables. Integer keys inside the file keep it small; ``sessions.uuid`` is the
    identity that travels between laptops."""
    db.execute(
        """
        CREATE TABLE nurses (
            id INTEGER PRIMARY KEY,
            pseudonym TEXT NOT NULL UNIQUE CHECK (length(trim(pseudonym)) BETWEEN 1 AND 80),
            last_used INTEGER
        )"""
    )
    db.execute(
        """
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE CHECK (length(uuid) = 36),
            nurse INTEGER NOT NULL REFERENCES nurses(id),
            mode TEXT NOT NULL CHECK (mode IN ('oefenen', 'vrij', 'toets')),
            case_id TEXT,
            case_hash TEXT,
            questionnaire_id TEXT NOT NULL,
            questionnaire_version TEXT NOT NULL,
            questionnaire_hash TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL DEFAULT 'bezig'
                CHECK (status IN ('bezig', 'afgerond', 'afgebroken')),
            profile TEXT,
            key_profile TEXT,
            match INTEGER CHECK (match IN (0, 1)),
            test_id TEXT
        )"""
    )
    db.execute(
        """
        CREATE TABLE answers (
            session INTEGER NOT NULL REFERENCES sessions(id),
            question TEXT NOT NULL,
            option INTEGER NOT NULL CHECK (option >= 1),
            items TEXT,
            answered_at TEXT NOT NULL,
            seconds REAL NOT NULL DEFAULT 0 CHECK (seconds >= 0),
            changes INTEGER NOT NULL DEFAULT 0 CHECK (changes >= 0),
            PRIMARY KEY (session, question)
        ) WITHOUT ROWID"""
    )


@migrations()
def m002_review_indexes(db: Database) -> None:
    """Indexes for the trainer's views: sessions by time and by nurse."""
    db.execute("CREATE INDEX sessions_started ON sessions (started_at)")
    db.execute("CREATE INDEX sessions_nurse ON sessions (nurse, started_at)")


KNOWN_MIGRATIONS = tuple(m.name for m in migrations._migrations)


# -- the portable shape of a log: what export, import and demo data pass around ----------------

SESSION_FIELDS = (
    "session_id",
    "nurse",
    "mode",
    "case_id",
    "case_hash",
    "questionnaire_id",
    "questionnaire_version",
    "questionnaire_hash",
    "started_at",
    "finished_at",
    "status",
    "profile",
    "key_profile",
    "match",
    "test_id",
)
ANSWER_FIELDS = ("question", "option", "items", "answered_at", "seconds", "changes")

_SESSION_COLUMNS = (
    "mode, case_id, case_hash, questionnaire_id, questionnaire_version, questionnaire_hash, "
    "started_at, finished_at, status, profile, key_profile, match, test_id"
)


@dataclass
class LogBundle:
    """Sessions and answers as plain tuples, keyed by session UUID and nurse pseudonym.

    ``sessions``: tuples in :data:`SESSION_FIELDS` order (``match`` as 0/1/None);
    ``answers``: ``(session_id, *ANSWER_FIELDS)`` with ``items`` as stored (comma-joined or None).
    """

    sessions: list[tuple] = field(default_factory=list)
    answers: list[tuple] = field(default_factory=list)


@dataclass
class MergeReport:
    """What :meth:`SqliteLog.merge` did."""

    added: int = 0
    updated: int = 0
    present: int = 0
    answers_added: int = 0
    nurses_added: int = 0


# -- inspecting a file without writing to it ---------------------------------------------------


@dataclass(frozen=True)
class FileCheck:
    """What :func:`check_file` found: an empty file (or none) to initialise, or our log with
    ``applied`` migrations of which ``pending`` are still to run."""

    path: Path
    exists: bool
    applied: tuple[str, ...] = ()

    @property
    def pending(self) -> tuple[str, ...]:
        return tuple(m for m in KNOWN_MIGRATIONS if m not in self.applied)


def _ro_uri(path: Path, *, immutable: bool = False) -> str:
    """A read-only SQLite URI for ``path`` (percent-encoded, so any file name works)."""
    return path.resolve().as_uri() + ("?immutable=1" if immutable else "?mode=ro")


def _connect_ro(path: Path, *, check_same_thread: bool = True) -> sqlite3.Connection:
    """A read-only connection. A WAL file in a read-only folder without its ``-shm`` cannot be
    opened with ``mode=ro``; then the file is read as immutable (it cannot change under us)."""
    for immutable in (False, True):
        conn = sqlite3.connect(
            _ro_uri(path, immutable=immutable),
            uri=True,
            timeout=BUSY_TIMEOUT_S,
            check_same_thread=check_same_thread,
        )
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError as exc:
            conn.close()
            if immutable or _code(exc) not in (_SQLITE_CANTOPEN, _SQLITE_READONLY):
                raise
            wal = path.with_name(path.name + "-wal")
            if wal.exists() and wal.stat().st_size > 0:
                # immutable would ignore the -wal file, and with it the latest sessions
                raise StoreError(
                    f"{path}: staat in een map waarin niet geschreven mag worden, met nog niet "
                    f"verwerkte wijzigingen in {wal.name}. Kopieer {path.name} en {wal.name} "
                    "samen naar een map waarin je mag schrijven en probeer het opnieuw.",
                    path,
                    "read_only",
                ) from None
    raise AssertionError("unreachable")


def check_file(path: Path) -> FileCheck:
    """Inspect ``path`` read-only; raise :class:`StoreError` unless it is missing, empty, or a
    dkdl log whose applied migrations this version knows. Never writes to the file."""
    if path.is_dir():
        raise StoreError(
            f"{path}: is een map, geen logbestand. Geef met --db een bestandsnaam, "
            "bijvoorbeeld dkdl.db.",
            path,
        )
    if not path.exists():
        return FileCheck(path, exists=False)
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise StoreError(
            f"{path}: kan het logbestand niet lezen ({exc.strerror or exc}). "
            "Controleer de rechten op het bestand of kies een ander bestand met --db.",
            path,
        ) from None
    if not header:
        return FileCheck(path, exists=True)
    if header != SQLITE_HEADER:
        raise StoreError(
            f"{path}: dit is geen dkdl-logbestand (geen SQLite-database). Het bestand is niet "
            "gewijzigd. Controleer het pad of kies met --db een ander bestand.",
            path,
            "not_sqlite",
        )
    try:
        conn = _connect_ro(path)
    except sqlite3.Error as exc:
        raise _translate(exc, path, "het openen") from None
    try:
        problems = [row[0] for row in conn.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise _corrupt(path, problems[0] if problems else "controle mislukt")
        tables = {
            row[0]
            for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not row[0].startswith("sqlite_")
        }
        applied: list[str] = []
        others = False
        if Migrations.migrations_table in tables:
            for set_name, name in conn.execute(
                f"SELECT migration_set, name FROM {Migrations.migrations_table} ORDER BY rowid"
            ):
                if set_name == MIGRATION_SET:
                    applied.append(name)
                else:
                    others = True
    except sqlite3.Error as exc:
        if _code(exc) in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
            raise _corrupt(path, str(exc)) from None
        raise _translate(exc, path, "het openen") from None
    finally:
        conn.close()
    user_tables = tables - {Migrations.migrations_table}
    if not applied:
        if user_tables or others:
            raise _not_ours(path)
        return FileCheck(path, exists=True)
    unknown = [name for name in applied if name not in KNOWN_MIGRATIONS]
    if unknown:
        raise StoreError(
            f"{path}: dit logbestand is gemaakt met een nieuwere versie van dkdl (onbekende "
            f"schemawijziging: {', '.join(unknown)}). Het bestand is niet gewijzigd. Werk dkdl "
            "bij om dit bestand te gebruiken.",
            path,
            "newer",
        )
    if KNOWN_MIGRATIONS[0] in applied and not tables >= OUR_TABLES:
        raise _corrupt(path, "tabellen ontbreken: " + ", ".join(sorted(OUR_TABLES - tables)))
    return FileCheck(path, exists=True, applied=tuple(applied))


def _not_ours(path: Path) -> StoreError:
    return StoreError(
        f"{path}: dit is een SQLite-database van een ander programma, geen dkdl-logbestand. "
        "Het bestand is niet gewijzigd. Kies met --db een ander bestand (of een nieuwe naam).",
        path,
        "not_ours",
    )


def _corrupt(path: Path, detail: str) -> StoreError:
    return StoreError(
        f"{path}: het logbestand is beschadigd ({detail}). Het bestand is niet gewijzigd. "
        "Zet een reservekopie terug, of bewaar dit bestand voor de beheerder en kies met --db "
        "een ander bestand.",
        path,
        "corrupt",
    )


def _code(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def _translate(exc: sqlite3.Error, path: Path, what: str) -> StoreError:
    """A Dutch :class:`StoreError` for a SQLite failure while doing ``what`` on ``path``."""
    code = _code(exc)
    if code == _SQLITE_FULL:
        return StoreError(
            f"{path}: de schijf is vol; {what} is niet opgeslagen. Maak ruimte vrij (of kies met "
            "--db een bestand op een andere schijf) en probeer het opnieuw.",
            path,
            "full",
        )
    if code in (_SQLITE_READONLY, _SQLITE_PERM, _SQLITE_CANTOPEN):
        return _read_only(path)
    if code in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return StoreError(
            f"{path}: het logbestand is bezet door een ander programma; {what} is niet gelukt. "
            "Probeer het over een paar seconden opnieuw.",
            path,
            "busy",
        )
    if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return _corrupt(path, str(exc))
    if code == _SQLITE_IOERR:
        return StoreError(
            f"{path}: schrijf- of leesfout ({exc}); {what} is niet gelukt. Is de schijf of "
            "USB-stick nog aangesloten? Probeer het opnieuw.",
            path,
            "io",
        )
    return StoreError(f"{path}: {what} is niet gelukt ({exc}).", path)


def _read_only(path: Path) -> StoreError:
    return StoreError(
        f"{path}: dkdl mag hier niet schrijven (alleen-lezen bestand of map). Het bestand is niet "
        "gewijzigd. Kopieer het naar een map waarin u mag schrijven, of kies met --db een ander "
        "bestand.",
        path,
        "read_only",
    )


def _writable(path: Path) -> bool:
    """Whether dkdl may write the file and its folder (WAL needs ``-wal``/``-shm`` beside it)."""
    folder = path.parent if str(path.parent) else Path(".")
    return os.access(path, os.W_OK) and os.access(folder, os.W_OK)


# -- opening -----------------------------------------------------------------------------------


def _create_private(path: Path) -> None:
    """Create an empty file readable and writable by its owner only (0600 where the OS has it).

    ``os.open`` with a mode is portable; on Windows the mode bits are mostly ignored, which is
    fine (the user profile folder is private already)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"{path}: kan de map {path.parent} niet maken ({exc.strerror or exc}). Kies met --db "
            "een bestand in een bestaande map.",
            path,
        ) from None
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    except FileExistsError:
        return  # someone else created it just now; check_file will judge it
    except OSError as exc:
        if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EROFS):
            raise _read_only(path) from None
        raise StoreError(
            f"{path}: kan het logbestand niet aanmaken ({exc.strerror or exc}). Kies met --db "
            "een ander bestand.",
            path,
        ) from None
    os.close(fd)
    with contextlib.suppress(OSError):  # Windows: only the read-only bit; the mode was given
        os.chmod(path, 0o600)


def _configure(conn: sqlite3.Connection) -> None:
    """Per-connection settings: foreign keys, busy timeout. (Tests wrap this to simulate a full
    disk with ``PRAGMA max_page_count``.)"""
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")


def open_log(path: Path | str, *, create: bool = True, readonly: bool = False) -> SqliteLog:
    """Open (or with ``create``, make) the log at ``path``; raise :class:`StoreError` if unusable.

    Writable: the file is checked read-only first; WAL mode is switched on and pending
    migrations run only for a file that passed. ``readonly``: nothing is ever written (an older
    schema is upgraded in a copy in memory); for export, import sources and review screens.
    """
    path = Path(path)
    checked = check_file(path)
    if readonly:
        if not checked.exists:
            raise StoreError(
                f"{path}: logbestand niet gevonden. Controleer het pad.", path, "missing"
            )
        return _open_readonly(checked)
    created = False
    if not checked.exists:
        if not create:
            raise StoreError(
                f"{path}: logbestand niet gevonden. Controleer het pad.", path, "missing"
            )
        _create_private(path)
        created = True
        checked = check_file(path)
    if not _writable(path):
        raise _read_only(path)
    try:
        return _open_writable(path)
    except StoreError as exc:
        if created and exc.kind in ("full", "read_only"):
            _remove_new_file(path)
        raise


def _connect_rw(path: Path) -> sqlite3.Connection:
    """The read-write connection (one per log; the log's lock makes it thread-safe)."""
    return sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, check_same_thread=False)


def _open_writable(path: Path) -> SqliteLog:
    """Connect, switch on WAL and run pending migrations. Two processes starting on a new file
    at the same moment can make SQLite report "busy" without waiting (switching the journal
    mode), so a busy set-up is retried until the busy timeout has passed."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            return _set_up(path)
        except StoreError as exc:
            if exc.kind != "busy" or time.monotonic() > deadline:
                raise
        time.sleep(0.05)


def _set_up(path: Path) -> SqliteLog:
    try:
        conn = _connect_rw(path)
    except sqlite3.Error as exc:
        raise _translate(exc, path, "het openen") from None
    try:
        _configure(conn)
        db = Database(conn, execute_plugins=False)
        db.enable_wal()
        log = SqliteLog(db, path)
        with log._write("het bijwerken van het schema"):
            migrations.apply(db)
        return log
    except sqlite3.Error as exc:
        conn.close()
        raise _translate(exc, path, "het openen") from None
    except StoreError:
        conn.close()
        raise


def _open_readonly(checked: FileCheck) -> SqliteLog:
    path = checked.path
    try:
        conn = _connect_ro(path, check_same_thread=False)
        if checked.pending:
            # an older (or empty) file: upgrade a copy in memory, never the file itself
            memory = sqlite3.connect(":memory:", check_same_thread=False)
            conn.backup(memory)
            conn.close()
            conn = memory
            _configure(conn)
            migrations.apply(Database(conn, execute_plugins=False))
        else:
            _configure(conn)
        return SqliteLog(Database(conn, execute_plugins=False), path, readonly=True)
    except sqlite3.Error as exc:
        raise _translate(exc, path, "het lezen") from None


def _remove_new_file(path: Path) -> None:
    """Remove a log file this process created but could not write anything into (disk full,
    read-only): only while it is still empty, so nobody else's log is ever removed."""
    try:
        if path.stat().st_size != 0:
            return
    except OSError:
        return
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(OSError):
            Path(str(path) + suffix).unlink()


# -- the log -----------------------------------------------------------------------------------


def _items_text(items: Iterable[str]) -> str | None:
    items = tuple(items)
    for item in items:
        if not item or ITEM_SEP in item:
            raise ValueError(f"ongeldig checklist-item {item!r}")
    return ITEM_SEP.join(items) if items else None


def _items_tuple(text: str | None) -> tuple[str, ...]:
    return tuple(text.split(ITEM_SEP)) if text else ()


def _match(value: Any) -> bool | None:
    return None if value is None else bool(value)


_SESSION_SELECT = (
    "SELECT s.uuid, n.pseudonym, s.mode, s.case_id, s.case_hash, s.questionnaire_id, "
    "s.questionnaire_version, s.questionnaire_hash, s.started_at, s.finished_at, s.status, "
    "s.profile, s.key_profile, s.match, s.test_id FROM sessions s JOIN nurses n ON n.id = s.nurse"
)


def _session_info(row: tuple) -> SessionInfo:
    values = list(row)
    values[13] = _match(values[13])
    return SessionInfo(*values)


class SqliteLog:
    """:class:`dkdl.sessionlog.PracticeLog` on a SQLite file; also what export/import need.

    Safe to call from worker threads (one connection, guarded by a lock). Every write method
    commits before it returns or raises :class:`StoreError` with nothing changed.
    """

    def __init__(self, db: Database, path: Path, *, readonly: bool = False):
        self.db = db
        self.path = path
        self.readonly = readonly
        self._lock = threading.RLock()
        self._ids: dict[str, int] = {}  # session UUID -> row id (rows are never deleted)

    # -- plumbing --------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection (SQLite then folds the WAL into the file)."""
        with self._lock:
            self.db.close()

    def __enter__(self) -> SqliteLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _write(self, what: str) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``; a savepoint when nested): committed on
        exit, rolled back on any error. SQLite errors become :class:`StoreError`."""
        if self.readonly:
            raise _read_only(self.path)
        with self._lock:
            conn = self.db.conn
            try:
                if conn.in_transaction:
                    with self.db.atomic():
                        yield conn
                    return
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                if conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise _translate(exc, self.path, what) from None

    def transaction(self, what: str = "het schrijven") -> contextlib.AbstractContextManager:
        """Group several writes (e.g. merging many sources) into one all-or-nothing transaction."""
        return self._write(what)

    def _read(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        with self._lock:
            try:
                return self.db.conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise _translate(exc, self.path, "het lezen") from None

    def _session_row_id(self, session_id: str) -> int:
        row_id = self._ids.get(session_id)
        if row_id is None:
            rows = self._read("SELECT id FROM sessions WHERE uuid = ?", (session_id,))
            if not rows:
                raise KeyError(session_id)
            row_id = self._ids[session_id] = rows[0][0]
        return row_id

    # -- PracticeLog -----------------------------------------------------------------------

    def remember_nurse(self, pseudonym: str) -> str:
        """Register (or find) a nurse by pseudonym; returns it trimmed. Remembered as the last."""
        name = check_pseudonym(pseudonym)
        with self._write("de naam") as conn:
            conn.execute("INSERT OR IGNORE INTO nurses (pseudonym) VALUES (?)", (name,))
            conn.execute(
                "UPDATE nurses SET last_used = "
                "(SELECT coalesce(max(last_used), 0) + 1 FROM nurses) WHERE pseudonym = ?",
                (name,),
            )
        return name

    def last_nurse(self) -> str | None:
        """The pseudonym given last on this log."""
        rows = self._read(
            "SELECT pseudonym FROM nurses WHERE last_used IS NOT NULL "
            "ORDER BY last_used DESC LIMIT 1"
        )
        return rows[0][0] if rows else None

    def start_session(
        self,
        *,
        nurse: str,
        mode: str,
        questionnaire: Questionnaire,
        case: Case | None = None,
        test_id: str | None = None,
    ) -> str:
        """Open a session (status bezig), committed, and return its UUID."""
        if mode not in MODES:
            raise ValueError(f"onbekende modus {mode!r}")
        check_pseudonym(nurse)
        session_id = str(uuid.uuid4())
        with self._write("de nieuwe sessie") as conn:
            conn.execute("INSERT OR IGNORE INTO nurses (pseudonym) VALUES (?)", (nurse,))
            cursor = conn.execute(
                "INSERT INTO sessions (uuid, nurse, mode, case_id, case_hash, questionnaire_id, "
                "questionnaire_version, questionnaire_hash, started_at, status, test_id) "
                "VALUES (?, (SELECT id FROM nurses WHERE pseudonym = ?), "
                "?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    session_id,
                    nurse,
                    mode,
                    case.id if case else None,
                    case.content_hash if case else None,
                    questionnaire.id,
                    questionnaire.version,
                    questionnaire.content_hash,
                    now(),
                    BEZIG,
                    test_id,
                ),
            )
            row_id = cursor.lastrowid
        assert row_id is not None
        self._ids[session_id] = row_id
        return session_id

    def record_answer(
        self,
        session_id: str,
        question_id: str,
        option: int,
        items: tuple[str, ...] = (),
        seconds: float = 0.0,
    ) -> None:
        """Store an answer, committed; another option counts as a change (ticking or unticking
        checklist items does not), and the seconds add up."""
        row_id = self._session_row_id(session_id)
        items_text = _items_text(items)
        with self._write("het antwoord") as conn:
            conn.execute(
                "INSERT INTO answers (session, question, option, items, answered_at, seconds, "
                "changes) VALUES (?, ?, ?, ?, ?, ?, 0) "
                "ON CONFLICT (session, question) DO UPDATE SET "
                "changes = changes + (option IS NOT excluded.option),"
                " option = excluded.option, items = excluded.items,"
                " answered_at = excluded.answered_at, seconds = seconds + excluded.seconds",
                (row_id, question_id, option, items_text, now(), max(0.0, float(seconds))),
            )

    def finish_session(self, session_id: str, result: Result, key_profile: str | None) -> None:
        """Mark afgerond with the registered profile, the key's and whether they match."""
        row_id = self._session_row_id(session_id)
        match = None if key_profile is None else int(result.profile == key_profile)
        with self._write("het afronden van de sessie") as conn:
            conn.execute(
                "UPDATE sessions SET status = ?, finished_at = ?, profile = ?, key_profile = ?, "
                "match = ? WHERE id = ?",
                (AFGEROND, now(), result.profile, key_profile, match, row_id),
            )

    def abandon_session(self, session_id: str) -> None:
        """Mark afgebroken; the answers stay."""
        row_id = self._session_row_id(session_id)
        with self._write("het afbreken van de sessie") as conn:
            conn.execute(
                "UPDATE sessions SET status = ?, finished_at = ? WHERE id = ?",
                (AFGEBROKEN, now(), row_id),
            )

    def session(self, session_id: str) -> SessionInfo:
        """One session by UUID (KeyError if unknown)."""
        rows = self._read(_SESSION_SELECT + " WHERE s.uuid = ?", (session_id,))
        if not rows:
            raise KeyError(session_id)
        return _session_info(rows[0])

    def sessions(self, nurse: str | None = None) -> list[SessionInfo]:
        """Sessions, oldest first (by start time, then order of entry); of one nurse if given."""
        if nurse is None:
            rows = self._read(_SESSION_SELECT + " ORDER BY s.started_at, s.id")
        else:
            rows = self._read(
                _SESSION_SELECT + " WHERE n.pseudonym = ? ORDER BY s.started_at, s.id", (nurse,)
            )
        return [_session_info(r) for r in rows]

    def answers(self, session_id: str) -> dict[str, AnswerRecord]:
        """The answers of a session by question id (KeyError if the session is unknown)."""
        row_id = self._session_row_id(session_id)
        rows = self._read(
            "SELECT question, option, items, answered_at, seconds, changes FROM answers "
            "WHERE session = ?",
            (row_id,),
        )
        return {
            q: AnswerRecord(q, option, _items_tuple(items), at, float(sec), changes)
            for q, option, items, at, sec, changes in rows
        }

    # -- for the app's start screen and the trainer ----------------------------------------

    def nurses(self) -> list[str]:
        """Every pseudonym in the log, alphabetically."""
        return [r[0] for r in self._read("SELECT pseudonym FROM nurses ORDER BY pseudonym")]

    def counts(self) -> dict[str, int]:
        """Number of nurses, sessions and answers."""
        return {
            table: self._read(f"SELECT count(*) FROM {table}")[0][0]
            for table in ("nurses", "sessions", "answers")
        }

    def applied_migrations(self) -> list[str]:
        """Names of the schema migrations recorded in this file, in order."""
        with self._lock:
            return [m.name for m in migrations.applied(self.db)]

    def export_rows(self) -> Iterator[tuple]:
        """One tuple per answer (``SESSION_FIELDS + ANSWER_FIELDS``), sessions oldest first; a
        session without answers gives one row with empty answer fields. ``match`` is 0/1/None."""
        sql = (
            "SELECT s.uuid, n.pseudonym, s." + _SESSION_COLUMNS.replace(", ", ", s.") + ", "
            "a.question, a.option, a.items, a.answered_at, a.seconds, a.changes "
            "FROM sessions s JOIN nurses n ON n.id = s.nurse "
            "LEFT JOIN answers a ON a.session = s.id "
            "ORDER BY s.started_at, s.id, a.answered_at, a.question"
        )
        with self._lock:
            try:
                cursor = self.db.conn.execute(sql)
                while batch := cursor.fetchmany(2000):
                    yield from batch
            except sqlite3.Error as exc:
                raise _translate(exc, self.path, "het lezen") from None

    def bundle(self) -> LogBundle:
        """Everything in the log as a :class:`LogBundle` (for merging into another log)."""
        sessions = self._read(_SESSION_SELECT + " ORDER BY s.id")
        answers = self._read(
            "SELECT s.uuid, a.question, a.option, a.items, a.answered_at, a.seconds, a.changes "
            "FROM answers a JOIN sessions s ON s.id = a.session"
        )
        return LogBundle(sessions, answers)

    def merge(self, bundle: LogBundle) -> MergeReport:
        """Add the bundle's sessions that this log lacks (by UUID) with their answers.

        A session this log has as ``bezig`` is replaced by a copy that got further (finished,
        or more or later answers): a trainer who imports a laptop twice gets the finished
        version. Anything else already present is left alone, so merging again adds nothing.
        One transaction: on any error nothing changes (:class:`StoreError`, or ``ValueError``
        for a bundle that does not hang together).
        """
        report = MergeReport()
        with self._write("de import") as conn:
            try:
                self._merge_rows(conn, bundle, report)
            except sqlite3.IntegrityError as exc:
                raise ValueError(str(exc)) from None
        return report

    def _merge_rows(self, conn: sqlite3.Connection, bundle: LogBundle, report: MergeReport) -> None:
        """The body of :meth:`merge`, inside its transaction."""
        before = conn.execute("SELECT count(*) FROM nurses").fetchone()[0]
        names = {row[1] for row in bundle.sessions}
        for name in names:  # the same rule as in the app; ValueError makes the merge refuse
            if check_pseudonym(name) != name:
                raise ValueError(f"schuilnaam {name!r} met spaties aan begin of eind")
        conn.executemany(
            "INSERT OR IGNORE INTO nurses (pseudonym) VALUES (?)", [(n,) for n in names]
        )
        report.nurses_added = conn.execute("SELECT count(*) FROM nurses").fetchone()[0] - before
        nurse_ids = dict(conn.execute("SELECT pseudonym, id FROM nurses"))
        existing = {
            u: (i, st) for i, u, st in conn.execute("SELECT id, uuid, status FROM sessions")
        }
        per_session: dict[str, list[tuple]] = {}
        for answer in bundle.answers:
            per_session.setdefault(answer[0], []).append(answer)
        bundle_ids = {row[0] for row in bundle.sessions}
        stray = set(per_session) - bundle_ids
        if stray:
            raise ValueError(f"antwoorden bij onbekende sessie {sorted(stray)[0]}")
        new_rows, replace_ids = [], []
        for row in bundle.sessions:
            session_uuid = row[0]
            nurse_id = nurse_ids.get(row[1])
            if nurse_id is None:
                raise ValueError(f"ongeldige schuilnaam {row[1]!r} bij sessie {session_uuid}")
            values = (session_uuid, nurse_id, *row[2:])
            found = existing.get(session_uuid)
            if found is None:
                new_rows.append(values)
            elif found[1] == BEZIG and self._got_further(
                conn, found[0], row[10], per_session.get(session_uuid, [])
            ):
                conn.execute(
                    "UPDATE sessions SET nurse = ?, "
                    + ", ".join(f"{c} = ?" for c in _SESSION_COLUMNS.split(", "))
                    + " WHERE id = ?",
                    (*values[1:], found[0]),
                )
                conn.execute("DELETE FROM answers WHERE session = ?", (found[0],))
                replace_ids.append((session_uuid, found[0]))
            else:
                report.present += 1
        max_id = conn.execute("SELECT coalesce(max(id), 0) FROM sessions").fetchone()[0]
        conn.executemany(
            "INSERT INTO sessions (uuid, nurse, "
            + _SESSION_COLUMNS
            + ") VALUES ("
            + ", ".join("?" * 15)
            + ")",
            new_rows,
        )
        ids = dict(conn.execute("SELECT uuid, id FROM sessions WHERE id > ?", (max_id,)))
        ids.update(replace_ids)
        answer_rows = [(ids[a[0]], *a[1:]) for u in ids for a in per_session.get(u, ())]
        conn.executemany(
            "INSERT INTO answers (session, question, option, items, answered_at, seconds, "
            "changes) VALUES (?, ?, ?, ?, ?, ?, ?)",
            answer_rows,
        )
        report.added = len(new_rows)
        report.updated = len(replace_ids)
        report.answers_added = len(answer_rows)

    @staticmethod
    def _got_further(
        conn: sqlite3.Connection, row_id: int, status: str, answers: list[tuple]
    ) -> bool:
        """Whether a copy (``status``, ``answers``) of the ``bezig`` session ``row_id`` is further
        along: finished, or with more answers, or with a later last answer."""
        if status != BEZIG:
            return True
        count, last = conn.execute(
            "SELECT count(*), max(answered_at) FROM answers WHERE session = ?", (row_id,)
        ).fetchone()
        their_last = max((a[4] for a in answers), default=None)
        return len(answers) > count or (
            their_last is not None and (last is None or their_last > last)
        )
