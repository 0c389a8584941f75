"""Installing a downloaded release archive beside the running one: unpacked into a hidden folder
(``releases/.<version>.partial``) and renamed into place only when complete, so a kill -9 during the
unpack leaves either nothing or a whole release (the hidden folder is removed and the unpack redone).

Only regular files, folders and symbolic links within the release folder are taken (tarfile's ``data``
filter: no absolute paths, no ``..``, no link pointing outside, no hard links or device files, no set-uid
bits); the unpacked size is capped and
must fit on the disk with room to spare.
"""

from __future__ import annotations

import os
import shutil
import tarfile
from pathlib import Path

from kiosk.errors import StorageError
from kiosk.update.crashpoints import crash_point
from kiosk.update.layout import Layout

MAX_UNPACKED = 4 * 1024**3
SPARE = 200 * 1024**2  # what must stay free on the disk after the unpack


def unpack(layout: Layout, archive: Path, version: str) -> Path:
    """Unpack ``archive`` as ``releases/<version>``; returns it. StorageError (plain Chinese) when the
    archive is not a bundle, too large, or does not fit on the disk."""
    final = layout.release(version)
    if final.is_dir():
        return final
    layout.releases.mkdir(parents=True, exist_ok=True)
    work = layout.releases / f".{version}.partial"
    shutil.rmtree(work, ignore_errors=True)
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            members = tar.getmembers()
            total = sum(m.size for m in members if m.isfile())
            if any(not (m.isfile() or m.isdir() or m.issym()) for m in members):
                raise StorageError(f"新版本 {version} 的安装包含有不允许的文件类型，已拒绝")
            if total > MAX_UNPACKED:
                raise StorageError(f"新版本 {version} 解压后过大（{total // 2**20} MB），已拒绝")
            free = shutil.disk_usage(layout.releases).free
            if free < total + SPARE:
                raise StorageError(
                    f"磁盘空间不足，无法安装新版本 {version}（需要 {(total + SPARE) // 2**20} MB，"
                    f"剩余 {free // 2**20} MB）"
                )
            tar.extractall(work, filter="data")
    except (tarfile.TarError, EOFError, OSError) as exc:
        shutil.rmtree(work, ignore_errors=True)
        if isinstance(exc, OSError) and not isinstance(exc, tarfile.TarError):
            raise StorageError(f"新版本 {version} 解压失败（{type(exc).__name__}）") from None
        raise StorageError(f"新版本 {version} 的安装包已损坏，已拒绝") from None
    except StorageError:
        shutil.rmtree(work, ignore_errors=True)
        raise
    if not any((work / name).is_file() for name in ("kiosk", "kiosk.exe")):
        shutil.rmtree(work, ignore_errors=True)
        raise StorageError(f"新版本 {version} 的安装包里没有 kiosk 程序，已拒绝")
    _fsync_tree(work)
    crash_point("unpack")
    os.replace(work, final)
    return final


def _fsync_tree(root: Path) -> None:
    """Make the unpacked files durable before the folder is renamed into place."""
    if os.name != "posix":
        return
    for folder, _dirs, files in os.walk(root):
        for name in files:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def clear_partials(layout: Layout) -> None:
    """Remove what an interrupted unpack left behind."""
    if layout.releases.is_dir():
        for p in layout.releases.iterdir():
            if p.name.startswith(".") and p.name.endswith(".partial"):
                shutil.rmtree(p, ignore_errors=True)
