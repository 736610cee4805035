"""Who is who: installation ids per log, kept by import, old logs, nurse identities, aliases."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from dkdl.cli import main
from dkdl.store import (
    NurseKey,
    StoreError,
    add_alias,
    aliases,
    collected,
    import_logs,
    installations,
    migrations,
    nurse_identities,
    open_log,
    remove_alias,
)
from dkdl.store import opening as store_opening
from dkdl.store.schema import derived_installation_id
from tests.conftest import digest


def laptop_log(path: Path, questionnaire, *names: str) -> str:
    """A nurse's laptop log with one session per name; returns its installation id."""
    with open_log(path) as log:
        for name in names:
            log.start_session(
                nurse=log.remember_nurse(name), mode="vrij", questionnaire=questionnaire
            )
        return log.installation_id


def old_log(path: Path, questionnaire, sessions: list[tuple[str, bool]]) -> list[str]:
    """A log in the schema before installation ids (migrations up to m004): one session per
    (name, chosen on this laptop). Returns the session UUIDs in order."""
    db = Database(sqlite3.connect(path))
    migrations.apply(db, stop_before="m004_installations")
    assert "installation" not in db["sessions"].columns_dict
    ids = []
    for used, (name, local) in enumerate(sessions, start=1):
        db.execute(
            "INSERT OR IGNORE INTO nurses (pseudonym, last_used) VALUES (?, ?)",
            (name, used if local else None),
        )
        sid = str(uuid.uuid4())
        db.execute(
            "INSERT INTO sessions (uuid, nurse, mode, questionnaire_id, questionnaire_version, "
            "questionnaire_hash, started_at) VALUES (?, (SELECT id FROM nurses WHERE pseudonym "
            "= ?), 'vrij', ?, ?, ?, ?)",
            (sid, name, questionnaire.id, questionnaire.version, questionnaire.content_hash,
             f"2026-01-0{len(ids) + 1}T10:00:00+00:00"),
        )  # fmt: skip
        ids.append(sid)
    db.conn.commit()
    db.close()
    return ids


def test_installation_id_is_made_once_and_kept(tmp_path, questionnaire):
    path = tmp_path / "laptop.db"
    first = laptop_log(path, questionnaire, "Anna")
    with open_log(path) as log:
        assert log.installation_id == first
    with open_log(path, readonly=True) as log:
        assert log.installation_id == first
        assert [s.installation for s in log.sessions()] == [first]
    assert laptop_log(tmp_path / "other.db", questionnaire, "Anna") != first


def test_two_nurses_with_one_name_on_two_laptops_stay_two(tmp_path, questionnaire, capsys):
    a = laptop_log(tmp_path / "a.db", questionnaire, "Anna", "Bram")
    b = laptop_log(tmp_path / "b.db", questionnaire, "Anna")
    trainer = tmp_path / "trainer.db"
    assert (
        main(["import", "--db", str(trainer), str(tmp_path / "a.db"), str(tmp_path / "b.db")]) == 0
    )
    with open_log(trainer, readonly=True) as log:
        laptops = installations(log)
        assert [(i.id, i.label, i.sessions) for i in laptops] == [
            (a, "laptop 1", 2),
            (b, "laptop 2", 1),
        ]
        assert not any(i.this_log for i in laptops)  # the trainer practised on neither
        people = {(n.key, n.label) for n in nurse_identities(log)}
        assert people == {
            (NurseKey("Anna", a), "Anna (laptop 1)"),
            (NurseKey("Bram", a), "Bram"),
            (NurseKey("Anna", b), "Anna (laptop 2)"),
        }
        # import keeps each session's laptop
        assert sorted(s.installation for s in log.sessions("Anna")) == sorted([a, b])
    # importing more never renumbers: a third laptop becomes laptop 3
    c = laptop_log(tmp_path / "c.db", questionnaire, "Anna")
    main(["import", "--db", str(trainer), str(tmp_path / "c.db")])
    with open_log(trainer, readonly=True) as log:
        assert [(i.id, i.number) for i in installations(log)] == [(a, 1), (b, 2), (c, 3)]


