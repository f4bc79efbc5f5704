"""Driving processes on the session's X server for bench.app_bench: spawn and reap, log tails, RSS,
xdotool, tray docking, strace. Everything a benchmark starts is registered here and killed at exit."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
_started: list[subprocess.Popen[bytes]] = []


class BenchError(Exception):
    """Something the benchmark waits for did not happen in time."""


# ---------------------------------------------------------------------- processes
def app_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "INFLOW_"))}
    env["QT_QPA_PLATFORM"] = "xcb"
    env.update(extra)
    return env


def spawn(
    command: Sequence[str], stderr_path: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start a process in its own process group; stderr to a file (never an undrained pipe)."""
    if stderr_path is not None:
        stderr_path.parent.mkdir(parents=True, exist_ok=True)
    with open(stderr_path or os.devnull, "wb") as stderr:
        process = subprocess.Popen(
            list(command),
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env=env if env is not None else app_env(),
            start_new_session=True,
        )
    _started.append(process)
    return process


def reap(process: subprocess.Popen[bytes], timeout: float = 5.0) -> None:
    """Wait for a process that was asked to quit; kill its process group if it does not."""
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(process)
    if process in _started:
        _started.remove(process)


def kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):  # our own child's group (start_new_session)
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def kill_all_started() -> None:
    for process in list(_started):
        if process.poll() is None:
            kill_group(process)
        else:
            with contextlib.suppress(ProcessLookupError):  # children it may have left in its group
                os.killpg(process.pid, signal.SIGKILL)
    _started.clear()


