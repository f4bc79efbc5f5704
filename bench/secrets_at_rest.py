"""Secrets never at rest (issue 14 part 4): after a run that adds every kind of target with a secret,
shares, is killed mid-sync and restarts, backs up and exports, no secret is in any file under the base
folder, in any form a program might write it (as typed, URL-encoded, base64, HTTP Basic), and every
folder is 0700 and every file 0600. Without a keyring backend, adding a secret fails with a clear
message and writes nothing; INFLOW_SECRET_<NAME> supplies it at run time instead.

The real CLI runs as separate processes against one loopback server that answers every request in the
run's mode (ok, unauthorized, busy, or an error page that echoes back the request, secrets included).

    python -m bench.secrets_at_rest --runs 8 --seed 1
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import quote, quote_plus, urlsplit

from tests.unit.sync.local_server import Answer, LocalServer, Request, json_answer

ROOT = Path(__file__).resolve().parents[1]
MODES = ("ok", "unauthorized", "busy", "echo")
TEST_KEYRING = "tests.cli.file_keyring.FileKeyring"
NO_KEYRING = "keyring.backends.fail.Keyring"


@dataclass(frozen=True)
class Secret:
    """One target's secret, and the user name it is sent with (HTTP Basic), if any."""

    target: str
    value: str
    user: str | None = None

    def forms(self) -> dict[str, bytes]:
        """Every form of the secret a program might write down."""
        raw = self.value.encode()
        found = {
            "as typed": raw,
            "url-encoded": quote(self.value, safe="").encode(),
            "form-encoded": quote_plus(self.value).encode(),
            "base64": base64.b64encode(raw).rstrip(b"="),
            "base64url": base64.urlsafe_b64encode(raw).rstrip(b"="),
        }
        parts = urlsplit(self.value)
        if parts.scheme in ("http", "https"):
            found["url path"] = parts.path.encode()  # a webhook URL's secret part, as a server log shows it
        if self.user:
            found["basic auth"] = base64.b64encode(f"{self.user}:{self.value}".encode())
        return found


def answer_for(mode: str) -> Callable[[Request, BaseHTTPRequestHandler], Answer]:
    """The server's answer to every request in this mode."""

    def answer(request: Request, _h: BaseHTTPRequestHandler) -> Answer:
        if mode == "unauthorized":
            return json_answer({"errcode": "M_UNKNOWN_TOKEN", "error": "Invalid token"}, status=401)
        if mode == "busy":
            return json_answer({"error": "busy"}, status=503, headers={"Retry-After": "1"})
        if mode == "echo":  # a careless server that repeats the request in its error text
            body = request.raw.decode(errors="replace")
            echoed = f"bad request {request.method} {request.path} {request.headers} {body}"
            return json_answer({"error": echoed, "message": echoed, "errcode": "M_BAD_JSON"}, status=400)
        return json_answer({"event_id": "$e1", "id": "1", "ok": True, "ts": "1.0"})

    return answer


def targets(url: str, token: str) -> Iterator[tuple[str, str, dict[str, str], Secret]]:
    """(kind, name, settings, secret) for every kind that takes a typed secret (teams-graph signs in)."""
    hook = f"{url}/hooks/{token}-hook"
    rows: list[tuple[str, dict[str, str], str, str | None]] = [
        ("matrix", {"url": url, "room": "!room:localhost"}, f"{token}-matrix", None),
        ("xapi", {"url": url, "username": "lrs-user"}, f"{token}-xapi", "lrs-user"),
        ("webhook", {"url": url + "/receive"}, f"whsec_{base64.b64encode(token.encode()).decode()}", None),
        ("slack", {"url": url, "channel": "C1"}, f"xoxb-{token}-slack", None),
        ("slack-webhook", {}, hook + "-slack", None),
        ("teams-workflow", {}, hook + "-teams", None),
        ("mattermost", {"url": url, "channel_id": "ch1"}, f"{token}-mattermost", None),
        ("discourse", {"url": url, "category": "1", "username": "bot"}, f"{token}-discourse", None),
        ("mediawiki", {"url": url, "page": "Team notes", "username": "Bot@inflow"}, f"{token}-wiki", "Bot@inflow"),
        ("confluence", {"url": url, "space": "TEAM", "username": "me@example.com"}, f"{token}-conf", "me@example.com"),
    ]
    for kind, settings, value, user in rows:
        name = f"t-{kind}"
        yield kind, name, settings, Secret(name, value, user)


class Cli:
    """The real CLI as separate processes for one base folder, a test keyring outside it, a lax umask."""

    def __init__(self, work: Path, backend: str = TEST_KEYRING) -> None:
        self.basedir = work / "base"
        runtime = work / "run"
        runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "XDG_RUNTIME_DIR": str(runtime),
            "PYTHON_KEYRING_BACKEND": backend,
            "INFLOW_TEST_KEYRING": str(work / "keyring.json"),
        }
        self.env.pop("INFLOW_BASEDIR", None)

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "app", "--basedir", str(self.basedir), *args]

    def run(self, *args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(*args), input=stdin, capture_output=True, text=True, cwd=ROOT,
            env={**self.env, **(env or {})}, timeout=120, check=False, umask=0o022,
        )  # fmt: skip

    def killed(self, after: float, *args: str) -> bool:
        """Start a command and SIGKILL it after `after` seconds; True when it was still running."""
        process = subprocess.Popen(
            self.command(*args), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            cwd=ROOT, env=self.env, umask=0o022,
        )  # fmt: skip
        time.sleep(after)
        running = process.poll() is None
        if running:
            process.send_signal(signal.SIGKILL)
        process.wait()
        return running


