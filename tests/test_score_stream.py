"""`dkdl score` as a stream (issue 9): bad lines of every kind, pauses, signals, a closed reader,
and the fast pass agreeing with the strict one."""

from __future__ import annotations

import io
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dkdl.questionnaire import load_questionnaire
from dkdl.score_stream import (
    LINE_LIMIT,
    Interrupted,
    fast_scorer,
    score_chunks,
    stop_signals_flush,
    strict_line,
)
from dkdl.scoring import AnswerError, Scorer

C = {
    "id": "C",
    "Q1": 1,
    "Q2": 1,
    "Q3": 1,
    "Q4": 1,
    "Q5": 2,
    "Q6": 2,
    "Q7": 1,
    "Q8": 3,
    "Q9": 2,
    "Q10": 3,
    "Q11": 2,
    "Q12": 2,
    "Q12_items": ["injecties"],
}
KIND = {"id": "k", "Q1": 2}
POSIX = os.name == "posix"


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return Scorer(load_questionnaire())


def line(obj) -> bytes:
    return json.dumps(obj).encode() + b"\n"


def score(scorer, data: bytes, chunk: int = 1 << 16) -> tuple[list[str], list[str], int]:
    out, err = io.BytesIO(), io.StringIO()
    chunks = [data[i : i + chunk] for i in range(0, len(data), chunk)]
    bad = score_chunks(scorer, chunks, out, err)
    return out.getvalue().decode().split("\n")[:-1], err.getvalue().splitlines(), bad


def strict_json(text: str):
    """json.loads that refuses NaN and Infinity: what any other JSON reader accepts."""

    def refuse(name):
        raise ValueError(name)

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize(
    "bad,message",
    [
        (b'{"Q1": 9, "Q1": 2}', "regel 2: sleutel 'Q1' staat er meer dan eens in"),
        (b'{"Q1": 2, "Q1": 2}', "regel 2: sleutel 'Q1' staat er meer dan eens in"),
        (b'{"id": {"a": 1, "a": 2}, "Q1": 2}', "regel 2: sleutel 'a' staat er meer dan eens in"),
        (b'{"id": NaN, "Q1": 2}', "regel 2: NaN is geen getal in JSON"),
        (b'{"id": Infinity, "Q1": 2}', "regel 2: Infinity is geen getal in JSON"),
        (b'{"id": -Infinity, "Q1": 2}', "regel 2: -Infinity is geen getal in JSON"),
        (b'{"id": 1e999, "Q1": 2}', "regel 2: getal 1e999 is te groot"),
        (b'{"id": ' + b"7" * 5000 + b', "Q1": 2}', "regel 2: getal met 5000 cijfers"),
        (b'{"id": "caf\xe9", "Q1": 2}', "regel 2: geen geldige UTF-8-tekst (byte 0xe9"),
        (b'\xff\xfe{"Q1": 2}', "regel 2: geen geldige UTF-8-tekst (byte 0xff op positie 1)"),
        (b'{"Q1": 2', "regel 2: geen geldige JSON (',' verwacht"),
        (b'{"Q1": 2} {"Q1": 2}', "regel 2: geen geldige JSON (meer dan één JSON-waarde"),
        (b"[" * 50_000, "regel 2: geen geldige JSON (te diep genest)"),
        (b'{"id": "' + b"x" * LINE_LIMIT + b'", "Q1": 2}', "regel 2: regel is langer dan 64 kB"),
        (b'{"Q1": 2.0}', "regel 2: Q1: verwacht een optienummer"),
        (b'{"Q1": true}', "regel 2: Q1: verwacht een optienummer"),
        (b'{"Q1": 2, "Q12_items": ["sonde", "sonde"]}', "regel 2: Q12_items: een item staat"),
    ],
)
def test_each_kind_of_bad_line_gets_its_own_dutch_message(scorer, bad, message):
    out, err, n_bad = score(scorer, line(C) + bad + b"\n" + line(KIND))
    assert n_bad == 1
    assert len(err) == 1 and err[0].startswith(message), err
    assert "te diep genest" not in err[0] or b"[" in bad  # the old catch-all is gone
    assert [strict_json(x)["profile"] for x in out] == ["DKDL12", "KINDZORG"]


