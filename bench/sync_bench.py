"""Sync benchmarks against a real Synapse on loopback: drain, pull cost, idle.

    .venv/bin/python -m bench.sync_bench                       # all three parts, ~8 min (idle is 300 s)
    .venv/bin/python -m bench.sync_bench --parts drain,pull    # ~1-2 min
    .venv/bin/python -m bench.sync_bench --parts idle --idle-seconds 60 --strace-seconds 10

1. drain: N queued moments (tips and resources) -> `sent` through `SyncEngine.run_pass`, against the
   floor: a bare loop of the same N PUTs (same URL shape, same `fitted_content` bodies, one plain
   `requests.Session`), and a middle step: `MatrixConnector.send` in a loop on the engine's own
   `InflowSession` without the outbox. Two rounds in opposite order (server warm-up, room growth).
2. pull: Q open questions already posted, a colleague answered A of them; one `run_pass(pull_now=True)`;
   every HTTP request counted (session response hook) and classified; floor: the same relations GETs
   and one feed GET in a bare loop.
3. idle: the Qt `SyncWorker` with 3 targets (two Matrix rooms, one webhook to a local receiver) and
   nothing queued, on a QCoreApplication event loop for `--idle-seconds`; CPU time, context switches,
   passes, timer firings and HTTP requests (with a timeline), and `strace -c -f` on this process for
   `--strace-seconds` in the middle of it.

Everything runs in a temporary folder; Synapse (from .cache/servers, installed by `bash scripts/test.sh`)
and the webhook receiver are child processes in their own process groups, stopped at the end.
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import json
import os
import pstats
import random
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from PySide6.QtCore import QCoreApplication, Qt, QTimer

from app.sync_worker import SyncWorker
from bench.common import WORDS, percentile
from storage import outbox_status
from storage.db import open_database
from storage.models import Draft, Kind
from storage.moments import add_moment
from sync import engine as sync_engine
from sync.connector import OutgoingMoment, Target
from sync.connectors.matrix.connector import MatrixConnector, forget_logins
from sync.connectors.matrix.content import fitted_content
from sync.engine import PassReport, SyncEngine
from sync.http import new_session
from tests.integration.servers import free_port
from tests.integration.servers.synapse import Account, Synapse

USER_AGENT = "Inflow-bench"
CLK_TCK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------------------------- helpers


def _seg(value: str) -> str:
    return quote(value, safe="")


def cpu_s() -> float:
    """CPU time of this process (all threads), user + system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def proc_cpu_s(pid: int) -> float:
    """CPU time of another process from /proc/PID/stat (utime + stime)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


@dataclass
class Requests:
    """Counts (and times) the responses of every session it made: a `response` hook, thread-safe."""

    log: list[tuple[float, str, str, int]] = field(default_factory=list)  # (monotonic, method, path, status)
    sessions: list[requests.Session] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def session(self) -> requests.Session:
        session = new_session(USER_AGENT)
        self.watch(session)
        return session

    def watch(self, session: requests.Session) -> requests.Session:
        session.hooks["response"].append(self._hook)
        self.sessions.append(session)
        return session

    def _hook(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        request = response.request
        with self.lock:
            self.log.append(
                (time.monotonic(), str(request.method), urlsplit(str(request.url)).path, response.status_code)
            )

    def since(self, index: int) -> list[tuple[float, str, str, int]]:
        with self.lock:
            return self.log[index:]

    def __len__(self) -> int:
        with self.lock:
            return len(self.log)


def classify(path: str) -> str:
    if "/relations/" in path:
        return "relations (thread replies)"
    if path.endswith("/messages"):
        return "messages (feed)"
    if path.endswith("/account/whoami"):
        return "whoami"
    if "/send/" in path:
        return "send"
    return path


def intervals_ms(stamps: list[float]) -> list[float]:
    return [(b - a) * 1000 for a, b in itertools.pairwise(stamps)]


def ms(samples: list[float]) -> str:
    return f"{statistics.median(samples):.2f} / {percentile(samples, 0.95):.2f} ms"


def drafts(count: int, seed: int, target: str, kinds: tuple[Kind, ...] = (Kind.TIP, Kind.RESOURCE)) -> list[Draft]:
    """Realistic moments: a title of 3-10 words, a note of 20-120, 0-2 tags, a link on resources."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        out.append(
            Draft(
                kind=kind,
                title=" ".join(rng.choices(WORDS, k=rng.randint(3, 10))),
                body=" ".join(rng.choices(WORDS, k=rng.randint(20, 120))),
                url=f"https://example.com/{rng.choice(WORDS)}/{i}" if kind is Kind.RESOURCE else None,
                tags=tuple(rng.sample(["git", "python", "k8s", "sql", "ux"], k=rng.randint(0, 2))),
                share_to=(target,),
            )
        )
    return out


