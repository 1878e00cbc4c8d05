"""Where things are: the lines ``vigie run`` prints first (issue 10, "a new user's first run").

Why: a new user starting the daemon sees log lines but not where the archive, the log and the
alert mails go, nor how to look at what was collected. Paths are absolute (resolved against the
config's folder, as the daemon uses them), and the archive command is one to copy and paste.
"""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path

from monitor.config import Config


def vigie_command() -> str:
    """How to call ``vigie`` again: plain ``vigie`` when ``PATH`` finds this one, else the
    script next to this interpreter (a venv's ``bin/``, e.g. ``.venv/bin/vigie`` under make)."""
    script = Path(sys.executable).parent / "vigie"
    found = shutil.which("vigie")
    if not script.is_file() or (found and Path(found).resolve() == script.resolve()):
        return "vigie"
    try:
        return str(script.relative_to(Path.cwd()))
    except ValueError:
        return str(script)


def where_lines(cfg: Config, config_path: str | Path) -> list[str]:
    """Config, database, log, mail and the command that opens the archive in Datasette."""
    config = Path(config_path).resolve()
    log = (
        str(cfg.resolve(cfg.daemon.log_file).resolve())
        if cfg.daemon.log_file
        else "this terminal only (set [daemon] log_file to keep a file)"
    )
    email = cfg.alerts.email
    if email.host:
        mail = (
            f"sent by SMTP via {email.host}:{email.effective_port()} to "
            f"{', '.join(email.recipients) or '(no recipients)'}; "
            "queued in the database's outbox until delivered"
        )
    else:
        outbox = cfg.resolve(cfg.alerts.outbox_dir).resolve()
        mail = f"written as .eml files into {outbox} (no [alerts.email] host set)"
    serve = f"{vigie_command()} --config {shlex.quote(str(config))} serve"
    url = f"http://{cfg.serve.host}:{cfg.serve.port}/"
    return [
        f"Vigie daemon, config {config}",
        f"  database: {cfg.db_path.resolve()}",
        f"  log:      {log}",
        f"  mail:     {mail}",
        f"  archive:  {serve}   (Datasette, then open {url})",
    ]
