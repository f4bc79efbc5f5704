"""How long saving a big shared draft from the capture window blocks the GUI thread.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.capture_block [--kb 1024] [--repeat 5]

Builds the running app's controller in-process (temporary --basedir, a webhook target on a loopback
port nobody listens on: saving only queues), puts a note of KB kilobytes (bench.share_bench's prose;
by default as much as a moment may hold, 1 MiB with its title) in the capture window with the target
chosen, and presses Save. A 2 ms timer on the GUI thread records every turn of the event loop until the
moment is stored; the longest gap between two turns is how long typing would have frozen. The floor is
the same save kept private (no secret check).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.config import load_config
from app.controller import AppController
from app.paths import resolve_paths
from bench.share_bench import write_note
from storage.db import open_database
from storage.models import MAX_TEXT_BYTES, Draft, Kind
from sync.connector import Target

TICK_MS = 2


def longest_block_ms(qapp: QApplication, ctrl: AppController, draft: Draft) -> float:
    """Save `draft` from the window; the longest time (ms) the GUI thread did not turn its event loop."""
    ticks: list[float] = []
    timer = QTimer(interval=TICK_MS)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    stored: list[bool] = []
    ctrl._writer.finished.connect(lambda: stored.append(True))
    ctrl.open_capture()
    ctrl._capture.restore_draft(draft)
    timer.start()
    deadline = time.perf_counter() + 60
    while len(ticks) < 5:
        qapp.processEvents()
    ctrl._capture.request_save()
    while not stored and time.perf_counter() < deadline:
        qapp.processEvents()
        time.sleep(0.0005)
    timer.stop()
    ctrl._writer.finished.disconnect()
    if not stored:
        raise SystemExit(f"not stored within 60 s: {ctrl._capture.message.text() or 'no message'}")
    return max(b - a for a, b in pairwise(ticks)) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kb", type=int, default=MAX_TEXT_BYTES // 1024)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    qapp = QApplication.instance() or QApplication([])
    assert isinstance(qapp, QApplication)
    with tempfile.TemporaryDirectory() as folder:
        paths = resolve_paths(str(Path(folder) / "base"))
        note = Path(folder) / "note.txt"
        write_note(note, args.kb)
        body = note.read_text(encoding="utf-8")[: args.kb * 1024 - 64]  # room for the title
        config = load_config(paths)
        config.targets = [Target("team", "webhook", {"url": "http://127.0.0.1:9/hook"})]
        config.values["snapshots_enabled"] = False
        ctrl = AppController(qapp, paths, config, open_database(paths.database),
                             open_database(paths.database, readonly=True))  # fmt: skip
        ctrl._on_settings_applied()
        ctrl.start(open_capture=False, notices=[])
        from app.secret_scan import prepare

        prepare()  # the running app loads the scanner at start, in the background
        shared, private = [], []
        for number in range(args.repeat):
            draft = Draft(kind=Kind.TIP, title=f"note {number}", body=body)
            shared.append(longest_block_ms(qapp, ctrl, replace(draft, share_to=("team",))))
            private.append(longest_block_ms(qapp, ctrl, draft))
        ctrl.shutdown()
    print(f"{len(body.encode()) / 1024:,.0f} KiB note, median of {args.repeat} (runs: shared {shared})")
    print(f"  longest GUI block, shared (secret check): {statistics.median(shared):.0f} ms")
    print(f"  longest GUI block, private (floor):       {statistics.median(private):.0f} ms")


if __name__ == "__main__":
    main()
