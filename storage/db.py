"""Open the SQLite archive the way every process must: WAL, busy timeout, migrations applied.

Why a single opener: the daemon, the crawl children, the alert sender and Datasette all touch the
same file. WAL + ``synchronous=NORMAL`` keeps readers unblocked while a crawl writes, and a busy
timeout lets short write transactions queue instead of failing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from storage.migrations import migrate

BUSY_TIMEOUT_MS = 30_000


class StorageError(Exception):
    """The database cannot be opened or written (disk full, permissions, corruption)."""


#: what a caller outside storage/ catches for a failed statement (monitor/ never imports sqlite3)
DatabaseError = sqlite3.Error


def open_db(path: str | Path, *, create: bool = True) -> sqlite_utils.Database:
    """Open (and create/migrate) the archive at ``path``.

    ``path`` may be ``":memory:"`` for pure unit tests.
    """
    p = str(path)
    if p != ":memory:":
        parent = Path(p).parent
        if create:
            try:
                parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(f"cannot create database directory {parent}: {exc}") from exc
        elif not Path(p).exists():
            raise StorageError(f"database {p} does not exist yet (run a crawl first)")
    try:
        conn = sqlite3.connect(p, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        db = sqlite_utils.Database(conn)
        migrate(db)
    except sqlite3.Error as exc:
        raise StorageError(f"cannot open database {p}: {exc}") from exc
    return db


def open_db_quick(path: str | Path, timeout: float = 2.0) -> sqlite_utils.Database:
    """An existing archive, no migration, a short busy timeout: for a process exiting at once,
    which must never wait on a lock it may hold itself."""
    return sqlite_utils.Database(sqlite3.connect(str(path), timeout=timeout, isolation_level=None))


def close_db(db: sqlite_utils.Database) -> None:
    """Close the connection now (a daemon runs for months: nothing left to the GC)."""
    db.conn.close()


@contextmanager
def write_tx(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One ``BEGIN IMMEDIATE`` transaction: take the write lock before reading.

    A deferred transaction that reads then writes fails at once with "database is locked" when
    another process wrote in between, whatever the busy timeout (SQLite's deadlock avoidance); taking the
    lock up front makes the busy timeout apply instead.
    """
    conn = db.conn
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise StorageError(f"cannot start a write transaction: {exc}") from exc
    try:
        yield db
    except BaseException:
        if conn.in_transaction:  # some errors (disk full) already ended the transaction
            conn.execute("ROLLBACK")
        raise
    else:
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise StorageError(f"commit failed: {exc}") from exc
