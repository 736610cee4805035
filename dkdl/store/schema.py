"""The log's schema as named migrations (sqlite-utils ``Migrations``, set ``dkdl``).

Each migration is a named function, applied once and recorded in ``_sqlite_migrations``; a file
naming a migration this version does not know was written by a newer dkdl and is refused
(:func:`dkdl.store.files.check_file`). Tables and columns: ``docs/schema.md``.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

MIGRATION_SET = "dkdl"
OUR_TABLES = frozenset({"nurses", "sessions", "answers"})

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
