"""Fault injection with real processes: a private Redis, a hung listener, a private PostgreSQL cluster,
a stalling SMTP server, a Celery worker and gunicorn as subprocesses.

Nothing here touches the shared services: every server is started on a free
port of its own and stopped again, so a test can kill or restart it at will.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"


# --- Small tools -----------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_for(predicate: Callable[[], object], timeout: float = 20.0, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


def _bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(candidates[-1]) if candidates else None


def redis_server_reason() -> str | None:
    return None if shutil.which("redis-server") else "redis-server not installed (apt-get install redis-server)"


def postgres_server_reason() -> str | None:
    if not (_bin("initdb") and _bin("pg_ctl")):
        return "PostgreSQL server binaries (initdb, pg_ctl) not installed"
    if os.geteuid() == 0 and not shutil.which("runuser"):
        return "running as root without runuser: cannot start a private PostgreSQL"
    return None


def django_env(**extra: str) -> dict[str, str]:
    """The environment of a portal subprocess: base settings, quiet, eager unless REDIS_URL is given."""
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "DATABASE_POOL"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "PYTHONPATH": str(ROOT),
            "LOG_LEVEL": "WARNING",
            "EMAIL_URL": "dummy://",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        }
    )
    env.update(extra)
    return env


def _terminate(process: subprocess.Popen | None, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


# --- Redis --------------------------------------------------------------------------------------
class RedisServer:
    """A private redis-server on its own port: start, stop (SIGKILL, like a crash) and start again."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.dir = tempfile.mkdtemp(prefix="fault-redis-")
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--dir", self.dir, "--loglevel", "warning"]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        if not wait_for(lambda: port_open(self.port), timeout=10):
            raise RuntimeError(f"redis-server did not start on port {self.port}")
        return self

    def stop(self) -> None:
        """Kill it: clients see connection refused from now on."""
        _terminate(self.process, signal.SIGKILL)
        self.process = None
        wait_for(lambda: not port_open(self.port), timeout=5)

    def freeze(self) -> None:
        """SIGSTOP: the kernel still accepts connections, nothing ever answers (a hung Redis)."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGCONT)

    def close(self) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGCONT)
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class HungListener:
    """A TCP listener that accepts every connection and never answers: a hung Redis."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.accepted = 0
        self._connections: list[socket.socket] = []
        self._socket = socket.socket()
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", self.port))
        self._socket.listen(64)
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            self.accepted += 1
            self._connections.append(connection)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._socket.shutdown(socket.SHUT_RDWR)
        self._socket.close()
        for connection in self._connections:
            with contextlib.suppress(OSError):
                connection.close()
        self._thread.join(timeout=5)


