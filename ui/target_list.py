"""The rows of Settings → Team targets: a badge for the kind of target, the name (the main one marked)
and a line with the backend and the state (connected, paused: sign in again, failing since …)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from zlib import crc32

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

from ui.ports import TargetInfo

MAIN_MARK = "★ main"
MANAGED = "Managed by your organization"
_BADGE_COLOURS = ("#2563eb", "#7c3aed", "#0f766e", "#b45309", "#be185d", "#4d7c0f", "#0369a1", "#9333ea")
_BADGE_SIZES = (16, 24, 32, 48, 64)


@cache
def target_kind_icon(kind: str, label: str) -> QIcon:
    """A rounded badge with the kind's initial, one colour per kind (drawn, so crisp at any scale)."""
    colour = QColor(_BADGE_COLOURS[crc32(kind.encode()) % len(_BADGE_COLOURS)])
    letter = (label or kind or "?")[:1].upper()
    icon = QIcon()
    for size in _BADGE_SIZES:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(QRectF(0, 0, size, size), size * 0.22, size * 0.22)
        font = QFont()
        font.setBold(True)
        font.setPixelSize(max(8, round(size * 0.6)))
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, letter)
        painter.end()
        icon.addPixmap(pixmap)
    return icon


def local_time(moment: datetime, now: datetime | None = None) -> str:
    """14:05 today, else 3 Jun 14:05 (local time)."""
    local = moment.astimezone()
    today = (now or datetime.now(UTC)).astimezone().date()
    return local.strftime("%H:%M") if local.date() == today else f"{local.day} {local.strftime('%b %H:%M')}"


def state_text(target: TargetInfo, now: datetime | None = None) -> tuple[str, str]:
    """The target's state in words and its tone (success, warning, error)."""
    if target.paused_reason:
        return f"paused: sign in again ({target.paused_reason})", "warning"
    if target.failing_since:
        since = datetime.fromisoformat(target.failing_since.replace("Z", "+00:00"))
        text = f"failing since {local_time(since, now)}"
        if target.failing_reason:
            text += f": {target.failing_reason}"
        if target.next_try_at is not None:
            text += f" · next try {local_time(datetime.fromtimestamp(target.next_try_at, UTC), now)}"
        return text, "error"
    return "connected", "success"


def row_text(target: TargetInfo, kind_label: str, now: datetime | None = None) -> str:
    """Two lines: the name (and the main mark), then the backend, the state and a policy's lock."""
    first = f"{target.name}   {MAIN_MARK}" if target.is_main else target.name
    notes = [kind_label, state_text(target, now)[0]]
    if target.managed:
        notes.append(MANAGED)
    return f"{first}\n{' · '.join(notes)}"
