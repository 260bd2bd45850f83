"""Data files shipped with PolicyTrack, found the same way from a checkout, a wheel or a frozen bundle."""
from __future__ import annotations

from pathlib import Path

# In a PyInstaller bundle this module's __file__ points inside sys._MEIPASS, where the
# spec collects the data files under resources/, so one rule serves every layout.
ROOT = Path(__file__).resolve().parent


def path(*parts: str) -> Path:
    """Return the path of a shipped resource file; raise FileNotFoundError if it is missing."""
    p = ROOT.joinpath(*parts)
    if not p.exists():
        raise FileNotFoundError(f"resource missing: {'/'.join(parts)} (looked in {ROOT})")
    return p
