"""The SQLite file behind a persistent cache: WAL, safe across threads and processes.

`SqliteStore` opens (and creates) the file with its tables; a subclass adds its own reads and
writes, each under `_lock`. Several processes may share the file: SQLite locks it, one writer at
a time, and a writer waits up to 30 s for another.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path


class SqliteStore:
    """One SQLite file in WAL mode: `schema` is run on open, `len()` counts the rows of `table`."""

    def __init__(self, path: str | Path, table: str, schema: tuple[str, ...], pragmas: tuple[str, ...] = ()) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._table = table
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, timeout=30.0, check_same_thread=False, isolation_level=None)
        for statement in ("PRAGMA journal_mode=WAL", *pragmas, "PRAGMA busy_timeout=30000", *schema):
            self._db.execute(statement)

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute(f"SELECT COUNT(*) FROM {self._table}").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
