"""Page snapshots: offline, readable copies of the pages resources point at.

fetch (download by the fetching rules) -> extract (readable article / PDF text / plain text / image)
-> sanitize (nh3 allow-list, always last) -> runner (the pass: claim, fetch in a small pool, record).
"""

from sync.snapshots.extract import ImageBudget, extract
from sync.snapshots.fetch import Fetched, SnapshotPolicy, fetch_page
from sync.snapshots.runner import SnapshotReport, SnapshotRunner
from sync.snapshots.sanitize import sanitize_html

__all__ = [
    "Fetched",
    "ImageBudget",
    "SnapshotPolicy",
    "SnapshotReport",
    "SnapshotRunner",
    "extract",
    "fetch_page",
    "sanitize_html",
]
