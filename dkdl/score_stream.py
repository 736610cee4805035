"""``dkdl score`` as a stream: JSON Lines in, one profile line out per good line (DESIGN.md §4.1).

Two passes over a line, one fast and one strict, with the strict one as the authority:

- The fast pass decodes a line straight into a typed record (msgspec: parsing, types and option
  ranges checked in one C pass) and adds up the weights. It only *accepts*: anything it is not
  sure of (a decode error, a missing routing answer, an unknown item, a possible duplicate key,
  an id that needs escaping) goes to the strict pass.
- The strict pass is :func:`json.loads` with hooks that refuse duplicate keys, ``NaN`` and
  ``Infinity``, over-long numbers and text that is not UTF-8, then :meth:`Scorer.score_raw`. It
  writes the Dutch message for a bad line, or the same output line the fast pass would have.

Output is written after each piece of input that could be read without waiting, so a consumer
that sends a few lines and waits gets its answers at once. A stop signal (SIGTERM, SIGINT,
SIGHUP, SIGPIPE; SIGBREAK on Windows) ends the run after writing what was already scored.
"""

from __future__ import annotations

import json
import math
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from json.encoder import encode_basestring  # type: ignore[attr-defined]  # json's C encoder
from operator import getitem, itemgetter
from pathlib import Path
from typing import IO, Annotated, Any, BinaryIO

import msgspec

from dkdl.errors import UserError, os_problem
from dkdl.safetext import safe_json, safe_text, shown
from dkdl.scoring import AnswerError, Result, Scorer

LINE_LIMIT = 64 * 1024  # bytes; an answer set is a few hundred
CHUNK = 256 * 1024
MAX_DIGITS = 100  # in one JSON number; enough for any id
_BOM = b"\xef\xbb\xbf"
_UNSET = msgspec.UNSET

# json's English messages, in Dutch (the start of the message is enough to know it).
_JSON_DUTCH = (
    ("Expecting value", "waarde verwacht"),
    ("Expecting property name", "sleutel tussen dubbele aanhalingstekens verwacht"),
    ("Expecting ':' delimiter", "':' verwacht"),
    ("Expecting ',' delimiter", "',' verwacht"),
    ("Unterminated string", "tekst zonder afsluitend aanhalingsteken"),
    ("Invalid control character", "stuurteken in een tekst"),
    ("Invalid \\uXXXX escape", "ongeldige \\u-code in een tekst"),
    ("Invalid \\escape", "ongeldige \\-code in een tekst"),
    ("Extra data", "meer dan één JSON-waarde op de regel"),
)