def test_an_old_read_only_source_imports_with_a_stable_derived_laptop(tmp_path, questionnaire):
    laptop = tmp_path / "old.db"
    sids = old_log(laptop, questionnaire, [("Anna", True), ("Bram", True)])
    laptop.chmod(0o444)
    before = digest(laptop)
    trainer = tmp_path / "trainer.db"
    derived = derived_installation_id(sids[0])
    with open_log(trainer) as log:
        import_logs(log, [laptop])
        assert {s.installation for s in log.sessions()} == {derived}
    again = digest(trainer)
    with open_log(trainer) as log:
        (report,) = import_logs(log, [laptop])
        assert (report.report.added, report.report.present) == (0, 2)
    assert digest(laptop) == before  # the source was never upgraded on disk
    # later the laptop itself is upgraded (writable again): it gets the same id, so its new
    # sessions belong to the same nurses as the ones imported before
    laptop.chmod(0o644)
    with open_log(laptop) as log:
        assert log.installation_id == derived
        assert {s.installation for s in log.sessions()} == {derived}
        log.start_session(nurse="Anna", mode="vrij", questionnaire=questionnaire)
    with open_log(trainer) as log:
        import_logs(log, [laptop])
        identities = nurse_identities(log)
    assert sorted((n.key.pseudonym, n.sessions) for n in identities) == [("Anna", 2), ("Bram", 1)]
    assert again  # the trainer file was written once by the first import


def test_old_sessions_that_came_by_import_stay_unknown_until_their_laptop_is_imported(
    tmp_path, questionnaire
):
    """An old trainer file: the sessions of nurses never chosen there have no known laptop;
    importing their (upgraded) laptop again fills it in, and nothing else changes."""
    laptop = tmp_path / "laptop.db"
    laptop_id = laptop_log(laptop, questionnaire, "Anna")
    with open_log(laptop, readonly=True) as log:
        anna = log.sessions()[0]
    trainer = tmp_path / "trainer.db"
    old_log(trainer, questionnaire, [("Trainer", True)])
    conn = sqlite3.connect(trainer)  # Anna's session as an old import put it there
    conn.execute("INSERT INTO nurses (pseudonym) VALUES ('Anna')")
    conn.execute(
        "INSERT INTO sessions (uuid, nurse, mode, questionnaire_id, questionnaire_version, "
        "questionnaire_hash, started_at) SELECT ?, id, 'vrij', ?, ?, ?, ? FROM nurses "
        "WHERE pseudonym = 'Anna'",
        (anna.id, anna.questionnaire_id, anna.questionnaire_version, anna.questionnaire_hash,
         anna.started_at),
    )  # fmt: skip
    conn.commit()
    conn.close()
    with open_log(trainer) as log:
        laptops = installations(log)
        assert [i.label for i in laptops] == ["laptop 1", "laptop onbekend"]
        assert laptops[0].this_log and laptops[0].id == log.installation_id
        assert log.session(anna.id).installation is None
        (report,) = import_logs(log, [laptop])
        assert (report.report.added, report.report.laptops_filled) == (0, 1)
        assert log.session(anna.id).installation == laptop_id
        assert [i.label for i in installations(log)] == ["laptop 1", "laptop 2"]


def test_aliases_join_two_identities_and_can_be_undone(tmp_path, questionnaire):
    a = laptop_log(tmp_path / "a.db", questionnaire, "Anna")
    b = laptop_log(tmp_path / "b.db", questionnaire, "Anna de Vries")
    trainer = tmp_path / "trainer.db"
    with open_log(trainer) as log:
        import_logs(log, [tmp_path / "a.db", tmp_path / "b.db"])
    sources = [digest(tmp_path / "a.db"), digest(tmp_path / "b.db")]
    first, second = NurseKey("Anna", a), NurseKey("Anna de Vries", b)
    with open_log(trainer, readonly=True) as log:  # the trainer's view reads only...
        add_alias(log, second, first)  # ...and the alias is its one small write
        add_alias(log, first, second)  # the same pair again: nothing new
        assert aliases(log) == [(first, second)]
        people = {n.key: (n.person, n.label) for n in nurse_identities(log)}
        assert people == {first: (first, "Anna"), second: (first, "Anna")}
    with open_log(trainer, readonly=True) as log:  # stored in the file
        assert aliases(log) == [(first, second)]
        remove_alias(log, second, first)
        assert aliases(log) == []
        assert {n.person for n in nurse_identities(log)} == {first, second}
    assert [digest(tmp_path / "a.db"), digest(tmp_path / "b.db")] == sources
    # aliases stay in the trainer's file: importing it elsewhere carries none
    with open_log(trainer) as log:
        add_alias(log, first, second)
    with open_log(tmp_path / "elsewhere.db") as log:
        import_logs(log, [trainer])
        assert aliases(log) == [] and len(nurse_identities(log)) == 2


