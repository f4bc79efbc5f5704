"""The running app: hotkey and hand-over latency, start-up, idle memory and syscalls, beside CopyQ.

    scripts/with-desktop.sh .venv/bin/python -m bench.app_bench [--build] [--quick] [--json FILE]

Needs the private desktop of scripts/with-desktop.sh (Xvfb, trayer, D-Bus), xdotool, strace and
copyq. Every process it starts is killed at the end (also on Ctrl+C); everything it writes is under
a temporary folder; traffic is only the local X server and Unix sockets. About 3 minutes.

1. start-up: spawn -> the instance socket answers `status` with `tray: true`, and spawn -> the tray
   icon is docked in trayer (both polled every ~2 ms), from source and from the frozen bundle; the
   first start right after dropping the page cache (when permitted) and N warm ones; CopyQ beside it.
2. idle: VmRSS after start + 2 s, with a breakdown (bench.rss_probe), and the syscalls of 10 s of
   idling with the window hidden (strace on every thread), before and after the window was used.
3. hotkey -> capture window painted (`xdotool key ctrl+alt+j`), beside bench.floor_hotkey_app.
4. `inflow capture --window` in a second process -> painted, beside a stdlib socket client.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.paths import resolve_paths
from bench import desktop
from bench.common import percentile
from bench.desktop import PYTHON, ROOT, BenchError, LogTail, StartTimes, TrayWatch, app_env

PAINTED = re.compile(r"painted at (\d+\.\d+)")
READY_IN = re.compile(r"ready in (\d+) ms")
CAPTURE_TITLE = "New moment"
FLOOR_TITLE = "Floor window"
BUNDLE = ROOT / "dist" / "inflow" / "inflow"

results: dict[str, Any] = {}


def stats(samples: list[float]) -> dict[str, float]:
    return {
        "median": statistics.median(samples),
        "p95": percentile(samples, 0.95),
        "min": min(samples),
        "max": max(samples),
        "n": len(samples),
    }


def show(label: str, samples: list[float], unit: str = "ms") -> dict[str, float]:
    s = stats(samples)
    print(
        f"  {label}: median {s['median']:.1f} {unit}, p95 {s['p95']:.1f} {unit} "
        f"(min {s['min']:.1f}, max {s['max']:.1f}, n={len(samples)})",
        flush=True,
    )
    return s


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "-"


# ---------------------------------------------------------------------- Inflow processes
class Inflow:
    """One running Inflow with its own basedir, JSON logs in a file."""

    def __init__(self, work: Path, name: str, *, debug: bool, frozen: bool = False) -> None:
        self.basedir = work / name
        self.basedir.mkdir(parents=True)
        if debug:
            (self.basedir / "config").mkdir()
            (self.basedir / "config" / "config.toml").write_text('log_level = "debug"\n')
        self.socket = resolve_paths(str(self.basedir)).socket_path
        self.log = work / f"{name}.stderr.log"
        program = [str(BUNDLE)] if frozen else [PYTHON, "-m", "app"]
        self.command = [*program, "--basedir", str(self.basedir), "--json-logging"]
        self.process: Any = None

    def start(self, tray: TrayWatch) -> StartTimes:
        self.process, times = desktop.time_start(
            self.command, stderr_path=self.log, env=app_env(), tray=tray, socket_path=self.socket
        )
        if times.socket_ms is None or times.docked_ms is None:
            raise BenchError(f"Inflow did not get ready: {times}; log: {self.log}")
        match = LogTail(self.log).wait(READY_IN, 5)
        times.extra["ready_in_ms"] = float(match.group(1))
        return times

    def stop(self, tray: TrayWatch) -> None:
        if self.process is not None and self.process.poll() is None:
            desktop.ask(self.socket, {"cmd": "quit"})
            desktop.reap(self.process, 10)
        desktop.wait_undocked(tray)


class CopyQ:
    """CopyQ's server with a throw-away config and data folder of its own."""

    def __init__(self, work: Path, name: str) -> None:
        home = work / name
        self.env = app_env(
            XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"), QT_QPA_PLATFORM="xcb"
        )
        self.log = work / f"{name}.stderr.log"
        self.process: Any = None

    def start(self, tray: TrayWatch) -> StartTimes:
        self.process, times = desktop.time_start(
            ["copyq"], stderr_path=self.log, env=self.env, tray=tray, socket_path=None
        )
        if times.docked_ms is None:
            raise BenchError(f"CopyQ's icon never docked; log: {self.log}")
        return times

    def stop(self, tray: TrayWatch) -> None:
        if self.process is not None and self.process.poll() is None:
            desktop.run_quiet(["copyq", "exit"], env=self.env, timeout=10)
            desktop.reap(self.process, 10)
        desktop.wait_undocked(tray)


