"""RSS and open file descriptors of this process, sampled over a long run (the storm soak)."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

WARMUP_S = 300.0  # the soak's first 5 minutes: caches and the allocator fill


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def soak_series(samples: list[tuple[float, int, int]], warmup_s: float = WARMUP_S) -> str:
    """The soak's RSS and fd series: first, min, max, last, and the least-squares slope per 10 minutes
    fitted after the warm-up (the first `warmup_s`, where caches and the allocator fill, are left out of
    the slope: fitted over them, a flat series looks like growth)."""
    lines = []
    settled = [s for s in samples if s[0] >= warmup_s] or samples
    for name, col, unit in (("RSS", 1, "KiB"), ("open fds", 2, "")):
        ys = [s[col] for s in samples]
        xs = [s[0] / 600 for s in settled]  # tens of minutes
        fitted = [s[col] for s in settled]
        mx, my = sum(xs) / len(xs), sum(fitted) / len(fitted)
        var = sum((x - mx) ** 2 for x in xs)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, fitted, strict=True)) / var if var else 0.0
        lines.append(
            f"{name}: first {ys[0]} {unit}, min {min(ys)}, max {max(ys)}, last {ys[-1]}, "
            f"slope after warm-up {slope:+.1f} {unit} per 10 min ({len(ys)} samples, {samples[-1][0] / 60:.1f} min)"
        )
    return "\n".join(lines)


class Sampler(threading.Thread):
    """Samples RSS and open fds every `every` seconds of wall time until stopped."""

    def __init__(self, every: float = 30.0) -> None:
        super().__init__(daemon=True)
        self.every, self.started = every, time.monotonic()
        self.samples: list[tuple[float, int, int]] = []
        self.stopped = threading.Event()

    def run(self) -> None:
        while True:
            self.samples.append((time.monotonic() - self.started, rss_kib(), open_fds()))
            print(f"  {self.samples[-1][0] / 60:5.1f} min  RSS {self.samples[-1][1]} KiB  fds {self.samples[-1][2]}",
                  file=sys.stderr, flush=True)  # fmt: skip
            if self.stopped.wait(self.every):
                return
