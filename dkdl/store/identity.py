"""Who is who: laptops (installations) and nurses across the logs a trainer collected.

A nurse is identified by her pseudonym *and* the laptop (installation) the session was started
on: two nurses called "Anna" on two laptops stay two nurses. Laptops get a number in the order
this file first saw them (``laptop 1``, ``laptop 2``: by the row id of their first session, so
importing more never renumbers). Sessions from logs older than installation ids have an unknown
laptop (``None``). A trainer can say that two identities are one person (an *alias*); aliases are
stored in the trainer's own file only (table ``nurse_aliases``), never exported or imported, and
can be removed again. Plain data classes for the review; no UI here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dkdl.sessionlog import now
from dkdl.store.log import SqliteLog
from dkdl.store.opening import open_log

UNKNOWN_LAPTOP = "laptop onbekend"


@dataclass(frozen=True, order=True)
class NurseKey:
    """A nurse identity: pseudonym and installation id (None: laptop unknown)."""

    pseudonym: str
    installation: str | None


@dataclass(frozen=True)
class Installation:
    """A laptop whose sessions are in this log."""

    id: str | None  # None: sessions from logs older than installation ids
    number: int | None  # 1, 2, ... in the order this file first saw them; None when unknown
    sessions: int
    this_log: bool  # the laptop this file itself lives on

    @property
    def label(self) -> str:
        """``laptop 2``, or ``laptop onbekend``."""
        return UNKNOWN_LAPTOP if self.number is None else f"laptop {self.number}"


@dataclass(frozen=True)
class NurseIdentity:
    """One nurse identity in the log, with the person it belongs to after aliases."""

    key: NurseKey
    laptop: Installation
    sessions: int
    person: NurseKey  # the group's first identity (by laptop number, then name); itself if alone
    label: str  # "Anna", or "Anna (laptop 2)" where the name alone would be ambiguous


def installations(log: SqliteLog) -> list[Installation]:
    """The laptops in ``log``, numbered by first session seen; the unknown one (if any) last."""
    rows = log._read("SELECT installation, count(*), min(id) FROM sessions GROUP BY installation")
    return _numbered(rows, log.installation_id)


def _numbered(rows: Iterable[tuple[str | None, int, int]], own: str | None) -> list[Installation]:
    """Installations from (installation, sessions, first session id) rows, one per laptop."""
    result, number = [], 0
    for inst, count, _first in sorted(rows, key=lambda r: (r[0] is None, r[2])):
        if inst is not None:
            number += 1
        result.append(Installation(inst, number if inst else None, count, inst == own))
    return result


def aliases(log: SqliteLog) -> list[tuple[NurseKey, NurseKey]]:
    """The pairs a trainer marked as the same person, oldest first."""
    rows = log._read(
        "SELECT pseudonym, installation, same_pseudonym, same_installation FROM nurse_aliases "
        "ORDER BY made_at, rowid"
    )
    return [(NurseKey(a, i or None), NurseKey(b, j or None)) for a, i, b, j in rows]


def nurse_identities(log: SqliteLog) -> list[NurseIdentity]:
    """Every (pseudonym, laptop) with sessions in ``log``, with its person and display label.

    Ordered by person, then laptop number. The label adds the laptop only where the person's
    name is shared by another person in this log.
    """
    # one pass over the sessions (along the index sessions_person) for both the laptops and
    # the identities: trainer mode reads them before its first page
    rows = log._read(
        "SELECT nurse, installation, count(*), min(id) FROM sessions GROUP BY nurse, installation"
    )
    names = dict(log._read("SELECT id, pseudonym FROM nurses"))
    per_laptop: dict[str | None, tuple[int, int]] = {}
    counts: dict[NurseKey, int] = {}
    for nurse, inst, count, first in rows:
        sessions, earliest = per_laptop.get(inst, (0, first))
        per_laptop[inst] = (sessions + count, min(earliest, first))
        if nurse in names:  # a session without its nurse row has no identity (a join)
            key = NurseKey(names[nurse], inst)
            counts[key] = counts.get(key, 0) + count
    own = log.installation_id
    laptops = {i.id: i for i in _numbered(((k, n, f) for k, (n, f) in per_laptop.items()), own)}
    person = _people(counts, aliases(log), laptops)
    names_of_person: dict[str, set[NurseKey]] = {}
    for key in counts:
        names_of_person.setdefault(person[key].pseudonym, set()).add(person[key])
    result = []
    for key, count in counts.items():
        head = person[key]
        ambiguous = len(names_of_person[head.pseudonym]) > 1
        label = (
            f"{head.pseudonym} ({laptops[head.installation].label})"
            if ambiguous
            else head.pseudonym
        )
        result.append(NurseIdentity(key, laptops[key.installation], count, head, label))
    result.sort(key=lambda n: (_order(n.person, laptops), _order(n.key, laptops)))
    return result


def _order(key: NurseKey, laptops: dict[str | None, Installation]) -> tuple:
    number = laptops[key.installation].number if key.installation in laptops else None
    return (number is None, number or 0, key.pseudonym)


def _people(
    keys: Iterable[NurseKey],
    pairs: list[tuple[NurseKey, NurseKey]],
    laptops: dict[str | None, Installation],
) -> dict[NurseKey, NurseKey]:
    """Each key's person: the first key (laptop number, then name) of its group of aliases.
    Only ``keys`` (the identities with sessions) head a group: an alias may name an identity
    without sessions here (a trainer's file from elsewhere; sessions of laptop unknown that
    learnt their laptop since), which then only joins the others."""
    keys = list(keys)
    parent: dict[NurseKey, NurseKey] = {k: k for k in keys}

    def root(k: NurseKey) -> NurseKey:
        while parent.setdefault(k, k) != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[rb] = ra
    first: dict[NurseKey, NurseKey] = {}
    for k in sorted(keys, key=lambda k: _order(k, laptops)):
        first.setdefault(root(k), k)
    return {k: first[root(k)] for k in keys}


NOT_COLLECTED = (
    "Namen koppelen kan alleen in een verzameld logbestand (de logs van de laptops samengebracht "
    "met ‘dkdl import’), niet in het logbestand van een laptop zelf: dat van een verpleegkundige "
    "krijgt nooit een koppeling."
)


def collected(log: SqliteLog) -> bool:
    """Whether ``log`` holds sessions from another laptop than its own (brought in by
    ``dkdl import``, or from a log older than laptop ids): a trainer's collection. Only there
    may names be joined; a laptop's own log, a nurse's, never gets an alias."""
    other = log._read(
        "SELECT 1 FROM sessions WHERE installation IS NOT ? LIMIT 1", (log.installation_id,)
    )
    return bool(other)


def add_alias(log: SqliteLog, a: NurseKey, b: NurseKey) -> None:
    """Record that identities ``a`` and ``b`` are one person (in ``log``'s own file; a log opened
    read-only is written through a short writable connection). Adding it twice changes nothing;
    ValueError (Dutch) for a pair that is not two identities with sessions in this log, or for
    a log that is not a trainer's collection (:func:`collected`)."""
    if a == b:
        raise ValueError("Kies twee verschillende namen om te koppelen.")
    if not collected(log):
        raise ValueError(NOT_COLLECTED)
    for key in (a, b):
        found = log._read(
            "SELECT 1 FROM sessions s JOIN nurses n ON n.id = s.nurse "
            "WHERE n.pseudonym = ? AND s.installation IS ? LIMIT 1",
            (key.pseudonym, key.installation),
        )
        if not found:
            raise ValueError(f"{key.pseudonym!r} komt op die laptop niet voor in dit logbestand.")
    first, second = sorted((a, b), key=_stored)
    _change(
        log,
        "INSERT OR IGNORE INTO nurse_aliases (pseudonym, installation, same_pseudonym, "
        "same_installation, made_at) VALUES (?, ?, ?, ?, ?)",
        (*_stored(first), *_stored(second), now()),
    )


def remove_alias(log: SqliteLog, a: NurseKey, b: NurseKey) -> None:
    """Undo :func:`add_alias` for this pair (given in either order); no pair, no change."""
    first, second = sorted((a, b), key=_stored)
    _change(
        log,
        "DELETE FROM nurse_aliases WHERE pseudonym = ? AND installation = ? "
        "AND same_pseudonym = ? AND same_installation = ?",
        (*_stored(first), *_stored(second)),
    )


def _stored(key: NurseKey) -> tuple[str, str]:
    """A key as stored in ``nurse_aliases``: '' for an unknown laptop (NULL in a key is awkward)."""
    return key.pseudonym, key.installation or ""


def _change(log: SqliteLog, sql: str, params: tuple) -> None:
    """Run one alias change on the file behind ``log``, and on ``log`` itself when it reads an
    upgraded copy in memory (so the trainer's open view sees it at once)."""
    if not log.readonly:
        with log._write("de koppeling van namen") as conn:
            conn.execute(sql, params)
        return
    with open_log(log.path, create=False) as writer, writer._write("de koppeling van namen") as c:
        c.execute(sql, params)
    if log.in_memory:
        with log._lock:
            log.db.conn.execute(sql, params)
            log.db.conn.commit()