class Probe:
    """A bench.rss_probe stage as a start-up floor: 2 is a minimal PySide6 tray app, 3 adds the hotkey."""

    def __init__(self, work: Path, name: str, stage: int) -> None:
        self.command = [PYTHON, "-m", "bench.rss_probe", str(stage)]
        self.log = work / f"{name}.stderr.log"
        self.process: Any = None

    def start(self, tray: TrayWatch) -> StartTimes:
        self.process, times = desktop.time_start(
            self.command, stderr_path=self.log, env=app_env(), tray=tray, socket_path=None
        )
        return times

    def stop(self, tray: TrayWatch) -> None:
        if self.process is not None:
            desktop.kill_group(self.process)
        desktop.wait_undocked(tray)


# ---------------------------------------------------------------------- 1. start-up
def bench_startup(work: Path, tray: TrayWatch, repeat: int) -> None:
    print("\n== 1. start-up: spawn -> ready (socket answers status with tray: true) / icon docked", flush=True)
    cold_ok = desktop.drop_caches()
    results["drop_caches_permitted"] = cold_ok
    print(f"  dropping the page cache: {'permitted' if cold_ok else 'NOT permitted'}", flush=True)
    variants: list[tuple[str, Callable[[int], Inflow | CopyQ | Probe]]] = [
        ("source", lambda i: Inflow(work, f"start-src-{i}", debug=False)),
        ("frozen", lambda i: Inflow(work, f"start-frozen-{i}", debug=False, frozen=True)),
        ("floor_tray", lambda i: Probe(work, f"start-floor-tray-{i}", 2)),
        ("floor_tray_hotkey", lambda i: Probe(work, f"start-floor-hotkey-{i}", 3)),
        ("copyq", lambda i: CopyQ(work, f"start-copyq-{i}")),
    ]
    for label, make in variants:
        runs: list[StartTimes] = []
        first: StartTimes | None = None
        for i in range(repeat + 1):
            if i == 0 and cold_ok:
                desktop.drop_caches()
            target = make(i)
            try:
                times = target.start(tray)
            finally:
                target.stop(tray)
            if i == 0:
                first = times
            else:
                runs.append(times)
        assert first is not None
        entry: dict[str, Any] = {"first": first.__dict__}
        print(
            f" {label}: first start ({'cold cache' if cold_ok else 'page cache not dropped'}): "
            f"socket {first.socket_ms or 0:.0f} ms, docked {first.docked_ms or 0:.0f} ms, "
            f"ready-in log {first.extra.get('ready_in_ms', 0):.0f} ms",
            flush=True,
        )
        if label in ("source", "frozen"):
            entry["socket"] = show("warm, spawn -> socket status tray:true", [r.socket_ms or 0 for r in runs])
            entry["ready_in"] = show("warm, the log's 'ready in'", [r.extra["ready_in_ms"] for r in runs])
        entry["docked"] = show("warm, spawn -> icon docked in trayer", [r.docked_ms or 0 for r in runs])
        results[f"start_{label}"] = entry
    docked = {label: results[f"start_{label}"]["docked"]["median"] for label, _ in variants}
    for label in ("source", "frozen"):
        print(
            f"  docked, median ratio {label}/copyq: {ratio(docked[label], docked['copyq'])}, "
            f"{label}/floor_tray_hotkey: {ratio(docked[label], docked['floor_tray_hotkey'])}"
        )
    print(f"  docked, median ratio floor_tray_hotkey/copyq: {ratio(docked['floor_tray_hotkey'], docked['copyq'])}")


