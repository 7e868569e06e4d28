"""`make run`'s processes (honcho with the Procfile: web, worker, beat) stop together.

They run as `make run` starts them, on a laptop's defaults: SQLite and the
filesystem broker under a VAR_DIR of the test's own. Ctrl-C in a terminal
sends SIGINT to every process of the foreground group; stopping honcho alone
(`kill <pid>`) leaves it to pass SIGTERM on. Either way nothing may outlive it
by more than 10 s: the worker used to ignore SIGTERM long enough to be killed
or orphaned.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.test import SimpleTestCase

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# What each Procfile process prints once it is up.
READY = ("celery@", "beat: Starting", "Quit the server with")
STOP_WITHIN = 10.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def session_processes(session: int) -> list[int]:
    """The ids of the live processes in `session` (honcho's, and its children's)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Fields after "pid (comm)": state ppid pgrp session ...
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[3]) == session and fields[0] != "Z":
            found.append(int(entry.name))
    return found


class MakeRunStopsTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.var_dir = tempfile.mkdtemp(prefix="make-run-")
        cls.env = {
            name: value
            for name, value in os.environ.items()
            if name not in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL")
            and not name.startswith(("DJANGO_", "PYTEST_"))
        }
        cls.env.update(
            VAR_DIR=cls.var_dir, DEBUG="true", PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}"
        )
        # Beat reads its schedule from the database.
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
            cwd=REPO,
            env=cls.env,
            check=True,
            timeout=300,
        )

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.var_dir, ignore_errors=True)
        super().tearDownClass()

    def start(self):
        log = open(Path(self.var_dir) / f"honcho-{time.monotonic_ns()}.log", "w+")  # noqa: SIM115
        self.addCleanup(log.close)
        honcho = subprocess.Popen(
            [BIN / "honcho", "start", "-f", "Procfile", "-p", str(free_port())],
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.addCleanup(self.kill_leftovers, honcho.pid)
        deadline = time.monotonic() + 120
        while not all(text in Path(log.name).read_text() for text in READY):
            self.assertIsNone(honcho.poll(), Path(log.name).read_text())
            self.assertLess(time.monotonic(), deadline, Path(log.name).read_text())
            time.sleep(0.2)
        # web (with runserver's reloader), worker (with its pool) and beat under honcho.
        self.assertGreaterEqual(len(session_processes(honcho.pid)), 4)
        return honcho, log

    def kill_leftovers(self, session):
        for pid in session_processes(session):
            os.kill(pid, signal.SIGKILL)

    def assert_all_gone(self, honcho, log):
        deadline = time.monotonic() + STOP_WITHIN
        while session_processes(honcho.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = session_processes(honcho.pid)
        self.assertEqual(left, [], Path(log.name).read_text()[-3000:])
        self.assertNotIn("SIGKILL", Path(log.name).read_text())

    def test_ctrl_c_stops_web_worker_and_beat(self):
        honcho, log = self.start()
        os.killpg(honcho.pid, signal.SIGINT)
        self.assert_all_gone(honcho, log)

    def test_stopping_honcho_alone_leaves_no_orphan(self):
        honcho, log = self.start()
        honcho.send_signal(signal.SIGTERM)
        self.assert_all_gone(honcho, log)