def outgoing(draft: Draft) -> OutgoingMoment:
    """The OutgoingMoment the engine would build for `draft` (fresh ids: a new message for the server)."""
    return OutgoingMoment(
        moment_id=str(uuid.uuid4()), kind=draft.kind.value, title=draft.title, body=draft.body, url=draft.url,
        tags=draft.tags, created_at=time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
        idempotency_key=uuid.uuid4().hex,
    )  # fmt: skip


@dataclass
class World:
    synapse: Synapse
    admin: Account
    me: Account
    colleague: Account
    tmp: Path

    def room(self, name: str) -> tuple[str, Target]:
        room_id = self.synapse.create_room(self.colleague, name)
        self.synapse.join(self.me, room_id)
        return room_id, Target(name, "matrix", {"url": self.synapse.base_url, "room": room_id})

    @property
    def synapse_pid(self) -> int:
        proc = self.synapse._process._proc  # the fixture keeps it private; a benchmark may look
        assert proc is not None
        return proc.pid


@contextmanager
def world(tmp: Path) -> Iterator[World]:
    (tmp / "synapse").mkdir()
    synapse = Synapse.create(tmp / "synapse")
    try:
        forget_logins()
        admin = synapse.register("bench-admin", "admin-pw", admin=True)
        me = synapse.register("me", "me-pw")
        colleague = synapse.register("bob", "bob-pw")
        # Synapse: messages_per_second = 0 and burst_count = 0 in an override mean "no limit for this user".
        synapse.override_ratelimit(admin, me.user_id, 0, 0)
        synapse.override_ratelimit(admin, colleague.user_id, 0, 0)
        yield World(synapse, admin, me, colleague, tmp)
    finally:
        synapse.close()


# ---------------------------------------------------------------------------------------------- 1. drain


@dataclass
class Run:
    what: str
    seconds: float
    count: int
    client_cpu: float
    server_cpu: float
    cycles_ms: list[float]
    requests: int

    @property
    def rate(self) -> float:
        return self.count / self.seconds


def run_inflow(w: World, target: Target, n: int, seed: int, profile: Path | None = None) -> Run:
    db = open_database(w.tmp / f"drain-{seed}.db")
    counter = Requests()
    engine = SyncEngine(db, lambda: [target], lambda t: w.me.access_token, counter.session)
    engine.run_pass()  # warm: connector made, feed cursor taken (1 request); the timing is the push
    for draft in drafts(n, seed, target.name):
        add_moment(db, draft)
    first = len(counter)
    profiler = cProfile.Profile() if profile else None
    cpu0, srv0 = cpu_s(), proc_cpu_s(w.synapse_pid)
    start = time.perf_counter()
    passes = 0
    while True:
        if profiler:
            profiler.enable()
        engine.run_pass()
        if profiler:
            profiler.disable()
        passes += 1
        sent = outbox_status.outbox_summary(db).get(target.name, {}).get("sent", 0)
        if sent >= n or passes >= 20:
            break
    seconds = time.perf_counter() - start
    cpu1, srv1 = cpu_s(), proc_cpu_s(w.synapse_pid)
    log = counter.since(first)
    engine.close()
    db.conn.close()
    if sent != n:
        raise SystemExit(f"inflow drain: only {sent} of {n} sent after {passes} passes")
    if profiler and profile:
        profiler.dump_stats(str(profile))
    return Run("inflow", seconds, n, cpu1 - cpu0, srv1 - srv0, intervals_ms([e[0] for e in log]), len(log))


