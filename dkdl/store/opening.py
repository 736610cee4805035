"""Opening a log file: :func:`open_log` checks it read-only first, then connects.

A file is checked read-only first (:mod:`dkdl.store.files`) and only then written (WAL mode,
pending migrations), so a refused file stays byte-for-byte as it was. A read-only open never
writes: an older schema is upgraded in a copy in memory. Returns a :class:`SqliteLog`.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from sqlite_utils import Database

from dkdl.store.files import (
    BUSY_TIMEOUT_S,
    FileCheck,
    StoreError,
    check_file,
    configure,
    connect_ro,
    connect_rw,
    create_private,
    fix_helper_files,
    read_only_error,
    remove_new_file,
    translate,
    writable,
)
from dkdl.store.log import SqliteLog
from dkdl.store.schema import migrations


def open_log(
    path: Path | str, *, create: bool = True, readonly: bool = False, quick_check: bool = True
) -> SqliteLog:
    """Open (or with ``create``, make) the log at ``path``; raise :class:`StoreError` if unusable.

    Writable: the file is checked read-only first; WAL mode is switched on and pending
    migrations run only for a file that passed. ``readonly``: nothing is ever written (an older
    schema is upgraded in a copy in memory); for export, import sources and review screens.
    ``quick_check=False`` (read-only only) defers SQLite's structure check to the caller
    (:func:`dkdl.store.files.verify_structure`; trainer mode runs it in the background).
    """
    path = Path(path)
    checked = check_file(path, quick_check=quick_check or not readonly)
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
        create_private(path)
        created = True
        checked = check_file(path)
    if not writable(path):
        raise read_only_error(path)
    fix_helper_files(path)
    try:
        return _open_writable(path)
    except StoreError as exc:
        if created and exc.kind in ("full", "read_only"):
            remove_new_file(path)
        raise


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
        conn = connect_rw(path)
    except sqlite3.Error as exc:
        raise translate(exc, path, "het openen") from None
    try:
        configure(conn)
        db = Database(conn, execute_plugins=False)
        db.enable_wal()
        log = SqliteLog(db, path)
        with log._write("het bijwerken van het schema"):
            migrations.apply(db)
        return log
    except sqlite3.Error as exc:
        conn.close()
        raise translate(exc, path, "het openen") from None
    except StoreError:
        conn.close()
        raise


def _open_readonly(checked: FileCheck) -> SqliteLog:
    path = checked.path
    try:
        conn = connect_ro(path, check_same_thread=False)
        if checked.pending:
            # an older (or empty) file: upgrade a copy in memory, never the file itself
            memory = sqlite3.connect(":memory:", check_same_thread=False)
            conn.backup(memory)
            conn.close()
            conn = memory
            configure(conn)
            migrations.apply(Database(conn, execute_plugins=False))
        else:
            configure(conn)
        return SqliteLog(
            Database(conn, execute_plugins=False),
            path,
            readonly=True,
            in_memory=bool(checked.pending),
        )
    except sqlite3.Error as exc:
        raise translate(exc, path, "het lezen") from None
