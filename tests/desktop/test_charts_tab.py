"""The 图表 tab: lazy matplotlib, following the as-of date, print preview, printing, export, the briefing."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from desktop import dialogs


def shown_texts(fig) -> str:
    from matplotlib.text import Text

    return "\n".join(t.get_text() for t in fig.findobj(Text) if t.get_visible())


@pytest.fixture
def charts(window, qtbot):
    tab = window.tab_widgets["charts"]
    window.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.canvas is not None, timeout=10000)
    return tab


def pdftext(path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_building_the_tab_does_not_load_matplotlib_until_it_is_shown(ctx, qtbot):
    code = ("import os, sys; os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
            "from db import open_database, seed\n"
            "from desktop.gui import make_app\n"
            "from desktop.app import AppContext\n"
            "from desktop.tabs.charts import ChartsTab\n"
            "db = open_database(':memory:'); seed.load_builtin(db)\n"
            "app = make_app(); tab = ChartsTab(AppContext(db)); app.processEvents()\n"
            "before = 'matplotlib' in sys.modules\n"
            "tab.resize(900, 600); tab.show(); app.processEvents()\n"
            "print(before, 'matplotlib' in sys.modules, tab.canvas is not None)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=str(__import__("pathlib").Path(__file__).resolve().parents[2]))
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "True", "True"]


def test_every_chart_in_the_list_draws(charts, qtbot):
    assert charts.model.rowCount() >= 6
    for row in range(charts.model.rowCount()):
        charts.list.setCurrentIndex(charts.model.index(row, 0))
        assert charts.canvas is not None
        assert "截至2023年6月30日" in shown_texts(charts.figure)
    charts.select("completion")
    assert "55.6%（+5.6个百分点） 正常" in shown_texts(charts.figure)


def test_chart_follows_the_as_of_date(charts, ctx):
    ctx.set_as_of(dt.date(2023, 3, 31))
    text = shown_texts(charts.figure)
    assert "截至2023年3月31日" in text and "时序进度：25.0%" in text
    assert "暂无数据" in text        # the built-in figures are reported at June 30: nothing as of March


def test_print_preview_opens_offscreen_and_paints_the_chart(charts, qtbot):
    from PySide6.QtPrintSupport import QPrintPreviewWidget

    painted = []
    charts.select("monthly")
    dialog = charts.preview_dialog()
    dialog.paintRequested.connect(lambda printer: painted.append(printer))
    dialog.open()
    qtbot.waitUntil(lambda: bool(painted), timeout=10000)
    preview = dialog.findChild(QPrintPreviewWidget)
    qtbot.waitUntil(lambda: preview.pageCount() == 1, timeout=10000)
    dialog.close()


def test_printing_draws_vector_text(charts, tmp_path):
    from PySide6.QtPrintSupport import QPrinter

    charts.select("clusters")
    printer = charts.make_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    charts.paint_on(printer)
    text = pdftext(tmp_path / "printed.pdf")
    assert "产业集群产值、年度目标与增速" in text and "1—6月产值 855.8" in text


def test_export_pdf_and_png(charts, tmp_path, monkeypatch):
    charts.select("indicators")
    monkeypatch.setattr(dialogs, "ask_save_path", lambda *a: str(tmp_path / "chart.pdf"))
    charts.pdf_button.click()
    assert "政策指标完成情况" in pdftext(tmp_path / "chart.pdf")
    assert "359家 / 目标 353家" in pdftext(tmp_path / "chart.pdf")
    monkeypatch.setattr(dialogs, "ask_save_path", lambda *a: str(tmp_path / "chart.png"))
    charts.png_button.click()
    from PySide6.QtGui import QImage

    img = QImage(str(tmp_path / "chart.png"))
    assert img.width() == 2180 and img.height() == 1320       # 10.9 x 6.6 in at 200 dpi
    monkeypatch.setattr(dialogs, "ask_save_path", lambda *a: None)       # cancelled: nothing happens
    charts.pdf_button.click()


def test_export_briefing_runs_on_a_worker_with_progress(charts, qtbot, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(dialogs, "show_info", lambda parent, title, text: shown.append(text))
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, text: shown.append("ERROR " + text))
    worker = charts.export_briefing(tmp_path / "brief.pdf")
    qtbot.waitUntil(lambda: bool(shown), timeout=60000)
    assert shown[0].startswith(f"已生成 {tmp_path / 'brief.pdf'}") and "共 9 页" in shown[0]
    assert worker.result["pages"] == 9
    assert "55.6%" in pdftext(tmp_path / "brief.pdf")
    qtbot.waitUntil(worker.isFinished, timeout=10000)
    assert charts.progress_dialog.maximum() == 9


def test_export_briefing_can_be_cancelled(charts, qtbot, tmp_path, monkeypatch):
    errors = []
    monkeypatch.setattr(dialogs, "show_error", lambda *a: errors.append(a))
    monkeypatch.setattr(dialogs, "show_info", lambda *a: errors.append(a))
    worker = charts.export_briefing(tmp_path / "never.pdf")
    worker.cancel()
    qtbot.waitUntil(worker.isFinished, timeout=60000)
    assert worker.error == "" and worker.result is None
    assert not (tmp_path / "never.pdf").exists() and errors == []


def test_file_menu_exports_the_briefing(window, qtbot, tmp_path, monkeypatch):
    done = []
    monkeypatch.setattr(dialogs, "ask_save_path", lambda *a: str(tmp_path / "menu.pdf"))
    monkeypatch.setattr(dialogs, "show_info", lambda *a: done.append(a))
    window.briefing_action.trigger()
    qtbot.waitUntil(lambda: bool(done), timeout=60000)
    assert window.current_tab().key == "charts"
    assert (tmp_path / "menu.pdf").stat().st_size > 10000
    qtbot.waitUntil(window.current_tab().worker.isFinished, timeout=10000)


def test_export_briefing_while_the_window_holds_the_writers_lock(app, qtbot, tmp_path, monkeypatch):
    """The worker reads through its own read-only connection: the lock the window holds does not stop it."""
    from db import open_database, seed
    from desktop.app import AppContext
    from desktop.tabs.charts import ChartsTab

    path = tmp_path / "locked.db"
    db = open_database(path)
    seed.load_builtin(db)
    db.close()
    db = open_database(path, lock=True)
    ctx = AppContext(db)
    tab = ChartsTab(ctx)
    qtbot.addWidget(tab)
    shown = []
    monkeypatch.setattr(dialogs, "show_info", lambda *a: shown.append(a[2]))
    monkeypatch.setattr(dialogs, "show_error", lambda *a: shown.append("ERROR " + a[2]))
    worker = tab.export_briefing(tmp_path / "locked.pdf")
    qtbot.waitUntil(worker.isFinished, timeout=60000)
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    assert "共 9 页" in shown[0]
    assert "55.6%" in pdftext(tmp_path / "locked.pdf")
    ctx.close()
    db.close()