# ---------------------------------------------------------------------- 2. idle
def settle_rss(process: Any, seconds: float = 2.0) -> float:
    time.sleep(seconds)
    return desktop.rss_mib(process.pid)


def bench_rss_breakdown(work: Path) -> None:
    from bench.rss_probe import STAGES

    print("\n== 2a. idle RSS breakdown (each process: ready, then 2 s settle)", flush=True)
    rows = []
    previous = 0.0
    for stage, name in enumerate(STAGES):
        log = work / f"probe-{stage}.log"
        process = desktop.spawn([PYTHON, "-m", "bench.rss_probe", str(stage)], log)
        try:
            LogTail(log).wait(re.compile("^ready"), 20)
            rss = settle_rss(process)
        finally:
            desktop.kill_group(process)
        print(f"  {name:40s} {rss:6.1f} MiB  (+{rss - previous:.1f})", flush=True)
        rows.append({"stage": name, "rss_mib": rss, "delta": rss - previous})
        previous = rss
    results["rss_breakdown"] = rows
    log = work / "floor-rss.log"
    process = desktop.spawn([PYTHON, "-m", "bench.floor_hotkey_app", "--key", "l"], log)
    try:
        LogTail(log).wait(re.compile("^ready"), 20)
        results["rss_floor_hotkey_app"] = settle_rss(process)
    finally:
        desktop.kill_group(process)
    print(f"  bench.floor_hotkey_app (no tray): {results['rss_floor_hotkey_app']:.1f} MiB", flush=True)


def print_syscalls(label: str, report: desktop.SyscallReport, seconds: float) -> dict[str, Any]:
    print(f"  {label}: {report.total} syscalls in {seconds:.0f} s", flush=True)
    if report.total:
        print("    by call:   " + ", ".join(f"{k} {v}" for k, v in report.by_call.most_common()))
        print("    by thread: " + ", ".join(f"{k} {v}" for k, v in report.by_thread.most_common()))
        for line in report.sample:
            print(f"      {line}")
    if report.unfinished:
        print("    blocked at detach (not counted): " + ", ".join(report.unfinished[:8]))
    return {
        "total": report.total,
        "by_call": dict(report.by_call),
        "by_thread": dict(report.by_thread),
        "sample": report.sample,
    }


# ---------------------------------------------------------------------- 3. hotkey
def press_and_wait(tail: LogTail, keys: str) -> float:
    tail.skip_to_end()
    start = time.time()
    desktop.xdotool("key", keys)
    painted = float(tail.wait(PAINTED, 10).group(1))
    return (painted - start) * 1000


