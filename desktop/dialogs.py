"""The small dialog service: every question the GUI asks goes through here, so tests can answer it."""
from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget


def ask_text(parent: QWidget | None, title: str, label: str, text: str = "") -> str | None:
    """One line of text, or None when cancelled."""
    value, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal, text)
    return value if ok else None


def confirm(parent: QWidget | None, title: str, text: str, *, default_yes: bool = False) -> bool:
    buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
    default = QMessageBox.StandardButton.Yes if default_yes else QMessageBox.StandardButton.No
    return QMessageBox.question(parent, title, text, buttons, default) == QMessageBox.StandardButton.Yes


def show_error(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.warning(parent, title, text)


def show_info(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)


def ask_target(parent: QWidget | None, title: str, subject: str, current: str, unit: str, *,
               effective=None, year: int | None = None) -> tuple[str, str, str, str] | None:
    """The new target value, the reason, the document number (文号) and the 生效日期, or None when cancelled."""
    from desktop.target_dialog import TargetDialog

    dialog = TargetDialog(parent, title=title, subject=subject, current=current, unit=unit, effective=effective,
                          year=year)
    if dialog.exec() != TargetDialog.DialogCode.Accepted:
        return None
    return dialog.values()


def ask_save_path(parent: QWidget | None, title: str, suggested: str, file_filter: str) -> str | None:
    """A file name to write, or None when cancelled (the dialog asks before overwriting)."""
    path, _selected = QFileDialog.getSaveFileName(parent, title, suggested, file_filter)
    return path or None


def ask_unsaved(parent: QWidget | None, title: str, text: str) -> str:
    """Typed figures not yet saved: 'save', 'discard' or 'cancel' (buttons 保存 / 放弃 / 取消; Esc = 取消)."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text + "\n\n保存它们，放弃它们，还是取消并返回？",
                      QMessageBox.StandardButton.NoButton, parent)
    save = box.addButton("保存", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("放弃", QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(save)
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    return "save" if clicked is save else "discard" if clicked is discard else "cancel"
