"""The offline library: snapshot throughput, search with snapshots, database size, bookmark import.

    .venv/bin/python -m bench.snapshot_bench --dir /tmp/inflow-snapbench [--only throughput,search,size,import]

Each figure beside its floor (the bare engine doing the same work), measured in the same run:

1. throughput: 200 synthetic article pages (bench/snapshot_pages.py; 2-40 KB, ~40 % with 1-3 PNGs)
   served from a separate process on 127.0.0.1/2/3. 200 resources are queued (add_moment(...,
   snapshot=True)) and SnapshotRunner.run_pass() (concurrency 2) fetches until all are saved, once
   with the default per_host_interval=1.0 and with 0 (pure processing). Each run is a fresh process
   (peak RSS = ru_maxrss of that process). Floor: one requests.Session GETting the same 200 pages in a
   loop + trafilatura.extract on each body (no images, no DB). One extra run under cProfile (per-thread
   CPU time) splits the work into fetch / extraction / sanitize / DB.
2. search: bench.common.synthetic_library (100,000 moments) + 20,000 snapshots (2-8 KB of the same
   vocabulary, Zipf-distributed; alpha/beta/gamma at the library's rates), one transaction, FTS
   triggers index them. storage.search.search(limit=50) and storage.search.snippets (top 50) vs raw
   FTS5 `ORDER BY rank LIMIT 50`; the same queries on the library without snapshots for reference.
3. size: a fresh library, 1,000 resources with queued snapshots, then 1,000 saved snapshots of known
   text/HTML size; file size after a TRUNCATE checkpoint before/after, split by table with dbstat.
4. import: a 5,000-bookmark Netscape file (nested folders, ~2 % duplicates) through import_path
   (snapshot=True: queued, not fetched), then `inflow search` in a fresh process finds an imported
   title. Floor: sqlite3 executemany of the same 5,000 rows into moments (FTS trigger), one transaction.

Built libraries are cached in --dir; everything else is created there and removed again.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import json
import os
import pstats
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from bench.common import COMMON, RARE, SECOND, WORDS, percentile, synthetic_library, time_ms
from bench.soak_sampler import rss_kib

ROOT = Path(__file__).resolve().parents[1]
HOSTS = ["127.0.0.1", "127.0.0.2", "127.0.0.3"]
USER_AGENT = "Inflow-bench/1.0 (+https://example.org/inflow)"
MARKER = "quokkabench"  # the imported title `inflow search` must find
STAMP = "2026-01-01T00:00:00.000Z"


def _ms(samples: list[float]) -> str:
    return f"{statistics.median(samples):.2f} / {percentile(samples, 0.95):.2f} ms"


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of another process (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _db_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


# ============================================================================ 1. snapshot throughput


def _warm_up() -> None:
    """Import and run the extraction stack once (the app is long-running: measure it warm)."""
    import trafilatura

    from bench.snapshot_pages import make_page
    from sync.snapshots.extract import extract
    from sync.snapshots.fetch import Fetched

    # 30 pages, with a port in the URL: the one-time set-up of trafilatura's fallbacks too (justext's
    # stoplists of every language, ~0.2 s; the public suffix list, ~0.1 s), which the app pays once per process
    for index in range(9000, 9030):
        path, html, _ = make_page(index, "127.0.0.9")
        extract(Fetched("http://127.0.0.9:9" + path, "text/html", "utf-8", html))
        trafilatura.extract(html, url="http://127.0.0.9:9" + path)


def _usage() -> tuple[float, float]:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter(), ru.ru_utime + ru.ru_stime


def worker_runner(urls: list[str], db_path: Path, interval: float, profile: bool, stages: bool) -> dict[str, Any]:
    from storage.db import open_database
    from storage.models import Draft, Kind
    from storage.moments import add_moment
    from sync.http import new_session
    from sync.snapshots.runner import SnapshotRunner

    _warm_up()
    db = open_database(db_path)
    for i, url in enumerate(urls):
        add_moment(db, Draft(kind=Kind.RESOURCE, title=f"Page {i}", url=url), snapshot=True)
    clock = instrument() if stages else None
    waits = _count_waits()
    runner_class = _profiled_runner_class() if profile else SnapshotRunner
    runner = runner_class(db, lambda: new_session(USER_AGENT), per_host_interval=interval)
    main_profile = cProfile.Profile(timer=time.thread_time) if profile else None
    rss_before = rss_kib()
    wall0, cpu0 = _usage()
    if main_profile:
        main_profile.enable()
    passes = 0
    while passes < 5:
        passes += 1
        runner.run_pass()
        pending = db.execute("SELECT count(*) FROM snapshots WHERE state != 'saved'").fetchone()[0]
        if not pending:
            break
    if main_profile:
        main_profile.disable()
    wall1, cpu1 = _usage()
    runner.close()
    saved, stored = db.execute(
        "SELECT count(*), coalesce(sum(size), 0) FROM snapshots WHERE state = 'saved'"
    ).fetchone()
    assets = db.execute("SELECT count(*) FROM snapshot_assets").fetchone()[0]
    errors = [r[0] for r in db.execute("SELECT DISTINCT error FROM snapshots WHERE error IS NOT NULL LIMIT 5")]
    result = {
        "wall_s": wall1 - wall0, "cpu_s": cpu1 - cpu0, "pages": len(urls), "saved": saved, "passes": passes,
        "stored_bytes": stored, "assets": assets, "errors": errors, "waits": waits,
        "rss_before_kb": rss_before, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }  # fmt: skip
    if clock is not None:
        result["stages"] = stage_split(clock)
        result["fast"] = trafilatura_fast_gain(len(urls))
    if profile:
        assert main_profile is not None
        result["profile"] = _profile_split(main_profile, list(runner.profiles.values()))  # type: ignore[attr-defined]
    return result


def _count_waits() -> dict[str, int]:
    """Count the pass loop's turns (its concurrent.futures.wait calls; those with timeout 0 return at once)."""
    runner_module = importlib.import_module("sync.snapshots.runner")
    counts = {"calls": 0, "timeout_0": 0}
    original = runner_module.wait

    def counted(fs: Any, timeout: float | None = None, return_when: str = "ALL_COMPLETED") -> Any:
        counts["calls"] += 1
        counts["timeout_0"] += timeout == 0
        return original(fs, timeout=timeout, return_when=return_when)

    runner_module.wait = counted
    return counts


