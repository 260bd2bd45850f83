"""PolicyTrack's desktop side: Qt windows, charts, reports and the `policytrack` command."""
from importlib.metadata import PackageNotFoundError, version as _version

APP_NAME = "PolicyTrack"
APP_NAME_CN = "政策跟踪"
try:
    __version__ = _version("policytrack")
except PackageNotFoundError:  # running from a source checkout that was never installed
    __version__ = "0.1.0"
