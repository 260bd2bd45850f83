"""Unhandled exceptions: a short message for the user, the traceback in a log file, and the app keeps running."""
from __future__ import annotations

import datetime as dt
import logging
import sys
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path

from desktop.paths import log_dir

log = logging.getLogger("policytrack")


def setup_logging() -> Path:
    path = log_dir() / "policytrack.log"
    if not any(isinstance(h, RotatingFileHandler) for h in log.handlers):
        handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    return path


def install_excepthook(parent_getter=lambda: None) -> None:
    log_path = setup_logging()

    def hook(exc_type, exc, tb) -> None:
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        log.error("unhandled exception at %s\n%s", dt.datetime.now().isoformat(timespec="seconds"), text)
        sys.__stderr__ and sys.__stderr__.write(text)
        try:
            from PySide6.QtWidgets import QApplication, QMessageBox
            if QApplication.instance() is not None:
                QMessageBox.critical(parent_getter(), "程序出错",
                                     f"出现了一个意外错误：{exc}\n\n已保存的数据不受影响。"
                                     f"详细信息已写入日志：\n{log_path}")
        except Exception:  # the dialog itself must never take the app down
            pass

    sys.excepthook = hook
