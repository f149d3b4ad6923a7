"""A progress report for long commands: a redrawn bar on a terminal, plain lines otherwise.

    [##########··········]  512,000/1,000,000  51.2%  5,840 works/s  ETA 1m24s

On a terminal the line is redrawn in place at most ten times a second. When the output is a
file or a pipe (cron, CI, `2> log`), a full line is written at most every `every` seconds, so a
log shows the pace without thousands of lines.
"""

import time
from collections.abc import Callable
from typing import Protocol

BAR_WIDTH = 20
TTY_REDRAW_SECONDS = 0.1
LINE_SECONDS = 5.0


def format_duration(seconds: float) -> str:
    whole = max(round(seconds), 0)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


class Stream(Protocol):
    def write(self, text: str, /) -> object: ...
    def flush(self) -> None: ...


class Progress:
    """Call with (done, total) as work advances; `finish()` ends the line on a terminal."""

    def __init__(
        self,
        stream: Stream,
        *,
        unit: str = "works",
        every: float = LINE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.unit = unit
        self.every = every
        self.clock = clock
        self.started = clock()
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self._last_shown = -1.0e9
        self._last_done = -1
        self._drawn = False

    def line(self, done: int, total: int) -> str:
        elapsed = max(self.clock() - self.started, 1e-9)
        rate = done / elapsed
        share = done / total if total else 1.0
        if done >= total:
            eta = "done"
        elif rate > 0:
            eta = "ETA " + format_duration((total - done) / rate)
        else:
            eta = "ETA ?"
        text = f"{done:,}/{total:,} {self.unit}  {share:6.1%}  {rate:,.0f} {self.unit}/s  {eta}"
        if self.tty:
            filled = int(share * BAR_WIDTH)
            text = f"[{'#' * filled}{'·' * (BAR_WIDTH - filled)}] {text}"
        return text

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        final = done >= total
        wait = TTY_REDRAW_SECONDS if self.tty else self.every
        if (now - self._last_shown < wait and not final) or done == self._last_done:
            return
        if done == 0 and not final and not self.tty:
            return  # a line saying nothing happened yet is noise in a log
        self._last_shown, self._last_done = now, done
        if self.tty:
            # Clear to the end of the line: the new text may be shorter than the old.
            self.stream.write(f"\r{self.line(done, total)}\x1b[K")
            self._drawn = True
        else:
            self.stream.write(self.line(done, total) + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.tty and self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False
