"""Icons load from the SVGs through Qt's SVG icon engine and are crisp at any size."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from storage.models import Kind
from ui.icons import app_icon, kind_icon, tray_icon


@pytest.mark.parametrize("size", [16, 22, 64, 256])
def test_app_and_tray_icons_render_at_every_size(qtbot: QtBot, size: int) -> None:
    for icon in (app_icon(), tray_icon()):
        pixmap = icon.pixmap(size)
        assert not pixmap.isNull()
        assert pixmap.width() == round(size * pixmap.devicePixelRatio())  # rendered for the screen's scale
        image = pixmap.toImage()
        assert image.pixelColor(image.width() // 2, image.height() // 2).alpha() > 0  # drawn in the middle


def test_kind_icons_exist_for_every_kind(qtbot: QtBot) -> None:
    for kind in Kind:
        assert not kind_icon(kind).pixmap(16).isNull()
