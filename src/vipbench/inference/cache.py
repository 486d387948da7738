"""A persistent response cache: SQLite in WAL mode, one row per request key.

Only answers are stored: answered, refused and unparseable responses with their raw text.
Errors and failures are never stored, so a re-run retries them. Each `put` is its own
committed transaction, so a process killed with SIGKILL loses at most the requests that were in
flight. WAL with `synchronous=NORMAL` survives a process crash (not necessarily a power cut, which
would lose at most the last few commits and never corrupt the file).

The key is a sha256 over a canonical JSON of everything that determines a response: endpoint,
model, generation parameters, prompt template hash, variant, output format, attribute and image
content hash (plus, for follow-up requests, whatever the request depends on).

Beside the answers, a small `request_quirks` table remembers per (endpoint, model) how requests
had to be adapted (a reasoning model that takes `max_completion_tokens` and no temperature), so a
re-run starts adapted instead of being refused again.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vipbench.core.sqlite import SqliteStore

#: the statuses that may be cached
CACHEABLE = ("answered", "refused", "unparseable")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('answered', 'refused', 'unparseable')),
    raw TEXT NOT NULL,
    refusal TEXT,
    finish_reason TEXT,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    latency_s REAL NOT NULL DEFAULT 0,
    meta TEXT NOT NULL DEFAULT '{}',
    created_at REAL NOT NULL
) WITHOUT ROWID
"""

_QUIRKS_SCHEMA = """
CREATE TABLE IF NOT EXISTS request_quirks (
    endpoint TEXT NOT NULL,
    model TEXT NOT NULL,
    quirks TEXT NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (endpoint, model)
) WITHOUT ROWID
"""


@dataclass(frozen=True)
class CachedResponse:
    key: str
    status: str
    raw: str
    refusal: str | None
    finish_reason: str | None
    input_tokens: int
    output_tokens: int
    latency_s: float
    meta: dict[str, Any]
    created_at: float


def model_key(endpoint: str, model: str, params: dict[str, Any], **parts: Any) -> str:
    """The cache key of a request to a model, for inference and judges alike: sha256 over the
    canonical JSON (names included, order irrelevant) of its identity (endpoint, model, generation
    parameters) plus whatever else the answer depends on (`parts`; a `purpose` part gives a caller
    its own key space)."""
    blob = json.dumps(
        {"endpoint": endpoint.rstrip("/"), "model": model, "params": params, **parts},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ResponseCache(SqliteStore):
    """Thread-safe; several processes may share the file (SQLite locks), one writer at a time."""

    def __init__(self, path: str | Path) -> None:
        super().__init__(path, "responses", (_SCHEMA, _QUIRKS_SCHEMA), pragmas=("PRAGMA synchronous=NORMAL",))

    def get(self, key: str) -> CachedResponse | None:
        with self._lock:
            row = self._db.execute(
                "SELECT key, status, raw, refusal, finish_reason, input_tokens, output_tokens, latency_s, meta,"
                " created_at FROM responses WHERE key = ?",
                (key,),
            ).fetchone()
        if row is None:
            return None
        return CachedResponse(*row[:8], meta=json.loads(row[8]), created_at=row[9])

    def put(
        self,
        key: str,
        *,
        status: str,
        raw: str,
        input_tokens: int = 0,
        output_tokens: int = 0,
        latency_s: float = 0.0,
        refusal: str | None = None,
        finish_reason: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> None:
        """Store one answer, committed before returning. Errors are refused: they are never cached."""
        if status not in CACHEABLE:
            raise ValueError(f"only {CACHEABLE} responses are cached, not {status!r}")
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO responses (key, status, raw, refusal, finish_reason, input_tokens,"
                " output_tokens, latency_s, meta, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    status,
                    raw,
                    refusal,
                    finish_reason,
                    int(input_tokens),
                    int(output_tokens),
                    float(latency_s),
                    json.dumps(meta or {}, sort_keys=True, default=str),
                    time.time(),
                ),
            )

    def get_quirks(self, endpoint: str, model: str) -> dict[str, Any] | None:
        """The request adaptations remembered for (endpoint, model), or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT quirks FROM request_quirks WHERE endpoint = ? AND model = ?", (endpoint.rstrip("/"), model)
            ).fetchone()
        return dict(json.loads(row[0])) if row else None

    def put_quirks(self, endpoint: str, model: str, quirks: dict[str, Any]) -> None:
        """Remember the request adaptations of (endpoint, model) for later runs."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO request_quirks (endpoint, model, quirks, updated_at) VALUES (?, ?, ?, ?)",
                (endpoint.rstrip("/"), model, json.dumps(quirks, sort_keys=True), time.time()),
            )

    def __contains__(self, key: str) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM responses WHERE key = ?", (key,)).fetchone() is not None

    def integrity_check(self) -> str:
        with self._lock:
            return str(self._db.execute("PRAGMA integrity_check").fetchone()[0])

    def __enter__(self) -> ResponseCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