def hotkey_loop(tail: LogTail, title: str, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        desktop.wait_until(lambda: not desktop.visible_windows(title), 5, f"{title!r} hidden", 0.01)
        time.sleep(0.05)
        samples.append(press_and_wait(tail, "ctrl+alt+j"))
        desktop.hide_with_escape(title)
    return samples


def xdotool_floor(repeat: int) -> tuple[list[float], list[float]]:
    version, key = [], []
    for _ in range(repeat):
        version.append(desktop.run_ms(["xdotool", "version"]))
        key.append(desktop.run_ms(["xdotool", "key", "ctrl+alt+k"]))  # grabbed by nobody
    return version, key


# ---------------------------------------------------------------------- 4. capture --window
CLIENT = (
    "import socket,sys;s=socket.socket(socket.AF_UNIX);s.connect(sys.argv[1]);"
    's.sendall(b\'{"cmd": "capture-window"}\\n\');s.recv(4096)'
)


def handover_loop(tail: LogTail, launch: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        desktop.wait_until(lambda: not desktop.visible_windows(CAPTURE_TITLE), 5, "capture hidden", 0.01)
        time.sleep(0.05)
        tail.skip_to_end()
        start = time.time()
        launch()
        painted = float(tail.wait(PAINTED, 10).group(1))
        samples.append((painted - start) * 1000)
        desktop.hide_with_escape(CAPTURE_TITLE)
    return samples


def run_checked(command: list[str]) -> None:
    desktop.run_ms(command, app_env())


# ---------------------------------------------------------------------- the run
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", action="store_true", help="(re)build dist/inflow first (~16 s)")
    parser.add_argument("--quick", action="store_true", help="few repetitions, to try the script out")
    parser.add_argument("--strace-seconds", type=float, default=10.0)
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, traces)")
    args = parser.parse_args()
    n_start, n_hotkey, n_handover = (3, 8, 6) if args.quick else (10, 50, 30)

    if not shutil.which("copyq") or not shutil.which("strace") or not shutil.which("xdotool"):
        raise SystemExit("needs copyq, strace and xdotool (apt-get install copyq strace xdotool)")
    if args.build or not BUNDLE.is_file():
        from bench.bundle_size import build

        print(f"building dist/inflow: {build(ROOT / 'dist', ROOT / 'build'):.1f} s", flush=True)
    work = Path(tempfile.mkdtemp(prefix="inflow-appbench-"))
    tray = TrayWatch()
    print(f"work folder {work}; python {sys.version.split()[0]}", flush=True)
    try:
        bench_startup(work, tray, n_start)
        run_main_instance(work, tray, args.strace_seconds, n_hotkey, n_handover)
    finally:
        desktop.kill_all_started()
        tray.close()
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))
    return 0


def run_main_instance(work: Path, tray: TrayWatch, strace_s: float, n_hotkey: int, n_handover: int) -> None:
    """One Inflow (debug log) for idle, hotkey and hand-over; then the floors and the others."""
    print("\n== 2. idle (window hidden, 2 s after ready)", flush=True)
    inflow = Inflow(work, "main", debug=True)
    inflow.start(tray)
    try:
        results["rss_inflow"] = settle_rss(inflow.process)
        print(f"  Inflow (source) RSS: {results['rss_inflow']:.1f} MiB", flush=True)
        results["syscalls_fresh"] = print_syscalls(
            "Inflow, idle since start",
            desktop.count_syscalls(inflow.process.pid, strace_s, work / "strace-fresh.txt"),
            strace_s,
        )
        bench_hotkey(inflow, work, strace_s, n_hotkey)
        bench_handover(inflow, n_handover)
    finally:
        if inflow.process.poll() is None:
            results["rss_inflow_end"] = desktop.rss_mib(inflow.process.pid)
            print(f"  Inflow RSS after all that: {results['rss_inflow_end']:.1f} MiB", flush=True)
        inflow.stop(tray)
    bench_hotkey_floor(work, n_hotkey)
    bench_idle_others(work, tray, strace_s)
    bench_rss_breakdown(work)


def bench_hotkey(inflow: Inflow, work: Path, strace_s: float, repeat: int) -> None:
    print("\n== 3. hotkey (xdotool key ctrl+alt+j) -> capture window painted", flush=True)
    status = desktop.ask(inflow.socket, {"cmd": "status"}) or {}
    if "grabbed" not in str(status.get("hotkey")):
        # Another X client (a floor app or an instance still exiting) held Ctrl+Alt+J at start-up.
        raise desktop.BenchError(f"the hotkey is not grabbed: {status.get('hotkey')!r}")
    samples = hotkey_loop(LogTail(inflow.log), CAPTURE_TITLE, repeat)
    results["hotkey_first_ms"] = samples[0]
    print(f"  first press: {samples[0]:.1f} ms")
    results["hotkey"] = show("Inflow", samples)
    results["rss_inflow_after_use"] = desktop.rss_mib(inflow.process.pid)
    print(f"  Inflow RSS after {repeat} opens: {results['rss_inflow_after_use']:.1f} MiB", flush=True)
    time.sleep(1.0)
    results["syscalls_after_use"] = print_syscalls(
        f"Inflow, idle after the capture window was opened and hidden {repeat} times",
        desktop.count_syscalls(inflow.process.pid, strace_s, work / "strace-used.txt"),
        strace_s,
    )


