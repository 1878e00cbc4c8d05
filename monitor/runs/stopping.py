"""When a running crawl must be stopped, and how hard: one rule for local children and Scrapyd
jobs alike.

A crawl past its timeout is stopped and recorded as failed; when the daemon is stopping, a crawl
gets ``stop_timeout`` seconds of grace and is then recorded as interrupted. Stopping is a TERM,
then a KILL ``kill_grace`` seconds later if the crawl is still there.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Literal

Signal = Literal["TERM", "KILL"]


@dataclass
class Stopper:
    """Call :meth:`tick` on every poll; it returns the signal to send now, if any, and keeps
    the outcome to force (``forced``) and its ``reason``."""

    timeout: float
    started: float
    stop: threading.Event | None
    stop_timeout: float | None
    kill_grace: float
    forced: str | None = None
    reason: str | None = None
    term_sent: float | None = None
    killed: bool = False
    _stop_seen: float | None = None

    def tick(self, now: float) -> Signal | None:
        if self.stop is not None and self._stop_seen is None and self.stop.is_set():
            self._stop_seen = now
        if self.term_sent is None:
            if now - self.started > self.timeout:
                self.forced = "failed"
                self.reason = f"timeout: still running after {self.timeout}s, stopped"
            elif self._stop_seen is not None and now - self._stop_seen >= (self.stop_timeout or 0):
                self.forced = "interrupted"
                self.reason = (
                    f"daemon stopping: crawl stopped after {self.stop_timeout or 0}s of grace"
                )
            if self.forced:
                self.term_sent = now
                return "TERM"
        elif not self.killed and now - self.term_sent > self.kill_grace:
            self.killed = True
            return "KILL"
        return None
