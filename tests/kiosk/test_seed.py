"""Seeding: a fresh demo terminal opens on the demo district with no server, once, quickly."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from kiosk.config import Config, demo_config
from kiosk.db import open_engine, session_factory
from kiosk.errors import ConfigError, ContentPackError
from kiosk.mirror.blobs import BlobStore
from kiosk.mirror.models import Attachment, Category, CategoryFacet, Document, DocumentCategory, Zone
from kiosk.mirror.store import kv_get
from kiosk.paths import demo_dir
from kiosk.seed import MARKER_KEY, ensure_seeded, pack_files

ROOT = Path(__file__).resolve().parents[2]


def with_pack(cfg: Config, pack: str) -> Config:
    return dataclasses.replace(cfg, terminal=dataclasses.replace(cfg.terminal, content_pack=pack))


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Config, float]:
    """One demo terminal seeded from scratch, shared by the read-only checks below."""
    cfg = demo_config(tmp_path_factory.mktemp("terminal"))
    t0 = time.process_time()
    assert ensure_seeded(cfg) is True  # opens, migrates and fills the mirror
    return cfg, time.process_time() - t0


def test_seeding_the_demo_is_fast(seeded: tuple[Config, float]) -> None:
    # CPU time, not wall time: the 2-core test machine is shared, and other processes' load is not ours.
    _, cpu_seconds = seeded
    assert cpu_seconds < 3.0, f"seeding the demo pack took {cpu_seconds:.2f} s of CPU (bar: < 3 s)"


def test_the_demo_district_is_all_there(seeded: tuple[Config, float]) -> None:
    cfg, _ = seeded
    engine = open_engine(cfg.db_path)
    try:
        with session_factory(engine)() as s:
            zones = {z.code: z for z in s.scalars(select(Zone))}
            assert len(zones) == 12
            assert zones["louxing"].kind == "district"
            assert {zones["wanbao"].name, zones["huangnitang"].name} == {"万宝镇", "黄泥塘街道"}
            assert len({z.prefix for z in zones.values()}) == 12
            assert all(z.address and z.hours and z.phone for z in zones.values())
            facets: dict[str, list[str]] = {}
            for c in s.scalars(select(Category).order_by(Category.sort_order)):
                facets.setdefault(c.facet, []).append(c.name)
            assert len(facets[CategoryFacet.CONTENT_TYPE]) == 10
            assert "政府信息公开条例" in facets[CategoryFacet.CONTENT_TYPE]
            assert facets[CategoryFacet.DIMENSION] == ["决策公开", "执行公开", "管理公开", "服务公开", "结果公开"]
            assert len(facets[CategoryFacet.SECTOR]) == 26
            assert len(facets[CategoryFacet.PLATFORM]) == 4
            n_docs = s.scalar(select(func.count()).select_from(Document))
            assert n_docs is not None
            assert 200 <= n_docs <= 400
            # every category a document names exists
            used = set(s.scalars(select(DocumentCategory.category_code).distinct()))
            assert used <= set(s.scalars(select(Category.code)))
            assert kv_get(s, MARKER_KEY) == "demo"
    finally:
        engine.dispose()


def test_the_hand_written_examples_and_their_links(seeded: tuple[Config, float]) -> None:
    cfg, _ = seeded
    engine = open_engine(cfg.db_path)
    try:
        with session_factory(engine)() as s:
            docs = {d.id: d for d in s.scalars(select(Document))}
            by_status: dict[str, int] = {}
            for d in docs.values():
                by_status[d.status] = by_status.get(d.status, 0) + 1
                for ref in (d.superseded_by, d.supersedes, d.interprets):
                    assert ref is None or ref in docs, f"{d.id} points at missing {ref}"
            assert by_status["repealed"] >= 1
            assert by_status["amended"] >= 1
            repealed = next(d for d in docs.values() if d.status == "repealed")
            assert docs[repealed.superseded_by or ""].supersedes == repealed.id
            jiedu = [d for d in docs.values() if d.interprets]
            assert jiedu
            assert {d.zone_id for d in docs.values()} >= {None, "wanbao", "huangnitang"}
            assert any(d.public_url for d in docs.values())
            guide = next(d for d in docs.values() if d.title == "最低生活保障申请办事指南")
            for section in ("办理条件", "所需材料", "办理流程", "办理时限", "咨询电话"):
                assert section in guide.body
            atts = list(s.scalars(select(Attachment)))
            assert len(atts) >= 2
            assert all(a.present for a in atts)
            blobs = BlobStore(cfg.blob_dir)
            for a in atts:
                assert blobs.read_verified(a.sha256)[:5] == b"%PDF-"
            assert all("演示内容" in d.body for d in docs.values() if d.source == "demo")
    finally:
        engine.dispose()


def test_seeding_again_does_nothing(seeded: tuple[Config, float]) -> None:
    cfg, _ = seeded
    engine = open_engine(cfg.db_path)
    try:
        with engine.connect() as conn:
            before = conn.execute(text("SELECT count(*), max(rowid) FROM documents")).one()
        assert ensure_seeded(cfg, engine) is False
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*), max(rowid) FROM documents")).one() == before
    finally:
        engine.dispose()


def test_a_mirror_filled_by_sync_is_not_seeded(tmp_path: Path) -> None:
    cfg = demo_config(tmp_path / "t")
    engine = open_engine(cfg.db_path)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO documents(id, version, title, status, body, body_format, seq) "
                    "VALUES ('from-server', 1, '区里发布的文件', 'in_force', '', 'markdown', 17)"
                )
            )
        assert ensure_seeded(cfg, engine) is False
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM documents")).scalar_one() == 1
    finally:
        engine.dispose()


def test_an_interrupted_seed_finishes_on_the_next_start(tmp_path: Path) -> None:
    cfg = demo_config(tmp_path / "t")
    engine = open_engine(cfg.db_path)
    try:
        from kiosk.contentpack import import_pack

        with session_factory(engine)() as s:  # the first pack went in, then the power went out
            import_pack(s, BlobStore(cfg.blob_dir), pack_files(cfg)[0])
        assert ensure_seeded(cfg, engine) is True
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM documents")).scalar_one() > 200
    finally:
        engine.dispose()


def test_no_pack_configured_means_no_seed(tmp_path: Path) -> None:
    cfg = with_pack(demo_config(tmp_path / "t"), "")
    assert pack_files(cfg) == []
    assert ensure_seeded(cfg) is False
    assert not cfg.db_path.exists()


def test_a_pack_given_by_path(tmp_path: Path) -> None:
    pack = tmp_path / "mine.jsonl"
    pack.write_text(json.dumps({"id": "one", "title": "唯一的文件"}, ensure_ascii=False) + "\n", encoding="utf-8")
    cfg = with_pack(demo_config(tmp_path / "t"), str(pack))
    assert ensure_seeded(cfg) is True
    engine = open_engine(cfg.db_path)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT id FROM documents")).scalars().all() == ["one"]
    finally:
        engine.dispose()


def test_a_missing_pack_names_the_key(tmp_path: Path) -> None:
    cfg = with_pack(demo_config(tmp_path / "t"), "no/such/pack.jsonl")
    with pytest.raises(ConfigError, match=r"键 'content_pack' 指向的 .*no/such/pack\.jsonl 不存在"):
        ensure_seeded(cfg)


def test_a_bad_pack_imports_nothing_and_seeds_again_later(tmp_path: Path) -> None:
    pack = tmp_path / "bad.jsonl"
    pack.write_text('{"id": "ok", "title": "好"}\n{broken\n', encoding="utf-8")
    cfg = with_pack(demo_config(tmp_path / "t"), str(pack))
    with pytest.raises(ContentPackError):
        ensure_seeded(cfg)
    pack.write_text('{"id": "ok", "title": "好"}\n', encoding="utf-8")
    assert ensure_seeded(cfg) is True


def test_the_committed_demo_pack_is_what_the_script_builds(corpus_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_demo_pack.py"), "--check", "--corpus", str(corpus_path)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert {p.name for p in demo_dir().glob("*.jsonl")} == {"district.jsonl", "laws.jsonl"}


def test_no_demo_zone_address_repeats_the_zones_name() -> None:
    """The receipt printed 「万宝镇万宝镇便民服务中心」: the demo pack wrote the zone's name twice."""
    import json
    from pathlib import Path

    pack = Path(__file__).resolve().parents[2] / "assets" / "demo" / "district.jsonl"
    zones = [json.loads(line) for line in pack.read_text(encoding="utf-8").splitlines() if '"type": "zone"' in line]
    assert len(zones) == 12
    for z in zones:
        assert z["name"] * 2 not in z["address"], z["address"]
        assert z["kind"] == "district" or f"{z['name']}便民服务中心" in z["address"], z["address"]
