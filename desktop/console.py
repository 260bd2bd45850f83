"""One executable for the window and the command line on Windows.

The frozen Windows build is a GUI-subsystem program (no console window flashes up when an office user double-clicks
it). Run from cmd.exe or PowerShell with a sub-command, it attaches to the console it was started from, so
``policytrack summary`` prints there. On Linux and macOS a program always has its parent's terminal: nothing to do.
"""
from __future__ import annotations

import sys
from collections.abc import Sequence

ATTACH_PARENT_PROCESS = 0xFFFFFFFF  # (DWORD)-1
_OPTIONS_WITH_VALUE = {"--db"}
_CONSOLE_OPTIONS = {"-h", "--help", "--version"}


def wants_console(argv: Sequence[str]) -> bool:
    """True when the arguments ask for the command line (a sub-command, --help, --version), not the window.

    ``policytrack`` and ``policytrack --db FILE`` open the window; anything else writes to the console.
    """
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in _CONSOLE_OPTIONS:
            return True
        if arg in _OPTIONS_WITH_VALUE:
            i += 2
            continue
        if arg.startswith("--db="):
            i += 1
            continue
        return True  # a sub-command, or an option the parser will refuse: either way the answer goes to the console
    return False


def attach_parent_console(argv: Sequence[str] | None = None) -> bool:
    """In the frozen windowed Windows build, send output to the parent's console when a sub-command is given.

    Returns True when a console was attached. Streams that were already redirected by the caller
    (``policytrack summary --json > out.json``) are valid from the start and are left alone.
    """
    if sys.platform != "win32" or not getattr(sys, "frozen", False):
        return False
    if not wants_console(sys.argv[1:] if argv is None else argv):
        return False
    import ctypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.AttachConsole.argtypes = [ctypes.c_uint32]
    if not kernel32.AttachConsole(ATTACH_PARENT_PROCESS):
        return False  # started from Explorer or a shortcut: there is no console to write to
    # "CONOUT$" opens as a Windows console stream that writes UTF-16, so Chinese shows whatever the code page.
    if sys.stdout is None:
        sys.stdout = open("CONOUT$", "w", encoding="utf-8", errors="replace")  # noqa: SIM115 (lives as long as the process)
    if sys.stderr is None:
        sys.stderr = open("CONOUT$", "w", encoding="utf-8", errors="replace")  # noqa: SIM115
    if sys.stdin is None:
        sys.stdin = open("CONIN$", encoding="utf-8", errors="replace")  # noqa: SIM115
    return True
