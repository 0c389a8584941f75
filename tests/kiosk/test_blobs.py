"""The content-addressed blob store on a real folder: verified writes, damage detection, collection."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from kiosk.errors import BlobIntegrityError, StorageError
from kiosk.mirror.blobs import BlobStore

PDF = b"%PDF-1.4\n% demo attachment\n" + bytes(range(256)) * 40


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def store(tmp_path: Path) -> BlobStore:
    return BlobStore(tmp_path / "blobs")


def test_put_stores_under_its_sha256_and_reads_back(store: BlobStore) -> None:
    name = store.put_bytes(PDF)
    assert name == sha(PDF)
    assert store.path(name) == store.root / name[:2] / name
    assert store.has(name)
    assert store.read_verified(name) == PDF
    assert store.put_bytes(PDF, name) == name  # storing it again is a no-op
    assert list(store.names()) == [name]


def test_put_with_wrong_expected_hash_stores_nothing(store: BlobStore) -> None:
    wrong = sha(b"something else")
    with pytest.raises(BlobIntegrityError):
        store.put_bytes(PDF, wrong)
    assert not store.has(wrong)
    assert list(store.names()) == []


def test_stream_that_does_not_match_its_name_never_becomes_visible(store: BlobStore) -> None:
    name = sha(PDF)
    damaged = [PDF[:1000], b"X" + PDF[1001:]]  # one byte flipped in transit
    with pytest.raises(BlobIntegrityError):
        store.put_stream(iter(damaged), name)
    assert not store.has(name)
    assert not any(p.name.startswith(".tmp-") for p in store.root.rglob("*"))  # no temporary left behind
    assert store.put_stream(iter([PDF[:1000], PDF[1000:]]), name) == name
    assert store.read_verified(name) == PDF


def test_a_blob_damaged_on_disk_is_detected(store: BlobStore) -> None:
    name = store.put_bytes(PDF)
    path = store.path(name)
    data = bytearray(path.read_bytes())
    data[500] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(BlobIntegrityError, match=r"附件 [0-9a-f]{12}… 在磁盘上已损坏"):
        store.read_verified(name)


def test_a_missing_blob_is_a_storage_error(store: BlobStore) -> None:
    with pytest.raises(StorageError, match=r"本机附件库中没有附件 [0-9a-f]{12}…"):
        store.open(sha(b"never stored"))


@pytest.mark.parametrize("bad", ["../../etc/passwd", "ab", "G" * 64, sha(PDF).upper(), ""])
def test_names_that_are_not_sha256_are_refused(store: BlobStore, bad: str) -> None:
    with pytest.raises(BlobIntegrityError):
        store.path(bad)


def test_collect_removes_unreferenced_blobs_and_stale_temporaries(store: BlobStore) -> None:
    keep = store.put_bytes(b"referenced")
    drop = store.put_bytes(b"no longer referenced")
    stale = store.root / keep[:2] / ".tmp-crashed-write"
    stale.write_bytes(b"half a blob")
    stray = store.root / "notes.txt"  # files that are not blobs are left alone
    stray.write_text("not a blob")
    assert store.collect({keep}) == 1
    assert store.has(keep)
    assert not store.has(drop)
    assert not stale.exists()
    assert stray.exists()
    assert store.collect({keep}) == 0


def test_collect_on_a_store_never_written_is_zero(tmp_path: Path) -> None:
    assert BlobStore(tmp_path / "none").collect(set()) == 0


def test_an_unwritable_store_is_a_storage_error(tmp_path: Path) -> None:
    root = tmp_path / "blobs"
    root.write_text("a file where the blob folder should be")  # permissions do not stop root; this does
    with pytest.raises(StorageError, match=r"无法写入附件 [0-9a-f]{12}…：路径中有一段不是文件夹"):
        BlobStore(root).put_bytes(PDF)
