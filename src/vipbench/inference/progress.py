"""Progress for long work: items done, refused, unparseable, failed, tokens, cost and ETA.

A rich progress bar on a terminal; a plain log line every few seconds otherwise (CI, DVC logs).
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from types import TracebackType

from vipbench.core.records import Response


class RunProgress:
    def __init__(self, total: int, label: str, log_every_s: float = 5.0, unit_label: str = "items") -> None:
        self.unit_label = unit_label
        self.total = total
        self.label = label
        self.counts: Counter[str] = Counter()
        self.tokens = 0
        self.cost = 0.0
        self.cached = 0
        self._start = time.monotonic()
        self._last_log = 0.0
        self._log_every = log_every_s
        self._bar = None
        self._task = None
        if sys.stderr.isatty():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._bar = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[stats]}"),
                TimeRemainingColumn(),
                transient=False,
            )

    @property
    def done(self) -> int:
        return sum(self.counts.values())

    def stats(self) -> str:
        c = self.counts
        if self.unit_label != "items":
            return self.unit_label
        return (
            f"answered {c['answered']} refused {c['refused']} unparseable {c['unparseable']} "
            f"failed {c['error']} cached {self.cached} tokens {self.tokens} cost ${self.cost:.4f}"
        )

    def eta_s(self) -> float | None:
        done = self.done
        if done == 0:
            return None
        rate = done / max(time.monotonic() - self._start, 1e-9)
        return (self.total - done) / rate

    def __enter__(self) -> RunProgress:
        if self._bar is not None:
            self._bar.start()
            self._task = self._bar.add_task(self.label, total=self.total, stats=self.stats())
        return self

    def update(self, r: Response) -> None:
        self.counts[r.status] += 1
        self.tokens += r.input_tokens + r.output_tokens
        self.cost += r.cost_usd
        self.cached += r.cached
        self._show()

    def _show(self) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=self.done, stats=self.stats())
            return
        now = time.monotonic()
        if now - self._last_log >= self._log_every or self.done == self.total:
            self._last_log = now
            eta = self.eta_s()
            eta_s = f"{eta:.0f}s" if eta is not None else "?"
            print(f"[{self.label}] {self.done}/{self.total} {self.stats()} eta {eta_s}", file=sys.stderr, flush=True)

    def tick(self) -> None:
        """One unit of plain work done (no response to classify)."""
        self.counts["done"] += 1
        self._show()

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()
