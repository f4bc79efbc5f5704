"""Drain benchmark, WordPress case: N moments shared through the engine to a real WordPress, beside the floor.

Run: `.venv/bin/python -m bench.wordpress_drain [--moments 100] [--rounds 2]` (Debian's wordpress and
mariadb-server installed: scripts/bootstrap.sh). One site (tests/integration/servers/wordpress.py) on
127.0.0.1; per round, alternating order:
- inflow: moments added to a fresh database, `SyncEngine.run_pass()` until all are sent (publish status);
- floor: a bare `requests.Session` loop of the same N `POST wp/v2/posts` (same title, same HTML content
  from sync.formatting, same category, same Basic auth), nothing else.
The ratio is inflow's moments/s over the floor's. PHP renders every post, so the server dominates both.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import requests

from bench.sync_bench import drafts, outgoing
from storage import outbox_status
from storage.db import open_database
from storage.moments import add_moment
from sync.connector import Target
from sync.connectors.wordpress.content import post_content
from sync.engine import SyncEngine
from sync.formatting import heading
from sync.http import new_session
from tests.integration.servers.wordpress import WordPress

PORT = 26090


def run_inflow(wp: WordPress, tmp: Path, n: int, seed: int) -> float:
    target = Target("blog", "wordpress", {"url": wp.url, "username": "inflow", "category": "Team", "status": "publish"})
    db = open_database(tmp / f"drain-{seed}.db")
    password = wp.users["inflow"][1]
    engine = SyncEngine(db, lambda: [target], lambda _t: password, lambda: new_session("bench"))
    engine.run_pass()  # warm: connector made, category looked up, feed cursor taken
    for draft in drafts(n, seed, target.name):
        add_moment(db, draft)
    start = time.perf_counter()
    for _ in range(50):
        engine.run_pass()
        if outbox_status.outbox_summary(db).get("blog", {}).get("sent", 0) >= n:
            break
    seconds = time.perf_counter() - start
    sent = outbox_status.outbox_summary(db).get("blog", {}).get("sent", 0)
    engine.close()
    db.conn.close()
    if sent != n:
        raise SystemExit(f"inflow drain: only {sent} of {n} sent")
    return n / seconds


def run_floor(wp: WordPress, n: int, seed: int) -> float:
    bodies = [outgoing(d) for d in drafts(n, seed, "blog")]
    session = requests.Session()
    session.auth = ("inflow", wp.users["inflow"][1])
    start = time.perf_counter()
    for moment in bodies:
        body = {"title": heading(moment), "content": post_content(moment), "status": "publish",
                "categories": [wp.category]}  # fmt: skip
        response = session.post(wp.url + "/", params={"rest_route": "/wp/v2/posts"}, json=body, timeout=30)
        if response.status_code != 201:
            raise SystemExit(f"floor POST: HTTP {response.status_code}: {response.text[:300]}")
    seconds = time.perf_counter() - start
    session.close()
    return n / seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--moments", type=int, default=100, help="moments per run (default 100)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds, alternating order (default 2)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="inflow-wp-bench-") as name:
        tmp = Path(name)
        (tmp / "site").mkdir()
        wp = WordPress.create(tmp / "site", PORT)
        try:
            rates: dict[str, list[float]] = {"inflow": [], "floor": []}
            for round_ in range(args.rounds):
                order = ("inflow", "floor") if round_ % 2 == 0 else ("floor", "inflow")
                for what in order:
                    seed = round_ * 2 + (what == "floor")
                    rate = (
                        run_inflow(wp, tmp, args.moments, seed)
                        if what == "inflow"
                        else run_floor(wp, args.moments, seed)
                    )
                    rates[what].append(rate)
                    print(f"round {round_ + 1} {what:6}: {rate:6.1f} moments/s")
        finally:
            wp.stop()
    inflow, floor = statistics.mean(rates["inflow"]), statistics.mean(rates["floor"])
    print(f"WordPress drain, n={args.moments}: inflow {inflow:.1f}/s, floor {floor:.1f}/s, ratio {inflow / floor:.2f}")


if __name__ == "__main__":
    main()
