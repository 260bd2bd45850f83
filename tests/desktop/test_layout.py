"""The window on office screens: inside the screen's available area, the 调度表 without sideways scrolling at
1366×768 with 完成率/序时差/预警 beside 项目名称, columns hidden and shown from the header and remembered."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect

from desktop.main_window import MainWindow
from desktop.models.board import COL
from desktop.tabs.board import NAME_MIN_CHARS


@pytest.fixture
def make_window(ctx, qtbot):
    made = []

    def make(size=None, *, restore_state=False):
        w = MainWindow(ctx, restore_state=restore_state)
        qtbot.addWidget(w)
        if size:
            w.resize(*size)
        w.show()
        qtbot.waitExposed(w)
        made.append(w)
        return w
    yield make
    for w in made:
        w.close()


def board_of(w, qtbot):
    board = w.tab_widgets["board"]
    w.tabs.setCurrentWidget(board)
    qtbot.wait(50)                          # the first show fits the columns in a zero-delay timer
    return board


def visible_right_edge(table, key) -> int:
    h = table.horizontalHeader()
    return h.sectionViewportPosition(COL[key]) + h.sectionSize(COL[key])


def test_board_at_1366x768_needs_no_sideways_scrolling(make_window, qtbot):
    w = make_window((1366, 768))
    board = board_of(w, qtbot)
    t, h = board.table, board.table.horizontalHeader()
    assert t.horizontalScrollBar().maximum() == 0
    assert h.length() <= t.viewport().width()
    order = [h.logicalIndex(v) for v in range(h.count()) if not h.isSectionHidden(h.logicalIndex(v))]
    assert order[:5] == [COL["seq"], COL["name"], COL["rate"], COL["gap"], COL["status"]]
    for key in ("name", "rate", "gap", "status"):
        assert not h.isSectionHidden(COL[key])
        assert 0 <= h.sectionViewportPosition(COL[key]) and visible_right_edge(t, key) <= t.viewport().width(), key
    assert h.sectionSize(COL["name"]) >= t.fontMetrics().horizontalAdvance("汉") * NAME_MIN_CHARS
    hidden = {k for k in COL if h.isSectionHidden(COL[k])}
    assert hidden and hidden <= {"leader", "location", "milestone", "total", "cluster", "level", "unit"}


def test_board_at_1920x1080_shows_every_column_and_gives_the_rest_to_the_name(make_window, qtbot):
    w = make_window((1920, 1080))
    board = board_of(w, qtbot)
    t, h = board.table, board.table.horizontalHeader()
    assert not any(h.isSectionHidden(c) for c in COL.values())
    assert t.horizontalScrollBar().maximum() == 0
    assert h.length() == t.viewport().width()                       # no empty band at the right
    assert h.sectionSize(COL["name"]) > board._default_widths["name"]
    name = "前沿科技城新能源智能汽车工业园配套设施"
    assert h.sectionSize(COL["name"]) >= t.fontMetrics().horizontalAdvance(name) + 12


def test_columns_hidden_from_the_header_menu_are_remembered(make_window, qtbot):
    w = make_window((1920, 1080))
    board = board_of(w, qtbot)
    h = board.table.horizontalHeader()
    board._header_menu(QPoint(5, 5))
    titles = {a.text(): a for a in board._column_menu.actions()}
    assert "项目名称" not in titles and {"责任单位", "完成率", "预警", "显示全部列"} <= set(titles)
    titles["责任单位"].trigger()
    assert h.isSectionHidden(COL["unit"])
    board._column_menu.close()
    w.close()                               # saves the window state
    w2 = make_window((1920, 1080), restore_state=True)
    board2 = board_of(w2, qtbot)
    h2 = board2.table.horizontalHeader()
    assert h2.isSectionHidden(COL["unit"]) and not h2.isSectionHidden(COL["rate"])
    board2._header_menu(QPoint(5, 5))
    {a.text(): a for a in board2._column_menu.actions()}["显示全部列"].trigger()
    assert not any(h2.isSectionHidden(c) for c in COL.values())
    board2._column_menu.close()


def inside(outer: QRect, inner: QRect) -> bool:
    return outer.contains(inner.topLeft()) and outer.contains(inner.bottomRight())


def test_window_opens_inside_the_available_screen_area(make_window):
    w = make_window()
    avail = w.screen().availableGeometry()
    assert inside(avail, w.frameGeometry()), (avail, w.frameGeometry())


def test_geometry_remembered_on_a_bigger_screen_is_clamped(make_window):
    w = make_window()
    w.resize(1900, 1150)                   # as saved on a large monitor, off the right and bottom here
    w.move(1200, 900)
    w.close()
    w2 = make_window(restore_state=True)
    avail = w2.screen().availableGeometry()
    assert inside(avail, w2.frameGeometry()), (avail, w2.frameGeometry())
    assert w2.width() > 500 and w2.height() > 400
