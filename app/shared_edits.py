"""Edits of moments that are on a team target: checked for secrets like a share."""

from __future__ import annotations

from sqlite_utils import Database

from storage.models import Draft, DraftError


def refuse_secret_in_shared_edit(db: Database, moment_id: str, draft: Draft) -> None:
    """An edit of a moment that is (or is queued to be) on a team target leaves the computer like a share:
    it gets the same secret check, and is refused (the editor keeps the text) when something is found."""
    from app.secret_scan import scan_moment
    from storage.moments import get_moment
    from storage.outbox_status import deliveries_for

    moment = get_moment(db, moment_id)
    if not deliveries_for(db, moment.rowid):
        return
    findings = scan_moment(draft.title, draft.body, draft.url or "", draft.tags)
    if findings:
        found = "; ".join(f.describe() for f in findings[:3])
        raise DraftError(
            f"Not saved: this moment is shared with your team, and the edit looks like it holds a secret ({found})."
            " Remove it, then save again."
        )
