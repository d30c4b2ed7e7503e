"""Progress for long batches: a tqdm bar on a terminal, quiet periodic log lines otherwise."""

from __future__ import annotations

import logging
import sys
import time
from typing import IO, Protocol

log = logging.getLogger("closecheck.bulk")

LOG_EVERY_S = 30.0


class Progress(Protocol):
    def update(self, n: int = 1) -> None: ...

    def close(self) -> None: ...


def make_progress(
    total: int, desc: str, *, stream: IO[str] | None = None, every_s: float = LOG_EVERY_S
) -> Progress:
    """A bar when ``stream`` (default stderr) is a terminal, else a logger every ``every_s`` seconds."""
    stream = sys.stderr if stream is None else stream
    if _is_tty(stream):
        from tqdm import tqdm

        bar: Progress = tqdm(
            total=total, desc=desc, unit="img", file=stream, dynamic_ncols=True, smoothing=0.05
        )
        return bar
    return LogProgress(total, desc, every_s=every_s)


def _is_tty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class LogProgress:
    """Logs ``desc: done/total (rate img/s, ETA ...)`` at most every ``every_s`` seconds, and at the end."""

    def __init__(self, total: int, desc: str, *, every_s: float = LOG_EVERY_S) -> None:
        self.total = total
        self.desc = desc
        self.every_s = every_s
        self.done = 0
        self._start = time.monotonic()
        self._last = self._start

    def update(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if now - self._last >= self.every_s:
            self._last = now
            log.info("%s", self.line(now))

    def close(self) -> None:
        if self.total:
            log.info("%s", self.line(time.monotonic()))

    def line(self, now: float) -> str:
        elapsed = max(now - self._start, 1e-9)
        rate = self.done / elapsed
        left = self.total - self.done
        eta = format_seconds(left / rate) if rate > 0 else "?"
        return f"{self.desc}: {self.done}/{self.total} ({rate:.2f} img/s, ETA {eta})"


def format_seconds(seconds: float) -> str:
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"
