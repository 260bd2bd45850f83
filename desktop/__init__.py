"""PolicyTrack's desktop side: Qt windows, charts, reports and the `policytrack` command."""

APP_NAME = "PolicyTrack"
APP_NAME_CN = "政策跟踪"
# The one place the version is written: pyproject.toml reads it (dynamic version), and so do the PyInstaller
# spec, the .deb and the Windows installer. A frozen bundle has no package metadata to ask.
__version__ = "0.1.0"
