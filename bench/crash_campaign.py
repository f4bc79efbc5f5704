"""Crash campaign (issue 14, part 1): SIGKILL the CLI at random points against real local servers.

    .venv/bin/python -m bench.crash_campaign                    # 100 runs, ~5 min on 2 cores
    .venv/bin/python -m bench.crash_campaign --runs 10 --seed 7

One library shares to four targets: a Matrix room on a real Synapse, a real Ralph LRS (xAPI), a signed
webhook to a loopback receiver that records every POST, and a page of a real MediaWiki. Each run picks
a scenario, starts the `inflow` command in its own process group and kills the group with SIGKILL after
a random delay drawn from 0 to 1.2 times that command's own (calibrated) duration:

    capture   `capture --share` to all four      (the writer's transaction, the outbox rows)
    sync      `sync now` with 1-3 moments queued   (anywhere in a pass)
    accept    the same, killed by the server side the moment one target's server has accepted a write
              and before the answer reaches Inflow (between a backend's accept and our commit)
    backup    `backup`                             (the online backup copy)
    restore   `restore --yes` of a fresh backup    (the library swapped for the backup)
    import    `import` of a 20-moment JSON export  (the all-or-nothing import transaction)

Where each kill landed is tallied per scenario, by timing: within the start-up (what a `sync status`
takes: interpreter, imports, config, opening the library), in the command's own work, or nowhere (the
command ended first); `accept` kills between a server's accept and Inflow hearing back.

After each kill it restarts: `sync now` until nothing is left to send, then compares what the servers
hold with what the database says. Counted as lost: a capture whose id was printed but is not in the
library, a queued delivery not `sent` after the drain, a server copy of a moment the library does not
have, an import that is neither all nor nothing. Duplicated: a moment twice in the room, the LRS or the
wiki page (two sections), or under two webhook-ids. Corrupt: `PRAGMA integrity_check` not `ok`.
A webhook receiver has no idempotency of its own: Inflow sends the same `webhook-id` on every attempt
(the outbox row's key) so the receiver can dedupe; the table counts those re-sent POSTs separately
("webhook re-sends"). A wiki has none either: Inflow marks each section `<!-- inflow:<moment id> -->`
and, on a retry, looks for it before posting again.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.crash_servers import WIKI_PAGE, KillSwitch, Servers, servers

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ("capture", "sync", "accept", "backup", "restore", "import")
TARGETS = ("room", "lrs", "hook", "wiki")
HOOK_SECRET = "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
COMMAND_TIMEOUT_S = 120


@dataclass
class Tally:
    """What one campaign found; `failures` says what went wrong, one line each."""

    runs: Counter[str] = field(default_factory=Counter)
    killed: Counter[str] = field(default_factory=Counter)
    phases: Counter[tuple[str, str]] = field(default_factory=Counter)  # (scenario, where the kill landed)
    captured: int = 0  # moments whose capture printed an id
    present: int = 0
    deliveries: int = 0  # outbox rows expected sent
    received: Counter[str] = field(default_factory=Counter)  # distinct moments per target
    lost: int = 0
    duplicated: int = 0
    corrupt: int = 0
    resends: int = 0
    drain_passes: int = 0
    failures: list[str] = field(default_factory=list)

    def fail(self, kind: str, line: str) -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        self.failures.append(f"{kind}: {line}")


class Library:
    """The `inflow` CLI on one basedir, with the targets' secrets in the environment (no keyring)."""

    def __init__(self, basedir: Path) -> None:
        self.basedir = basedir
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("INFLOW_")}
        self.env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"

    def argv(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "app", "--basedir", str(self.basedir), *args]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.argv(*args), capture_output=True, text=True, cwd=ROOT, env=self.env,
            timeout=COMMAND_TIMEOUT_S, check=False,
        )  # fmt: skip

    def run_killed(self, args: list[str], delay: float, switch: KillSwitch | None = None) -> tuple[bool, str]:
        """Start `args`, SIGKILL its process group after `delay` s (or when an armed `switch` fires);
        (killed before it ended, its stdout)."""
        process = subprocess.Popen(
            self.argv(*args), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT,
            env=self.env, start_new_session=True,
        )  # fmt: skip
        if switch is not None:
            switch.pgid = process.pid
        try:
            process.wait(timeout=delay)
            killed = switch is not None and switch.fired.is_set()
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            killed = True
        out, _ = process.communicate(timeout=COMMAND_TIMEOUT_S)
        return killed, out

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.basedir / "data" / "inflow.db") as conn:
            return conn.execute(sql, params).fetchall()


