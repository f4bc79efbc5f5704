"""Paints one library row: kind icon, title with search terms marked, date, sharing marks, and tags;
while searching, a one-line snippet from where the words were found goes under the title.

Sharing marks come from the moment itself (no per-row queries): a shared moment (visibility "team")
gets a small share glyph next to the date, an answered question a check mark, and a moment from the
team feed a "team" badge with its author on the second line. The second line always reads kind, author
(team items), tags.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from storage.models import Moment
from ui.highlight import mark_colors, split_highlights, split_snippet
from ui.icons import kind_icon
from ui.library_model import MOMENT_ROLE, SNIPPET_ROLE, SNIPPETS_SHOWN_ROLE, TERMS_ROLE, relative_date

_PAD_X, _PAD_Y, _ICON, _GAP = 8, 6, 16, 8
SHARED_GLYPH = "⇪"
ANSWERED_GLYPH = "✓"
TEAM_BADGE = "team"


def row_marks(moment: Moment) -> str:
    """The glyphs painted before the date: shared, answered."""
    marks = []
    if moment.visibility == "team" and moment.origin != "team":
        marks.append(SHARED_GLYPH)
    if moment.kind == "question" and moment.answered_at:
        marks.append(ANSWERED_GLYPH)
    return " ".join(marks)


def second_line(moment: Moment) -> str:
    """The same on every row: the kind, who shared it (a team item), then the tags: "Tip · alice · #qt"."""
    parts = [moment.kind.label]
    if moment.origin == "team":
        parts.append(moment.author or "a teammate")
    if moment.tags:
        parts.append("  ".join(f"#{tag}" for tag in moment.tags))
    return " · ".join(parts)


class MomentDelegate(QStyledItemDelegate):
    """Two lines per moment (three with a search snippet); every row has the same height so the view can
    stay uniform and fast. Snippets are asked for only as rows are painted (the model reads them a page
    at a time)."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        metrics = QFontMetrics(option.font)
        small = QFontMetrics(_small_font(option.font))
        snippet = small.height() + 3 if index.data(SNIPPETS_SHOWN_ROLE) else 0
        return QSize(200, 2 * _PAD_Y + metrics.height() + 2 + small.height() + snippet)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)

        moment: Moment | None = index.data(MOMENT_ROLE)
        terms: tuple[str, ...] = index.data(TERMS_ROLE) or ()
        palette: QPalette = opt.palette
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        text_color = palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        muted = QColor(text_color)
        muted.setAlphaF(0.65)
        rect: QRect = opt.rect.adjusted(_PAD_X, _PAD_Y, -_PAD_X, -_PAD_Y)
        font: QFont = opt.font
        metrics = QFontMetrics(font)
        small_font = _small_font(font)
        small = QFontMetrics(small_font)

        painter.save()
        painter.setClipRect(opt.rect)
        line1 = QRect(rect.left(), rect.top(), rect.width(), metrics.height())
        line2 = QRect(rect.left() + _ICON + _GAP, line1.bottom() + 3, rect.width() - _ICON - _GAP, small.height())
        snippet_rect: QRect | None = None
        if index.data(SNIPPETS_SHOWN_ROLE):
            snippet_rect = line2
            line2 = line2.translated(0, small.height() + 3)
        if moment is None:
            painter.setPen(muted)
            painter.drawText(line1, Qt.AlignmentFlag.AlignVCenter, "(deleted)")
            painter.restore()
            return
        icon_top = line1.top() + (line1.height() - _ICON) // 2
        kind_icon(moment.kind).paint(painter, QRect(line1.left(), icon_top, _ICON, _ICON))

        marks = row_marks(moment)
        date = f"{marks}  {relative_date(moment.created_at)}" if marks else relative_date(moment.created_at)
        painter.setFont(small_font)
        painter.setPen(muted)
        date_width = small.horizontalAdvance(date)
        painter.drawText(line1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, date)
        rest = _paint_badge(painter, line2, TEAM_BADGE, small, muted) if moment.origin == "team" else line2
        painter.setPen(muted)
        painter.drawText(
            rest,
            Qt.AlignmentFlag.AlignVCenter,
            small.elidedText(second_line(moment), Qt.TextElideMode.ElideRight, rest.width()),
        )

        if snippet_rect is not None:
            snippet: str = index.data(SNIPPET_ROLE) or ""
            runs = keep_hit_visible(split_snippet(snippet), small, snippet_rect.width())
            _paint_runs(painter, snippet_rect, runs, color=muted, palette=palette)

        painter.setFont(font)
        title_rect = QRect(line2.left(), line1.top(), line1.width() - _ICON - _GAP - date_width - _GAP, line1.height())
        _paint_title(painter, title_rect, moment.display_title, terms, color=text_color, palette=palette)
        painter.restore()