def _profiled_runner_class() -> type:
    from sync.snapshots.runner import SnapshotRunner

    class ProfiledRunner(SnapshotRunner):
        """Profiles the pool threads too (cProfile only sees the thread that enabled it), in thread CPU time."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.profiles: dict[int, cProfile.Profile] = {}

        def _work(self, job: Any) -> Any:
            prof = self.profiles.setdefault(threading.get_ident(), cProfile.Profile(timer=time.thread_time))
            prof.enable()
            try:
                return super()._work(job)
            finally:
                prof.disable()

    return ProfiledRunner


def _profile_split(main: cProfile.Profile, workers: list[cProfile.Profile]) -> dict[str, Any]:
    """CPU seconds by stage: pool threads (fetch, extraction, sanitize) and the pass thread (DB)."""

    def find(stats: pstats.Stats, file_part: str, name: str) -> tuple[float, dict[Any, Any]]:
        ct, callers = 0.0, {}
        for (filename, _line, func), (_cc, _nc, _tt, cum, calls) in stats.stats.items():  # type: ignore[attr-defined]
            if func == name and file_part in filename:
                ct += cum
                callers.update(calls)
        return ct, callers

    wstats = pstats.Stats(workers[0])
    for prof in workers[1:]:
        wstats.add(prof)
    work, _ = find(wstats, "snapshots/runner.py", "_work")
    fetch_all, fetch_callers = find(wstats, "snapshots/fetch.py", "fetch_page")
    image_fetch = sum(v[3] for k, v in fetch_callers.items() if k[2] == "fetch_image")
    extract_html, _ = find(wstats, "snapshots/extract.py", "extract_html")
    bare, _ = find(wstats, "trafilatura/core.py", "bare_extraction")
    parse, _ = find(wstats, "snapshots/extract.py", "_parse_html")
    convert, _ = find(wstats, "trafilatura/htmlprocessing.py", "convert_to_html")
    tree_text, _ = find(wstats, "snapshots/extract.py", "_tree_text")
    sanitize, _ = find(wstats, "snapshots/sanitize.py", "sanitize_html")
    mstats = pstats.Stats(main)
    run_pass, _ = find(mstats, "snapshots/runner.py", "run_pass")
    claim, _ = find(mstats, "storage/snapshots.py", "claim_snapshot")
    save, _ = find(mstats, "storage/snapshots.py", "save_snapshot")
    due, _ = find(mstats, "storage/snapshots.py", "next_snapshot_due")
    top = sorted(
        ((v[2], f"{Path(k[0]).name}:{k[2]}") for k, v in wstats.stats.items()),  # type: ignore[attr-defined]
        reverse=True,
    )[:12]
    return {
        "workers_s": work, "page_fetch_s": fetch_all - image_fetch, "image_fetch_s": image_fetch,
        "extract_html_s": extract_html - image_fetch - sanitize, "trafilatura_bare_extraction_s": bare,
        "lxml_parse_s": parse, "convert_to_html_s": convert, "tree_text_s": tree_text, "sanitize_s": sanitize,
        "main_thread_s": run_pass, "db_claim_s": claim, "db_save_s": save, "db_next_due_s": due,
        "top_self_s": [(round(t, 3), name) for t, name in top],
    }  # fmt: skip


class _StageClock:
    """Thread CPU time (and calls) per stage, summed over threads; nested stages are subtracted later."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self._lock = threading.Lock()

    def wrap(self, name: str, fn: Any, pick: Any = None) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            stage = pick(args, kwargs) if pick else name
            start = time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent = time.thread_time() - start
                with self._lock:
                    self.cpu[stage] = self.cpu.get(stage, 0.0) + spent
                    self.calls[stage] = self.calls.get(stage, 0) + 1

        return timed