def add_targets(library: Library, found: Servers) -> None:
    library.env.update(
        {
            "INFLOW_SECRET_ROOM": found.token,
            "INFLOW_SECRET_LRS": found.ralph.password,
            "INFLOW_SECRET_HOOK": HOOK_SECRET,
            "INFLOW_SECRET_WIKI": found.wiki.bot.password,
        }
    )
    for kind, name, settings in (
        ("matrix", "room", [f"url={found.urls['room']}", f"room={found.room_id}"]),
        ("xapi", "lrs", [f"url={found.urls['lrs']}", f"username={found.ralph.username}"]),
        ("webhook", "hook", [f"url={found.urls['hook']}"]),
        ("mediawiki", "wiki", [f"url={found.urls['wiki']}", f"page={WIKI_PAGE}", f"username={found.wiki.bot.login}"]),
    ):
        added = library.run("target", "add", kind, "--name", name, *[a for s in settings for a in ("--set", s)])
        if added.returncode != 0:
            raise SystemExit(f"could not add target {name}: {added.stderr.strip()}")


# ---------------------------------------------------------------------------------------------- one run


@dataclass(frozen=True)
class Run:
    scenario: str
    marker: str  # in the title of every moment this run makes
    delay: float  # seconds until SIGKILL
    queued: int  # moments queued before a killed `sync now`
    target: str  # accept: the target whose server's accept of a write kills `sync now`


def share_args(title: str, body: str) -> list[str]:
    return ["capture", "--kind", "tip", "--title", title, *[a for t in TARGETS for a in ("--share", t)], body]


def import_file(folder: Path, marker: str, count: int = 20) -> Path:
    """An Inflow JSON export of `count` tips titled with `marker` (fresh ids, so none merges)."""
    path = folder / f"{marker}.json"
    entries = [{"kind": "tip", "title": f"{marker} imported {n}", "body": f"{marker} {n}"} for n in range(count)]
    path.write_text(json.dumps({"format": "inflow-export", "version": 2, "moments": entries}))
    return path


def moment_count(library: Library, marker: str = "") -> int:
    return int(library.query("SELECT count(*) FROM moments WHERE title LIKE ?", (f"%{marker}%",))[0][0])


def run_scenario(library: Library, run: Run, tally: Tally, folder: Path, switch: KillSwitch) -> bool:
    """The killed command of one run; returns whether it was killed before it ended."""
    scenario, marker, delay = run.scenario, run.marker, run.delay
    if scenario == "capture":
        killed, out = library.run_killed(share_args(f"{marker} captured", f"note {marker}"), delay)
        tally.captured += 0 if killed or not out.strip() else 1
        if not killed and out.strip() and moment_count(library, marker) != 1:
            tally.fail("lost", f"{marker}: capture printed {out.strip()} but the library does not hold it")
        return killed
    if scenario in ("sync", "accept"):
        for n in range(run.queued):
            made = library.run(*share_args(f"{marker} queued {n}", f"note {marker} {n}"))
            tally.captured += 1 if made.returncode == 0 else 0
        if scenario == "sync":
            return library.run_killed(["sync", "now"], delay)[0]
        switch.arm(run.target)
        return library.run_killed(["sync", "now"], COMMAND_TIMEOUT_S, switch)[0]
    before = moment_count(library)
    if scenario == "backup":
        killed = library.run_killed(["backup"], delay)[0]
    elif scenario == "restore":
        made = library.run("backup")
        if made.returncode != 0:
            tally.failures.append(f"setup: {marker}: backup failed: {made.stderr.strip()}")
            return False
        killed = library.run_killed(["restore", "--yes", made.stdout.strip()], delay)[0]
    else:
        killed, _ = library.run_killed(["import", "--no-snapshots", str(import_file(folder, marker))], delay)
        imported = moment_count(library, marker)
        if imported not in (0, 20) or (not killed and imported != 20):
            tally.fail("lost", f"{marker}: import left {imported} of 20 moments (all or nothing)")
        before += imported
    after = moment_count(library)
    if after != before:
        tally.fail("lost", f"{marker}: {scenario} killed after {delay:.2f} s: {before} moments before, {after} after")
    return killed