def run_connector(w: World, target: Target, n: int, seed: int) -> Run:
    counter = Requests()
    session = counter.session()
    connector = MatrixConnector(target, w.me.access_token, session, {})
    moments = [outgoing(d) for d in drafts(n, seed, target.name)]
    cpu0, srv0 = cpu_s(), proc_cpu_s(w.synapse_pid)
    start = time.perf_counter()
    for moment in moments:
        connector.send(moment)
    seconds = time.perf_counter() - start
    cpu1, srv1 = cpu_s(), proc_cpu_s(w.synapse_pid)
    session.close()
    log = counter.log
    return Run("connector", seconds, n, cpu1 - cpu0, srv1 - srv0, intervals_ms([e[0] for e in log]), len(log))


def run_floor(w: World, target: Target, n: int, seed: int) -> Run:
    room_id = target.get("room")
    base = f"{w.synapse.base_url}/_matrix/client/v3/rooms/{_seg(room_id)}/send/m.room.message/"
    work = [(base + _seg(m.idempotency_key), fitted_content(m)) for m in map(outgoing, drafts(n, seed, target.name))]
    counter = Requests()
    session = counter.watch(requests.Session())
    headers = {"Authorization": f"Bearer {w.me.access_token}"}
    cpu0, srv0 = cpu_s(), proc_cpu_s(w.synapse_pid)
    start = time.perf_counter()
    for url, content in work:
        response = session.put(url, json=content, headers=headers, timeout=20)
        if response.status_code != 200:
            raise SystemExit(f"floor PUT: HTTP {response.status_code}: {response.text[:300]}")
    seconds = time.perf_counter() - start
    cpu1, srv1 = cpu_s(), proc_cpu_s(w.synapse_pid)
    session.close()
    log = counter.log
    return Run("floor", seconds, n, cpu1 - cpu0, srv1 - srv0, intervals_ms([e[0] for e in log]), len(log))


def bench_drain(w: World, n: int, rounds: int, profile_top: int, results: dict[str, Any]) -> None:
    print(f"\n== 1. drain {n} queued moments (tips and resources) to Synapse, {rounds} rounds ==")
    _room, target = w.room("drain")
    runs: list[Run] = []
    orders = [("inflow", "connector", "floor"), ("floor", "connector", "inflow")]
    seed = 100
    for r in range(rounds):
        for what in orders[r % 2]:
            seed += 1
            run = {"inflow": run_inflow, "connector": run_connector, "floor": run_floor}[what](w, target, n, seed)
            runs.append(run)
            print(
                f"round {r + 1} {what:9}: {run.seconds:6.2f} s  {run.rate:6.1f} moments/s  per-moment cycle "
                f"{ms(run.cycles_ms)}  client CPU {run.client_cpu * 1000 / n:.2f} ms/moment  "
                f"Synapse CPU {run.server_cpu * 1000 / n:.2f} ms/moment  requests {run.requests}"
            )
    by: dict[str, list[Run]] = {}
    for run in runs:
        by.setdefault(run.what, []).append(run)
    floor_rate = statistics.mean(r.rate for r in by["floor"])
    for what, group in by.items():
        rate = statistics.mean(r.rate for r in group)
        print(f"{what:9}: mean {rate:6.1f} moments/s, ratio to floor {rate / floor_rate:.2f}")
    results["drain"] = [
        {k: getattr(r, k) for k in ("what", "seconds", "count", "client_cpu", "server_cpu", "requests")}
        | {
            "rate": r.rate,
            "cycle_median_ms": statistics.median(r.cycles_ms),
            "cycle_p95_ms": percentile(r.cycles_ms, 0.95),
        }
        for r in runs
    ]
    if profile_top:
        path = w.tmp / "drain.prof"
        seed += 1
        run = run_inflow(w, target, n, seed, profile=path)
        print(f"\ncProfile of run_pass ({run.seconds:.2f} s under the profiler), top {profile_top} by own time:")
        stats = pstats.Stats(str(path))
        stats.sort_stats("tottime").print_stats(profile_top)
        print("the engine's own steps, cumulative:")
        stats.sort_stats("cumulative").print_stats(
            r"engine.py.*\((_push|_deliver|_save_state|_connector|next_due)\)|outbox.py.*\((claim_due|record_sent|"
            r"paused_targets|outbox_summary)\)|matrix/connector.py.*\((send|_send_raw)\)|"
            r"http.py.*\((request|_read_body)\)|sessions.py.*\(send\)|matrix/content.py.*\(fitted_content\)|"
            r"connectionpool.py.*\(urlopen\)"
        )


