"""The infer stage's response spool: each response goes to disk as it arrives.

Responses arrive in completion order; the stage's output lists them in item order. The spool
appends each response's JSON line to a scratch file beside the output and keeps only a small
`Outcome` per item (where its line is, and the few fields the stage's checks and measurements
read), never the response itself. `commit` then copies the lines into the output in item order,
through an atomic write, and removes the scratch file. Memory per item is a few hundred bytes
however long the answers are, so a run of 10,000 items holds what a run of 2,000 holds, plus
those small records.

An item that never got a response is written as an error ("no response"): nothing is silently
dropped. The scratch file is removed however the stage ends; a crash leaves at most a hidden
`.<name>.spool` file, which the next run replaces. Finished answers live in the response cache
anyway, which is what a re-run resumes from.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

from vipbench.core.io import atomic_open, jsonl_line
from vipbench.core.records import Item, Response

#: why an item without a response counts as an error
NO_RESPONSE = "no response"


@dataclass(slots=True)
class Outcome:
    """What the stage keeps of one response: its status, its measurements and where its line is."""

    attribute: str
    status: str
    reason: str | None
    latency_s: float
    cached: bool
    offset: int = -1
    length: int = 0


class ResponseSpool:
    """Collects a run's responses on disk; `commit` writes them to `path` in item order."""

    def __init__(self, path: Path, exclude: frozenset[str] = frozenset()) -> None:
        self.path = path
        self.exclude = set(exclude)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.scratch = path.with_name(f".{path.name}.spool")
        self._fh: IO[bytes] | None = open(self.scratch, "w+b")  # noqa: SIM115 - closed in close()
        self._outcomes: dict[str, Outcome] = {}

    def __enter__(self) -> ResponseSpool:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def add(self, r: Response) -> None:
        """Append one response (a later response for the same item replaces the earlier one)."""
        assert self._fh is not None, "spool is closed"
        line = jsonl_line(r.model_dump(mode="json", exclude=self.exclude)).encode("utf-8")
        offset = self._fh.seek(0, os.SEEK_END)
        self._fh.write(line)
        reason = r.reason if r.status == "error" else None
        self._outcomes[r.item_id] = Outcome(r.attribute, r.status, reason, r.latency_s, r.cached, offset, len(line))

    def outcomes(self, items: Iterable[Item]) -> list[Outcome]:
        """One outcome per item, in item order; an item without a response is an error."""
        return [
            self._outcomes.get(it.item_id) or Outcome(it.attribute, "error", NO_RESPONSE, 0.0, False) for it in items
        ]

    def commit(self, items: Iterable[Item]) -> int:
        """Write every item's response to `path` in item order (atomically); the count written."""
        assert self._fh is not None, "spool is closed"
        self._fh.flush()
        n = 0
        with atomic_open(self.path, "wb") as out:
            for it in items:
                got = self._outcomes.get(it.item_id)
                if got is None or got.offset < 0:
                    missing = Response(
                        item_id=it.item_id,
                        image_id=it.image_id,
                        attribute=it.attribute,
                        status="error",
                        reason=NO_RESPONSE,
                    )
                    out.write(jsonl_line(missing.model_dump(mode="json", exclude=self.exclude)).encode("utf-8"))
                else:
                    self._fh.seek(got.offset)
                    out.write(self._fh.read(got.length))
                n += 1
        return n

    def close(self) -> None:
        """Drop the scratch file (the committed output, if any, stays)."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        self.scratch.unlink(missing_ok=True)
