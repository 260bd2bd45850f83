"""Work around a PySide6 reference-count bug that crashes long-running Qt code on Python 3.11.

Measured here with PySide6 6.12.0 on CPython 3.11.7: every call of a C++ method that returns void
(QPainter.fillRect, setPen, save, QWidget.resize, QObject.setObjectName, ...) drops one reference to
``None``. On Python 3.12 and later None is immortal and nothing happens; on 3.11 None's count (about 5,000 at
start) runs out after a few thousand calls and the interpreter aborts with “Fatal Python error: none_dealloc”
— a briefing with a 10,000-row table makes hundreds of thousands of such calls.

``guard_none_refcount()`` checks for the leak and, only when it is there, gives None a reference count so
large that no run can exhaust it (what Python 3.12 does for every immortal object). It changes nothing else.
"""
from __future__ import annotations

import ctypes
import sys

_checked = False
_applied = False


def guard_none_refcount() -> bool:
    """Make None effectively immortal if (and only if) this PySide6 leaks references to it. Idempotent."""
    global _checked, _applied
    if _checked:
        return _applied
    _checked = True
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(256):
        probe.setObjectName("probe")
    lost = before - sys.getrefcount(None)
    if lost < 128:
        return False
    # ob_refcnt is the first field of every object in a standard CPython 3.11 build.
    ctypes.c_ssize_t.from_address(id(None)).value += (1 << 48) + lost
    _applied = True
    return True