def drain(library: Library, tally: Tally) -> None:
    """`sync now` until no delivery is pending or in flight (at most 5 passes)."""
    for _ in range(5):
        tally.drain_passes += 1
        library.run("sync", "now")
        left = library.query("SELECT count(*) FROM outbox WHERE state IN ('pending', 'inflight')")[0][0]
        if left == 0:
            return


def check(library: Library, found: Servers, marker: str, tally: Tally) -> None:
    """Compare the servers with the database for the moments of this run; integrity of every file."""
    rows = library.query(
        "SELECT o.target, o.state, o.last_error FROM outbox o JOIN moments m ON m.rowid = o.moment_rowid"
        " WHERE m.title LIKE ?",
        (f"%{marker}%",),
    )
    tally.present += moment_count(library, marker)
    tally.deliveries += len(rows)
    for target, state, error in rows:
        if state != "sent":
            tally.fail("lost", f"{marker}: delivery to {target} is {state} after the drain ({error})")
    copies = found.copies(marker)
    tally.resends += copies["posts"] - copies["hook"]
    for target in TARGETS:
        tally.received[target] += copies[target]
        expected = sum(1 for t, *_ in rows if t == target)
        if copies[target] > expected:
            kind = "duplicated" if copies[target] > 0 and expected > 0 else "lost"
            tally.fail(kind, f"{marker}: {target} holds {copies[target]}, the library has {expected} deliveries")
        elif copies[target] < expected:
            tally.fail("lost", f"{marker}: {target} holds {copies[target]} of {expected} sent deliveries")
    problems = [
        f"{path.name}: {result}"
        for path in [
            library.basedir / "data" / "inflow.db",
            *sorted((library.basedir / "data" / "backups").glob("*.db")),
        ]
        if (result := integrity(path)) != "ok"
    ]
    for problem in problems:
        tally.fail("corrupt", f"{marker}: {problem}")


def integrity(path: Path) -> str:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        try:
            return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
        except sqlite3.DatabaseError as exc:
            return str(exc)


# ---------------------------------------------------------------------------------------------- campaign


def calibrate(library: Library, folder: Path) -> dict[str, float]:
    """Each scenario's command once, not killed: how long it takes here (the kill delays scale with it)."""
    timings: dict[str, float] = {}
    for scenario in SCENARIOS:
        library.run(*share_args("calibration", "calibration"))
        argv = {
            "capture": share_args("calibration", "calibration"),
            "sync": ["sync", "now"],
            "accept": ["sync", "now"],
            "backup": ["backup"],
            "restore": ["restore", "--yes", library.run("backup").stdout.strip()],
            "import": ["import", "--no-snapshots", str(import_file(folder, "calibration"))],
        }[scenario]
        start = time.monotonic()
        done = library.run(*argv)
        timings[scenario] = time.monotonic() - start
        if done.returncode != 0:
            raise SystemExit(f"calibration: inflow {' '.join(argv[:2])} failed: {done.stderr.strip()}")
    start = time.monotonic()
    library.run("sync", "status")  # start-up: interpreter, imports, config, the library opened
    timings["startup"] = time.monotonic() - start
    drain(library, Tally())
    return timings


PHASES = ("start-up", "in the command", "ended first", "after a server's accept")


