"""E-mail drain: N queued moments -> sent through `SyncEngine.run_pass` to an `email` target, against the
floor, a bare smtplib loop sending the same built messages (one connection and login per mail, as the
connector does), and a second floor reusing one connection for all (what batching could save).

    .venv/bin/python -m bench.email_drain --moments 300

The SMTP server is the tests' loopback submission server (plain, loopback only, in this process's threads),
so the figures are Inflow's cost per mail (outbox, formatting, MIME, SMTP dialogue), not a real MTA's.
The same moments as bench/sync_bench.py's drain (its `drafts`).
"""

from __future__ import annotations

import argparse
import smtplib
import tempfile
import threading
import time
from pathlib import Path

from bench.sync_bench import drafts, outgoing
from storage import outbox_status
from storage.db import open_database
from storage.moments import add_moment
from sync.connector import Target
from sync.connectors.email.content import build_message, message_id_for
from sync.engine import SyncEngine
from sync.http import new_session
from tests.unit.sync.test_email import _Server

USER = "ada@example.org"
TEAM = "learning@example.org"


def run_inflow(tmp: Path, server: _Server, n: int, seed: int) -> float:
    port = str(server.server_address[1])
    target = Target("team", "email", {"address": TEAM, "smtp_host": "127.0.0.1", "smtp_port": port,
                                      "security": "plain", "username": USER})  # fmt: skip
    db = open_database(tmp / f"drain-{seed}.db")
    engine = SyncEngine(db, lambda: [target], lambda _t: server.password, lambda: new_session("bench"))
    engine.run_pass()
    for draft in drafts(n, seed, "team"):
        add_moment(db, draft)
    start = time.perf_counter()
    for _ in range(20):
        engine.run_pass()
        if outbox_status.outbox_summary(db).get("team", {}).get("sent", 0) >= n:
            break
    seconds = time.perf_counter() - start
    sent = outbox_status.outbox_summary(db).get("team", {}).get("sent", 0)
    engine.close()
    db.conn.close()
    if sent != n:
        raise SystemExit(f"inflow drain: only {sent} of {n} sent")
    return seconds


def run_floor(server: _Server, n: int, seed: int, *, reuse: bool) -> float:
    messages = []
    for draft in drafts(n, seed, "team"):
        moment = outgoing(draft)
        messages.append(
            build_message(moment, sender=USER, to=TEAM, message_id=message_id_for(moment.idempotency_key, TEAM))
        )
    port = server.server_address[1]
    start = time.perf_counter()
    smtp: smtplib.SMTP | None = None
    for message in messages:
        if smtp is None:
            smtp = smtplib.SMTP("127.0.0.1", port, timeout=30)
            smtp.login(USER, server.password)
        smtp.send_message(message, from_addr=USER, to_addrs=[TEAM])
        if not reuse:
            smtp.quit()
            smtp = None
    if smtp is not None:
        smtp.quit()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--moments", type=int, default=300)
    args = parser.parse_args(argv)
    server = _Server()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    n = args.moments
    with tempfile.TemporaryDirectory(prefix="inflow-email-bench-") as tmp:
        for round_, seed in enumerate((1, 2)):
            order = ["inflow", "floor", "floor-reuse"] if round_ == 0 else ["floor-reuse", "floor", "inflow"]
            times: dict[str, float] = {}
            for name in order:
                server.received.clear()
                if name == "inflow":
                    times[name] = run_inflow(Path(tmp), server, n, seed)
                else:
                    times[name] = run_floor(server, n, seed, reuse=name == "floor-reuse")
                assert len(server.received) == n, (name, len(server.received))
            rates = {name: n / t for name, t in times.items()}
            print(f"round {round_ + 1}: " + ", ".join(f"{k} {rates[k]:.0f} mails/s ({times[k]:.2f} s)" for k in order)
                  + f"; inflow/floor {times['inflow'] / times['floor']:.2f}x, inflow/floor-reuse "
                  f"{times['inflow'] / times['floor-reuse']:.2f}x the time")  # fmt: skip
    server.shutdown()
    server.server_close()


if __name__ == "__main__":
    main()
