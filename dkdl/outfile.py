"""Where a trainer's output goes (``--out``), checked before and written safely.

An existing file is replaced only with ``force``; a symlink is refused, never followed; a
device or FIFO is written through (never replaced); a file is written beside its destination
and renamed into place only when complete, and the temporary file is removed on any failure,
SIGTERM or Ctrl+C. Used by ``dkdl export``; every message is Dutch and names the path.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from dkdl.errors import UserError, os_problem


class OutputError(UserError):
    """An ``--out`` that cannot or may not be written: a Dutch message naming it."""


class Interrupted(BaseException):
    """SIGTERM (or Ctrl+Break) arrived while writing; raised so cleanup runs."""


@dataclass(frozen=True)
class Target:
    """A checked ``--out``: ``path`` None is standard output; ``through`` a device or FIFO that
    is written as it is (never replaced)."""

    path: Path | None
    through: bool = False
    force: bool = False


def check_target(out: Path | None, *, log_path: Path | None = None, force: bool = False) -> Target:
    """Refuse an ``--out`` that cannot or may not be written, in Dutch naming it: a folder, a
    symlink, a disk device, the log itself, a missing folder, or an existing file without
    ``force``."""
    if out is None:
        return Target(None)
    try:
        info = out.lstat()
    except FileNotFoundError:
        folder = out.parent if str(out.parent) else Path(".")
        if not folder.is_dir():
            raise OutputError(f"{out}: de map {folder} bestaat niet; maak haar eerst aan") from None
        return Target(out, force=force)
    except OSError as exc:
        raise OutputError(f"{out}: kan dit pad niet bekijken ({os_problem(exc)})") from None
    mode = info.st_mode
    if stat.S_ISLNK(mode):
        raise OutputError(
            f"{out}: is een snelkoppeling (symbolische link) naar {os.readlink(out)}; dkdl "
            "schrijft daar niet doorheen. Geef het echte bestand als --out."
        )
    if stat.S_ISDIR(mode):
        raise OutputError(f"{out}: is een map; geef een bestandsnaam")
    if log_path is not None and _same_file(out, log_path):
        raise OutputError(f"{out}: dit is het logbestand zelf; kies een ander --out")
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return Target(out, through=True)
    if not stat.S_ISREG(mode):
        raise OutputError(f"{out}: is geen gewoon bestand (een schijf of socket); kies een bestand")
    if not force:
        raise OutputError(
            f"{out}: bestaat al. Kies een andere naam, of geef --force om het te vervangen."
        )
    return Target(out, force=True)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


@contextlib.contextmanager
def open_output(target: Target, stdout: IO[bytes] | None = None) -> Iterator[IO[bytes]]:
    """A binary stream for the export. A file is written to a temporary file beside it and
    renamed into place when the block succeeds (an existing file is only replaced with
    ``force``; a symlink put there meanwhile is replaced, never followed); on any failure or
    interruption the temporary file is removed."""
    if target.path is None:
        yield stdout if stdout is not None else sys.stdout.buffer
        return
    out = target.path
    if target.through:
        flags = os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        try:
            fd = os.open(out, flags)
        except OSError as exc:
            raise OutputError(f"{out}: kan niet schrijven ({os_problem(exc)})") from None
        if stat.S_ISREG(os.fstat(fd).st_mode):  # replaced by a file since the check
            os.close(fd)
            raise OutputError(f"{out}: is intussen een gewoon bestand geworden; probeer opnieuw")
        with os.fdopen(fd, "wb") as fh:
            yield fh
        return
    folder = out.parent if str(out.parent) else Path(".")
    try:
        fd, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(
            f"{out}: kan hier niet schrijven ({os_problem(exc)}). Kies met --out een andere plek."
        ) from None
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
        _move_into_place(tmp, out, replace=target.force)
    except OSError as exc:
        raise OutputError(
            f"{out}: schrijven mislukt ({os_problem(exc)}). Is de schijf vol, of staat het "
            "bestand open in een ander programma? Probeer het opnieuw."
        ) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _move_into_place(tmp: Path, out: Path, *, replace: bool) -> None:
    if replace:
        os.replace(tmp, out)
        return
    try:  # without --force: never replace a file that appeared while we wrote
        os.link(tmp, out)
    except FileExistsError:
        raise OutputError(
            f"{out}: bestaat al. Kies een andere naam, of geef --force om het te vervangen."
        ) from None
    except OSError:  # no hard links here (FAT, some network drives): rename, after a check
        if out.exists() or out.is_symlink():
            raise OutputError(
                f"{out}: bestaat al. Kies een andere naam, of geef --force om het te vervangen."
            ) from None
        os.rename(tmp, out)


@contextlib.contextmanager
def termination_as_exception() -> Iterator[None]:
    """Within the block, SIGTERM (and Ctrl+Break on Windows) raise :class:`Interrupted`, so
    ``finally`` blocks remove temporary files. Outside the main thread, or where a signal does
    not exist, nothing changes."""
    names = ("SIGTERM", "SIGBREAK", "SIGHUP")
    numbers = [getattr(signal, n) for n in names if hasattr(signal, n)]
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise Interrupted(signum)

    previous = {}
    for number in numbers:
        with contextlib.suppress(OSError, ValueError, RuntimeError):
            previous[number] = signal.signal(number, handler)
    try:
        yield
    finally:
        for number, old in previous.items():
            with contextlib.suppress(OSError, ValueError, RuntimeError):
                signal.signal(number, old)
