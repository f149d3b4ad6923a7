"""`fanworks serve`'s process layout: gunicorn for requests, one background process beside it.

The background process (`fanworks manage background`) runs the job runner and the search
indexer (niced), so request workers keep the CPU for requests instead of sharing it with
indexer and job threads of their own. The supervisor here starts both, restarts the background
process when it dies (waiting longer each time it dies young, so a broken setting does not spin the
CPU), forwards SIGTERM/SIGINT/SIGHUP to gunicorn, and stops the background process once
gunicorn has stopped.
"""

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from types import FrameType
from typing import TextIO

log = logging.getLogger(__name__)

# A background process that lived this long before dying was healthy: restart it at once.
HEALTHY_SECONDS = 30.0
FIRST_DELAY = 0.5
MAX_DELAY = 30.0
STOP_TIMEOUT = 10.0
POLL_SECONDS = 0.2


class Supervisor:
    def __init__(
        self,
        main: Sequence[str],
        background: Sequence[str],
        *,
        out: TextIO | None = None,
        stop_timeout: float = STOP_TIMEOUT,
    ) -> None:
        self.main_argv = list(main)
        self.background_argv = list(background)
        self.out = out or sys.stdout
        self.stop_timeout = stop_timeout
        self.main: subprocess.Popen[bytes] | None = None
        self.background: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self._started_at = 0.0
        self._delay = FIRST_DELAY
        self._restart_at: float | None = None
        self._stopping = False

    def say(self, text: str) -> None:
        self.out.write(f"[fanworks serve] {text}\n")
        self.out.flush()

    def start_background(self) -> None:
        # argv is built by the serve command from our own options, never from request data.
        self.background = subprocess.Popen(self.background_argv)  # noqa: S603
        self._started_at = time.monotonic()
        self.say(f"background process started (pid {self.background.pid})")

    def _forward(self, signum: int, _frame: FrameType | None) -> None:
        self._stopping = signum != signal.SIGHUP
        for process in (self.main, self.background):
            # HUP makes gunicorn reload its workers; the background process has nothing to
            # reload and treats every signal as "stop", so it only gets the stopping ones.
            if signum == signal.SIGHUP and process is self.background:
                continue
            if process is not None and process.poll() is None:
                process.send_signal(signum)

    def _check_background(self) -> None:
        background = self.background
        if self._stopping or background is None:
            return
        now = time.monotonic()
        if self._restart_at is None:
            code = background.poll()
            if code is None:
                return
            lived = now - self._started_at
            if lived >= HEALTHY_SECONDS:
                self._delay = FIRST_DELAY
            else:
                self._delay = min(self._delay * 2, MAX_DELAY)
            self._restart_at = now + self._delay
            self.say(
                f"background process {background.pid} exited with status {code} after "
                f"{lived:.1f} s; restarting it in {self._delay:.1f} s"
            )
        elif now >= self._restart_at:
            self._restart_at = None
            self.restarts += 1
            self.start_background()

    def stop_background(self) -> None:
        background = self.background
        if background is None or background.poll() is not None:
            return
        background.terminate()
        try:
            background.wait(timeout=self.stop_timeout)
        except subprocess.TimeoutExpired:
            background.kill()
            background.wait()

    def run(self) -> int:
        """Run until gunicorn exits; returns its exit status."""
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, self._forward)
        try:
            self.main = subprocess.Popen(self.main_argv)  # noqa: S603 - our own argv
            self.start_background()
            while self.main.poll() is None:
                self._check_background()
                time.sleep(POLL_SECONDS)
        finally:
            self._stopping = True
            if self.main is not None and self.main.poll() is None:
                self.main.terminate()
                self.main.wait()
            self.stop_background()
        return self.main.returncode


def background_argv() -> list[str]:
    return [sys.executable, "-m", "fanworks.cli", "manage", "background", "--exit-with-parent"]


def parent_alive(parent: int) -> bool:
    """False once the process that started us is gone (we were re-parented)."""
    return os.getppid() == parent