def bench_handover(inflow: Inflow, repeat: int) -> None:
    print("\n== 4. a second process asks for the capture window -> painted", flush=True)
    tail = LogTail(inflow.log)
    cli = [PYTHON, "-m", "app", "--basedir", str(inflow.basedir), "capture", "--window"]
    frozen_cli = [str(BUNDLE), "--basedir", str(inflow.basedir), "capture", "--window"]
    client = [PYTHON, "-c", CLIENT, str(inflow.socket)]
    rows: list[tuple[str, str, Callable[[], object]]] = [
        ("handover_cli", "`python -m app capture --window`", lambda: run_checked(cli)),
        ("handover_frozen", "`dist/inflow/inflow capture --window`", lambda: run_checked(frozen_cli)),
        (
            "handover_client_process",
            "floor: `python -c <stdlib AF_UNIX client>`",
            lambda: run_checked(client),
        ),
        (
            "handover_in_process",
            "floor: the same JSON line from the bench itself (no new process)",
            lambda: desktop.ask(inflow.socket, {"cmd": "capture-window"}),
        ),
    ]
    for key, label, launch in rows:
        results[key] = show(label, handover_loop(tail, launch, repeat))
    pass_ms = [desktop.run_ms([PYTHON, "-c", "pass"], app_env()) for _ in range(repeat)]
    results["python_pass"] = show("`python -c pass`", pass_ms)
    print(
        "  median ratio inflow/floor (client process): "
        f"{ratio(results['handover_cli']['median'], results['handover_client_process']['median'])}"
    )


def bench_hotkey_floor(work: Path, repeat: int) -> None:
    print("\n== 3, floor", flush=True)
    floor_log = work / "floor.log"
    floor = desktop.spawn([PYTHON, "-m", "bench.floor_hotkey_app"], floor_log)
    try:
        floor_tail = LogTail(floor_log)
        floor_tail.wait(re.compile("^ready"), 20)
        time.sleep(0.5)
        samples = hotkey_loop(floor_tail, FLOOR_TITLE, repeat)
        results["hotkey_floor"] = show("bench.floor_hotkey_app (python-xlib, empty QWidget)", samples)
    finally:
        desktop.kill_group(floor)
    version, key = xdotool_floor(repeat)
    results["xdotool_version"] = show("`xdotool version` process", version)
    results["xdotool_key"] = show("`xdotool key ctrl+alt+k` (not grabbed) process", key)
    print(f"  ratio p95 Inflow/floor app: {ratio(results['hotkey']['p95'], results['hotkey_floor']['p95'])}")


def bench_idle_others(work: Path, tray: TrayWatch, strace_s: float) -> None:
    print("\n== 2, beside it", flush=True)
    frozen = Inflow(work, "frozen-idle", debug=False, frozen=True)
    frozen.start(tray)
    try:
        results["rss_frozen"] = settle_rss(frozen.process)
    finally:
        frozen.stop(tray)
    print(f"  Inflow (frozen bundle) RSS: {results['rss_frozen']:.1f} MiB", flush=True)
    copyq = CopyQ(work, "copyq-idle")
    copyq.start(tray)
    try:
        results["rss_copyq"] = settle_rss(copyq.process)
        print(f"  CopyQ RSS: {results['rss_copyq']:.1f} MiB", flush=True)
        results["syscalls_copyq"] = print_syscalls(
            "CopyQ, idle since start",
            desktop.count_syscalls(copyq.process.pid, strace_s, work / "strace-copyq.txt"),
            strace_s,
        )
    finally:
        copyq.stop(tray)
    print(f"  RSS ratio Inflow/CopyQ: {ratio(results['rss_inflow'], results['rss_copyq'])}")


if __name__ == "__main__":
    sys.exit(main())
