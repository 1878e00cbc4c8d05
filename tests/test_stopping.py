"""monitor.runs.stopping: the one stop rule of local crawls and Scrapyd jobs."""

from __future__ import annotations

import threading

from monitor.runs.stopping import Stopper


def test_timeout_terms_then_kills_after_the_grace():
    s = Stopper(timeout=10, started=0, stop=None, stop_timeout=None, kill_grace=5)
    assert s.tick(9) is None and s.forced is None
    assert s.tick(11) == "TERM"
    assert (s.forced, s.reason) == ("failed", "timeout: still running after 10s, stopped")
    assert s.tick(15) is None  # within the grace
    assert s.tick(16.5) == "KILL"
    assert s.tick(30) is None  # killed once


def test_daemon_stop_gives_the_grace_then_interrupts():
    stop = threading.Event()
    s = Stopper(timeout=100, started=0, stop=stop, stop_timeout=3, kill_grace=5)
    assert s.tick(1) is None
    stop.set()
    assert s.tick(2) is None  # stop seen at 2: grace until 5
    assert s.tick(4) is None
    assert s.tick(5) == "TERM"
    assert s.forced == "interrupted" and "3s of grace" in (s.reason or "")
