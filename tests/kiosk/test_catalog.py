"""The browsing read API on the seeded demo mirror: zone heading, facets with counts, paging and
filters, one document with its replacement and 解读, zone visibility, and the reader engine."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from kiosk import catalog
from kiosk.config import Config, demo_config
from kiosk.db import open_engine, session_factory
from kiosk.seed import ensure_seeded


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Config:
    cfg = demo_config(tmp_path_factory.mktemp("catalog") / "terminal")
    engine = open_engine(cfg.db_path)
    ensure_seeded(cfg, engine)
    engine.dispose()
    return cfg


@pytest.fixture
def s(demo: Config) -> Session:
    engine = catalog.reader_engine(demo.db_path)
    session = session_factory(engine)()
    yield session
    session.close()
    engine.dispose()


def test_zone_heading(s: Session) -> None:
    z = catalog.zone_info(s, "wanbao")
    assert z.title == "娄星区政务公开专区 · 万宝镇"
    assert catalog.zone_info(s, "louxing").title == "娄星区政务公开专区"
    assert catalog.zone_info(s, "nowhere").name  # unknown zone: a placeholder, not an error


def test_facets_with_counts(s: Session) -> None:
    types = catalog.categories(s, "type", "wanbao")
    assert [c.name for c in types][:2] == ["政府公报", "政府工作报告"]
    assert len(catalog.categories(s, "sector", "wanbao")) == 26
    assert len(catalog.categories(s, "dimension", "wanbao")) == 5
    notices = {c.code: c.count for c in types}["type-gongshi-gonggao"]
    notices_elsewhere = {c.code: c.count for c in catalog.categories(s, "type", "huangnitang")}["type-gongshi-gonggao"]
    assert notices >= 2 and notices_elsewhere >= 2
    assert notices == notices_elsewhere  # each sees district notices plus exactly one of its own here


def test_paging_sort_and_filters(s: Session) -> None:
    f = catalog.Filters(category="type-zhengce-huibian")
    first = catalog.documents(s, f, "wanbao", offset=0, limit=20)
    second = catalog.documents(s, f, "wanbao", offset=20, limit=20)
    assert first.total == second.total > 40
    assert not {r.id for r in first.rows} & {r.id for r in second.rows}
    dates = [r.published for r in first.rows + second.rows if r.published]
    assert dates == sorted(dates, reverse=True)
    oldest = catalog.documents(s, catalog.Filters(category=f.category, newest_first=False), "wanbao", limit=5)
    assert oldest.rows[0].published <= first.rows[0].published
    year = catalog.years(s, f, "wanbao")[0]
    by_year = catalog.documents(s, catalog.Filters(category=f.category, year=year), "wanbao", limit=200)
    assert by_year.total > 0 and all(r.published.startswith(str(year)) for r in by_year.rows)
    issuer = catalog.issuers(s, f, "wanbao")[0]
    by_issuer = catalog.documents(s, catalog.Filters(category=f.category, issuer=issuer), "wanbao", limit=200)
    assert by_issuer.total > 0 and {r.issuer for r in by_issuer.rows} == {issuer}
    repealed = catalog.documents(s, catalog.Filters(status="repealed"), "wanbao", limit=50)
    assert repealed.total >= 1 and {r.status for r in repealed.rows} == {"repealed"}


def test_zone_visibility(s: Session) -> None:
    mine = catalog.documents(s, catalog.Filters(category="type-gongshi-gonggao"), "wanbao", limit=50)
    ids = {r.id for r in mine.rows}
    assert "wanbao-2026-yibao-jiaofei" in ids and "huangnitang-2026-laojiu-xiaoqu" not in ids
    other = catalog.documents(s, catalog.Filters(category="type-gongshi-gonggao", zone="huangnitang"), "wanbao")
    assert {r.id for r in other.rows} == {"huangnitang-2026-laojiu-xiaoqu"}
    all_zones = catalog.Filters(category="type-gongshi-gonggao", zone=catalog.ALL_ZONES)
    everything = catalog.documents(s, all_zones, "wanbao")
    assert everything.total == mine.total + 1


def test_document_links(s: Session) -> None:
    old = catalog.document(s, "louxing-2021-dibao-banfa")
    assert old is not None and old.status_label == "已废止"
    assert old.replaced_by is not None and old.replaced_by.id == "louxing-2026-dibao-banfa"
    new = catalog.document(s, "louxing-2026-dibao-banfa")
    assert new is not None and [i.id for i in new.interpretations] == ["louxing-2026-dibao-banfa-jiedu"]
    jiedu = catalog.document(s, "louxing-2026-dibao-banfa-jiedu")
    assert jiedu is not None and jiedu.interprets is not None and jiedu.interprets.id == new.id
    guide = catalog.document(s, "louxing-guide-dibao")
    assert guide is not None and guide.attachments and guide.attachments[0].present
    assert catalog.document(s, "no-such-doc") is None


def test_home_extras(s: Session) -> None:
    ann = catalog.announcements(s, "wanbao")
    assert ann and all(a.status == "in_force" for a in ann)
    assert "huangnitang-2026-laojiu-xiaoqu" not in {a.id for a in ann}
    assert catalog.sample_document_with_attachment(s, "wanbao") is not None
    assert catalog.popular_searches(s)[0] == "低保"
    assert catalog.document_count(s) > 200
    assert catalog.last_updated(s) >= "2026-10-15", "no sync record: the newest document's date"


def test_reader_engine_cannot_write(demo: Config, tmp_path: Path) -> None:
    engine = catalog.reader_engine(demo.db_path)
    with engine.connect() as conn, pytest.raises(Exception, match=r"readonly|read-only|query_only|attempt to write"):
        conn.exec_driver_sql("DELETE FROM documents")
    engine.dispose()


def test_a_link_to_an_older_version_names_its_year_and_number(s: Session) -> None:
    """The new and the old 低保 办法 share a title: the link says which one it points to."""
    new = catalog.document(s, "louxing-2026-dibao-banfa")
    old = catalog.document(s, "louxing-2021-dibao-banfa")
    assert new is not None and old is not None and new.supersedes is not None and old.replaced_by is not None
    assert new.supersedes.title == old.replaced_by.title
    assert new.supersedes.described == "《娄星区城乡最低生活保障实施办法》（2021年 · 娄星政发〔2021〕12号）"
    assert old.replaced_by.described == "《娄星区城乡最低生活保障实施办法》（2026年 · 娄星政发〔2026〕5号）"
    assert catalog.DocLink(id="x", title="某通知").described == "《某通知》"
