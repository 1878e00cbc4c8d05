"""A real Scrapyd node (from PyPI) on 127.0.0.1 for the tests and the writers benchmark.

The node runs in a virtual environment of its own that sees the test environment's installed
packages (a ``.pth`` line naming its site-packages) but not Vigie itself: ``.pth`` files are
only read in a site directory, so the editable install's import hook stays out, and the node
runs from a temporary folder, so the repository is not on its path either. Vigie's code
therefore comes only from the egg deployed through ``addversion.json`` — as on a real node,
where the egg carries Vigie and the node's Python carries its dependencies.

Deployment is the README's command: ``scrapyd-deploy`` run in a copy of the project (the files
an egg is built from), its ``scrapy.cfg`` target pointed at this node.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import venv
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent.parent
#: what an egg is built from (pyproject's readme is part of the metadata)
PROJECT_FILES = (
    "monitor",
    "spiders",
    "storage",
    "pyproject.toml",
    "setup.py",
    "scrapy.cfg",
    "README.md",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ScrapydNode:
    def __init__(self, home: Path, max_proc: int = 4) -> None:
        self.home = home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.max_proc = max_proc
        self.proc: subprocess.Popen | None = None

    # -- life ---------------------------------------------------------------------------------
    def start(self, timeout: float = 60) -> ScrapydNode:
        env_dir = self.home / "env"
        venv.EnvBuilder(with_pip=False).create(env_dir)
        python = env_dir / "bin" / "python"
        purelib = subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        Path(purelib, "test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
        work = self.home / "node"
        work.mkdir()
        (work / "scrapyd.conf").write_text(
            "[scrapyd]\n"
            f"bind_address = 127.0.0.1\nhttp_port = {self.port}\n"
            "eggs_dir = eggs\nlogs_dir = logs\ndbs_dir = dbs\n"
            f"poll_interval = 0.5\nmax_proc = {self.max_proc}\n"
        )
        self.python = python
        self.work = work
        self.out = (work / "scrapyd.out").open("wb")
        self.proc = subprocess.Popen(
            [str(python), "-m", "scrapyd"], cwd=work, stdout=self.out, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"scrapyd exited:\n{self.output()}")
            try:
                self.get("daemonstatus.json")
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"scrapyd not ready after {timeout}s:\n{self.output()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.out.close()

    def output(self) -> str:
        return (self.work / "scrapyd.out").read_text("utf-8", errors="replace")

    # -- deploy -------------------------------------------------------------------------------
    def deploy(self, project: str = "vigie", version: str = "1") -> dict[str, Any]:
        """The README's deploy command, from a copy of the project pointed at this node."""
        src = self.home / "project"
        for name in PROJECT_FILES:
            path = ROOT / name
            if path.is_dir():
                shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                src.mkdir(exist_ok=True)
                shutil.copy(path, src / name)
        cfg = (src / "scrapy.cfg").read_text()
        (src / "scrapy.cfg").write_text(cfg.replace("http://127.0.0.1:6800/", self.url + "/"))
        deploy = Path(sys.executable).parent / "scrapyd-deploy"
        done = subprocess.run(
            [str(deploy), "-p", project, "-v", version],
            cwd=src,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != 0:
            raise RuntimeError(f"scrapyd-deploy failed:\n{done.stdout}\n{done.stderr}")
        return json.loads(done.stdout)

    # -- the web service ----------------------------------------------------------------------
    def get(self, endpoint: str, **params: str) -> dict[str, Any]:
        query = f"?{urlencode(params)}" if params else ""
        with urlopen(f"{self.url}/{endpoint}{query}", timeout=30) as resp:
            return json.loads(resp.read())

    def post(self, endpoint: str, params: list[tuple[str, str]]) -> dict[str, Any]:
        with urlopen(f"{self.url}/{endpoint}", data=urlencode(params).encode(), timeout=60) as resp:
            return json.loads(resp.read())

    def schedule(self, spider: str, source: str, config: Path, *settings: str) -> str:
        params = [("project", "vigie"), ("spider", spider), ("source", source)]
        params += [("setting", f"VIGIE_CONFIG_PATH={config}")]
        params += [("setting", s) for s in settings]
        answer = self.post("schedule.json", params)
        if answer.get("status") != "ok":
            raise RuntimeError(f"schedule.json: {answer}")
        return str(answer["jobid"])

    def wait_finished(self, jobs: list[str], timeout: float = 90) -> dict[str, dict]:
        """Poll listjobs.json until every job is finished; their entries by id."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = {j["id"]: j for j in self.get("listjobs.json", project="vigie")["finished"]}
            if all(j in done for j in jobs):
                return {j: done[j] for j in jobs}
            time.sleep(0.3)
        raise TimeoutError(
            f"jobs {jobs} not finished after {timeout}s: {self.get('listjobs.json')}"
        )

    def log(self, entry: dict[str, Any]) -> str:
        """A finished job's Scrapy log, read from the node's logs_dir."""
        return (self.work / entry["log_url"].lstrip("/")).read_text("utf-8", errors="replace")