# ---------------------------------------------------------------------------------------------- 2. pull


def bench_pull(w: World, questions: int, answered: int, repeat: int, results: dict[str, Any]) -> None:
    print(f"\n== 2. pull: {questions} open questions, {answered} answered by a colleague ==")
    room_id, target = w.room("questions")
    db = open_database(w.tmp / "pull.db")
    counter = Requests()
    engine = SyncEngine(db, lambda: [target], lambda t: w.me.access_token, counter.session)
    engine.run_pass()  # feed cursor taken
    for draft in drafts(questions, 7, target.name, kinds=(Kind.QUESTION,)):
        add_moment(db, draft)
    # Posts them all, polls each once and reads the feed past our own posts (as the app has by then).
    report = engine.run_pass(pull_now=True)
    if report.sent != questions:
        raise SystemExit(f"pull set-up: {report.summary()}")
    remote_ids = [r[0] for r in db.execute("SELECT remote_id FROM outbox WHERE state = 'sent' ORDER BY id")]
    replied = set(remote_ids[:: max(1, questions // answered)][:answered])
    for event_id in replied:
        w.synapse.send_text(w.colleague, room_id, "Try `git bisect run`.", thread_root=event_id)
    cursor = db.execute(
        "SELECT value FROM sync_cursors WHERE target = ? AND stream = 'feed'", [target.name]
    ).fetchone()[0]
    headers = {"Authorization": f"Bearer {w.me.access_token}"}
    feed_url = f"{w.synapse.base_url}/_matrix/client/v3/rooms/{_seg(room_id)}/messages"
    # What the feed pages of the measured pass hold (same range, read here first): the answers are in them.
    with requests.Session() as http:
        chunk = http.get(feed_url, params={"dir": "f", "from": cursor, "limit": "100"}, headers=headers).json()["chunk"]
    in_feed = {
        e["content"]["m.relates_to"]["event_id"]
        for e in chunk
        if e.get("type") == "m.room.message" and (e["content"].get("m.relates_to") or {}).get("rel_type") == "m.thread"
    }
    print(
        f"the feed range the pass reads holds {len(chunk)} events, {len(in_feed)} of them thread replies to "
        f"{len(in_feed & replied)} of the {len(replied)} answered questions"
    )
    walls: list[float] = []
    first: dict[str, Any] = {}
    for i in range(repeat):
        index = len(counter)
        cpu0 = cpu_s()
        start = time.perf_counter()
        report = engine.run_pass(pull_now=True)
        wall = time.perf_counter() - start
        cpu = cpu_s() - cpu0
        walls.append(wall * 1000)
        log = counter.since(index)
        kinds: dict[str, int] = {}
        for _, method, path, _status in log:
            kinds[f"{method} {classify(path)}"] = kinds.get(f"{method} {classify(path)}", 0) + 1
        answers = sum(a.count for a in report.answers)
        print(
            f"pass {i + 1}: {wall * 1000:7.1f} ms, client CPU {cpu * 1000:.0f} ms, {len(log)} requests "
            f"({len(log) / questions:.3f} per question): {kinds}; {answers} new answers on "
            f"{len(report.answers)} questions, feed {report.feed}"
        )
        if i == 0:
            first = {"ms": wall * 1000, "cpu_ms": cpu * 1000, "requests": len(log), "by_kind": kinds,
                     "answers": answers, "answered_questions": len(report.answers), "feed": report.feed}  # fmt: skip
    engine.close()
    # The floor: the same relations GETs and one feed GET, bare.
    floor_walls: list[float] = []
    db.conn.close()
    base = f"{w.synapse.base_url}/_matrix/client/v1/rooms/{_seg(room_id)}/relations/"
    with requests.Session() as http:
        for _ in range(repeat):
            start = time.perf_counter()
            for event_id in remote_ids:
                http.get(f"{base}{_seg(event_id)}/m.thread", params={"limit": "50", "dir": "f"}, headers=headers).json()
            http.get(feed_url, params={"dir": "f", "from": cursor, "limit": "100"}, headers=headers).json()
            floor_walls.append((time.perf_counter() - start) * 1000)
    ratio = statistics.median(walls) / statistics.median(floor_walls)
    print(
        f"pull pass (n={repeat}): {ms(walls)}; floor ({questions} relations GETs + 1 feed GET, plain "
        f"requests.Session): {ms(floor_walls)}; ratio (median) {ratio:.2f}"
    )
    results["pull"] = {"first": first, "pass_ms": walls, "floor_ms": floor_walls, "feed_events": len(chunk),
                       "answers_in_feed": len(in_feed & replied)}  # fmt: skip


# ---------------------------------------------------------------------------------------------- 3. idle

RECEIVER = """
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(204); self.end_headers()
        print("POST", self.path, flush=True)
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


def bench_idle(w: World, idle_s: float, strace_s: float, strace_at: float, results: dict[str, Any]) -> None:
    print(f"\n== 3. idle: SyncWorker, 3 targets, nothing queued, {idle_s:.0f} s ==")
    _a, room_a = w.room("idle-a")
    _b, room_b = w.room("idle-b")
    port = free_port()
    receiver = subprocess.Popen(
        [sys.executable, "-c", RECEIVER, str(port)], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        hook = Target("hook", "webhook", {"url": f"http://127.0.0.1:{port}/inflow"})
        targets = [room_a, room_b, hook]
        secrets = {"idle-a": w.me.access_token, "idle-b": w.me.access_token, "hook": "bench-signing-secret"}
        path = w.tmp / "idle.db"
        # A library that has synced before (feed cursors taken), as after any earlier run of the app.
        db = open_database(path)
        with new_session(USER_AGENT) as warm:
            engine = SyncEngine(db, lambda: targets, lambda t: secrets.get(t.name), lambda: warm)
            engine.run_pass()
            engine.close()
        db.conn.close()
        time.sleep(0.5)
        results["idle"] = IdleProbe(targets, secrets, path).run(idle_s, strace_s, strace_at)
    finally:
        receiver.terminate()
        try:
            out, _ = receiver.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(receiver.pid, signal.SIGKILL)
            out, _ = receiver.communicate()
        print(f"webhook receiver got {out.count('POST')} POSTs")


class IdleProbe:
    """A SyncWorker on a QCoreApplication event loop, watched: passes, timer firings, requests, CPU."""

    def __init__(self, targets: list[Target], secrets: dict[str, str], path: Path) -> None:
        self.targets, self.secrets, self.path = targets, secrets, path
        self.app = QCoreApplication.instance() or QCoreApplication([])
        self.counter = Requests()
        self.t0 = time.monotonic()
        self.events: list[tuple[float, str]] = []
        self.passes: list[float] = []
        self.fires: list[float] = []
        self.strace: dict[str, Any] = {}

    def make_engine(self) -> SyncEngine:  # on the sync thread, as Sharing._make_engine
        return SyncEngine(
            open_database(self.path), lambda: self.targets, lambda t: self.secrets.get(t.name), self.counter.session
        )

    def on_pass(self, report: PassReport) -> None:
        now = time.monotonic()
        self.passes.append(now)
        due = f"next due in {(report.next_due or 0) - time.time():.3f} s" if report.next_due else "nothing due"
        self.events.append((now, f"pass finished: {report.summary()}; {due}"))

    def on_fire(self) -> None:
        now = time.monotonic()
        self.fires.append(now)
        self.events.append((now, "worker timer fired"))

    def start_strace(self, seconds: float) -> None:
        out = self.path.parent / "strace.txt"
        self.strace.update(file=out, t=time.monotonic(), seconds=seconds)
        # `timeout` stops strace (SIGINT: it detaches and writes its summary), so that this process makes
        # no call of its own (kill, wait4) while it is traced; it is reaped after the window.
        argv = ["timeout", "-s", "INT", f"{seconds:g}", "strace", "-c", "-f", "-p", str(os.getpid()), "-o", str(out)]
        with (self.path.parent / "strace.err").open("wb") as err:  # "Process N attached with T threads"
            self.strace["proc"] = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)

    def after(self, seconds: float, fn: Any) -> None:
        """Call `fn` in `seconds` (a precise timer: the default, coarse type may fire a 300 s timer 1 s early)."""
        timer = QTimer(self.app)
        timer.setSingleShot(True)
        timer.setTimerType(Qt.TimerType.PreciseTimer)
        timer.timeout.connect(fn)
        timer.start(int(seconds * 1000))

    def spin(self, seconds: float) -> None:
        self.after(seconds, self.app.quit)
        self.app.exec()

    def snapshot(self) -> dict[str, Any]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {
            "t": time.monotonic(), "cpu": usage.ru_utime + usage.ru_stime, "vcs": usage.ru_nvcsw,
            "ivcs": usage.ru_nivcsw, "passes": len(self.passes), "fires": len(self.fires), "req": len(self.counter),
        }  # fmt: skip

    def run(self, idle_s: float, strace_s: float, strace_at: float, tail_s: float = 5.0) -> dict[str, Any]:
        worker = SyncWorker(self.make_engine)
        worker.pass_finished.connect(self.on_pass)
        worker._timer.timeout.connect(self.on_fire)  # the worker's one single-shot timer (private)
        worker.wake()  # what Sharing.start does
        try:
            while not self.passes:  # the start-up pass; the idle window starts when it has finished
                self.app.processEvents()
                time.sleep(0.005)
            startup = self.counter.since(0)
            begin = self.snapshot()
            if strace_s > 0:
                self.after(strace_at, lambda: self.start_strace(strace_s))
            self.spin(idle_s)
            while worker._running:  # a pass started inside the window belongs to it
                self.app.processEvents()
                time.sleep(0.005)
            end = self.snapshot()
            if tail_s > 0:  # what follows the window: in the timeline, not in the counts
                self.spin(tail_s)
        finally:
            worker.stop()
            for session in self.counter.sessions:
                session.close()
        return self.report(startup, begin, end, tail_s)

    def report(self, startup: list[Any], begin: dict[str, Any], end: dict[str, Any], tail_s: float) -> dict[str, Any]:
        if "proc" in self.strace:
            try:
                self.strace["proc"].wait(timeout=self.strace["seconds"] + 10)
            except subprocess.TimeoutExpired:
                os.killpg(self.strace["proc"].pid, signal.SIGKILL)
                self.strace["proc"].wait()
        d = {k: end[k] - begin[k] for k in begin}
        requests_in = self.counter.since(begin["req"])[: d["req"]]
        print(f"start-up pass: {len(startup)} requests: {[f'{m} {classify(p)}' for _, m, p, _ in startup]}")
        print(
            f"idle window {d['t']:.1f} s (from the end of the start-up pass): CPU {d['cpu'] * 1000:.0f} ms "
            f"({d['cpu'] / d['t'] * 100:.4f} % of one core), context switches {d['vcs']} voluntary + "
            f"{d['ivcs']} involuntary, {d['passes']} passes, {d['fires']} timer firings, {d['req']} HTTP requests "
            f"(FEED_INTERVAL_S = {sync_engine.FEED_INTERVAL_S:g}); timeline (t from the worker's start; window "
            f"{begin['t'] - self.t0:.3f}-{end['t'] - self.t0:.3f} s, then {tail_s:g} s more):"
        )
        timeline = sorted(
            [(t, what) for t, what in self.events]
            + [(t, f"{m} {classify(p)} -> {status}") for t, m, p, status in self.counter.since(0)]
        )
        for t, what in timeline:
            print(f"  t = {t - self.t0:9.3f} s  {what}")
        result = {
            "seconds": d["t"], "cpu_ms": d["cpu"] * 1000, "voluntary_cs": d["vcs"], "involuntary_cs": d["ivcs"],
            "passes": d["passes"], "timer_firings": d["fires"], "requests": [classify(p) for _, _, p, _ in requests_in],
            "startup_requests": len(startup), "timeline": [(t - self.t0, e) for t, e in timeline],
        }  # fmt: skip
        if "file" in self.strace:
            text = self.strace["file"].read_text()
            err = (self.path.parent / "strace.err").read_text()
            found = re.search(r"attached with (\d+) threads", err)
            threads = int(found.group(1)) if found else err.count(" attached")
            at = self.strace["t"] - self.t0
            # strace -c prints no table at all when it counted no call.
            shown = text or "(no table: strace -c counted no system call)\n"
            print(
                f"strace -c -f -p {os.getpid()} for {self.strace['seconds']:g} s (from t = {at:.1f} s), "
                f"{threads} threads attached:\n{shown}"
            )
            result["strace"] = {"seconds": self.strace["seconds"], "from_t": at, "threads": threads, "summary": text}
        return result


# ---------------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parts", default="drain,pull,idle", help="comma-separated: drain, pull, idle")
    parser.add_argument("--moments", type=int, default=1000, help="moments drained per run (default 1000)")
    parser.add_argument("--rounds", type=int, default=2, help="drain rounds, alternating order (default 2)")
    parser.add_argument("--profile-top", type=int, default=25, help="cProfile an extra drain; 0: no profile")
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--answered", type=int, default=20)
    parser.add_argument("--pull-repeat", type=int, default=5)
    parser.add_argument("--idle-seconds", type=float, default=300.0)
    parser.add_argument("--strace-seconds", type=float, default=30.0, help="0: no strace")
    parser.add_argument("--strace-at", type=float, default=60.0, help="seconds into the idle window")
    parser.add_argument(
        "--feed-interval", type=float, help="idle only: patch sync.engine.FEED_INTERVAL_S (see cycles in a short run)"
    )
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, databases)")
    args = parser.parse_args(argv)
    parts = set(args.parts.split(","))
    if args.feed_interval:
        import sync.engine

        sync.engine.FEED_INTERVAL_S = args.feed_interval
    results: dict[str, Any] = {"argv": sys.argv, "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    tmp = Path(tempfile.mkdtemp(prefix="inflow-sync-bench-"))
    try:
        with world(tmp) as w:
            print(f"Synapse at {w.synapse.base_url} (pid {w.synapse_pid}), data in {tmp}")
            if "drain" in parts:
                bench_drain(w, args.moments, args.rounds, args.profile_top, results)
            if "pull" in parts:
                bench_pull(w, args.questions, args.answered, args.pull_repeat, results)
            if "idle" in parts:
                bench_idle(w, args.idle_seconds, args.strace_seconds, args.strace_at, results)
    finally:
        if args.json:
            args.json.write_text(json.dumps(results, indent=2, default=str))
        if args.keep:
            print(f"kept {tmp}")
        else:
            subprocess.run(["rm", "-rf", str(tmp)], check=False)


if __name__ == "__main__":
    main()
