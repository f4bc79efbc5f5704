"""Real servers for the integration tests: started on loopback, in temp dirs, on free ports.

Each server runs from its own virtualenv under `.cache/servers/<name>-venv`, which
`bash scripts/test.sh` installs (scripts/servers.sh). What is shared here: finding those
virtualenvs, picking a free port, and `ServerProcess`, a child process in its own session
whose output goes to a log file and which is stopped by killing its whole process group.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parents[3]
SERVERS_DIR = REPO_ROOT / ".cache" / "servers"

#: How long a server may take to answer its readiness URL (first starts create databases).
START_TIMEOUT = 60.0
#: How long a server may take to exit after SIGTERM before it gets SIGKILL.
STOP_TIMEOUT = 10.0
#: Timeout of every HTTP request the fixtures make.
HTTP_TIMEOUT = 10.0


class ServerNotInstalledError(RuntimeError):
    """The server's virtualenv is missing or incomplete."""


class ServerStartError(RuntimeError):
    """The server exited or did not become ready in time; the message ends with its log."""


class ServerRequestError(RuntimeError):
    """A fixture helper's HTTP request got an unexpected status; the message has the body."""

    def __init__(self, response: requests.Response) -> None:
        request = response.request
        super().__init__(f"{request.method} {request.url} -> {response.status_code}: {response.text[:2000]}")
        self.response = response


def check(response: requests.Response) -> requests.Response:
    """`response` itself when its status is 2xx, else ServerRequestError."""
    if not response.ok:
        raise ServerRequestError(response)
    return response


def server_python(name: str) -> Path:
    """The Python of `.cache/servers/<name>-venv`, or ServerNotInstalledError saying how to install it."""
    venv = SERVERS_DIR / f"{name}-venv"
    python = venv / "bin" / "python"
    # scripts/servers.sh writes the stamp last: without it the install did not finish.
    if not python.exists() or not (venv / ".inflow-pins").exists():
        raise ServerNotInstalledError(
            f"the {name} test server is not installed in {venv}: run the tests with "
            "`bash scripts/test.sh` (it installs the servers once, then caches them)"
        )
    return python


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it: bind to port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def log_tail(path: Path, lines: int = 40) -> str:
    """The last `lines` lines of a log file ('' when there is none)."""
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


_running: set[ServerProcess] = set()


@atexit.register
def _stop_all() -> None:
    """Safety net: no server outlives the interpreter, even when a fixture's teardown did not run."""
    for server in list(_running):
        server.stop()


class ServerProcess:
    """One server process: started in its own session, output appended to `log`, stopped by group.

    `start()` may be called again after `stop()`, with the same command, environment and cwd.
    """

    def __init__(
        self,
        name: str,
        argv: Sequence[str | os.PathLike[str]],
        *,
        cwd: Path,
        log: Path,
        ready_url: str,
        env: Mapping[str, str] | None = None,
        is_ready: Callable[[requests.Response], bool] = lambda response: response.ok,
    ) -> None:
        self.name = name
        self.argv = [os.fspath(arg) for arg in argv]
        self.cwd = cwd
        self.log = log
        self.ready_url = ready_url
        self.env = dict(env) if env is not None else None
        self.is_ready = is_ready
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> None:
        """Start the process and wait until `ready_url` answers; ServerStartError if it does not."""
        if self._proc is not None:
            raise RuntimeError(f"{self.name} is already started")
        with self.log.open("ab") as log:
            log.write(f"\n==== {time.strftime('%H:%M:%S')} starting {self.name}: {self.argv}\n".encode())
            log.flush()
            # The child gets its own duplicate of the log's fd; ours is closed when this block ends.
            self._proc = subprocess.Popen(
                self.argv,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _running.add(self)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self) -> None:
        assert self._proc is not None
        deadline = time.monotonic() + START_TIMEOUT
        with requests.Session() as http:
            while True:
                if self._proc.poll() is not None:
                    raise ServerStartError(
                        f"{self.name} exited with {self._proc.returncode} before it was ready; "
                        f"{self.log}:\n{log_tail(self.log)}"
                    )
                with contextlib.suppress(requests.RequestException):
                    if self.is_ready(http.get(self.ready_url, timeout=2)):
                        return
                if time.monotonic() > deadline:
                    raise ServerStartError(
                        f"{self.name} was not ready at {self.ready_url} after {START_TIMEOUT:.0f} s; "
                        f"{self.log}:\n{log_tail(self.log)}"
                    )
                time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM the process group, SIGKILL it if it is still there after STOP_TIMEOUT. Idempotent."""
        proc, self._proc = self._proc, None
        _running.discard(self)
        if proc is None:
            return
        if proc.returncode is None:
            # The group id is the child's pid (start_new_session). The exited leader is left a zombie
            # (WNOWAIT) until the whole group got SIGKILL, so that the id cannot be reused meanwhile.
            deadline = time.monotonic() + STOP_TIMEOUT
            _signal_group(proc.pid, signal.SIGTERM)
            while not _exited(proc.pid, block=False) and time.monotonic() < deadline:
                time.sleep(0.02)
            _signal_group(proc.pid, signal.SIGKILL)
            _exited(proc.pid, block=True)
        proc.wait()


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def _exited(pid: int, *, block: bool) -> bool:
    """Whether child `pid` has exited, without reaping it."""
    options = os.WEXITED | os.WNOWAIT | (0 if block else os.WNOHANG)
    return os.waitid(os.P_PID, pid, options) is not None
