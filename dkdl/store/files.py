"""The log file on disk: where it lives, read-only checks before writing, Dutch errors, connecting.

Opening a file (:func:`dkdl.store.open_log`) first inspects it here through a read-only
connection (``file:...?mode=ro``) and refuses, with a Dutch :class:`StoreError` that names the
file and says what to do, anything that is not a dkdl log of a schema this version knows: not
SQLite, corrupt, another program's database, a newer schema. Only then is anything written, so a
refused file stays byte-for-byte as it was. SQLite failures while reading or writing become a
:class:`StoreError` through :func:`translate`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir
from sqlite_utils import Migrations

from dkdl.errors import UserError
from dkdl.store.schema import KNOWN_MIGRATIONS, MIGRATION_SET, OUR_TABLES
from dkdl.store.sqlcheck import time_sql
from dkdl.store.validate import is_time, show

DB_ENV = "DKDL_DB"
BUSY_TIMEOUT_S = 10.0
SQLITE_HEADER = b"SQLite format 3\x00"

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


def ro_uri(path: Path, *, immutable: bool = False) -> str:
    """A read-only SQLite URI for ``path`` (percent-encoded, so any file name works)."""
    return path.resolve().as_uri() + ("?immutable=1" if immutable else "?mode=ro")


def connect_ro(path: Path, *, check_same_thread: bool = True) -> sqlite3.Connection:
    """A read-only connection. A WAL file in a read-only folder without its ``-shm`` cannot be
    opened with ``mode=ro``; then the file is read as immutable (it cannot change under us)."""
    for immutable in (False, True):
        conn = sqlite3.connect(
            ro_uri(path, immutable=immutable),
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


def check_file(path: Path, *, quick_check: bool = True) -> FileCheck:
    """Inspect ``path`` read-only; raise :class:`StoreError` unless it is missing, empty, or a
    dkdl log whose applied migrations this version knows. Never writes to the file.

    ``quick_check=False`` leaves out SQLite's structure check (``PRAGMA quick_check``, a read
    of the whole file: 0.3 s on a log of 100,000 sessions), for a reader that never writes and
    runs :func:`verify_structure` itself later (trainer mode, in the background). The header,
    schema and migration checks are made either way."""
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
            f"{path}: kan het logbestand niet lezen ({os_reason(exc)}). "
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
        conn = connect_ro(path)
    except sqlite3.Error as exc:
        raise translate(exc, path, "het openen") from None
    try:
        if quick_check:
            _quick_check(conn, path)
        tables = {
            row[0]
            for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not row[0].startswith("sqlite_")
        }
        foreign = conn.execute(
            "SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view') LIMIT 1"
        ).fetchone()
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
            raise _corrupt(path, "de database is onleesbaar") from None
        raise translate(exc, path, "het openen") from None
    finally:
        conn.close()
    if foreign is not None:
        # dkdl makes neither: one would silently change what dkdl writes (or reads)
        kind = "trigger" if foreign[0] == "trigger" else "view"
        raise StoreError(
            f"{path}: bevat een {kind} ({show(foreign[1])}) die niet van dkdl is; die zou "
            "ongemerkt veranderen wat dkdl opslaat. Het bestand is niet gewijzigd. Gebruik een "
            "logbestand dat alleen dkdl heeft gemaakt, of kies met --db een ander bestand.",
            path,
            "not_ours",
        )
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


def _quick_check(conn: sqlite3.Connection, path: Path) -> None:
    problems = [row[0] for row in conn.execute("PRAGMA quick_check")]
    if problems != ["ok"]:
        raise _corrupt(path, "de controle van de database vond fouten")


def verify_structure(path: Path, *, quick_check: bool = True) -> None:
    """SQLite's structure check of ``path`` (``PRAGMA quick_check``; :class:`StoreError`
    ``corrupt``), then :func:`verify_session_rows` (``invalid``), on a read-only connection of
    its own. ``quick_check=False``: the rows only (the opening already ran SQLite's check).
    Never writes."""
    try:
        conn = connect_ro(path)
    except sqlite3.Error as exc:
        raise translate(exc, path, "het controleren") from None
    try:
        if quick_check:
            _quick_check(conn, path)
        verify_session_rows(conn, path)
    except sqlite3.Error as exc:
        raise translate(exc, path, "het controleren") from None
    finally:
        conn.close()


def verify_session_rows(conn: sqlite3.Connection, path: Path) -> None:
    """:class:`StoreError` (``invalid``) when a session row lacks what every reader of the whole
    log relies on: a start (and end) time that is a real UTC moment, and a nurse that exists.
    dkdl never writes such a row; a hand edit or another program can. The log's own reads skip
    bad rows one by one; the trainer's review and report count the whole file at once, so they
    refuse it instead, with this message, rather than end in a traceback. One scan in SQL; only
    the times SQL cannot vouch for are judged by :mod:`dkdl.store.validate`."""
    try:
        odd_times = conn.execute(
            "SELECT started_at, finished_at FROM sessions "
            f"WHERE ({time_sql('started_at')}) IS NOT 1 "
            f"OR (finished_at IS NOT NULL AND ({time_sql('finished_at')}) IS NOT 1)"
        ).fetchall()
        no_nurse = conn.execute(
            "SELECT count(*) FROM sessions WHERE nurse IS NULL "
            "OR nurse NOT IN (SELECT id FROM nurses)"
        ).fetchone()[0]
    except sqlite3.Error as exc:
        raise translate(exc, path, "het controleren") from None
    bad_times = [
        (s, f) for s, f in odd_times if not is_time(s) or (f is not None and not is_time(f))
    ]
    reasons = []
    if bad_times:
        s, f = bad_times[0]
        example = show(s) if not is_time(s) else show(f)
        reasons.append(f"{len(bad_times)} met een ongeldige begin- of eindtijd (bijv. {example})")
    if no_nurse:
        reasons.append(f"{no_nurse} zonder bestaande verpleegkundige")
    if reasons:
        raise StoreError(
            f"{path}: sessies die dkdl niet kan lezen: {'; '.join(reasons)}. dkdl schrijft zulke "
            "rijen nooit: het bestand is met de hand of door een ander programma veranderd. "
            f"‘dkdl import --db nieuw.db {path}’ noemt de eerste vijf foute rijen.",
            path,
            "invalid",
        )


_OS_REASONS = {
    errno.EACCES: "geen toegang",
    errno.EPERM: "geen toegang",
    errno.ENOENT: "niet gevonden",
    errno.ENOSPC: "de schijf is vol",
    errno.EROFS: "de schijf is alleen-lezen",
    errno.EIO: "lees- of schrijffout van de schijf",
    errno.EISDIR: "is een map",
    errno.ENOTDIR: "een deel van het pad is geen map",
    errno.ENAMETOOLONG: "de naam is te lang",
    errno.EBUSY: "in gebruik door een ander programma",
}


def os_reason(exc: OSError) -> str:
    """What went wrong, in Dutch (the system's own text is English on many machines)."""
    if isinstance(exc, PermissionError):
        return "geen toegang"
    return _OS_REASONS.get(
        exc.errno or 0, f"systeemfout {exc.errno}" if exc.errno else "systeemfout"
    )


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


def translate(exc: sqlite3.Error, path: Path, what: str) -> StoreError:
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
        return read_only_error(path)
    if code in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return StoreError(
            f"{path}: het logbestand is bezet door een ander programma; {what} is niet gelukt. "
            "Probeer het over een paar seconden opnieuw.",
            path,
            "busy",
        )
    if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return _corrupt(path, "de database is onleesbaar")
    if code == _SQLITE_IOERR:
        return StoreError(
            f"{path}: schrijf- of leesfout; {what} is niet gelukt. Is de schijf of USB-stick nog "
            "aangesloten? Probeer het opnieuw.",
            path,
            "io",
        )
    # SQLite's own text is English; the code says enough for whoever helps
    detail = f"SQLite-foutcode {code}" if code is not None else "onbekende databasefout"
    return StoreError(f"{path}: {what} is niet gelukt ({detail}).", path)


def read_only_error(path: Path) -> StoreError:
    return StoreError(
        f"{path}: dkdl mag hier niet schrijven (alleen-lezen bestand of map). Het bestand is niet "
        "gewijzigd. Kopieer het naar een map waarin u mag schrijven, of kies met --db een ander "
        "bestand.",
        path,
        "read_only",
    )


def writable(path: Path) -> bool:
    """Whether dkdl may write the file and its folder (WAL needs ``-wal``/``-shm`` beside it)."""
    folder = path.parent if str(path.parent) else Path(".")
    return os.access(path, os.W_OK) and os.access(folder, os.W_OK)


def fix_helper_files(path: Path) -> None:
    """Make a ``-shm``/``-wal`` beside a writable log writable again. A reader of a read-only
    log leaves them with the log's read-only mode, and SQLite would then keep refusing the log
    after it was made writable. Only their mode changes (safe while others have them open); if
    that is not allowed, the file is named with what to do."""
    mode = stat.S_IMODE(path.stat().st_mode) | stat.S_IWUSR | stat.S_IRUSR
    for suffix in ("-shm", "-wal"):
        helper = path.with_name(path.name + suffix)
        if not helper.exists() or os.access(helper, os.W_OK):
            continue
        with contextlib.suppress(OSError):
            os.chmod(helper, mode)
        if not os.access(helper, os.W_OK):
            raise StoreError(
                f"{helper}: dit hulpbestand van het logbestand {path.name} is alleen-lezen, dus "
                "dkdl kan het logbestand niet gebruiken. Het logbestand is niet gewijzigd. Maak "
                f"{helper.name} schrijfbaar, of verwijder het terwijl dkdl overal gesloten is.",
                path,
                "read_only",
            )


def create_private(path: Path) -> None:
    """Create an empty file readable and writable by its owner only (0600 where the OS has it).

    ``os.open`` with a mode is portable; on Windows the mode bits are mostly ignored, which is
    fine (the user profile folder is private already)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"{path}: kan de map {path.parent} niet maken ({os_reason(exc)}). Kies met --db "
            "een bestand in een bestaande map.",
            path,
        ) from None
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    except FileExistsError:
        return  # someone else created it just now; check_file will judge it
    except OSError as exc:
        if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EROFS):
            raise read_only_error(path) from None
        raise StoreError(
            f"{path}: kan het logbestand niet aanmaken ({os_reason(exc)}). Kies met --db "
            "een ander bestand.",
            path,
        ) from None
    os.close(fd)
    with contextlib.suppress(OSError):  # Windows: only the read-only bit; the mode was given
        os.chmod(path, 0o600)


def configure(conn: sqlite3.Connection) -> None:
    """Per-connection settings: foreign keys, busy timeout. (Tests wrap this to simulate a full
    disk with ``PRAGMA max_page_count``.)"""
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")


def connect_rw(path: Path) -> sqlite3.Connection:
    """The read-write connection (one per log; the log's lock makes it thread-safe)."""
    return sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, check_same_thread=False)


def remove_new_file(path: Path) -> None:
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
