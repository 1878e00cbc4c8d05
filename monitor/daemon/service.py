"""The daemon behind ``vigie run``: scheduled crawls, alert sender, digest, heartbeat, signals.

Jobs (APScheduler ``BackgroundScheduler``, Europe/Paris): ``crawl:<source>`` per enabled source on
its cron ``schedule``, ``sender`` every ``daemon.send_every``, ``digest`` at ``alerts.digest_at``
(digest mode only), ``heartbeat`` every ``daemon.heartbeat_every``. Every job has
``max_instances=1`` (a crawl slower than its period is never doubled: the late fire is skipped and
reported), ``coalesce=True`` and ``misfire_grace_time`` from the config. Each crawl is a child
process (``monitor.runs.launch.crawl_source``), so a crash, hang or leak cannot take the daemon down;
with ``[scrapyd] nodes`` it is a job on a Scrapyd node instead (``monitor/daemon/scrapyd.py``).

Catch-up and restarts: the job store is in memory; what happened is in ``runs``. On start,
``running`` rows left by a dead process become ``interrupted``; then a source whose last ``ok`` run
started before the previous fire time of its schedule runs at once, and a source that has run
before but has no run at all since that fire time had a *missed window* (health alert). Since the
scheduler only looks forward from now, a restart never replays a window that already ran.

Signals: the first SIGTERM/SIGINT stops scheduling, gives a running crawl ``daemon.stop_timeout``
seconds to finish before stopping it (SIGTERM to its process group, SIGKILL 10 s later), delivers
the pending alerts once, records ``state = stopped`` and returns 0. A second signal kills the crawl
children, marks their runs interrupted and exits at once with 128 + signal number; every write
is a transaction, so the database stays consistent either way.

Config changes: every ``daemon.heartbeat_every`` seconds the ``config`` job looks at
``config.toml`` (mtime, then a SHA-256 of its bytes). A changed file is validated: if valid, the
daemon switches to it (jobs and schedules rebuilt; a crawl in progress finishes on the config it
started with); if not, it keeps running on the previous config and says why in one log line and
one ``health_config`` alert per refused version.

Test and benchmark knob: ``VIGIE_SCHEDULE_SECONDS=N`` replaces every source's cron with an
interval of N seconds (cron's finest unit is a minute). Not a user setting; do not use in production.
"""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor.config import Config, load_config
from monitor.daemon.schedule import (  # noqa: F401 - re-exported for status and tests
    SCHEDULE_KNOB,
    TZ,
    _parse,
    catch_up_plan,
    knob_seconds,
    next_fire,
    previous_fire,
    source_trigger,
)
from monitor.errors import ConfigError, VigieError
from storage import runs as store_runs
from storage.db import close_db, open_db, open_db_quick, write_tx

MISSED_EVENT = "health_missed"
CONFIG_EVENT = "health_config"
logger = logging.getLogger("vigie.daemon")


class AlreadyRunning(VigieError):
    """Another daemon is alive on this database."""


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def daemon_alive(row: dict | None, heartbeat_every: int, now: datetime) -> bool:
    """Heartbeat younger than 3 × heartbeat_every, pid alive, not stopped."""
    if not row or row.get("state") == "stopped" or not row.get("pid"):
        return False
    beat = _parse(row.get("heartbeat"))
    fresh = beat is not None and (now - beat).total_seconds() < 3 * heartbeat_every
    return fresh and psutil.pid_exists(int(row["pid"]))


def stop_stray_crawls(db: Any, db_path: str | Path) -> set[int]:
    """Crawl children of a daemon that was killed (-9, OOM) keep crawling: stop them, so the
    catch-up run does not crawl the same source twice at once. Returns the pids still alive
    among the owners of ``running`` rows (another daemon or a ``vigie crawl`` in progress)."""
    rows = store_runs.running_runs(db)
    me = os.getpid()
    owners = {pid for _, pid in rows if pid and pid != me and psutil.pid_exists(pid)}
    orphans = {str(rid) for rid, pid in rows if pid not in owners}
    archive = str(Path(db_path).resolve())
    strays = []
    for proc in psutil.process_iter(["cmdline"]) if orphans else ():
        args = _crawler_args(proc.info.get("cmdline") or [])
        if args.get("--db") == archive and args.get("--run-id") in orphans:
            strays.append(proc)
    for proc in strays:
        logger.warning("stopping crawl process %d left by a killed daemon", proc.pid)
        proc.terminate()
    _, left = psutil.wait_procs(strays, timeout=5)
    for proc in left:
        proc.kill()
    return owners