# --- PostgreSQL -------------------------------------------------------------------------------
class PostgresCluster:
    """A private PostgreSQL cluster (initdb into a temporary directory) that a test may restart.

    As root the server runs as the ``postgres`` OS user (PostgreSQL refuses root).
    """

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="fault-pg-"))
        self.data = self.dir / "data"
        self.restarts = 0

    def url(self, name: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run(
            [*prefix, *command], check=check, capture_output=True, text=True, cwd=self.dir, timeout=120
        )

    def init(self) -> PostgresCluster:
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        return self

    def _ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        completed = self._run(
            _bin("pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "server.log"), "-o", options, "-w", *extra,
            action, check=False,
        )  # fmt: skip
        if completed.returncode != 0:
            log = (self.dir / "server.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"pg_ctl {action} failed: {completed.stderr}\n{log}")

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        """A fast restart: every open connection is terminated, the server comes back on the same port."""
        self._ctl("restart", "-m", "fast")
        self.restarts += 1

    def stop(self) -> None:
        self._ctl("stop", "-m", "immediate")

    def create_database(self, name: str) -> str:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, subprocess.SubprocessError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


# --- SMTP -------------------------------------------------------------------------------------
class StallingSMTP:
    """A local SMTP server (aiosmtpd) recording what it accepted; it can stall the next message.

    With ``stall_next()`` the next message's DATA is held (no "250" reply)
    until ``release()``; if the client dies meanwhile the message is dropped,
    as a real server drops a transaction the client never completed.
    """

    def __init__(self, port: int | None = None) -> None:
        from aiosmtpd.controller import Controller

        self.port = port or free_port()
        self.messages: list[tuple[list[str], bytes]] = []
        self.stalled = threading.Event()
        self.dropped = 0
        self._stall = False
        self._release = threading.Event()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> StallingSMTP:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._release.set()
        self._controller.stop()

    def stall_next(self) -> None:
        self._stall, self._release = True, threading.Event()
        self.stalled.clear()

    def release(self) -> None:
        self._release.set()

    async def handle_DATA(self, server, session, envelope) -> str:
        if self._stall:
            self._stall = False
            self.stalled.set()
            try:
                while not self._release.is_set():
                    transport = server.transport
                    if transport is None or transport.is_closing():
                        self.dropped += 1
                        return "421 Connection lost"
                    await asyncio.sleep(0.02)
            except asyncio.CancelledError:
                self.dropped += 1
                raise
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"


# --- Celery worker ----------------------------------------------------------------------------
class CeleryWorker:
    """``celery -A config worker`` (prefork, one child) as a subprocess of its own session."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.process: subprocess.Popen | None = None
        self.kills = 0

    def start(self) -> CeleryWorker:
        command = [str(VENV_BIN / "celery"), "-A", "config", "worker", "--pool", "prefork", "--concurrency", "1"]
        command += ["--loglevel", "INFO", "--without-mingle", "--without-gossip", "--without-heartbeat"]
        command += ["--hostname", f"fault{free_port()}@%h"]
        offset = self.log.stat().st_size if self.log.exists() else 0
        with open(self.log, "a") as out:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=out, stderr=out, start_new_session=True
            )

        def ready() -> bool:
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited; see {self.log}")
            with open(self.log, errors="replace") as log:
                log.seek(offset)
                return " ready." in log.read()

        if not wait_for(ready, timeout=60, interval=0.2):
            raise RuntimeError(f"the worker did not get ready; see {self.log}")
        return self

    def children(self) -> list[int]:
        """The pool's child processes (the ones that run tasks)."""
        if self.process is None:
            return []
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        with contextlib.suppress(OSError):
            return [int(pid) for pid in path.read_text().split()]
        return []

    def kill_child(self) -> int:
        """SIGKILL the child running the task; the main process stays and forks a new one."""
        (child,) = self.children()
        os.kill(child, signal.SIGKILL)
        self.kills += 1
        return child

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and children), like the OOM killer or a lost host."""
        _terminate(self.process, signal.SIGKILL)
        self.process = None
        self.kills += 1

    def stop(self) -> None:
        _terminate(self.process)
        self.process = None


# --- gunicorn -------------------------------------------------------------------------------------
@contextlib.contextmanager
def gunicorn(env: dict[str, str], *, port: int, workers: int = 2, log: Path) -> Iterator[str]:
    """The portal under gunicorn on ``port``; yields its base URL."""
    command = [str(VENV_BIN / "gunicorn"), "config.wsgi", "--workers", str(workers), "--bind", f"127.0.0.1:{port}"]
    command += ["--timeout", "60", "--access-logfile", "/dev/null", "--error-logfile", str(log)]
    with open(log.with_suffix(".out"), "a") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True)
    try:
        if not wait_for(lambda: port_open(port) or process.poll() is not None, timeout=30, interval=0.1):
            raise RuntimeError(f"gunicorn did not start; see {log}")
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited; see {log}")
        yield f"http://127.0.0.1:{port}"
    finally:
        _terminate(process)


def manage(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    """Run ``manage.py`` in a subprocess with ``env``; returns its stdout."""
    completed = subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"manage.py {' '.join(args)} failed:\n{completed.stdout[-2000:]}\n{completed.stderr[-4000:]}"
        )
    return completed.stdout
