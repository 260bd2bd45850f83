"""The main window's tabs, one class per file; each has ``key`` and ``title`` and takes the AppContext."""