def _crawler_args(cmd: list[str]) -> dict[str, str]:
    if "monitor.runs.child" not in cmd:
        return {}
    return {k: v for k, v in zip(cmd, cmd[1:], strict=False) if k.startswith("--")}


class Daemon:
    def __init__(self, cfg: Config, config_path: str, *, schedule_seconds: int | None = None):
        self.cfg = cfg
        self.config_path = config_path
        self.seconds = schedule_seconds if schedule_seconds is not None else knob_seconds()
        self.stopping = threading.Event()
        self.running: set[str] = set()
        self._lock = threading.Lock()
        self._missed_alerted: dict[str, float] = {}
        self.scheduler: BackgroundScheduler | None = None
        self._config_mtime, self._config_hash = _file_stamp(config_path)
        self._refused_hash: str | None = None

    @contextmanager
    def db(self):
        db = open_db(self.cfg.db_path)
        try:
            yield db
        finally:
            close_db(db)

    # -- lifecycle ----------------------------------------------------------------------------

    def run(self) -> int:
        started = utc_now()
        now = datetime.now(UTC)
        with self.db() as db:
            self._refuse_second_daemon(db, now)
            stop_stray_crawls(db, self.cfg.db_path)
            closed = store_runs.close_orphans(db, started, own_runs_too=True)
            if closed:
                logger.warning(
                    "%d run(s) left running by a stopped process marked interrupted", closed
                )
            store_runs.heartbeat(db, started, "running", started=started)
            plan = catch_up_plan(db, self.cfg, now, self.seconds)
        self._install_signals()
        self.scheduler = self._build(plan)
        for name, p in plan.items():
            if p["missed"]:
                self.missed_window(
                    name,
                    f"no run since the window of {p['previous_fire']:%Y-%m-%d %H:%M %Z}: the daemon was not running",
                )
        self.scheduler.start()
        logger.info(
            "daemon started (pid %d): %s",
            os.getpid(),
            ", ".join(
                f"{j.id} next {j.next_run_time:%Y-%m-%d %H:%M:%S %Z}"
                for j in self.scheduler.get_jobs()
                if j.next_run_time
            ),
        )
        while not self.stopping.wait(0.5):
            pass
        return self._shutdown()

    def _refuse_second_daemon(self, db: Any, now: datetime) -> None:
        row = store_runs.daemon_row(db)
        if (
            row
            and row["pid"] != os.getpid()
            and daemon_alive(row, self.cfg.daemon.heartbeat_every, now)
        ):
            raise AlreadyRunning(
                f"a daemon is already running on {self.cfg.db_path} (pid {row['pid']})"
            )

    def _build(self, plan: dict[str, dict]) -> BackgroundScheduler:
        d = self.cfg.daemon
        sched = BackgroundScheduler(
            timezone=TZ,
            # threads start on demand: room for sources a reloaded config may add
            executors={"default": ThreadPoolExecutor(max(16, len(self.cfg.sources) + 4))},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": d.misfire_grace_time,
            },
        )
        self._add_jobs(sched, plan)
        sched.add_job(
            self.check_config,
            IntervalTrigger(seconds=d.heartbeat_every, timezone=TZ),
            id="config",
        )
        sched.add_listener(
            self._on_event, EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES | EVENT_JOB_ERROR
        )
        return sched

    def _add_jobs(self, sched: BackgroundScheduler, plan: dict[str, dict]) -> None:
        """Every job that depends on the config: crawls, sender, heartbeat, digest."""
        d = self.cfg.daemon
        now = datetime.now(TZ)
        for name, src in self.cfg.enabled_sources().items():
            extra = {"next_run_time": now} if plan.get(name, {}).get("catch_up") else {}
            if extra:
                logger.info(
                    "%s: last success older than its previous window: catch-up run now", name
                )
            trigger = source_trigger(src.schedule, jitter=d.jitter, seconds=self.seconds)
            sched.add_job(self.crawl, trigger, args=[name], id=f"crawl:{name}", name=name, **extra)
        sched.add_job(self.send, IntervalTrigger(seconds=d.send_every, timezone=TZ), id="sender")
        sched.add_job(
            self.beat, IntervalTrigger(seconds=d.heartbeat_every, timezone=TZ), id="heartbeat"
        )
        from monitor.ingest.profiles import profiles_of

        for profile in profiles_of(self.cfg):  # one digest job per digest-mode profile (issue 14)
            if profile.mode == "digest":
                sched.add_job(
                    self.digest,
                    CronTrigger.from_crontab(profile.digest_at, timezone=TZ),
                    args=[None if profile.implicit else profile.name],
                    id="digest" if profile.implicit else f"digest:{profile.name}",
                )

    # -- config changes -----------------------------------------------------------------------

    def check_config(self) -> None:
        """Reload a changed, valid ``config.toml``; keep the running one (and say why) if not."""
        if self.stopping.is_set():
            return
        mtime, digest = _file_stamp(self.config_path)
        if mtime == self._config_mtime:
            return
        self._config_mtime = mtime
        if digest in (self._config_hash, self._refused_hash):
            return  # touched but identical, or the version already refused
        try:
            new = load_config(self.config_path)
        except ConfigError as exc:
            self._refused_hash = digest
            why = "; ".join(exc.problems)
            logger.error(
                "config %s changed but is invalid, still running on the previous one: %s",
                self.config_path,
                why,
            )
            try:
                self._enqueue_health(
                    CONFIG_EVENT,
                    Path(self.config_path).name,
                    {
                        "reason": f"configuration modifiée mais invalide, non appliquée : {why}",
                        "advice": "Corriger le fichier (vigie check) ; le démon tourne sur "
                        "l'ancienne configuration.",
                    },
                )
            except Exception:
                logger.exception("could not enqueue the config alert")
            return
        self._config_hash, self._refused_hash = digest, None
        self._reload(new)

    def _reload(self, new: Config) -> None:
        old = self.cfg
        self.cfg = new
        sched = self.scheduler
        if sched is not None:
            for job in sched.get_jobs():
                if job.id != "config":
                    sched.remove_job(job.id)
            self._add_jobs(sched, {})
            hb = new.daemon.heartbeat_every
            if hb != old.daemon.heartbeat_every:
                sched.reschedule_job("config", trigger=IntervalTrigger(seconds=hb, timezone=TZ))
        logger.info(
            "config %s reloaded: sources %s",
            self.config_path,
            ", ".join(f"{n} ({s.schedule})" for n, s in new.enabled_sources().items()) or "none",
        )

    def _shutdown(self) -> int:
        assert self.scheduler is not None
        logger.info(
            "stopping: no new run; %s",
            f"waiting up to {self.cfg.daemon.stop_timeout}s for " + ", ".join(sorted(self.running))
            if self.running
            else "no crawl running",
        )
        self.scheduler.pause()
        self._beat("stopping")
        while self.running:  # crawl_source stops them after stop_timeout (+ kill grace)
            time.sleep(0.2)
        self.scheduler.shutdown(wait=True)
        self.send(final=True)
        self._beat("stopped")
        logger.info("daemon stopped")
        return 0

    def _install_signals(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum: int, _frame: Any) -> None:
        if not self.stopping.is_set():
            logger.info(
                "received %s: stopping (send it again to exit at once)", signal.Signals(signum).name
            )
            self.stopping.set()
            return
        self._hard_exit(signum)

    def _hard_exit(self, signum: int) -> None:
        """Second signal: kill the crawl children, close their runs, leave now."""
        for child in psutil.Process().children(recursive=True):
            try:
                child.kill()
            except psutil.Error:
                pass
        try:  # a short busy timeout: never wait on a lock this process may hold itself
            db = open_db_quick(self.cfg.db_path)
            now = utc_now()
            store_runs.close_orphans(db, now, own_runs_too=True)
            store_runs.heartbeat(db, now, "stopped")
        except Exception as exc:  # the next start closes what is left
            logger.error("exit at once: could not record the stop (%s)", exc)
        logging.shutdown()
        os._exit(128 + signum)

    # -- jobs ---------------------------------------------------------------------------------

    def crawl(self, name: str) -> None:
        from monitor.runs.launch import crawl_source

        if self.stopping.is_set():
            return
        with self._lock:
            self.running.add(name)
        try:
            if self.cfg.scrapyd.nodes:  # a job on a Scrapyd node (monitor/daemon/scrapyd.py)
                from monitor.daemon.scrapyd import crawl_on_scrapyd

                crawl_on_scrapyd(
                    self.cfg,
                    self.config_path,
                    name,
                    stop=self.stopping,
                    stop_timeout=self.cfg.daemon.stop_timeout,
                )
            else:
                child_level = "DEBUG" if self.cfg.daemon.log_level == "DEBUG" else "WARNING"
                crawl_source(
                    self.cfg,
                    self.config_path,
                    name,
                    stop=self.stopping,
                    stop_timeout=self.cfg.daemon.stop_timeout,
                    log_level=child_level,
                )
        finally:
            with self._lock:
                self.running.discard(name)
        if self._any_immediate() and not self.stopping.is_set() and self.scheduler:
            try:
                self.scheduler.modify_job("sender", next_run_time=datetime.now(TZ))  # deliver now
            except Exception:  # the scheduler is shutting down: the final flush delivers
                pass

    def _any_immediate(self) -> bool:
        from monitor.ingest.profiles import profiles_of

        return any(p.mode == "immediate" for p in profiles_of(self.cfg))

    def send(self, final: bool = False) -> None:
        from monitor.alerts.deliver import deliver_pending

        try:
            with self.db() as db:
                report = deliver_pending(db, self.cfg)
        except Exception:
            logger.exception("alert delivery failed")
            return
        if final or report.sent or report.failed or report.errors:
            logger.info("alerts: %s", report)

    def digest(self, profile: str | None = None) -> None:
        from monitor.alerts.deliver import send_digest

        with self.db() as db:
            report = send_digest(db, self.cfg, datetime.now(UTC), profile=profile)
        logger.info("digest%s: %s", f" {profile}" if profile else "", report)

    def beat(self) -> None:
        self._beat("running")

    def _beat(self, state: str) -> None:
        try:
            with self.db() as db:
                store_runs.heartbeat(db, utc_now(), state)
        except Exception:
            logger.exception("heartbeat failed")

    # -- missed windows -----------------------------------------------------------------------

    def _on_event(self, event: JobEvent) -> None:
        job = event.job_id
        if event.code == EVENT_JOB_ERROR:
            logger.error("job %s failed: %r", job, getattr(event, "exception", None))
            return
        if not job.startswith("crawl:") or self.stopping.is_set():
            return
        times = getattr(event, "scheduled_run_times", None) or [
            getattr(event, "scheduled_run_time", None)
        ]
        when = ", ".join(f"{t:%Y-%m-%d %H:%M:%S %Z}" for t in times if t)
        why = (
            "the previous run was still going"
            if event.code == EVENT_JOB_MAX_INSTANCES
            else f"the daemon was late by more than {self.cfg.daemon.misfire_grace_time}s"
        )
        self.missed_window(job.removeprefix("crawl:"), f"run due {when} skipped: {why}")

    def missed_window(self, source: str, reason: str) -> None:
        """Log it, and enqueue one health alert per source per ``alerts.reminder_every``."""
        logger.warning("%s: missed window: %s", source, reason)
        last = self._missed_alerted.get(source)
        if last is not None and time.monotonic() - last < self.cfg.alerts.reminder_every:
            return
        self._missed_alerted[source] = time.monotonic()
        try:
            self._enqueue_missed(source, reason)
        except Exception:
            logger.exception("%s: could not enqueue the missed-window alert", source)

    def _enqueue_missed(self, source: str, reason: str) -> None:
        self._enqueue_health(
            MISSED_EVENT,
            source,
            {"reason": reason, "advice": "Vérifier que le démon tourne."},
            once_per=self.cfg.alerts.reminder_every,
        )

    def _enqueue_health(
        self, event: str, source: str, payload: dict[str, Any], once_per: int | None = None
    ) -> None:
        """One immediate health alert through the outbox (at most one per ``once_per`` s)."""
        from monitor.alerts.policy import recipients_for
        from storage import outbox

        src = self.cfg.sources.get(source)
        recipients = recipients_for(self.cfg.alerts.email.recipients, src.recipients if src else [])
        now = datetime.now(UTC)
        with self.db() as db, write_tx(db):
            last = _parse(outbox.last_created(db, event, source)) if once_per else None
            if last is not None and once_per and (now - last).total_seconds() < once_per:
                return
            outbox.enqueue(
                db,
                event=event,
                item_id=None,
                source=source,
                run_id=None,
                recipients=recipients,
                mode="immediate",
                payload=payload,
                now=now,
                channels=list(self.cfg.channels),  # a broken source reaches the chat too
            )


def _file_stamp(path: str | Path) -> tuple[int | None, str | None]:
    """(mtime in ns, SHA-256 of the bytes) of the config file; (None, None) when unreadable."""
    try:
        p = Path(path)
        return p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest()
    except OSError:
        return None, None
