"""The log's schema as named migrations (sqlite-utils ``Migrations``, set ``dkdl``).

Each migration is a named function, applied once and recorded in ``_sqlite_migrations``; a file
naming a migration this version does not know was written by a newer dkdl and is refused
(:func:`dkdl.store.files.check_file`). Tables and columns: ``docs/schema.md``.
"""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, datetime

from sqlite_utils import Database, Migrations

MIGRATION_SET = "dkdl"
OUR_TABLES = frozenset({"nurses", "sessions", "answers"})  # present from m001 on

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


@migrations()
def m003_toetsen(db: Database) -> None:
    """A toets as planned when it starts, so after a crash it resumes whole: ``toetsen`` (one
    row per toets; its UUID is the ``test_id`` of its sessions) and ``toets_cases`` (the
    planned case ids in order)."""
    db.execute(
        """
        CREATE TABLE toetsen (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE CHECK (length(uuid) = 36),
            nurse INTEGER NOT NULL REFERENCES nurses(id),
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL DEFAULT 'bezig'
                CHECK (status IN ('bezig', 'afgerond', 'afgebroken'))
        )"""
    )
    db.execute(
        """
        CREATE TABLE toets_cases (
            toets INTEGER NOT NULL REFERENCES toetsen(id),
            position INTEGER NOT NULL CHECK (position >= 0),
            case_id TEXT NOT NULL,
            PRIMARY KEY (toets, position)
        ) WITHOUT ROWID"""
    )


# Namespace for installation ids derived from a log's content (see m004): a fixed, random UUID.
INSTALLATION_NAMESPACE = uuid.UUID("5b0c1f0e-3f8a-4c57-9d0e-6a2f4b1d7c93")


def derived_installation_id(first_local_session: str) -> str:
    """The installation id an old log gets on upgrade: derived from the UUID of its first session
    practised on that laptop, so upgrading the file itself and upgrading a read-only copy in
    memory (an import source) give the same id, and importing again stays idempotent."""
    return str(uuid.uuid5(INSTALLATION_NAMESPACE, f"installation:{first_local_session}"))


def legacy_installation(conn: sqlite3.Connection) -> str:
    """The installation id an older log (before ``m004_installations``) gets: derived from its
    first session of a nurse chosen on that laptop, or random when it has none. Used by the
    migration and by import reading an older source as it is."""
    first = conn.execute(
        "SELECT s.uuid FROM sessions s JOIN nurses n ON n.id = s.nurse "
        "WHERE n.last_used IS NOT NULL ORDER BY s.id LIMIT 1"
    ).fetchone()
    return derived_installation_id(first[0]) if first else str(uuid.uuid4())


@migrations()
def m004_installations(db: Database) -> None:
    """Which laptop a session comes from, and the trainer's "same person" aliases.

    ``installation``: one row, this file's id (UUID), made once. ``sessions.installation``: the
    id of the log a session was started in, kept by import. An old log gets an id derived from
    its first session of a nurse chosen on this laptop (``last_used`` set), or a random one when
    it has none; the sessions of nurses chosen here get that id, the others (imported) stay NULL
    (laptop unknown). ``nurse_aliases``: pairs of nurse identities (pseudonym, installation; ''
    for unknown) a trainer marked as one person; never exported or imported.
    """
    db.execute(
        """
        CREATE TABLE installation (
            only INTEGER PRIMARY KEY CHECK (only = 1),
            id TEXT NOT NULL CHECK (length(id) = 36),
            made_at TEXT NOT NULL
        )"""
    )
    db.execute(
        "ALTER TABLE sessions ADD COLUMN installation TEXT "
        "CHECK (installation IS NULL OR length(installation) = 36)"
    )
    db.execute("CREATE INDEX sessions_installation ON sessions (installation, id)")
    db.execute(
        """
        CREATE TABLE nurse_aliases (
            pseudonym TEXT NOT NULL,
            installation TEXT NOT NULL,
            same_pseudonym TEXT NOT NULL,
            same_installation TEXT NOT NULL,
            made_at TEXT NOT NULL,
            PRIMARY KEY (pseudonym, installation, same_pseudonym, same_installation),
            CHECK (pseudonym <> same_pseudonym OR installation <> same_installation)
        )"""
    )
    installation = legacy_installation(db.conn)
    made_at = datetime.now(UTC).isoformat(timespec="seconds")
    db.execute(
        "INSERT INTO installation (only, id, made_at) VALUES (1, ?, ?)", (installation, made_at)
    )
    db.execute(
        "UPDATE sessions SET installation = ? "
        "WHERE nurse IN (SELECT id FROM nurses WHERE last_used IS NOT NULL)",
        (installation,),
    )


@migrations()
def m005_review_person_case_indexes(db: Database) -> None:
    """Indexes for the trainer's review (dkdl/review.py), so that its counting streams along an
    index instead of sorting every session: per nurse identity (nurse, laptop) with each case's
    finished keyed attempts in time order (who is who, first attempts), and per case version
    (which case files the log refers to). About 200 bytes per session."""
    db.execute(
        "CREATE INDEX sessions_person ON sessions "
        "(nurse, installation, case_id, status, key_profile, mode, started_at)"
    )
    db.execute("CREATE INDEX sessions_case ON sessions (case_id, case_hash, key_profile, status)")


KNOWN_MIGRATIONS = tuple(m.name for m in migrations._migrations)
