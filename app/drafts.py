"""The capture draft survives hiding, quitting and crashes: it is kept in a small JSON file."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from pathlib import Path

from app.paths import Paths
from storage.export import write_atomically
from storage.models import Draft, Kind

log = logging.getLogger(__name__)


def save_draft(path: Path, draft: Draft) -> None:
    """Write the draft atomically; an empty draft removes the file."""
    if not (draft.title.strip() or draft.body.strip() or (draft.url or "").strip() or draft.tags):
        clear_draft(path)
        return
    data = asdict(draft)
    data["kind"] = draft.kind.value
    try:
        write_atomically(path, json.dumps(data, ensure_ascii=False))
    except OSError as exc:
        # The draft is still in the window; only the crash copy is missing.
        log.warning("cannot keep the draft in %s: %s", path, exc)


def load_draft(path: Path) -> Draft | None:
    """The saved draft, or None when there is none or it cannot be read."""
    try:
        data = json.loads(path.read_text("utf-8"))
        return Draft(
            kind=Kind(data.get("kind", "tip")),
            title=str(data.get("title", "")),
            body=str(data.get("body", "")),
            url=data.get("url") or None,
            tags=tuple(str(t) for t in data.get("tags", ())),
            source_app=data.get("source_app"),
            source_window=data.get("source_window"),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        log.warning("cannot read the draft %s: %s", path, exc)
        return None


def clear_draft(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("cannot remove the draft %s: %s", path, exc)


def load_ui_state(paths: Paths) -> dict[str, object]:
    """Remembered UI state (not settings): the reader's font size, ..."""
    try:
        data = json.loads((paths.state_dir / "ui.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_ui_state(paths: Paths, changes: dict[str, object]) -> None:
    state = {**load_ui_state(paths), **changes}
    try:
        write_atomically(paths.state_dir / "ui.json", json.dumps(state))
    except OSError as exc:
        log.warning("cannot keep the UI state: %s", exc)