def test_a_laptops_own_log_never_gets_an_alias(tmp_path, questionnaire):
    # Trainer mode from the start screen opens the laptop's own log: a nurse's file. Joining
    # names is refused there, in Dutch, and the file is unchanged; in a collection it works.
    a = laptop_log(tmp_path / "a.db", questionnaire, "Anna", "anna")
    before = digest(tmp_path / "a.db")
    with open_log(tmp_path / "a.db", readonly=True) as log:
        assert not collected(log)
        with pytest.raises(ValueError, match="alleen in een verzameld logbestand"):
            add_alias(log, NurseKey("Anna", a), NurseKey("anna", a))
    assert digest(tmp_path / "a.db") == before
    with open_log(tmp_path / "trainer.db") as log:
        import_logs(log, [tmp_path / "a.db"])
        assert collected(log)
        add_alias(log, NurseKey("Anna", a), NurseKey("anna", a))
        assert aliases(log) == [(NurseKey("Anna", a), NurseKey("anna", a))]


def test_alias_of_a_name_not_in_the_log_is_refused(tmp_path, questionnaire):
    a = laptop_log(tmp_path / "a.db", questionnaire, "Anna", "Bram")
    with open_log(tmp_path / "trainer.db") as log:
        import_logs(log, [tmp_path / "a.db"])
        with pytest.raises(ValueError, match="komt op die laptop niet voor"):
            add_alias(log, NurseKey("Anna", a), NurseKey("Anna", str(uuid.uuid4())))
        with pytest.raises(ValueError, match="twee verschillende"):
            add_alias(log, NurseKey("Anna", a), NurseKey("Anna", a))
        assert aliases(log) == []


def test_alias_on_a_read_only_file_is_refused_in_dutch(tmp_path, questionnaire, monkeypatch):
    a = laptop_log(tmp_path / "a.db", questionnaire, "Anna", "Bram")
    path = tmp_path / "trainer.db"
    with open_log(path) as log:
        import_logs(log, [tmp_path / "a.db"])
    before = digest(path)
    monkeypatch.setattr(store_opening, "writable", lambda p: False)  # as a read-only folder would
    with open_log(path, readonly=True) as log, pytest.raises(StoreError, match="alleen-lezen"):
        add_alias(log, NurseKey("Anna", a), NurseKey("Bram", a))
    assert digest(path) == before


def test_an_old_trainer_file_open_read_only_sees_its_new_alias(tmp_path, questionnaire):
    """A read-only view of an older file reads a copy upgraded in memory; an alias is written
    to the file (which is then upgraded) and shows in the open view at once."""
    path = tmp_path / "old.db"
    old_log(path, questionnaire, [("Anna", True), ("Bram", False)])  # Bram's was imported
    with open_log(path, readonly=True) as log:
        assert log.in_memory
        own = log.installation_id
        add_alias(log, NurseKey("Anna", own), NurseKey("Bram", None))
        assert len(aliases(log)) == 1
    with open_log(path, readonly=True) as log:
        assert not log.in_memory and len(aliases(log)) == 1


def _identities_by_join(log) -> tuple[list, list]:
    """nurse_identities and installations as computed before the single pass over the
    sessions (the laptops from their own GROUP BY, the identities through a join with the
    nurses): the reference the single pass must equal."""
    from dkdl.store import identity as ident

    rows = log._read(
        "SELECT installation, count(*), min(id) FROM sessions GROUP BY installation "
        "ORDER BY installation IS NULL, min(id)"
    )
    laptops, number = {}, 0
    for inst, count, _first in rows:
        number += inst is not None
        laptops[inst] = ident.Installation(
            inst, number if inst else None, count, inst == log.installation_id
        )
    rows = log._read(
        "SELECT n.pseudonym, s.installation, count(*) FROM sessions s "
        "JOIN nurses n ON n.id = s.nurse GROUP BY n.pseudonym, s.installation"
    )
    counts = {NurseKey(name, inst): count for name, inst, count in rows}
    person = ident._people(counts, aliases(log), laptops)
    names_of_person: dict = {}
    for key in counts:
        names_of_person.setdefault(person[key].pseudonym, set()).add(person[key])
    result = []
    for key, count in counts.items():
        head = person[key]
        label = head.pseudonym
        if len(names_of_person[head.pseudonym]) > 1:
            label = f"{head.pseudonym} ({laptops[head.installation].label})"
        result.append(ident.NurseIdentity(key, laptops[key.installation], count, head, label))
    result.sort(key=lambda n: (ident._order(n.person, laptops), ident._order(n.key, laptops)))
    return result, list(laptops.values())