def phase(run: Run, killed: bool, timings: dict[str, float]) -> str:
    """Where the kill landed, by timing: before the command's own work began (within the start-up a
    `sync status` takes), during it, or not at all (the command ended first); `accept` kills on the
    server's side between its accept and Inflow hearing back."""
    if run.scenario == "accept":
        return PHASES[3] if killed else PHASES[2]
    if not killed:
        return PHASES[2]
    return PHASES[0] if run.delay < timings["startup"] else PHASES[1]


def campaign(
    runs: int, seed: int, folder: Path, scenarios: tuple[str, ...] = SCENARIOS
) -> tuple[Tally, dict[str, float]]:
    """`runs` killed runs against fresh servers in `folder`; what they found and the calibrated timings."""
    rng = random.Random(seed)
    tally = Tally()
    with servers(folder) as found:
        library = Library(folder / "base")
        add_targets(library, found)
        timings = calibrate(library, folder)
        for number in range(runs):
            scenario = scenarios[number % len(scenarios)] if number < len(scenarios) else rng.choice(scenarios)
            marker, delay = f"crash{seed:04d}r{number:04d}x", rng.uniform(0, 1.2 * timings[scenario])
            run = Run(scenario, marker, delay, rng.randint(1, 3), rng.choice(TARGETS))
            tally.runs[scenario] += 1
            killed = run_scenario(library, run, tally, folder, found.switch)
            tally.killed[scenario] += killed
            tally.phases[scenario, phase(run, killed, timings)] += 1
            drain(library, tally)
            check(library, found, run.marker, tally)
    return tally, timings


def table(tally: Tally, timings: dict[str, float]) -> str:
    lines = [
        "| scenario | runs | killed before the end | " + " | ".join(f"kill: {p}" for p in PHASES) + " | takes (s) |",
        "|---|---|---|" + "---|" * len(PHASES) + "---|",
    ]
    lines += [
        f"| {s} | {tally.runs[s]} | {tally.killed[s]} | "
        + " | ".join(str(tally.phases[s, p]) for p in PHASES)
        + f" | {timings.get(s, 0):.2f} |"
        for s in SCENARIOS
        if tally.runs[s]
    ]
    lines.append(f"\nstart-up (a `sync status`): {timings.get('startup', 0):.2f} s")
    lines += [
        "",
        "| measure | value |",
        "|---|---|",
        f"| captures acknowledged (id printed) | {tally.captured} |",
        f"| moments present after the runs | {tally.present} |",
        f"| deliveries queued (expected sent) | {tally.deliveries} |",
        *[f"| received by {t} (distinct) | {tally.received[t]} |" for t in TARGETS],
        f"| webhook re-sends (same webhook-id again) | {tally.resends} |",
        f"| drain passes (`sync now`) | {tally.drain_passes} |",
        f"| **lost** | **{tally.lost}** |",
        f"| **duplicated** | **{tally.duplicated}** |",
        f"| **corrupt** (`PRAGMA integrity_check`) | **{tally.corrupt}** |",
    ]
    return "\n".join(lines + [f"- {line}" for line in tally.failures])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n", 1)[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=100, help="killed runs (default 100)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (scenario order, kill delays)")
    parser.add_argument(
        "--scenarios", default=",".join(SCENARIOS), help="comma-separated subset of " + ", ".join(SCENARIOS)
    )
    args = parser.parse_args(argv)
    chosen = tuple(s for s in args.scenarios.split(",") if s)
    if unknown := set(chosen) - set(SCENARIOS):
        parser.error(f"unknown scenario: {', '.join(sorted(unknown))}")
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="inflow-crash-") as tmp:
        tally, timings = campaign(args.runs, args.seed, Path(tmp), chosen)
    print(table(tally, timings))
    print(f"\n{args.runs} runs, seed {args.seed}, {time.monotonic() - start:.0f} s")
    return 1 if tally.lost or tally.duplicated or tally.corrupt else 0


if __name__ == "__main__":
    sys.exit(main())