def run_quiet(command: Sequence[str], env: dict[str, str] | None = None, timeout: float = 30) -> str:
    """Run to completion and return stdout. The timeout is a watchdog thread that kills the process:
    `subprocess.run(timeout=...)` waits by polling with growing sleeps, which adds ~10 ms to a
    20 ms process and would inflate every process time measured here."""
    process = subprocess.Popen(
        list(command),
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    watchdog = threading.Timer(timeout, process.kill)
    watchdog.start()
    try:
        stdout, _ = process.communicate()
    finally:
        watchdog.cancel()
    if process.returncode < 0:
        raise BenchError(f"{command[0]} killed after {timeout:.0f} s")
    return stdout.decode(errors="replace")


def run_ms(command: Sequence[str], env: dict[str, str] | None = None, timeout: float = 30) -> float:
    """Wall time of one run in ms (spawn to reaped); fails on a non-zero exit."""
    start = time.perf_counter()
    process = subprocess.Popen(
        list(command),
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    watchdog = threading.Timer(timeout, process.kill)
    watchdog.start()
    try:
        code = process.wait()
    finally:
        watchdog.cancel()
    elapsed = (time.perf_counter() - start) * 1000
    if code != 0:
        raise BenchError(f"{' '.join(command)} exited with {code}")
    return elapsed


def wait_until(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.002) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise BenchError(f"timed out after {timeout:.0f} s waiting for {what}")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise BenchError(f"no VmRSS for pid {pid}")


def drop_caches() -> bool:
    """Empty the page cache (root only; refused in many containers). True when it worked."""
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        return False
    return True


# ---------------------------------------------------------------------- logs
class LogTail:
    """Follows a log file that another process appends to; finds lines after the current end."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._offset = 0
        self._partial = b""

    def skip_to_end(self) -> None:
        self._offset = self.path.stat().st_size if self.path.exists() else 0
        self._partial = b""

    def _new_lines(self) -> list[str]:
        try:
            with self.path.open("rb") as file:
                file.seek(self._offset)
                data = file.read()
        except FileNotFoundError:
            return []
        self._offset += len(data)
        *lines, self._partial = (self._partial + data).split(b"\n")
        return [line.decode(errors="replace") for line in lines]

    def wait(self, pattern: re.Pattern[str], timeout: float = 10.0) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self._new_lines():
                match = pattern.search(line)
                if match:
                    return match
            time.sleep(0.0005)
        raise BenchError(f"timed out waiting for /{pattern.pattern}/ in {self.path}")


# ---------------------------------------------------------------------- the instance socket
def ask(socket_path: Path, message: dict[str, Any], timeout: float = 5.0) -> dict[str, Any] | None:
    """One JSON line to the instance socket, stdlib only; None when nobody listens (yet)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        try:
            sock.connect(str(socket_path))
        except (FileNotFoundError, ConnectionRefusedError):
            return None
        sock.sendall(json.dumps(message).encode() + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError:
        return None
    finally:
        sock.close()
    try:
        reply = json.loads(data) if data else None
    except ValueError:
        return None
    return reply if isinstance(reply, dict) else None


# ---------------------------------------------------------------------- xdotool
def xdotool(*args: str) -> str:
    return run_quiet(["xdotool", *args])


def visible_windows(name: str) -> list[str]:
    return xdotool("search", "--onlyvisible", "--name", name).split()


def hide_with_escape(name: str, timeout: float = 5.0) -> None:
    """Focus the visible window called `name`, press Escape, wait until no such window is visible."""
    for window in visible_windows(name):
        xdotool("windowfocus", "--sync", window)
        xdotool("key", "Escape")
    wait_until(lambda: not visible_windows(name), timeout, f"{name!r} to hide", interval=0.01)


# ---------------------------------------------------------------------- the system tray (trayer)
class TrayWatch:
    """Tells when a tray icon is docked in trayer: a window two levels below trayer's panel window
    (trayer puts a GtkSocket per icon in its panel and reparents the icon's window into it)."""

    def __init__(self) -> None:
        from Xlib import display as xdisplay

        self._display: Any = xdisplay.Display()
        self._panels = [w for w in self._display.screen().root.query_tree().children if _is_trayer(w)]
        if not self._panels:
            raise BenchError("no trayer window on this display (run inside scripts/with-desktop.sh)")

    def docked(self) -> int:
        """How many icons are docked right now."""
        from Xlib.error import BadWindow

        count = 0
        for panel in self._panels:
            for socket_window in panel.query_tree().children:
                with contextlib.suppress(BadWindow):  # trayer may destroy it while we look
                    count += len(socket_window.query_tree().children)
        return count

    def close(self) -> None:
        self._display.close()


def _is_trayer(window: Any) -> bool:
    try:
        wm_class = window.get_wm_class()
    except Exception:  # a window may vanish while we look
        return False
    return bool(wm_class and "trayer" in wm_class and "panel" in wm_class)


# ---------------------------------------------------------------------- start-up
@dataclass
class StartTimes:
    """Milliseconds from spawn; None when that signal never came."""

    socket_ms: float | None = None
    docked_ms: float | None = None
    extra: dict[str, float] = field(default_factory=dict)


def time_start(
    command: Sequence[str],
    *,
    stderr_path: Path,
    env: dict[str, str],
    tray: TrayWatch,
    socket_path: Path | None,
    timeout: float = 30.0,
) -> tuple[subprocess.Popen[bytes], StartTimes]:
    """Spawn `command`; record when the icon docks and (with socket_path) when the instance socket
    answers `status` with `tray: true`. Both are polled every ~2 ms, each on its own thread."""
    if tray.docked():
        raise BenchError("an icon is still docked from an earlier run")
    times = StartTimes()
    start = time.perf_counter()
    process = spawn(command, stderr_path, env)
    stop = threading.Event()

    def poll_socket() -> None:
        assert socket_path is not None
        while not stop.is_set() and process.poll() is None:
            reply = ask(socket_path, {"cmd": "status"}, timeout=timeout)
            if reply and reply.get("tray") is True:
                times.socket_ms = (time.perf_counter() - start) * 1000
                return
            time.sleep(0.002)

    poller = threading.Thread(target=poll_socket, daemon=True) if socket_path else None
    if poller:
        poller.start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if tray.docked():
            times.docked_ms = (time.perf_counter() - start) * 1000
            break
        time.sleep(0.002)
    if poller:
        poller.join(max(0.0, deadline - time.monotonic()))
    stop.set()
    if process.poll() is not None:
        raise BenchError(f"{command[0]} exited with {process.returncode}: {stderr_path.read_text()[-2000:]}")
    return process, times


def wait_undocked(tray: TrayWatch, timeout: float = 10.0) -> None:
    wait_until(lambda: tray.docked() == 0, timeout, "the tray icon to go away", interval=0.01)


# ---------------------------------------------------------------------- strace
@dataclass
class SyscallReport:
    total: int
    by_call: Counter[str]
    by_thread: Counter[str]  # "tid (comm)"
    unfinished: list[str]  # calls still blocked when strace detached (not counted, like strace -c)
    sample: list[str]


_TRACE_LINE = re.compile(r"^(\d+)\s+(?:<\.\.\. (\w+) resumed>|(\w+)\()")


def count_syscalls(pid: int, seconds: float, out: Path) -> SyscallReport:
    """Attach strace to every thread of `pid` for `seconds`, then count the syscalls that completed.

    Runs `strace -f -qq -o OUT -p PID` (a full trace rather than -c, so each call can be traced back
    to its thread). A call that was blocked when strace attached shows up as restart_syscall only if
    it returns (the thread woke up: counted) or as `<detached ...>` when strace lets go while it is
    still blocked (not counted, nor are calls still `<unfinished ...>` at the end).
    """
    names = {tid.name: (tid / "comm").read_text().strip() for tid in Path(f"/proc/{pid}/task").iterdir()}
    tracer = subprocess.Popen(
        ["strace", "-f", "-qq", "-o", str(out), "-p", str(pid)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    _started.append(tracer)
    time.sleep(seconds)
    tracer.send_signal(signal.SIGINT)
    reap(tracer, 10)
    by_call: Counter[str] = Counter()
    by_thread: Counter[str] = Counter()
    pending: dict[str, str] = {}
    sample: list[str] = []
    for line in out.read_text(errors="replace").splitlines():
        match = _TRACE_LINE.match(line)
        if not match:
            continue
        tid, resumed, call = match.group(1), match.group(2), match.group(3)
        if line.rstrip().endswith("<detached ...>"):  # still blocked when strace let go
            pending[tid] = resumed or call
            continue
        if call and line.rstrip().endswith("<unfinished ...>"):
            pending[tid] = call
            continue
        pending.pop(tid, None)
        name = resumed or call
        by_call[name] += 1
        by_thread[f"{tid} ({names.get(tid, '?')})"] += 1
        if len(sample) < 12:
            sample.append(line[:160])
    unfinished = [f"{tid} ({names.get(tid, '?')}) {call}" for tid, call in pending.items()]
    return SyscallReport(sum(by_call.values()), by_call, by_thread, unfinished, sample)
