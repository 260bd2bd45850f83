"""A warning when the database lives on a network share or in a sync folder; none on a local disk."""
from __future__ import annotations

import pytest

from db import location, open_database

MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
tmpfs /tmp tmpfs rw 0 0
//fileserver/发改委 /mnt/share cifs rw,vers=3.0 0 0
server:/export/data /srv/nfs nfs4 rw 0 0
user@host:/home /home/me/remote fuse.sshfs rw 0 0
//nas/公共\\040文件 /mnt/with\\040space smb3 rw 0 0
"""


@pytest.mark.parametrize("path,words", [
    ("/mnt/share/政策跟踪/policytrack.db", "cifs：//fileserver/发改委"),
    ("/srv/nfs/pt.db", "nfs4"),
    ("/home/me/remote/pt.db", "fuse.sshfs"),
    ("/mnt/with space/pt.db", "smb3"),
])
def test_network_mounts_are_named(path, words):
    warning = location.storage_warning(path, mounts_text=MOUNTS, environ={})
    assert warning and "网络共享文件夹" in warning and words in warning and "本机磁盘" in warning


@pytest.mark.parametrize("path", ["/tmp/pt.db", "/home/me/文档/pt.db", "/mnt/shared-but-local/pt.db",
                                  "/mnt/share2/pt.db"])
def test_local_disks_get_no_warning(path):
    assert location.storage_warning(path, mounts_text=MOUNTS, environ={}) is None


@pytest.mark.parametrize("path,service", [
    ("/home/me/OneDrive - 渝北区发改委/数据/pt.db", "OneDrive"),
    ("/home/me/OneDrive/pt.db", "OneDrive"),
    ("/Users/me/Library/CloudStorage/OneDrive-Personal/pt.db", "OneDrive"),
    ("/home/me/Nutstore Files/我的坚果云/pt.db", "坚果云"),
    ("/home/me/我的坚果云/pt.db", "坚果云"),
    ("/home/me/BaiduNetdisk/pt.db", "百度网盘"),
    ("/home/me/百度网盘/同步/pt.db", "百度网盘"),
    ("/home/me/Dropbox (Personal)/pt.db", "Dropbox"),
    ("/Users/me/Library/Mobile Documents/com~apple~CloudDocs/pt.db", "iCloud"),
    ("D:\\BaiduYunGuanjia\\pt.db", "百度网盘"),
])
def test_sync_folders_are_named(path, service):
    warning = location.storage_warning(path, mounts_text=MOUNTS, environ={})
    assert warning and service in warning and "同步" in warning


def test_renamed_onedrive_folder_found_through_its_environment_variable():
    env = {"OneDrive": "/home/me/公司云盘"}
    assert "OneDrive" in location.storage_warning("/home/me/公司云盘/pt.db", mounts_text=MOUNTS, environ=env)
    assert location.storage_warning("/home/me/公司云盘2/pt.db", mounts_text=MOUNTS, environ=env) is None


def test_names_that_merely_contain_a_service_word_are_not_flagged():
    for path in ("/home/me/myonedrive/pt.db", "/home/me/dropboxes/pt.db", "/data/boxsync/pt.db"):
        assert location.sync_folder(path, environ={}) is None, path


def test_windows_unc_share():
    warning = location.storage_warning(r"\\fileserver\发改委\pt.db", platform="win32", environ={})
    assert warning and "网络共享" in warning


def test_local_database_opens_without_warning(tmp_path):
    db = open_database(tmp_path / "pt.db")
    try:
        assert db.storage_warning is None
    finally:
        db.close()


def test_database_in_a_sync_folder_carries_the_warning(tmp_path):
    folder = tmp_path / "OneDrive - 渝北区"
    folder.mkdir()
    db = open_database(folder / "pt.db")
    try:
        assert db.storage_warning and "OneDrive" in db.storage_warning
    finally:
        db.close()