def instrument() -> _StageClock:
    """Time the stages of a pass by wrapping the functions the runner and the extractor call (in this
    benchmark process only): page and image fetches, the whole extraction, trafilatura, sanitizing, DB."""
    import trafilatura

    from sync.snapshots.fetch import IMAGE_ACCEPT

    extract_module = importlib.import_module("sync.snapshots.extract")  # the package exports a function `extract`
    runner_module = importlib.import_module("sync.snapshots.runner")

    clock = _StageClock()

    def fetch_kind(args: Any, kwargs: Any) -> str:
        return "image fetch" if kwargs.get("accept") == IMAGE_ACCEPT else "page fetch"

    runner_module.fetch_page = clock.wrap("", runner_module.fetch_page, fetch_kind)
    runner_module.extract = clock.wrap("extract (all)", runner_module.extract)
    trafilatura.bare_extraction = clock.wrap("trafilatura.bare_extraction", trafilatura.bare_extraction)
    extract_module.sanitize_html = clock.wrap("sanitize_html", extract_module.sanitize_html)
    runner_module.claim_snapshot = clock.wrap("DB claim_snapshot", runner_module.claim_snapshot)
    runner_module.save_snapshot = clock.wrap("DB save_snapshot", runner_module.save_snapshot)
    return clock


def stage_split(clock: _StageClock) -> dict[str, float]:
    cpu = clock.cpu
    whole = cpu.get("extract (all)", 0.0)
    parts = ("image fetch", "trafilatura.bare_extraction", "sanitize_html")
    rest = whole - sum(cpu.get(k, 0.0) for k in parts)
    return {
        "page fetch": cpu.get("page fetch", 0.0), "image fetch": cpu.get("image fetch", 0.0),
        "trafilatura.bare_extraction": cpu.get("trafilatura.bare_extraction", 0.0),
        "other extraction (lxml parse, images, convert, text)": rest,
        "sanitize_html": cpu.get("sanitize_html", 0.0),
        "DB claim_snapshot": cpu.get("DB claim_snapshot", 0.0), "DB save_snapshot": cpu.get("DB save_snapshot", 0.0),
    }  # fmt: skip


def trafilatura_fast_gain(count: int) -> dict[str, float]:
    """The extractor's trafilatura call as Inflow makes it (fast=False: with its fallback algorithms)
    and with fast=True, on the same pages, no network (thread CPU per page)."""
    import trafilatura

    from bench.snapshot_pages import make_page
    from sync.snapshots.extract import _normalize_images, _parse_html

    pages = [make_page(i, HOSTS[i % len(HOSTS)])[1].decode() for i in range(count)]
    out = {}
    for fast in (False, True, False, True):
        spent = 0.0
        for html in pages:
            tree = _parse_html(html)
            _normalize_images(tree, "http://127.0.0.1/")
            start = time.thread_time()
            trafilatura.bare_extraction(
                tree, url="http://127.0.0.1/a", include_images=True, include_links=True, include_formatting=True,
                include_tables=True, include_comments=False, with_metadata=True, fast=fast,
            )  # fmt: skip
            spent += time.thread_time() - start
        out[f"fast={fast}"] = 1000 * spent / count  # the second round of each counts (warm)
    return out


def worker_floor(urls: list[str]) -> dict[str, Any]:
    import requests
    import trafilatura

    _warm_up()
    session = requests.Session()
    rss_before = rss_kib()
    wall0, cpu0 = _usage()
    chars = fetch_s = extract_s = 0.0
    for url in urls:
        t0 = time.perf_counter()
        response = session.get(url, timeout=10)
        response.raise_for_status()
        t1 = time.perf_counter()
        chars += len(trafilatura.extract(response.content) or "")
        fetch_s, extract_s = fetch_s + t1 - t0, extract_s + time.perf_counter() - t1
    wall1, cpu1 = _usage()
    session.close()
    return {
        "wall_s": wall1 - wall0, "cpu_s": cpu1 - cpu0, "pages": len(urls), "text_chars": chars,
        "fetch_wall_s": fetch_s, "extract_wall_s": extract_s,
        "rss_before_kb": rss_before, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }  # fmt: skip


def _spawn_worker(args: list[str], server_pid: int) -> dict[str, Any]:
    cpu0 = _cpu_s(server_pid)
    done = subprocess.run(
        [sys.executable, "-m", "bench.snapshot_bench", *args], cwd=ROOT, capture_output=True, text=True,
        timeout=900, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"worker {args} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["server_cpu_s"] = _cpu_s(server_pid) - cpu0
    return result


def bench_throughput(folder: Path, pages: int, rounds: int) -> dict[str, Any]:
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.snapshot_pages", "--hosts", ",".join(HOSTS), "--count", str(pages)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    work = folder / "throughput"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        assert server.stdout is not None
        info = json.loads(server.stdout.readline())
        urls_file = work / "urls.json"
        urls_file.write_text(json.dumps(info["urls"]))
        print(
            f"pages: {pages} on {len(HOSTS)} hosts, HTML {info['html_bytes'] / 1024:.0f} KiB in all "
            f"({info['html_bytes'] / pages / 1024:.1f} KiB each), {info['images']} images "
            f"({info['image_bytes'] / 1024:.0f} KiB)"
        )
        runs: dict[str, list[dict[str, Any]]] = {"floor": [], "runner0": [], "runner1": [], "profile": [], "stages": []}
        n = 0

        def runner(key: str, interval: float, extra: tuple[str, ...] = ()) -> None:
            nonlocal n
            n += 1
            db = work / f"run{n}.db"
            result = _spawn_worker(
                ["--worker", "runner", "--urls", str(urls_file), "--db", str(db), "--interval", str(interval),
                 *extra], server.pid,
            )  # fmt: skip
            runs[key].append(result)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)

        for _ in range(rounds):
            runs["floor"].append(_spawn_worker(["--worker", "floor", "--urls", str(urls_file)], server.pid))
            runner("runner0", 0.0)
        runner("runner1", 1.0)
        runner("stages", 0.0, ("--stages",))
        runner("profile", 0.0, ("--profile",))
    finally:
        if server.stdin:
            server.stdin.close()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 15)
            server.wait(timeout=5)
        shutil.rmtree(work, ignore_errors=True)
    _print_throughput(runs, pages)
    return runs