def keep_hit_visible(runs: list[tuple[str, bool]], metrics: QFontMetrics, width: int) -> list[tuple[str, bool]]:
    """Snippet runs cut at the start ("…" in front) so that the first hit ends inside `width`; the end is
    elided when painted. Runs that fit, or whose first hit fits already, are returned unchanged."""
    first = next((i for i, (_text, hit) in enumerate(runs) if hit), None)
    if first is None:
        return runs
    lead = "".join(text for text, _hit in runs[:first])
    hit_width = metrics.horizontalAdvance(runs[first][0])
    if metrics.horizontalAdvance(lead) + hit_width <= width:
        return runs
    room = max(0, width - hit_width - metrics.horizontalAdvance("…") * 2)
    # Keep as much of the text just before the hit as fits in a third of what is left.
    kept = metrics.elidedText(lead, Qt.TextElideMode.ElideLeft, room // 3 + metrics.horizontalAdvance("…"))
    if not kept.startswith("…"):
        kept = "…" + kept
    return [(kept, False), *runs[first:]]


def _paint_badge(painter: QPainter, rect: QRect, text: str, metrics: QFontMetrics, color: QColor) -> QRect:
    """A small outlined pill at the start of rect; returns the rest of rect."""
    width = metrics.horizontalAdvance(text) + 10
    pill = QRect(rect.left(), rect.top(), width, rect.height())
    painter.setPen(color)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(pill.adjusted(0, 0, -1, -1), 5, 5)
    painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
    return rect.adjusted(width + 6, 0, 0, 0)


def _paint_title(
    painter: QPainter, rect: QRect, title: str, terms: tuple[str, ...], *, color: QColor, palette: QPalette
) -> None:
    """Draw the title left to right, marking term matches, eliding what does not fit."""
    _paint_runs(painter, rect, split_highlights(title.replace("\n", " "), terms), color=color, palette=palette)


def _paint_runs(
    painter: QPainter, rect: QRect, runs: list[tuple[str, bool]], *, color: QColor, palette: QPalette
) -> None:
    """Draw (text, is_match) runs left to right in the painter's font, matches marked, eliding at the end."""
    metrics = painter.fontMetrics()
    mark_bg, mark_fg = mark_colors(palette)
    x, right = rect.left(), rect.right()
    for run, hit in runs:
        piece, width = run, metrics.horizontalAdvance(run)
        if x + width > right:
            piece = metrics.elidedText(run, Qt.TextElideMode.ElideRight, max(0, right - x))
            width = metrics.horizontalAdvance(piece)
        if hit and piece:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(mark_bg)
            painter.drawRoundedRect(QRect(x - 1, rect.top(), width + 2, rect.height()), 3, 3)
        painter.setPen(mark_fg if hit else color)
        painter.drawText(QRect(x, rect.top(), width + 1, rect.height()), Qt.AlignmentFlag.AlignVCenter, piece)
        x += width
        if x >= right:
            break


def _small_font(font: QFont) -> QFont:
    small = QFont(font)
    if small.pointSizeF() > 0:
        small.setPointSizeF(small.pointSizeF() * 0.88)
    else:
        small.setPixelSize(max(8, int(small.pixelSize() * 0.88)))
    return small