class Interrupted(Exception):
    """A stop signal arrived; what was scored has been written."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


class _BadLine(ValueError):
    """A strict-pass problem with its Dutch description."""


class _Guard:
    """Holds a stop signal back while output is being written, so no line is cut in half."""

    def __init__(self) -> None:
        self.busy = False
        self.pending: int | None = None

    def handler(self, signum: int, frame: object) -> None:
        if self.busy:
            self.pending = signum
        else:
            raise Interrupted(signum)

    def release(self) -> None:
        self.busy = False
        if self.pending is not None:
            signum, self.pending = self.pending, None
            raise Interrupted(signum)


_guard = _Guard()

STOP_SIGNALS = tuple(
    getattr(signal, name)
    for name in ("SIGTERM", "SIGINT", "SIGHUP", "SIGPIPE", "SIGBREAK")
    if hasattr(signal, name)
)


@contextmanager
def stop_signals_flush() -> Iterator[None]:
    """While inside: a stop signal raises :class:`Interrupted` (after any write in progress).

    Windows has no SIGTERM delivery (a terminated process just ends), so there Ctrl+C and
    Ctrl+Break are what a user can send; both are handled."""
    previous = {}
    try:
        for signum in STOP_SIGNALS:
            with suppress(ValueError, OSError):  # not the main thread, or not settable here
                previous[signum] = signal.signal(signum, _guard.handler)
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


# -- the strict pass -----------------------------------------------------------------------------


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _BadLine(
                    f"sleutel {key!r} staat er meer dan eens in; geef elke vraag één keer"
                )
            seen.add(key)
    return out


def _no_constants(name: str) -> Any:
    raise _BadLine(f"{name} is geen getal in JSON; gebruik een gewoon getal of tekst")


def _int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_DIGITS:
        raise _BadLine(f"getal met {digits} cijfers; hoogstens {MAX_DIGITS}")
    return int(text)


def _float(text: str) -> float:
    if len(text) > MAX_DIGITS:
        raise _BadLine(f"getal met {len(text)} tekens; hoogstens {MAX_DIGITS}")
    value = float(text)
    if not math.isfinite(value):
        raise _BadLine(f"getal {text} is te groot")
    return value


def _json_problem(exc: json.JSONDecodeError) -> str:
    what = next((nl for en, nl in _JSON_DUTCH if exc.msg.startswith(en)), "onverwacht teken")
    return f"geen geldige JSON ({what}, kolom {exc.colno})"


def _record_tail(result: Result) -> str:
    """Everything of the output line after the id, formatted as ``json.dumps`` formats it."""
    scores = result.scores
    record = {
        "id": None,
        "profile": result.profile,
        "label": result.label,
        "scores": None if scores is None else scores.as_dict(),
        "warnings": list(result.warnings),
    }
    return json.dumps(record, ensure_ascii=False)[len('{"id": null') :]


def strict_line(scorer: Scorer, line: bytes) -> str:
    """The output line for one input line (no newline); raise :class:`_BadLine` or
    :class:`AnswerError` with the Dutch problem. The authority on what is a good line."""
    if len(line) > LINE_LIMIT:
        raise _BadLine(
            f"regel is langer dan {LINE_LIMIT // 1024} kB; zet één antwoordset per regel"
        )
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _BadLine(
            f"geen geldige UTF-8-tekst (byte 0x{line[exc.start]:02x} op positie {exc.start + 1}); "
            "sla het bestand op als UTF-8"
        ) from None
    try:
        raw = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_constant=_no_constants,
            parse_int=_int,
            parse_float=_float,
        )
    except _BadLine:
        raise
    except RecursionError:  # absurdly deep nesting
        raise _BadLine("geen geldige JSON (te diep genest)") from None
    except json.JSONDecodeError as exc:
        raise _BadLine(_json_problem(exc)) from None
    except ValueError:
        raise _BadLine("geen geldige JSON") from None
    if not isinstance(raw, dict):
        raise _BadLine("verwacht een JSON-object met antwoorden")
    result = scorer.score_raw(raw)
    head = safe_json(json.dumps({"id": raw.get("id")}, ensure_ascii=False))[:-1]
    out = head + _record_tail(result)
    try:
        out.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate escaped in the id
        raise _BadLine("id bevat een teken dat geen geldige tekst is") from None
    return out


# -- the fast pass -------------------------------------------------------------------------------


def fast_scorer(scorer: Scorer) -> Callable[[bytes], str | None]:
    """A function from an input line to its output line, or ``None`` when the strict pass must
    decide. It never accepts a line the strict pass would refuse, and gives the same output."""
    q = scorer.questionnaire
    fields: list[tuple[str, Any, Any]] = [("id", Any, _UNSET)]
    for question in q.questions:
        n = len(question.options)
        fields.append((question.id, Annotated[int, msgspec.Meta(ge=1, le=n)], 0))  # 0: absent
    items_key = scorer.items_key
    if items_key is not None:
        fields.append((items_key, list[str], _UNSET))
    answer_set = msgspec.defstruct(
        "AnswerSet", fields, forbid_unknown_fields=True, omit_defaults=False
    )
    decode = msgspec.json.Decoder(answer_set).decode
    astuple = msgspec.structs.astuple
    index = {name: i for i, (name, _, _) in enumerate(fields)}
    axes = {"draagkracht": 0, "draaglast": 1, "ondersteuningsbehoefte": 2}

    routes: dict[int, dict[int, str]] = {}
    for (qid, option), code in scorer.routes.items():
        if option is not None:
            routes.setdefault(index[qid], {})[option] = code
    routing = [(index[qid], routes.get(index[qid], {})) for qid in scorer.routing_ids]
    if any(option is None for _, option in scorer.routes):
        routing = []  # a route on a missing answer: leave such questionnaires to the strict pass
    # Per axis: which fields, and their weights by option code; code 0 (absent) weighs so much
    # below zero that a sum under zero means a required answer is missing.
    absent = -(10**9)
    at_axis: list[list[int]] = [[], [], []]
    weights_axis: list[list[tuple[int, ...]]] = [[], [], []]
    for qid in scorer.scored_ids:
        axis, weights = scorer.weights[qid]
        at_axis[axes[axis]].append(index[qid])
        weights_axis[axes[axis]].append((absent, *weights))
    get_dk, get_dl, get_ob = (_tuple_getter(at) for at in at_axis)
    w_dk, w_dl, w_ob = weights_axis
    weight: Callable[[tuple[int, ...], int], int] = getitem
    item_weights = scorer.item_weights
    items_at = index.get(items_key or "", -1)
    checklist_at = index.get(scorer.checklist_id or "", -1)
    when = scorer.checklist_option
    no_items, ignored = (scorer.warning_no_items(),), (scorer.warning_items_ignored(),)
    route_tails = {
        code: _record_tail(Result(code, scorer.labels[code], None)) for code in scorer.labels
    }
    tails: dict[tuple[int, int, int, int], str] = {}
    can_route = bool(routing) or not scorer.routing_ids
    too_big = 10**MAX_DIGITS

    def fast(line: bytes) -> str | None:
        if len(line) > LINE_LIMIT:
            return None
        try:
            t = astuple(decode(line))
        except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
            return None
        ident = t[0]
        quotes = 0
        if ident is _UNSET:
            head = '{"id": null'
        elif type(ident) is str:
            if '"' in ident or "\\" in ident or not ident.isprintable():
                return None  # quotes, escapes and controls: the strict pass writes those
            head = '{"id": ' + encode_basestring(ident)
            quotes = 2
        elif type(ident) is int:
            if not -too_big < ident < too_big:
                return None
            head = '{"id": ' + str(ident)
        else:
            return None
        items = t[items_at] if items_at >= 0 else _UNSET
        extra = 0
        if items:
            try:
                extra = sum([item_weights[i] for i in items])
            except KeyError:
                return None
            if len(set(items)) != len(items):
                return None
            quotes += 2 * len(items)
        # Every key and string costs exactly two quote bytes here, so a surplus means a key
        # given twice (which the typed decoder would silently overwrite).
        if line.count(b'"') != quotes + 2 * (len(t) - t.count(0) - t.count(_UNSET)):
            return None
        if not can_route:
            return None
        for at, table in routing:
            value = t[at]
            if not value:
                return None
            code = table.get(value)
            if code is not None:
                return head + route_tails[code]
        dk = sum(map(weight, w_dk, get_dk(t)))
        dl = sum(map(weight, w_dl, get_dl(t)))
        ob = sum(map(weight, w_ob, get_ob(t)))
        if dk < 0 or dl < 0 or ob < 0:
            return None
        warn = 0
        if checklist_at >= 0:
            if t[checklist_at] == when:
                if items:
                    ob += extra
                else:
                    warn = 1
            elif items:
                warn = 2
        key = (dk, dl, ob, warn)
        tail = tails.get(key)
        if tail is None:
            warnings = () if warn == 0 else no_items if warn == 1 else ignored
            tail = tails[key] = _record_tail(scorer.result_from_sums(dk, dl, ob, warnings))
        return head + tail

    return fast


def _tuple_getter(indexes: list[int]) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """Like ``itemgetter(*indexes)``, but always a tuple (also for one index or none)."""
    if len(indexes) > 1:
        return itemgetter(*indexes)
    return lambda t: tuple(t[i] for i in indexes)


# -- the stream ----------------------------------------------------------------------------------


def score_chunks(scorer: Scorer, chunks: Iterable[bytes], out: BinaryIO, err: IO[str]) -> int:
    """Score JSON Lines arriving in pieces of any size; returns the number of bad lines.

    Good lines are written in input order, after each piece; each bad line gets one message on
    ``err`` naming its line number. Blank lines are skipped (but counted). A UTF-8 byte order
    mark at the start is allowed."""
    fast = fast_scorer(scorer)
    guard = _guard
    done: list[str] = []
    bad = 0
    number = 0
    pending = b""
    skipping = False  # inside a line already reported as too long: drop up to its newline
    first = True

    def flush() -> None:
        guard.busy = True
        try:
            if done:
                out.write(("\n".join(done) + "\n").encode("utf-8"))
                done.clear()
            out.flush()
        finally:
            guard.release()

    def strict(line: bytes) -> None:
        nonlocal bad
        if not line.strip():
            return
        try:
            done.append(strict_line(scorer, line))
        except AnswerError as exc:
            bad += 1
            err.write(safe_text(f"regel {number}: " + "; ".join(exc.problems)) + "\n")
        except _BadLine as exc:
            bad += 1
            err.write(safe_text(f"regel {number}: {exc}") + "\n")

    try:
        for chunk in chunks:
            if first and chunk:
                first = False
                if chunk.startswith(_BOM):
                    chunk = chunk[len(_BOM) :]
            if skipping:
                newline = chunk.find(b"\n")
                if newline < 0:
                    continue
                chunk, skipping = chunk[newline + 1 :], False
            lines = chunk.split(b"\n")
            lines[0] = pending + lines[0]
            pending = lines.pop()
            for line in lines:
                number += 1
                result = fast(line)
                if result is None:
                    strict(line)
                else:
                    done.append(result)
            if len(pending) > LINE_LIMIT:  # report now; do not keep gigabytes of one line
                number += 1
                strict(pending)
                pending, skipping = b"", True
            flush()
        if pending:
            number += 1
            strict(pending)
    finally:
        flush()
    return bad


def score_stream(scorer: Scorer, source: BinaryIO, out: BinaryIO, err: IO[str]) -> int:
    """Score a binary stream, answering each piece as soon as it could be read."""
    read = getattr(source, "read1", None) or source.read

    def chunks() -> Iterator[bytes]:
        while True:
            data = read(CHUNK)
            if not data:
                return
            yield data

    return score_chunks(scorer, chunks(), out, err)


def run_score(scorer: Scorer, file: str | None) -> int:
    """``dkdl score [FILE]``: the exit status (0 all good, 1 bad lines, 128 + signal when
    stopped, which is also the status when the reader of the output went away)."""
    out, err = sys.stdout.buffer, sys.stderr
    try:
        with stop_signals_flush():
            if file in (None, "-"):
                bad = score_stream(scorer, sys.stdin.buffer, out, err)
            else:
                path = Path(file)
                try:
                    source = path.open("rb")
                except OSError as exc:
                    raise UserError(f"{shown(path)}: {os_problem(exc)}") from None
                with source:
                    bad = score_stream(scorer, source, out, err)
    except Interrupted as exc:
        return 128 + exc.signum
    except BrokenPipeError:  # the reader stopped reading (`dkdl score | head`): stop quietly
        _silence_stdout()
        return 128 + getattr(signal, "SIGPIPE", 13)
    return 1 if bad else 0


def _silence_stdout() -> None:
    """Point standard output at the null device, so Python's own flush at exit does not
    report the broken pipe once more."""
    with suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