def test_only_valid_json_is_written(scorer):
    ids = ["é", "a\u001bb", "\u2028", "\u202e", "\x85", 'say "hi"', "back\\slash", 0, -1]
    ids += [10**99, 1.5, None, [1], {"k": "\x9b"}]
    data = b"".join(line(dict(KIND, id=i)) for i in ids)
    out, err, bad = score(scorer, data)
    assert bad == 0 and err == []
    assert [strict_json(x)["id"] for x in out] == ids
    # control codes (ESC, CSI, NEL, bidi override, line separator) stay escaped in the text
    assert not any(c in x for x in out for c in "\x1b\x9b\x85\u202e\u2028")


def test_a_line_too_long_is_dropped_without_holding_it_in_memory(scorer):
    huge = b'{"id": "' + b"x" * (5 * LINE_LIMIT)
    data = line(C) + huge + b'", "Q1": 2}\n' + line(KIND)
    out, err, bad = score(scorer, data, chunk=4096)  # arrives in many small pieces
    assert bad == 1 and len(out) == 2
    assert err == ["regel 2: regel is langer dan 64 kB; zet één antwoordset per regel"]


def test_byte_order_mark_blank_lines_and_crlf(scorer):
    data = b"\xef\xbb\xbf" + line(KIND) + b"\r\n\n" + line(C).replace(b"\n", b"\r\n")
    out, err, bad = score(scorer, data)
    assert (bad, err) == (0, [])
    assert [json.loads(x)["profile"] for x in out] == ["KINDZORG", "DKDL12"]


def test_line_numbers_count_across_pieces(scorer):
    data = line(C) * 3 + b"{oops\n" + line(C)
    for size in (1, 7, 100, 1 << 16):
        out, err, bad = score(scorer, data, chunk=size)
        assert len(out) == 4 and err[0].startswith("regel 4: geen geldige JSON")


# -- the fast pass agrees with the strict pass -------------------------------------------------

ANSWER_KEYS = [f"Q{i}" for i in range(1, 13)] + ["Q12_items", "id", "Q99"]
values = st.one_of(
    st.integers(-1, 5),
    st.sampled_from(["sonde", "injecties", "katheter", "infuus"]),
    st.lists(st.sampled_from(["sonde", "injecties", "katheter", "infuus"]), max_size=3),
    st.text(max_size=5),
    st.none(),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.sampled_from(ANSWER_KEYS), values, max_size=14), st.data())
def test_fast_pass_accepts_only_what_the_strict_pass_accepts(scorer, raw, data):
    # Mostly complete answer sets, so the fast pass's scoring is exercised, not just its refusals.
    if data.draw(st.booleans()):
        raw = {**{k: v for k, v in C.items() if k != "id"}, **raw}
    encoded = json.dumps(raw).encode()
    if data.draw(st.booleans()) and raw:  # a key given twice
        key = next(iter(raw))
        encoded = encoded[:-1] + b", " + json.dumps({key: raw[key]}).encode()[1:]
    fast = fast_scorer(scorer)(encoded)
    try:
        strict = strict_line(scorer, encoded)
    except (AnswerError, ValueError):
        strict = None
    if fast is not None:
        assert fast == strict


def test_fast_pass_takes_the_ordinary_lines(scorer):
    fast = fast_scorer(scorer)
    assert fast(line(C).strip()) == strict_line(scorer, line(C).strip())
    assert fast(b'{"Q1": 2}') is not None
    assert fast(b'{"Q1": 2, "Q1": 2}') is None  # a duplicate goes to the strict pass


