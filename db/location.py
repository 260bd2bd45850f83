"""Where the database lives: a warning when it is on a network share or inside a sync folder.

SQLite's locks are unreliable over SMB/NFS, and sync clients (OneDrive, 坚果云, 百度网盘, Dropbox…) copy or replace
the file while it is being written — both are listed by sqlite.org as ways to corrupt a database, and calibre
tells its users plainly never to keep a library there.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path, PureWindowsPath

# File-system types (as /proc/mounts names them) that live on another machine.
NETWORK_FS = {
    "cifs", "smb", "smbfs", "smb2", "smb3", "nfs", "nfs4", "afs", "ncpfs", "9p", "ceph", "glusterfs", "lustre",
    "davfs", "fuse.sshfs", "sshfs", "fuse.davfs2", "fuse.rclone", "fuse.s3fs", "fuse.gvfsd-fuse",
}

# Folder names that sync clients create (compared case-insensitively, as whole path components or prefixes).
SYNC_FOLDERS: list[tuple[str, str]] = [
    ("onedrive", "OneDrive"),
    ("nutstore", "坚果云"),
    ("我的坚果云", "坚果云"),
    ("坚果云", "坚果云"),
    ("baidunetdisk", "百度网盘"),
    ("baiduyunguanjia", "百度网盘"),
    ("百度网盘", "百度网盘"),
    ("百度云同步盘", "百度网盘"),
    ("dropbox", "Dropbox"),
    ("icloud drive", "iCloud"),
    ("iclouddrive", "iCloud"),
    ("mobile documents", "iCloud"),
    ("google drive", "Google Drive"),
    ("googledrive", "Google Drive"),
    ("weiyun", "腾讯微云"),
    ("微云同步助手", "腾讯微云"),
    ("aliyundrive", "阿里云盘"),
    ("阿里云盘", "阿里云盘"),
    ("wps云文档", "WPS 云文档"),
    ("wpsdrive", "WPS 云文档"),
    ("seafile", "Seafile"),
    ("nextcloud", "Nextcloud"),
    ("owncloud", "ownCloud"),
    ("box sync", "Box"),
    ("pcloud drive", "pCloud"),
]

_ADVICE = "建议把数据库放在本机磁盘（如“文档”文件夹），单位之间用“交换包”传递数据。"


def _decode_mount_field(field: str) -> str:
    # /proc/mounts escapes space, tab, newline and backslash as octal.
    return (field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n")
            .replace("\\134", "\\"))


def mount_for(path: Path, mounts_text: str) -> tuple[str, str, str] | None:
    """(mount point, file-system type, source) of the mount holding ``path``, from /proc/mounts text."""
    best: tuple[str, str, str] | None = None
    target = path.as_posix()
    for line in mounts_text.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        source, point, fstype = _decode_mount_field(parts[0]), _decode_mount_field(parts[1]), parts[2]
        inside = target == point or target.startswith(point.rstrip("/") + "/") or point == "/"
        if inside and (best is None or len(point) >= len(best[0])):
            best = (point, fstype, source)
    return best


def network_location(path: str | os.PathLike, *, mounts_text: str | None = None,
                     platform: str | None = None) -> str | None:
    """A short description of the network share holding ``path`` (e.g. 'cifs：//server/share'), or None."""
    platform = platform or sys.platform
    if platform == "win32":
        return _network_location_windows(str(path))
    p = Path(os.path.abspath(path))
    if mounts_text is None:
        try:
            with open("/proc/mounts", encoding="utf-8", errors="replace") as f:
                mounts_text = f.read()
        except OSError:
            return None  # macOS and others: no /proc; the sync-folder check still applies
    found = mount_for(p, mounts_text)
    if found is None:
        return None
    _point, fstype, source = found
    if fstype.lower() in NETWORK_FS or fstype.lower().startswith(("nfs", "smb", "cifs")):
        return f"{fstype}：{source}"
    return None


def _network_location_windows(path: str) -> str | None:
    win = PureWindowsPath(path)
    if win.drive.startswith("\\\\"):  # \\server\share\...
        return "网络共享 " + win.drive
    try:
        import ctypes

        root = win.drive + "\\" if win.drive else None
        if root and ctypes.windll.kernel32.GetDriveTypeW(root) == 4:  # DRIVE_REMOTE
            return "网络驱动器 " + win.drive
    except (AttributeError, OSError):
        pass
    return None


def sync_folder(path: str | os.PathLike, *, environ: dict[str, str] | None = None) -> str | None:
    """The sync service whose folder holds ``path`` (e.g. 'OneDrive', '坚果云'), or None."""
    environ = os.environ if environ is None else environ
    text = os.path.abspath(path)
    # OneDrive tells where its folders are; a renamed folder is caught this way too.
    for var in ("OneDrive", "OneDriveCommercial", "OneDriveConsumer"):
        root = environ.get(var)
        if root and _is_inside(text, root):
            return "OneDrive"
    parts = [c.casefold() for c in PureWindowsPath(text).parts] if "\\" in text else \
        [c.casefold() for c in Path(text).parts]
    for part in parts:
        for marker, service in SYNC_FOLDERS:
            # "OneDrive - 某单位" and "Dropbox (Personal)" are the same folders with a suffix.
            if part == marker or part.startswith(marker + " ") or part.startswith(marker + "-") \
                    or part.startswith(marker + "("):
                return service
    return None


def _is_inside(path: str, root: str) -> bool:
    a, b = os.path.normcase(os.path.abspath(path)), os.path.normcase(os.path.abspath(root))
    return a == b or a.startswith(b.rstrip("\\/") + os.sep)


def storage_warning(path: str | os.PathLike, *, mounts_text: str | None = None,
                    environ: dict[str, str] | None = None, platform: str | None = None) -> str | None:
    """A Chinese warning when the database is on a network share or in a sync folder, else None."""
    net = network_location(path, mounts_text=mounts_text, platform=platform)
    if net:
        return (f"数据库位于网络共享文件夹（{net}）。网络盘上的文件锁不可靠，断网或多人同时保存可能损坏数据库。"
                + _ADVICE)
    service = sync_folder(path, environ=environ)
    if service:
        return (f"数据库位于{service}同步文件夹中。同步软件可能在保存过程中复制或覆盖数据库文件，造成修改丢失或"
                "数据库损坏。" + _ADVICE)
    return None