_LAPTOPS = [None, *(str(uuid.UUID(int=n)) for n in range(1, 4))]
_NAMES = ["Anna", "anna", "Bram", "Ëlla"]


@settings(max_examples=60)
@given(
    nurses=st.lists(st.sampled_from(_NAMES), unique=True, max_size=4),
    # nurse row ids 1-6: some sessions have no nurse row (a crafted or damaged file)
    sessions=st.lists(st.tuples(st.integers(1, 6), st.sampled_from(_LAPTOPS)), max_size=20),
    pairs=st.lists(
        st.tuples(*[st.sampled_from(_NAMES), st.sampled_from(_LAPTOPS)] * 2), max_size=3
    ),
)
def test_identities_from_one_pass_equal_those_through_the_join(
    tmp_path_factory, nurses, sessions, pairs
):
    # Sessions whose nurse row is missing (counted for their laptop, no identity), laptop
    # unknown, one name on several laptops, aliases, nurse row ids not in name order.
    path = tmp_path_factory.mktemp("log") / "trainer.db"
    with open_log(path) as log:
        own = log.installation_id
    conn = sqlite3.connect(path)
    for n, name in enumerate(nurses):
        conn.execute("INSERT INTO nurses (id, pseudonym) VALUES (?, ?)", (len(nurses) - n, name))
    for nurse, laptop in sessions:
        conn.execute(
            "INSERT INTO sessions (uuid, nurse, mode, questionnaire_id, questionnaire_version, "
            "questionnaire_hash, started_at, installation) VALUES (?, ?, 'vrij', 'q', 'v', 'h', "
            "'2026-01-01T10:00:00+00:00', ?)",
            (str(uuid.uuid4()), nurse, own if laptop == _LAPTOPS[1] else laptop),
        )
    for made, (a, i, b, j) in enumerate(pairs):
        if (a, i) != (b, j):
            conn.execute(
                "INSERT OR IGNORE INTO nurse_aliases VALUES (?, ?, ?, ?, ?)",
                (a, i or "", b, j or "", f"2026-01-0{made + 1}"),
            )
    conn.commit()
    conn.close()
    with open_log(path, create=False, readonly=True) as log:
        assert (nurse_identities(log), installations(log)) == _identities_by_join(log)


def test_an_alias_of_an_identity_without_sessions_never_names_a_person(tmp_path):
    # The alias table of a trainer's file from elsewhere may name an identity that has no
    # sessions here (and sessions of laptop unknown learn their laptop when it is imported):
    # the person is then the group's first identity *with* sessions. It was the alias's,
    # whose laptop this log does not have: a KeyError (dkdl report ended in a traceback).
    path = tmp_path / "trainer.db"
    with open_log(path) as log:
        log.remember_nurse("Anouk")
        log.remember_nurse("Charlotte")
    ghost = str(uuid.UUID(int=1))
    conn = sqlite3.connect(path)
    for nurse, laptop in ((1, str(uuid.UUID(int=2))), (2, None)):
        conn.execute(
            "INSERT INTO sessions (uuid, nurse, mode, questionnaire_id, questionnaire_version, "
            "questionnaire_hash, started_at, installation) VALUES (?, ?, 'vrij', 'q', 'v', 'h', "
            "'2026-01-01T10:00:00+00:00', ?)",
            (str(uuid.uuid4()), nurse, laptop),
        )
    conn.execute(
        "INSERT INTO nurse_aliases VALUES ('Charlotte', '', 'Anouk', ?, '2026-01-01')", (ghost,)
    )
    conn.commit()
    conn.close()
    with open_log(path, create=False, readonly=True) as log:
        people = {i.key.pseudonym: (i.person.pseudonym, i.label) for i in nurse_identities(log)}
    assert people == {"Anouk": ("Anouk", "Anouk"), "Charlotte": ("Charlotte", "Charlotte")}
