"""Progress for long work: items done, refused, unparseable, abstained, failed, tokens, cost and ETA.

A rich progress bar on a terminal; a plain log line every few seconds otherwise (CI, DVC logs).
The ETA divides what is left by a moving rate: the items finished over the last `window_s`
seconds (at least the last few items), counted from the first finished item, so a slow first
call (a model or OCR engine loading) or a run of cache hits does not skew it for the rest of
the run.
"""

from __future__ import annotations

import sys
import time
from collections import Counter, deque
from types import TracebackType

from vipbench.core.records import Response


class RunProgress:
    def __init__(
        self,
        total: int,
        label: str,
        log_every_s: float = 5.0,
        unit_label: str = "items",
        window_s: float = 20.0,
        clock: object = None,
        budget_usd: float | None = None,
    ) -> None:
        #: the run's budget, shown beside the cost so far
        self.budget_usd = budget_usd
        self.unit_label = unit_label
        self.total = total
        self.label = label
        self.counts: Counter[str] = Counter()
        self.tokens = 0
        self.cost = 0.0
        self.cached = 0
        self._clock = clock if callable(clock) else time.monotonic
        self._start = self._clock()
        self._window_s = window_s
        #: (time, items done) after each finished item, for the moving rate
        self._marks: deque[tuple[float, int]] = deque()
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
            f"abstained {c['abstained']} "
            f"failed {c['error']} cached {self.cached} tokens {self.tokens} cost ${self.cost:.4f}"
            + (f" of ${self.budget_usd:.4f}" if self.budget_usd is not None else "")
        )

    def rate(self) -> float | None:
        """Items per second over the recent window (all items so far while the window fills)."""
        if len(self._marks) < 2:
            return None
        t1, d1 = self._marks[-1]
        t0, d0 = self._marks[0]
        if t1 - t0 <= 0:
            return None
        return (d1 - d0) / (t1 - t0)

    def eta_s(self) -> float | None:
        left = self.total - self.done
        if left <= 0:
            return 0.0
        r = self.rate()
        return left / r if r else None

    def _mark(self) -> None:
        # The first mark is the first finished item, not the start: a slow first call (loading a
        # model) then never enters the rate.
        now = self._clock()
        self._marks.append((now, self.done))
        # keep the window, but never fewer than 5 marks, so a slow stretch still has a rate
        while len(self._marks) > 5 and now - self._marks[1][0] >= self._window_s:
            self._marks.popleft()

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
        self._mark()
        self._show()

    def _show(self) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=self.done, stats=self.stats())
            return
        now = self._clock()
        if now - self._last_log >= self._log_every or self.done == self.total:
            self._last_log = now
            eta = self.eta_s()
            eta_s = f"{eta:.0f}s" if eta is not None else "?"
            print(f"[{self.label}] {self.done}/{self.total} {self.stats()} eta {eta_s}", file=sys.stderr, flush=True)

    def tick(self) -> None:
        """One unit of plain work done (no response to classify)."""
        self.counts["done"] += 1
        self._mark()
        self._show()

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()
