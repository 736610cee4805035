"""Reading a trainer's case folder without trusting it.

A case folder comes from someone else (a USB stick, a shared drive, a zip). Only regular files
named ``*.yaml`` or ``*.yml`` are read, each at most :data:`CASE_FILE_LIMIT` bytes; a symbolic
link is followed only when it stays inside the folder; pipes, devices and folders with a case
name are named and skipped, never opened in a way that could wait. A file's content never
reaches a message except as the case loader quotes a field, and then without control codes.
Plain Python, no UI imports.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from dkdl.errors import LoadError, os_problem
from dkdl.safetext import shown

CASE_SUFFIXES = (".yaml", ".yml")
CASE_FILE_LIMIT = 256 * 1024  # bytes; a case with a long vignette is about 6 kB
_BOM = "\ufeff"


def case_paths(folder: Path) -> list[Path]:
    """The entries of ``folder`` with a case file's name, sorted (not yet checked)."""
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in CASE_SUFFIXES)


def read_case_file(path: Path, folder: Path) -> str:
    """The text of one case file in ``folder``; :class:`LoadError` naming the file when it is a
    link out of the folder, not a regular file, too large, unreadable or not UTF-8."""
    name = shown(path)
    try:
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            try:
                target = path.resolve(strict=True)
            except RuntimeError:  # a loop of links (Python < 3.13 says so this way)
                raise OSError(errno.ELOOP, "loop") from None
            if not target.is_relative_to(folder.resolve()):
                raise LoadError(
                    [
                        f"{name}: verwijst naar een bestand buiten de map en wordt niet gelezen; "
                        "zet de casus zelf in de map"
                    ]
                )
            info = target.stat()
        if not stat.S_ISREG(info.st_mode):
            raise LoadError(
                [f"{name}: is geen gewoon bestand (map, pijp of apparaat) en wordt niet gelezen"]
            )
        if info.st_size > CASE_FILE_LIMIT:
            raise LoadError([_too_large(name, info.st_size)])
        # Non-blocking, so a pipe swapped in after the check above cannot make us wait.
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        fd = os.open(path, flags)
        with os.fdopen(fd, "rb") as fh:
            opened = os.fstat(fh.fileno())
            if not stat.S_ISREG(opened.st_mode) or not _same_file(info, opened):
                raise LoadError([f"{name}: is veranderd tijdens het lezen; probeer het opnieuw"])
            data = fh.read(CASE_FILE_LIMIT + 1)
    except OSError as exc:
        raise LoadError([f"{name}: kan het bestand niet lezen: {os_problem(exc)}"]) from None
    if len(data) > CASE_FILE_LIMIT:
        raise LoadError([_too_large(name, len(data))])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LoadError(
            [
                f"{name}: is geen UTF-8-tekst (byte 0x{data[exc.start]:02x} op positie "
                f"{exc.start + 1}); sla het bestand op als UTF-8"
            ]
        ) from None
    return text.removeprefix(_BOM)


def _too_large(name: str, size: int) -> str:
    return (
        f"{name}: is te groot ({size // 1024} kB; een casusbestand is hoogstens "
        f"{CASE_FILE_LIMIT // 1024} kB) en wordt niet gelezen; is dit wel een casus?"
    )


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    if not (a.st_ino and b.st_ino):  # some file systems have no file numbers
        return True
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)