def scan(root: Path, secrets: list[Secret]) -> list[str]:
    """'file: target (form)' for every form of every secret found in any file under root."""
    hits = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
        data = path.read_bytes()
        for secret in secrets:
            for form, needle in secret.forms().items():
                if needle in data:
                    hits.append(f"{path.relative_to(root)}: {secret.target} ({form})")
    return hits


def loose_modes(root: Path) -> list[str]:
    """Every folder under root (itself included) that is not 0700 and every file that is not 0600."""
    found = []
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        wanted = 0o700 if path.is_dir() else 0o600
        if not path.is_symlink() and mode != wanted:
            found.append(f"{path.relative_to(root)}: {mode:o}")
    return found


@dataclass
class Outcome:
    mode: str
    kill_after: float
    killed: bool
    requests: int
    files: int
    hits: list[str]
    loose: list[str]
    failures: list[str]


def one_run(work: Path, rng: random.Random, mode: str) -> Outcome:
    """Add every target, share, kill a sync, sync again, back up, export, ask doctor; then scan."""
    cli = Cli(work)
    token = f"sec{rng.getrandbits(48):012x}"
    failures: list[str] = []

    def must(result: subprocess.CompletedProcess[str], what: str) -> None:
        if result.returncode != 0:
            failures.append(f"{what}: {result.stderr.strip()[-200:]}")

    with LocalServer(answer_for(mode)) as server:
        made = list(targets(server.url, token))
        for kind, name, settings, secret in made:
            sets = [arg for key, value in settings.items() for arg in ("--set", f"{key}={value}")]
            must(
                cli.run("target", "add", kind, "--name", name, *sets, "--token-stdin", stdin=secret.value),
                f"add {kind}",
            )
        shares = [arg for _k, name, _s, _x in made for arg in ("--share", name)]
        for n in range(3):
            must(cli.run("capture", "--title", f"moment {n}", f"note {n} {rng.random()}", *shares), "capture")
        kill_after = round(rng.uniform(0.3, 2.5), 2)
        killed = cli.killed(kill_after, "sync", "now")
        cli.run("sync", "now")  # fails in most modes (the server refuses): what counts is what it writes
        cli.run("sync", "status")
        for _kind, name, _s, _x in made[:3]:
            cli.run("target", "test", name)
        must(cli.run("backup"), "backup")
        must(cli.run("export", "--format", "json", str(cli.basedir / "exports" / "all.json")), "export json")
        must(cli.run("export", "--format", "markdown", str(cli.basedir / "exports" / "md")), "export markdown")
        cli.run("doctor")
        cli.run("--json-logging", "sync", "now")
        requests = len(server.requests)
    secrets = [secret for *_rest, secret in made]
    files = sum(1 for p in cli.basedir.rglob("*") if p.is_file())
    return Outcome(
        mode, kill_after, killed, requests, files, scan(cli.basedir, secrets), loose_modes(cli.basedir), failures
    )


def keyringless(work: Path) -> list[str]:
    """Without a keyring: a clear error and nothing written; INFLOW_SECRET_<NAME> is used instead."""
    problems = []
    cli = Cli(work, backend=NO_KEYRING)
    secret = Secret("room", "sec-no-keyring-7f3a9c")
    with LocalServer(answer_for("ok")) as server:
        added = cli.run(
            "target", "add", "matrix", "--name", "room", "--set", f"url={server.url}", "--set", "room=!r:localhost",
            "--token-stdin", stdin=secret.value,
        )  # fmt: skip
        if added.returncode == 0 or "No usable keyring" not in added.stderr or "INFLOW_SECRET_ROOM" not in added.stderr:
            problems.append(f"adding with a secret and no keyring: rc {added.returncode}: {added.stderr.strip()}")
        cli.run("target", "add", "matrix", "--name", "room", "--set", f"url={server.url}", "--set", "room=!r:localhost")
        cli.run("capture", "--share", "room", "a note for the room")
        cli.run("sync", "now", env={"INFLOW_SECRET_ROOM": secret.value})
        sent = [r for r in server.requests if r.headers.get("authorization") == f"Bearer {secret.value}"]
        if not sent:
            problems.append("INFLOW_SECRET_ROOM was not used to share")
    problems += [f"hit: {hit}" for hit in scan(cli.basedir, [secret])]
    if (work / "keyring.json").exists():
        problems.append("the test keyring file was written with the fail backend")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    bad = 0
    print(f"{'run':>3} {'mode':<13} {'kill s':>6} {'killed':<6} {'reqs':>5} {'files':>5} {'hits':>4} {'loose':>5} fail")
    with tempfile.TemporaryDirectory(prefix="inflow-secrets-") as tmp:
        for n in range(args.runs):
            outcome = one_run(Path(tmp) / f"run{n}", rng, MODES[n % len(MODES)])
            bad += len(outcome.hits) + len(outcome.loose) + len(outcome.failures)
            print(
                f"{n:>3} {outcome.mode:<13} {outcome.kill_after:>6} {outcome.killed!s:<6} {outcome.requests:>5} "
                f"{outcome.files:>5} {len(outcome.hits):>4} {len(outcome.loose):>5} {len(outcome.failures)}"
            )
            for line in outcome.hits + outcome.loose + outcome.failures:
                print(f"      {line}")
        problems = keyringless(Path(tmp) / "nokeyring")
        bad += len(problems)
        print(f"no keyring: {'ok' if not problems else json.dumps(problems, indent=1)}")
    print(f"total problems: {bad}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
