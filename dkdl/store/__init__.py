"""The session log in SQLite: nothing lost, resumable, mergeable.

One package in layers (each imports only those above it):

- :mod:`dkdl.store.schema`: the named migrations (``KNOWN_MIGRATIONS``);
- :mod:`dkdl.store.rows`: the named row types a log travels as, and their conversions;
- :mod:`dkdl.store.validate`: one validation of log rows (import and the log's own reads);
- :mod:`dkdl.store.sqlcheck`: the fast pass of import validation (SQL that accepts only rows
  ``validate`` accepts; the others go to ``validate``);
- :mod:`dkdl.store.files`: where the file lives, read-only checks before any write,
  :class:`StoreError` with its Dutch messages, connecting;
- :mod:`dkdl.store.log`: :class:`SqliteLog` (the practice log);
- :mod:`dkdl.store.opening`: :func:`open_log` (checks a file read-only first, then connects);
- :mod:`dkdl.store.source`: another laptop's log as an import source, streamed and validated;
- :mod:`dkdl.store.merge`: :class:`LogBundle`, :func:`merge_bundle`, batched :func:`import_logs`;
- :mod:`dkdl.store.identity`: who is who (laptops, nurse identities, the trainer's aliases).

The rest of dkdl imports from ``dkdl.store`` only. Schema: ``docs/schema.md``.
"""

from dkdl.store.files import (
    BUSY_TIMEOUT_S,
    DB_ENV,
    FileCheck,
    StoreError,
    check_file,
    default_db_path,
    resolve_db_path,
    translate,
    verify_structure,
)
from dkdl.store.identity import (
    NOT_COLLECTED,
    Installation,
    NurseIdentity,
    NurseKey,
    add_alias,
    aliases,
    collected,
    installations,
    nurse_identities,
    remove_alias,
)
from dkdl.store.log import SqliteLog
from dkdl.store.merge import (
    LogBundle,
    MergeReport,
    SourceReport,
    describe_import,
    import_logs,
    merge_bundle,
    read_bundle,
)
from dkdl.store.opening import open_log
from dkdl.store.rows import (
    ANSWER_FIELDS,
    ITEM_SEP,
    SESSION_FIELDS,
    AnswerRow,
    SessionRow,
)
from dkdl.store.schema import KNOWN_MIGRATIONS, MIGRATION_SET, migrations

__all__ = [
    "NOT_COLLECTED",
    "ANSWER_FIELDS",
    "BUSY_TIMEOUT_S",
    "DB_ENV",
    "ITEM_SEP",
    "KNOWN_MIGRATIONS",
    "MIGRATION_SET",
    "SESSION_FIELDS",
    "AnswerRow",
    "Installation",
    "NurseIdentity",
    "NurseKey",
    "FileCheck",
    "LogBundle",
    "MergeReport",
    "SessionRow",
    "SourceReport",
    "SqliteLog",
    "StoreError",
    "add_alias",
    "aliases",
    "collected",
    "check_file",
    "default_db_path",
    "describe_import",
    "import_logs",
    "installations",
    "merge_bundle",
    "migrations",
    "nurse_identities",
    "open_log",
    "read_bundle",
    "remove_alias",
    "resolve_db_path",
    "translate",
    "verify_structure",
]
