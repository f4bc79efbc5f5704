"""Deleting shared moments in the library: where they are online, whether to remove them there too,
and what the undo bar says afterwards."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from storage.models import Moment
from ui.ports import DeliverySource


def short_title(title: str, limit: int = 40) -> str:
    return title if len(title) <= limit else title[: limit - 1] + "…"


def names_text(names: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def online_targets(deliveries: DeliverySource | None, moments: list[Moment]) -> dict[str, bool]:
    """Targets where any of the moments is online, each with whether it can be removed there."""
    if deliveries is None:
        return {}
    online: dict[str, bool] = {}
    for moment in moments:
        if moment.origin == "team":
            continue
        for name, can_remove in deliveries.retractable(moment.id):
            online[name] = online.get(name, False) or can_remove
    return online


def ask_retract(parent: QWidget, moments: list[Moment], title: str, online: dict[str, bool]) -> bool | None:
    """Ask whether to remove the moments from their targets too: True, False, or None to cancel."""
    where = ", ".join(
        f"{name} (can be removed)" if can else f"{name} (stays there: it cannot be removed from there)"
        for name, can in online.items()
    )
    subject = f"“{title}” is" if len(moments) == 1 else f"Some of these {len(moments)} moments are"
    removable = [name for name, can in online.items() if can]
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Delete shared moment — Inflow")
    box.setText(f"{subject} shared on: {where}.")
    box.setInformativeText(
        "Deleting here does not delete what your team already has"
        + (f", unless you remove it from {names_text(removable)}." if removable else ".")
    )
    retract_button = None
    if removable:
        retract_button = box.addButton(
            f"Delete and remove from {names_text(removable)}", QMessageBox.ButtonRole.DestructiveRole
        )
    local_button = box.addButton("Delete here only", QMessageBox.ButtonRole.AcceptRole)
    cancel_button = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(retract_button or local_button)
    box.setEscapeButton(cancel_button)
    box.exec()
    clicked = box.clickedButton()
    box.deleteLater()
    if retract_button is not None and clicked is retract_button:
        return True
    if clicked is local_button:
        return False
    return None


def deleted_text(moments: list[Moment], title: str, online: dict[str, bool], *, retract: bool) -> str:
    """The undo bar's "Deleted “…” and asked team to remove it."."""
    text = f"Deleted “{title}”" if len(moments) == 1 else f"Deleted {len(moments)} moments"
    removable = [name for name, can in online.items() if can]
    if retract and removable:
        text += f" and asked {names_text(removable)} to remove it"
    return text + "."