# -- signals and streams, in process -----------------------------------------------------------


class SignalOnWrite(io.StringIO):
    """A stream that receives SIGTERM while it is written to (the error stream here)."""

    def write(self, s: str) -> int:
        signal.raise_signal(signal.SIGTERM)
        return super().write(s)


def test_sigterm_in_the_middle_of_a_piece_writes_what_was_scored(scorer):
    out = io.BytesIO()
    data = line(C) + line(KIND) + b"{bad\n" + line(C)
    with stop_signals_flush(), pytest.raises(Interrupted):
        score_chunks(scorer, [data], out, SignalOnWrite())
    assert [json.loads(x)["profile"] for x in out.getvalue().decode().splitlines()] == [
        "DKDL12",
        "KINDZORG",
    ]


class SignalWhileWriting(io.BytesIO):
    def write(self, b) -> int:
        signal.raise_signal(signal.SIGTERM)
        return super().write(b)


def test_a_signal_during_a_write_waits_until_the_lines_are_whole(scorer):
    out = SignalWhileWriting()
    with stop_signals_flush(), pytest.raises(Interrupted):
        score_chunks(scorer, [line(C) * 3, line(KIND)], out, io.StringIO())
    text = out.getvalue().decode()
    assert text.endswith("\n") and len(text.splitlines()) == 3  # written once, whole, then stop


# -- as a process --------------------------------------------------------------------------------


def start(*args):
    return subprocess.Popen(
        [sys.executable, "-m", "dkdl", "score", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def reader(stream) -> queue.Queue:
    q: queue.Queue = queue.Queue()

    def pump():
        for raw in iter(stream.readline, b""):
            q.put(raw)

    threading.Thread(target=pump, daemon=True).start()
    return q


def take(q: queue.Queue, n: int, timeout: float) -> list[bytes]:
    deadline = time.monotonic() + timeout
    got = []
    while len(got) < n:
        got.append(q.get(timeout=max(0.01, deadline - time.monotonic())))
    return got


def test_answers_come_as_soon_as_the_input_pauses():
    proc = start()
    try:
        lines = reader(proc.stdout)
        take_time = []
        for burst in (3, 1, 5):
            assert proc.stdin is not None
            proc.stdin.write(line(C) * burst)
            proc.stdin.flush()
            t = time.monotonic()
            got = take(lines, burst, timeout=20)  # start-up on a busy machine; no 'seconds later'
            take_time.append(time.monotonic() - t)
            assert [json.loads(x)["profile"] for x in got] == ["DKDL12"] * burst
        assert min(take_time[1:]) < 2.0  # once running, an answer follows its line at once
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.skipif(not POSIX, reason="SIGTERM cannot be caught on Windows (TerminateProcess)")
@pytest.mark.parametrize("signum", [signal.SIGTERM, getattr(signal, "SIGPIPE", signal.SIGTERM)])
def test_stop_signal_ends_cleanly_after_writing_every_scored_line(signum):
    proc = start()
    lines = reader(proc.stdout)
    assert proc.stdin is not None
    proc.stdin.write(line(C) * 500)
    proc.stdin.flush()
    take(lines, 500, timeout=30)
    proc.send_signal(signum)
    assert proc.wait(timeout=20) == 128 + signum
    assert proc.stderr is not None
    assert b"Traceback" not in proc.stderr.read()


def test_a_reader_that_goes_away_ends_the_run_quietly(tmp_path):
    path = tmp_path / "many.jsonl"
    path.write_bytes(line(C) * 20_000)
    proc = subprocess.Popen(
        [sys.executable, "-m", "dkdl", "score", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # as `dkdl score | head -1` does
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 141
    assert err == b""  # no traceback, no 'Exception ignored'


def test_a_file_that_cannot_be_read_is_named_in_dutch(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "dkdl", "score", str(tmp_path)],
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.decode().strip() == f"dkdl: {tmp_path}: is een map, geen bestand"