def _print_throughput(runs: dict[str, list[dict[str, Any]]], pages: int) -> None:
    def line(label: str, results: list[dict[str, Any]]) -> None:
        walls = sorted(r["wall_s"] for r in results)
        mid = sorted(results, key=lambda r: r["wall_s"])[len(results) // 2]
        saved = f", saved {mid['saved']}/{pages}, {mid['assets']} images" if "saved" in mid else ""
        print(
            f"  {label}: {pages / mid['wall_s']:.1f} pages/s (wall {mid['wall_s']:.2f} s; runs "
            f"{', '.join(f'{w:.2f}' for w in walls)}), CPU {1000 * mid['cpu_s'] / pages:.1f} ms/page "
            f"(server {1000 * mid['server_cpu_s'] / pages:.1f} ms/page), RSS {mid['rss_before_kb'] / 1024:.0f} -> "
            f"peak {mid['maxrss_kb'] / 1024:.0f} MiB{saved}"
        )
        if "waits" in mid:
            print(f"    pass loop: {mid['waits']['calls']} waits, {mid['waits']['timeout_0']} of them with timeout 0")
        if mid.get("errors"):
            print(f"    errors: {mid['errors']}")

    print("snapshot throughput (median run):")
    line("runner, per_host_interval=0  ", runs["runner0"])
    line("runner, per_host_interval=1.0", runs["runner1"])
    line("floor: Session + trafilatura ", runs["floor"])
    floor = sorted(runs["floor"], key=lambda r: r["wall_s"])[len(runs["floor"]) // 2]
    print(
        f"    floor wall split: GET {floor['fetch_wall_s']:.2f} s, trafilatura.extract {floor['extract_wall_s']:.2f} s"
    )
    bound = (pages + len(HOSTS) - 1) // len(HOSTS) - 1
    print(f"    pacing bound at 1.0 s/host over {len(HOSTS)} hosts: >= {bound} s ({pages / bound:.1f} pages/s)")
    timed = runs["stages"][0]
    print(
        f"  instrumented run (thread CPU per stage; wall {timed['wall_s']:.2f} s, CPU "
        f"{1000 * timed['cpu_s'] / pages:.1f} ms/page):"
    )
    for key, value in timed["stages"].items():
        print(f"    {key:52} {1000 * value / pages:6.2f} ms/page")
    print(f"    trafilatura.bare_extraction alone, no network, ms/page: {timed['fast']}")
    prof = runs["profile"][0]
    split = prof["profile"]
    print(
        f"  profiled run (thread CPU under cProfile, wall {prof['wall_s']:.2f} s, CPU "
        f"{1000 * prof['cpu_s'] / pages:.1f} ms/page):"
    )
    for key, value in split.items():
        if key != "top_self_s":
            print(f"    {key:32} {value:7.3f} s  {1000 * value / pages:6.2f} ms/page")
    print(f"    top self time (pool threads): {split['top_self_s']}")


# ============================================================================ 2. search with snapshots


def _zipf_cum_weights() -> list[float]:
    total, cum = 0.0, []
    for rank in range(len(WORDS)):
        total += 1.0 / (rank + 1)
        cum.append(total)
    return cum


def snapshot_text(rng: random.Random, cum: list[float]) -> tuple[str, str]:
    """2-8 KB of text in paragraphs (Zipf over the library's vocabulary) and its HTML."""
    target = rng.randint(2048, 8192)
    words = rng.choices(WORDS, cum_weights=cum, k=target // 6)
    for word, share in ((COMMON, 0.33), (RARE, 0.05), (SECOND, 0.08)):
        if rng.random() < share:
            for _ in range(rng.randint(1, 3)):
                words.insert(rng.randrange(len(words)), word)
    paragraphs = [" ".join(words[i : i + 60]) + "." for i in range(0, len(words), 60)]
    text = "\n".join(paragraphs)
    html = "".join(f"<p>{p}</p>" for p in paragraphs)
    return text, html


def add_snapshots(path: Path, every: int, seed: int = 13) -> tuple[int, int]:
    """Give every `every`-th moment a URL and a saved snapshot (one transaction; FTS triggers index them)."""
    rng = random.Random(seed)
    cum = _zipf_cum_weights()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    rowids = [r[0] for r in conn.execute("SELECT rowid FROM moments WHERE rowid % ? = 0 ORDER BY rowid", [every])]
    stamp = "2026-11-28T00:00:00.000Z"
    rows, text_bytes = [], 0
    for rowid in rowids:
        text, html = snapshot_text(rng, cum)
        url = f"https://site{rowid % 97}.example.org/articles/{rowid}"
        size = len(text.encode()) + len(html.encode())
        text_bytes += len(text.encode())
        rows.append((rowid, url, url, f"Article {rowid}", f"site{rowid % 97}.example.org", text, html, size,
                     stamp, stamp, stamp))  # fmt: skip
    conn.execute("BEGIN")
    conn.executemany("UPDATE moments SET kind = 'resource', url = ? WHERE rowid = ?", [(r[1], r[0]) for r in rows])
    conn.executemany(
        "INSERT INTO snapshots (moment_rowid, state, url, final_url, content_type, title, site, text, html, size, "
        "attempts, fetched_at, created_at, updated_at) "
        "VALUES (?, 'saved', ?, ?, 'text/html', ?, ?, ?, ?, ?, 1, ?, ?, ?)",
        rows,
    )
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return len(rows), text_bytes


def build_libraries(folder: Path, count: int, snapshots: int) -> tuple[Path, Path]:
    base = folder / f"library-{count}.db"
    with_snaps = folder / f"library-{count}-snap{snapshots}.db"
    if not base.exists():
        started = time.perf_counter()
        db = synthetic_library(base, count)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.conn.close()
        print(f"built {base.name} in {time.perf_counter() - started:.1f} s")
    if not with_snaps.exists():
        started = time.perf_counter()
        building = with_snaps.with_name(with_snaps.name + ".building")
        building.unlink(missing_ok=True)
        shutil.copyfile(base, building)
        added, text_bytes = add_snapshots(building, max(1, count // snapshots))
        building.rename(with_snaps)
        print(
            f"built {with_snaps.name}: {added} snapshots, {text_bytes / 1e6:.0f} MB text, "
            f"in {time.perf_counter() - started:.1f} s"
        )
    return base, with_snaps


SEARCHES = [
    (f"rare term ({RARE})", RARE + " "),
    (f"two terms ({RARE} {SECOND})", f"{RARE} {SECOND} "),
    (f"common term ({COMMON})", COMMON + " "),
    (f"prefix while typing ({COMMON[:3]})", COMMON[:3]),
]


def _fts_text(text: str) -> str:
    return text.strip() if text.endswith(" ") else f'"{text}"*'


def bench_search(path: Path, repeat: int, *, snippets_too: bool) -> dict[str, Any]:
    from storage.db import open_database
    from storage.models import MomentQuery
    from storage.search import SNIPPET_COLUMNS, search, snippets

    db = open_database(path, readonly=True)
    raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    total = raw.execute("SELECT count(*) FROM moments").fetchone()[0]
    with_snap = raw.execute("SELECT count(*) FROM snapshots WHERE state = 'saved'").fetchone()[0]
    print(f"search in {path.name}: {total} moments, {with_snap} snapshots, {_db_bytes(path) / 1e6:.0f} MB")
    out: dict[str, Any] = {}
    calls = ", ".join(f"snippet(moments_fts, {column}, '[', ']', '…', 14)" for column in SNIPPET_COLUMNS)
    for label, text in SEARCHES:
        fts = _fts_text(text)
        matches = raw.execute("SELECT count(*) FROM moments_fts WHERE moments_fts MATCH ?", [fts]).fetchone()[0]
        query = MomentQuery(text=text)
        rowids = search(db, query, limit=50).rowids
        ours = time_ms(lambda q=query: search(db, q, limit=50), repeat)
        floor = time_ms(
            lambda t=fts: raw.execute(
                "SELECT rowid FROM moments_fts WHERE moments_fts MATCH ? ORDER BY rank LIMIT 50", [t]
            ).fetchall(),
            repeat,
        )
        entry = {"matches": matches, "search": ours, "floor": floor}
        print(f"  {label}: {matches} match ({100 * matches / total:.1f} %)")
        print(f"    search(limit=50):        {_ms(ours)}")
        ratio = percentile(ours, 0.95) / percentile(floor, 0.95)
        print(f"    floor raw FTS5 rank:      {_ms(floor)}   ratio (p95) {ratio:.2f}")
        if snippets_too:
            snip = time_ms(lambda t=text, r=rowids: snippets(db, t, r), repeat)
            page = time_ms(lambda t=text, q=query: snippets(db, t, search(db, q, limit=50).rowids), repeat)
            snip_floor = time_ms(  # the same passages (note, page text, link) for the top 50, in one raw query
                lambda t=fts: raw.execute(
                    f"SELECT rowid, title, substr(body, 1, 500), {calls} FROM moments_fts "
                    "WHERE moments_fts MATCH ? ORDER BY rank LIMIT 50",
                    [t],
                ).fetchall(),
                repeat,
            )
            entry |= {"snippets": snip, "page": page, "page_floor": snip_floor}
            print(f"    snippets(top 50):         {_ms(snip)}")
            print(f"    search + snippets (page): {_ms(page)}")
            print(
                f"    floor rank + snippet():   {_ms(snip_floor)}   ratio (p95) "
                f"{percentile(page, 0.95) / percentile(snip_floor, 0.95):.2f}"
            )
        out[label] = entry
    db.conn.close()
    raw.close()
    return out


# ============================================================================ 3. size per 1,000 snapshots


def _table_bytes(conn: sqlite3.Connection) -> dict[str, int]:
    rows = conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()
    return {name: int(size) for name, size in rows}


def bench_size(folder: Path, count: int = 1000) -> dict[str, Any]:
    from storage.db import open_database
    from storage.models import Draft, Kind
    from storage.moments import add_moment
    from storage.snapshots import SnapshotContent, save_snapshot

    path = folder / "size.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = open_database(path)
    rowids = [
        add_moment(db, Draft(kind=Kind.RESOURCE, title=f"Article {i}", url=f"https://site{i % 50}.example.org/a/{i}"),
                   snapshot=True).rowid
        for i in range(count)
    ]  # fmt: skip

    def measure() -> tuple[int, dict[str, int], int]:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        freelist = db.execute("PRAGMA freelist_count").fetchone()[0]
        return _db_bytes(path), _table_bytes(db.conn), freelist

    before, tables_before, _ = measure()
    rng = random.Random(5)
    cum = _zipf_cum_weights()
    text_bytes = html_bytes = 0
    started = time.perf_counter()
    for rowid in rowids:
        text, html = snapshot_text(rng, cum)
        text_bytes += len(text.encode())
        html_bytes += len(html.encode())
        content = SnapshotContent(
            final_url=f"https://x.example.org/{rowid}", content_type="text/html", title=f"Article {rowid}",
            site="x.example.org", text=text, html=html,
        )  # fmt: skip
        save_snapshot(db, rowid, content)
    save_s = time.perf_counter() - started
    after, tables_after, freelist = measure()
    db.conn.close()
    vacuumed = folder / "size-vacuumed.db"
    vacuumed.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    conn.execute("VACUUM INTO ?", [str(vacuumed)])
    conn.close()
    vacuumed_bytes = vacuumed.stat().st_size
    grown = {name: tables_after.get(name, 0) - tables_before.get(name, 0) for name in tables_after}
    fts = sum(v for k, v in grown.items() if k.startswith("moments_fts"))
    raw_bytes = text_bytes + html_bytes
    print(
        f"size per {count} snapshots (text {text_bytes / 1e6:.2f} MB + HTML {html_bytes / 1e6:.2f} MB "
        f"= {raw_bytes / 1e6:.2f} MB):"
    )
    print(f"  file: {before / 1e6:.2f} MB -> {after / 1e6:.2f} MB (+{(after - before) / 1e6:.2f} MB, "
          f"{(after - before) / raw_bytes:.2f}x text+HTML; {freelist} free pages); "
          f"VACUUM INTO: {vacuumed_bytes / 1e6:.2f} MB")  # fmt: skip
    for name, value in sorted(grown.items(), key=lambda kv: -kv[1])[:8]:
        print(f"    {name:28} +{value / 1e6:6.2f} MB")
    print(
        f"  FTS index adds {fts / 1e6:.2f} MB ({fts / text_bytes:.2f}x the text); "
        f"save_snapshot {1000 * save_s / count:.2f} ms each"
    )
    for p in (vacuumed, path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.unlink(missing_ok=True)
    return {"before": before, "after": after, "text": text_bytes, "html": html_bytes, "grown": grown, "fts": fts,
            "vacuumed": vacuumed_bytes, "freelist": freelist}  # fmt: skip


# ============================================================================ 4. bookmark import


def bookmarks_file(path: Path, count: int, seed: int = 3) -> int:
    """A Netscape bookmark file: nested folders (up to 4 deep), ADD_DATE, some TAGS and <DD>s, ~2 % duplicates
    (the same page again: another folder, a trailing slash, an upper-case host or a #fragment)."""
    from bench.snapshot_pages import TEXT_WORDS

    rng = random.Random(seed)
    lines = [
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>",
        '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">',
        "<TITLE>Bookmarks</TITLE>",
        "<H1>Bookmarks</H1>",
        "<DL><p>",
        '    <DT><H3 ADD_DATE="1700000000" PERSONAL_TOOLBAR_FOLDER="true">Bookmarks bar</H3>',
        "    <DL><p>",
    ]
    urls: list[str] = []
    duplicates = 0
    written = 0
    depth = 0
    while written < count:
        roll = rng.random()
        if roll < 0.03 and depth < 3:
            name = " ".join(rng.choices(TEXT_WORDS, k=rng.randint(1, 2))).title()
            lines.append("    " * (depth + 2) + f'<DT><H3 ADD_DATE="1700000000">{name}</H3>')
            lines.append("    " * (depth + 2) + "<DL><p>")
            depth += 1
            continue
        if roll < 0.06 and depth > 0:
            lines.append("    " * (depth + 1) + "</DL><p>")
            depth -= 1
            continue
        if urls and rng.random() < 0.02:
            url = rng.choice(urls)
            host, _, rest = url[len("https://") :].partition("/")
            url = rng.choice([url + "/", f"https://{host.upper()}/{rest}", url + "#top", url])
            duplicates += 1
        else:
            host = f"{rng.choice(TEXT_WORDS)}{rng.randint(1, 300)}.example.com"
            url = f"https://{host}/{'/'.join(rng.choices(TEXT_WORDS, k=rng.randint(1, 3)))}/{len(urls)}"
            urls.append(url)
        title = " ".join(rng.choices(TEXT_WORDS, k=rng.randint(3, 9))).capitalize()
        if written == count - 3:
            title = f"The {MARKER} field guide"
        stamp = 1600000000 + rng.randint(0, 150_000_000)
        tags = f' TAGS="{rng.choice(TEXT_WORDS)},{rng.choice(TEXT_WORDS)}"' if rng.random() < 0.1 else ""
        lines.append(
            "    " * (depth + 2) + f'<DT><A HREF="{url}" ADD_DATE="{stamp}" LAST_MODIFIED="{stamp}"{tags}>{title}</A>'
        )
        if rng.random() < 0.05:
            lines.append("    " * (depth + 2) + f"<DD>{_sentence(rng, TEXT_WORDS)}")
        written += 1
    while depth >= 0:
        lines.append("    " * (depth + 1) + "</DL><p>")
        depth -= 1
    lines.append("</DL><p>")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return duplicates


def _sentence(rng: random.Random, words: list[str]) -> str:
    return " ".join(rng.choices(words, k=rng.randint(6, 16))).capitalize() + "."


def _fresh_library(basedir: Path, copy_from: Path | None = None) -> Path:
    from storage.db import open_database

    shutil.rmtree(basedir, ignore_errors=True)
    path = basedir / "data" / "inflow.db"
    path.parent.mkdir(parents=True)
    if copy_from is not None:
        shutil.copyfile(copy_from, path)
    open_database(path).conn.close()  # migrated, as the app leaves it
    return path


def _cli(basedir: Path, *args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "app", "--basedir", str(basedir), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    return time.perf_counter() - started, done


def _found(done: subprocess.CompletedProcess[str]) -> bool:
    return done.returncode == 0 and any(MARKER in m.get("title", "") for m in json.loads(done.stdout or "[]"))


def bench_import(folder: Path, count: int, rounds: int, big_library: Path | None) -> dict[str, Any]:
    from storage.db import open_database
    from storage.importing import import_path
    from storage.interchange.detect import load_import

    work = folder / "import"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    file = work / "bookmarks.html"
    duplicates = bookmarks_file(file, count)
    source = load_import(file)
    parse = time_ms(lambda: load_import(file), rounds)
    print(f"import of {file.stat().st_size / 1e6:.2f} MB, {len(source.items)} bookmarks ({duplicates} duplicates):")
    print(f"  parse only (load_import): {_ms(parse)}")
    results: dict[str, Any] = {"parse": parse, "duplicates": duplicates, "items": len(source.items)}
    imports, searches, found = [], [], []
    report = None
    for n in range(rounds):
        basedir = work / f"lib{n}"
        db = open_database(_fresh_library(basedir))
        started = time.perf_counter()
        report = import_path(db, file, snapshot=True)
        imports.append((time.perf_counter() - started) * 1000)
        db.conn.close()
        seconds, done = _cli(basedir, "search", MARKER, "--json")
        searches.append(seconds * 1000)
        found.append(_found(done))
        shutil.rmtree(basedir)
    assert report is not None
    usable = [a + b for a, b in zip(imports, searches, strict=True)]
    rate = count / (statistics.median(imports) / 1000)
    print(f"  import_path (fresh library): {_ms(imports)} -> {rate:.0f} rows/s; added {report.added}, "
          f"merged {report.merged}, skipped {report.skipped}, queued {report.snapshots_queued}")  # fmt: skip
    print(f"  `inflow search {MARKER}` (fresh process): {_ms(searches)}; found every time: {all(found)}")
    print(f"  time to usable library (import + search): {_ms(usable)}")
    results |= {"import": imports, "search_cli": searches, "usable": usable, "report": report.as_dict()}
    results |= _import_cli(work, file, big_library)
    results["floor"] = _import_floor(work, source, imports, rounds)
    shutil.rmtree(work, ignore_errors=True)
    return results


def _import_cli(work: Path, file: Path, big_library: Path | None) -> dict[str, Any]:
    from storage.db import open_database
    from storage.importing import import_path

    results: dict[str, Any] = {}
    # the whole CLI, as a person runs it
    basedir = work / "cli"
    _fresh_library(basedir)
    cli_s, done = _cli(basedir, "import", str(file), "--json")
    search_s, searched = _cli(basedir, "search", MARKER, "--json")
    print(f"  `inflow import FILE` (fresh process): {cli_s * 1000:.0f} ms (rc {done.returncode}); then search "
          f"{search_s * 1000:.0f} ms, found: {_found(searched)}")  # fmt: skip
    results["cli"] = [cli_s * 1000, search_s * 1000]
    shutil.rmtree(basedir)
    if big_library is not None:
        basedir = work / "big"
        db = open_database(_fresh_library(basedir, copy_from=big_library))
        started = time.perf_counter()
        big = import_path(db, file, snapshot=True)
        big_ms = (time.perf_counter() - started) * 1000
        db.conn.close()
        search_s, searched = _cli(basedir, "search", MARKER, "--json")
        print(f"  import_path into {big_library.name}: {big_ms:.0f} ms (added {big.added}); then search "
              f"{search_s * 1000:.0f} ms, found: {_found(searched)}")  # fmt: skip
        results["big"] = [big_ms, search_s * 1000]
        shutil.rmtree(basedir)
    return results


def _import_floor(work: Path, source: Any, imports: list[float], rounds: int) -> list[float]:
    # floor: the same rows, bare sqlite3, one transaction
    rows = [
        (str(uuid.uuid4()), "resource", item.title, item.body, item.url, json.dumps(list(item.tags)),
         item.created_at or STAMP, item.updated_at or item.created_at or STAMP)
        for item in source.items
    ]  # fmt: skip
    floors, with_queue, guarded = [], [], []
    for n in range(rounds):
        with_queue.append(_floor_with_queue(work / f"queue{n}", rows, guard=False))
        guarded.append(_floor_with_queue(work / f"guard{n}", rows, guard=True))
        path = _fresh_library(work / f"floor{n}")
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        started = time.perf_counter()
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO moments (id, kind, title, body, url, tags, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.execute("COMMIT")
        floors.append((time.perf_counter() - started) * 1000)
        conn.close()
        shutil.rmtree(work / f"floor{n}")
    print(f"  floor: executemany of {len(rows)} rows + FTS trigger, one transaction: {_ms(floors)} -> "
          f"{len(rows) / (statistics.median(floors) / 1000):.0f} rows/s; ratio (median) "
          f"{statistics.median(imports) / statistics.median(floors):.1f}")  # fmt: skip
    print(f"  + a pending snapshot row each (queue_snapshot's INSERT; its trigger re-indexes the moment): "
          f"{_ms(with_queue)}")  # fmt: skip
    print(f"  the same with that trigger guarded (`WHEN new.text IS NOT NULL`, bench copy only): {_ms(guarded)}")
    return floors


def _floor_with_queue(basedir: Path, rows: list[Any], *, guard: bool) -> float:
    """The floor plus one pending snapshots row per moment, as queue_snapshot writes it."""
    path = _fresh_library(basedir)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    if guard:  # the fix to measure, in this throw-away copy: pending rows carry no text to index
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'snapshots_fts_insert'").fetchone()[0]
        conn.execute("DROP TRIGGER snapshots_fts_insert")
        guarded = sql.replace("ON snapshots BEGIN", "ON snapshots WHEN new.text IS NOT NULL BEGIN")
        assert guarded != sql
        conn.execute(guarded)
    started = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO moments (id, kind, title, body, url, tags, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.execute(  # one pending row per resource, as queue_snapshot writes it (fires the trigger per row)
        "INSERT INTO snapshots (moment_rowid, url, created_at, updated_at) "
        "SELECT rowid, url, created_at, created_at FROM moments WHERE url IS NOT NULL"
    )
    conn.execute("COMMIT")
    elapsed = (time.perf_counter() - started) * 1000
    conn.close()
    shutil.rmtree(basedir)
    return elapsed


# ============================================================================ main


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", type=Path, default=None, help="cache the built libraries in DIR")
    parser.add_argument("--only", default="throughput,search,size,import")
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3, help="runs of the unpaced runner, the floor, the import")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--snapshots", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--bookmarks", type=int, default=5000)
    parser.add_argument("--json", type=Path, default=None, help="write every figure to FILE")
    # internal: one measured run in a fresh process
    parser.add_argument("--worker", choices=["runner", "floor"], help=argparse.SUPPRESS)
    parser.add_argument("--urls", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--interval", type=float, default=1.0, help=argparse.SUPPRESS)
    parser.add_argument("--profile", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--stages", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        urls = json.loads(args.urls.read_text())
        if args.worker == "floor":
            result = worker_floor(urls)
        else:
            result = worker_runner(urls, args.db, args.interval, args.profile, args.stages)
        print(json.dumps(result))
        return
    import tempfile

    folder = args.dir or Path(tempfile.mkdtemp(prefix="inflow-snapbench-"))
    folder.mkdir(parents=True, exist_ok=True)
    parts = set(args.only.split(","))
    figures: dict[str, Any] = {}
    print(f"python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs, dir {folder}")
    if "throughput" in parts:
        figures["throughput"] = bench_throughput(folder, args.pages, args.rounds)
    base = None
    if "search" in parts or "import" in parts:
        base, with_snaps = build_libraries(folder, args.count, args.snapshots)
    if "search" in parts:
        assert base is not None
        figures["search"] = bench_search(with_snaps, args.repeat, snippets_too=True)
        figures["search_without_snapshots"] = bench_search(base, args.repeat, snippets_too=False)
    if "size" in parts:
        figures["size"] = bench_size(folder)
    if "import" in parts:
        figures["import"] = bench_import(folder, args.bookmarks, args.rounds, base)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, default=str))


if __name__ == "__main__":
    main()
