"""The review's sessions table: one page at a time, sorted and filtered by SQLite.

:class:`SessionsTable` is a part of :class:`dkdl.review.Review` (a mixin): the first page lets
SQLite keep only the top rows while it sorts; for further pages the whole id order is read once
and kept (a few per filter, sort and direction, until the file changes), then each page is read
by id. :meth:`SessionsTable.selection_sql` gives the same selection to every other reader (the
export too).
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from contextlib import AbstractContextManager
from typing import Any, Protocol

from dkdl.review_model import FilterError, ReviewFilter, SessionPage, session_row
from dkdl.review_sql import JOIN_WHO, SORT_COLUMNS
from dkdl.sessionlog import AFGEROND


class _Review(Protocol):
    """What the table needs of the :class:`dkdl.review.Review` it is part of."""

    kept_orders: int
    _conn: sqlite3.Connection
    _orders: OrderedDict[tuple[Any, ...], list[int]]
    _orders_version: int | None

    def _reading(self) -> AbstractContextManager[None]: ...
    def _where(self, flt: ReviewFilter) -> tuple[list[str], list[Any]]: ...
    def _ensure_first(self) -> None: ...
    def _kept_order(self, key: tuple[Any, ...]) -> list[int] | None: ...
    def _keep_order(self, key: tuple[Any, ...], ids: list[int]) -> None: ...
    def selection_sql(
        self, flt: ReviewFilter, *, counted_only: bool = False
    ) -> tuple[str, str, list[Any]]: ...


class SessionsTable:
    """The sessions table of a :class:`dkdl.review.Review` (uses its connection and lock)."""

    # Sorted id orders of the sessions table kept for paging (per filter, sort and direction).
    kept_orders = 4

    def sessions_page(
        self: _Review,
        flt: ReviewFilter | None = None,
        *,
        sort: str = "date",
        descending: bool = True,
        offset: int = 0,
        limit: int = 50,
        counted_only: bool = False,
    ) -> SessionPage:
        """One page of the sessions table: every session matching the filter (all statuses
        and attempts; with ``counted_only`` only those the analyses count), sorted by ``sort``
        (a key of :data:`SORT_COLUMNS`), and the total number matching."""
        flt = flt or ReviewFilter()
        if sort not in SORT_COLUMNS:
            raise FilterError(f"onbekende kolom {sort!r}; kies uit {', '.join(SORT_COLUMNS)}")
        offset, limit = max(0, int(offset)), max(0, int(limit))
        columns = (
            "SELECT s.uuid, s.started_at, w.display, w.laptop, s.mode, s.case_id, s.status, "
            "s.profile, s.key_profile, s.match, s.finished_at "
        )
        with self._reading():
            joins, clause, params = self.selection_sql(flt, counted_only=counted_only)
            base = f"FROM sessions s {joins}{clause}"
            order = "DESC" if descending else "ASC"
            order_by = f"ORDER BY {SORT_COLUMNS[sort]} {order}, s.id {order}"
            key = (flt, counted_only, sort, descending)
            ids = self._kept_order(key)
            if ids is None and offset == 0:
                # the first page: SQLite keeps only the top rows while it sorts
                if clause:
                    total = self._conn.execute(f"SELECT count(*) {base}", params).fetchone()[0]
                else:
                    total = self._conn.execute("SELECT count(*) FROM sessions").fetchone()[0]
                rows = self._conn.execute(
                    f"{columns}{base} {order_by} LIMIT ?", [*params, limit]
                ).fetchall()
                return SessionPage([session_row(r) for r in rows], total, offset, limit)
            if ids is None:
                # further pages: the whole order once, then each page by id (no OFFSET walk)
                ids = [r[0] for r in self._conn.execute(f"SELECT s.id {base} {order_by}", params)]
                self._keep_order(key, ids)
            wanted = ids[offset : offset + limit]
            found = {}
            for chunk in range(0, len(wanted), 500):
                part = wanted[chunk : chunk + 500]
                marks = ", ".join("?" * len(part))
                for r in self._conn.execute(
                    f"{columns.replace('SELECT ', 'SELECT s.id, ', 1)}FROM sessions s {joins} "
                    f"WHERE s.id IN ({marks})",
                    part,
                ):
                    found[r[0]] = r[1:]
            rows = [found[i] for i in wanted if i in found]
        return SessionPage([session_row(r) for r in rows], len(ids), offset, limit)

    def _kept_order(self: _Review, key: tuple[Any, ...]) -> list[int] | None:
        """A kept id order, unless the file changed since (another connection wrote to it)."""
        version = self._conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self._orders_version:
            self._orders.clear()
            self._orders_version = version
        ids = self._orders.get(key)
        if ids is not None:
            self._orders.move_to_end(key)
        return ids

    def _keep_order(self: _Review, key: tuple[Any, ...], ids: list[int]) -> None:
        self._orders[key] = ids
        while len(self._orders) > self.kept_orders:
            self._orders.popitem(last=False)

    def selection_sql(
        self: _Review, flt: ReviewFilter, *, counted_only: bool = False
    ) -> tuple[str, str, list[Any]]:
        """The sessions :meth:`sessions_page` lists for ``flt``, as SQL for every reader of the
        same selection (the export too): the joins after ``FROM sessions s`` (giving
        ``w.display`` and ``w.laptop``), the `` WHERE ...`` clause (or "") and its parameters.
        Run it on ``self.log``'s connection (the joins use its TEMP tables)."""
        where, params = self._where(flt)
        with self._reading():
            if counted_only:
                self._ensure_first()
                where.append(
                    f"s.status = '{AFGEROND}' AND s.mode IN ('oefenen', 'toets') "
                    "AND s.case_id IS NOT NULL AND s.key_profile IS NOT NULL"
                )
                if flt.attempts == "first":
                    where.append("s.id IN (SELECT id FROM rv_first)")
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        return JOIN_WHO, clause, params
