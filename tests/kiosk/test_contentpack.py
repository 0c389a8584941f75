"""Content packs on a real mirror file: the version rule, all-or-nothing, --skip-bad, hostile lines."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from kiosk.cli import main as cli_main
from kiosk.contentpack import MAX_LINE_BYTES, import_pack
from kiosk.db import make_engine, open_engine, session_factory
from kiosk.errors import ContentPackError
from kiosk.mirror.blobs import BlobStore
from kiosk.mirror.models import Attachment, Category, Document, DocumentCategory, Zone
from kiosk.search import search


def doc(doc_id: str = "d1", **more: Any) -> dict[str, Any]:
    base = {"id": doc_id, "title": f"娄星区测试文件{doc_id}", "body": f"# 测试\n\n正文{doc_id}：城乡低保资金发放。"}
    base.update(more)
    return base


def write_pack(folder: Path, lines: list[Any], name: str = "pack.jsonl") -> Path:
    p = folder / name
    with p.open("wb") as f:
        for line in lines:
            if isinstance(line, bytes):
                f.write(line.rstrip(b"\n") + b"\n")
            elif isinstance(line, str):
                f.write(line.encode("utf-8") + b"\n")
            else:
                f.write(json.dumps(line, ensure_ascii=False).encode("utf-8") + b"\n")
    return p


@pytest.fixture(scope="module")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A mirror migrated once; each test gets a copy (migrating per test would dominate the run time)."""
    path = tmp_path_factory.mktemp("template") / "mirror.db"
    open_engine(path).dispose()
    return path


@pytest.fixture
def session(migrated_db: Path, data_dir: Path) -> Iterator[Session]:
    shutil.copyfile(migrated_db, data_dir / "mirror.db")
    engine = make_engine(data_dir / "mirror.db")  # already at head
    s = session_factory(engine)()
    yield s
    s.close()
    engine.dispose()


@pytest.fixture
def blobs(data_dir: Path) -> BlobStore:
    return BlobStore(data_dir / "blobs")


def count(session: Session, model: Any) -> int:
    with session.begin():
        return session.scalar(select(func.count()).select_from(model)) or 0


def snapshot(session: Session) -> list[tuple[Any, ...]]:
    with session.begin():
        rows = session.execute(
            text("SELECT id, version, title, status, superseded_by, body, seq FROM documents ORDER BY id")
        ).all()
        fts = session.execute(text("SELECT count(*) FROM search_docs")).scalar_one()
    return [tuple(r) for r in rows] + [("fts", fts)]


def get(session: Session, doc_id: str) -> Document:
    with session.begin():
        d = session.scalar(select(Document).where(Document.id == doc_id))
        assert d is not None
        return d


# ------------------------------------------------------------------------------------ the version rule


def test_reimporting_the_same_pack_changes_nothing(session: Session, blobs: BlobStore, tmp_path: Path) -> None:
    pack = write_pack(
        tmp_path,
        [
            {"type": "zone", "code": "wanbao", "name": "万宝镇", "kind": "township", "prefix": "WB"},
            {"type": "category", "code": "type-gonggao", "name": "公示公告", "facet": "type"},
            doc("a", categories=["type-gonggao"]),
            doc("b", zone="wanbao"),
        ],
    )
    first = import_pack(session, blobs, pack)
    assert first.counts["inserted"] == 2
    before = snapshot(session)
    again = import_pack(session, blobs, pack)
    assert again.counts["unchanged"] == 2
    assert again.counts["inserted"] == again.counts["updated"] == again.counts["status_changed"] == 0
    assert snapshot(session) == before
    assert count(session, Zone) == 1
    assert count(session, Category) == 1
    assert count(session, DocumentCategory) == 1


def test_a_higher_version_replaces_text_categories_and_index(
    session: Session, blobs: BlobStore, tmp_path: Path
) -> None:
    first = doc("a", title="旧标题通知", body="旧的正文讲养老服务", categories=["x"])
    import_pack(session, blobs, write_pack(tmp_path, [first]))
    report = import_pack(
        session,
        blobs,
        write_pack(
            tmp_path,
            [
                doc("a", version=2, title="新标题通知", body="新的正文讲义务教育", categories=["y", "z"]),
            ],
            "v2.jsonl",
        ),
    )
    assert report.counts["updated"] == 1
    d = get(session, "a")
    assert (d.version, d.title) == (2, "新标题通知")
    with session.begin():
        cats = set(session.scalars(select(DocumentCategory.category_code)))
        assert cats == {"y", "z"}
        assert [h.id for h in search(session, "义务教育").hits] == ["a"]
        assert search(session, "养老服务").hits == []  # the old text left the index


def test_a_lower_version_is_ignored(session: Session, blobs: BlobStore, tmp_path: Path) -> None:
    import_pack(session, blobs, write_pack(tmp_path, [doc("a", version=3, title="第三版")]))
    report = import_pack(session, blobs, write_pack(tmp_path, [doc("a", version=2, title="第二版")], "old.jsonl"))
    assert report.counts["older"] == 1
    assert get(session, "a").title == "第三版"


def test_a_status_change_at_the_same_version_applies(session: Session, blobs: BlobStore, tmp_path: Path) -> None:
    import_pack(session, blobs, write_pack(tmp_path, [doc("old"), doc("new")]))
    report = import_pack(
        session,
        blobs,
        write_pack(
            tmp_path,
            [
                doc("old", status="已废止", superseded_by="new"),
                doc("new"),
            ],
            "repeal.jsonl",
        ),
    )
    assert report.counts["status_changed"] == 1
    assert report.counts["unchanged"] == 1
    d = get(session, "old")
    assert (d.status, d.superseded_by) == ("repealed", "new")
    with session.begin():  # repealed documents stay findable, below those in force
        hits = search(session, "低保资金").hits
        assert [h.id for h in hits][-1] == "old"
        assert search(session, "低保资金", status="in_force").total == 1


# ------------------------------------------------------------------------ all-or-nothing and --skip-bad


def test_a_bad_line_is_reported_by_number_and_nothing_is_imported(
    session: Session, blobs: BlobStore, tmp_path: Path
) -> None:
    pack = write_pack(
        tmp_path,
        [
            {"type": "zone", "code": "wanbao", "name": "万宝镇", "prefix": "WB"},
            doc("a"),
            doc("b", published="2026-02-30"),
            doc("c"),
        ],
    )
    with pytest.raises(ContentPackError) as err:
        import_pack(session, blobs, pack)
    assert err.value.problems == [(3, "发布日期（published）应写成 YYYY-MM-DD 的实有日期，不是 '2026-02-30'")]
    assert (
        str(err.value)
        == "内容包有 1 处错误：第 3 行：发布日期（published）应写成 YYYY-MM-DD 的实有日期，不是 '2026-02-30'"
    )
    assert count(session, Document) == 0
    assert count(session, Zone) == 0


def test_skip_bad_imports_the_rest_and_reports_the_bad(session: Session, blobs: BlobStore, tmp_path: Path) -> None:
    pack = write_pack(tmp_path, [doc("a"), "{oops", doc("c"), doc("a", title="又一个a")])
    report = import_pack(session, blobs, pack, skip_bad=True)
    assert report.counts["inserted"] == 2
    assert [n for n, _ in report.problems] == [2, 4]
    assert report.problems[1][1] == "文件编号（id）a 与第 1 行重复"
    with session.begin():
        assert set(session.scalars(select(Document.id))) == {"a", "c"}


def test_cli_reports_file_and_line_and_exits_non_zero(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = write_pack(tmp_path, [doc("a"), doc("b", version="2")])
    db = data_dir / "cli.db"
    assert cli_main(["import", str(pack), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert f'{pack}:2: 版本号（version）应为 1 到 2147483647 的整数，不是 "2"' in err
    assert "kiosk import：1 行有错；未导入任何内容" in err
    assert cli_main(["import", str(pack), "--db", str(db), "--skip-bad", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["counts"]["inserted"] == 1
    assert out["skipped"] == 1


# -------------------------------------------------------------------------------------- hostile lines


HOSTILE: list[tuple[Any, str]] = [
    ("not json at all", "不是有效的 JSON：第 1 列这里应有一个值"),
    ('{"id": "x" "title": "t"}', "不是有效的 JSON：第 12 列缺少逗号（,）"),
    ("[1, 2, 3]", "每一行应为一个 JSON 对象"),
    ('"just a string"', "每一行应为一个 JSON 对象"),
    (b'\xff\xfe{"id": "x"}', "不是 UTF-8 编码的文字（从第 1 个字节起）"),
    ("[" * 100_000, "JSON 嵌套过深"),  # nesting deeper than the parser's recursion limit
    ('{"id": "x", "title": "t", "version": ' + "9" * 5000 + "}", "JSON 中的数字过长"),  # over int's digit limit
    (doc("x", title="标题\u0000藏了NUL"), "标题（title）含有 NUL 字符"),
    (doc("x", title=7), "标题（title）应为字符串"),
    (doc("x", title=""), "标题（title）为空"),
    ({"id": "x", "body": "正文"}, "缺少标题（title）"),
    ({"title": "无编号"}, "缺少文件编号（id）"),
    (doc("x", body=["段落"]), "正文（body）应为字符串"),
    (doc("x", version=True), "版本号（version）应为 1 到 2147483647 的整数，不是 true"),
    (doc("x", version=2**63), "版本号（version）应为 1 到 2147483647 的整数"),
    (doc("x", version=1.5), "版本号（version）应为 1 到 2147483647 的整数，不是 1.5"),
    (doc("x", categories="type-gonggao"), "分类（categories）应为分类代码的列表"),
    (doc("x", categories=["../etc"]), "分类（categories）应为分类代码的列表"),
    (doc("x", attachments={"name": "a"}), "附件（attachments）应为列表"),
    (doc("x", status="作废了"), "效力状态（status）应为 现行有效、已修订 或 已废止"),
    (doc("x", published="20261127"), "发布日期（published）应写成 YYYY-MM-DD 的实有日期，不是 '20261127'"),
    (doc("x", zone="万宝镇"), "专区（zone）应为专区代码（字母、数字、_ 或 -），不是 '万宝镇'"),
    (doc("x", colour="red"), "不认识的字段：colour"),
    (doc("x", interprets="a b"), "所解读的文件（interprets）应为一个文件编号，不是 'a b'"),
    (doc("x", body_format="pdf"), "正文格式（body_format）应为 markdown 或 html，不是 'pdf'"),
    (doc("bad id with spaces"), "文件编号（id）应为 1–64 个字母、数字或 . _ : -"),
    ({"type": "secret"}, "不认识的行类型（type）'secret'"),
    ({"type": "zone", "code": "wb", "name": "万宝镇", "prefix": "wb"}, "受理编号前缀（prefix）应为 2–4 个大写字母"),
    ({"type": "zone", "code": "wb", "name": "万宝镇", "prefix": "WB", "kind": "city"}, "专区的类别（kind）"),
    ({"type": "category", "code": "c", "name": "类", "facet": "colour"}, "分类的维度（facet）"),
    ({"type": "category", "code": "c", "name": "类", "facet": "type", "sort_order": 10**40}, "排序（sort_order）"),
    (doc("x", attachments=[{"name": "a.pdf", "path": "../../../../etc/passwd"}]), "超出了内容包所在的文件夹"),
    (doc("x", attachments=[{"name": "a.pdf", "path": "/etc/passwd"}]), "超出了内容包所在的文件夹"),
    (doc("x", attachments=[{"name": "a.pdf", "path": "missing.pdf"}]), "附件 'missing.pdf' 无法读取：文件不存在"),
    (doc("x", attachments=[{"name": "a.pdf", "data_base64": "***"}]), "Base64 数据（data_base64）不是有效的 Base64"),
    (
        doc(
            "x", attachments=[{"name": "a.pdf", "data_base64": base64.b64encode(b"%PDF").decode(), "sha256": "0" * 64}]
        ),
        "附件 'a.pdf'：内容与 SHA-256 校验值（sha256）不符",
    ),
    (doc("x", attachments=[{"name": "a.pdf", "sha256": "../../" + "0" * 58, "size": 3}]), "64 位十六进制数字"),
    (doc("x", attachments=[{"name": "a.pdf", "sha256": "ab" * 32}]), "还要写明大小（size）"),
    (doc("x", attachments=[{"name": "a.pdf", "sha256": "ab" * 32, "size": 2**40}]), "还要写明大小（size）"),
    (doc("x", attachments=[{"name": "a.pdf"}]), "附件应给出路径（path）、Base64 数据（data_base64）"),
    (doc("x", attachments=[{"name": "a.pdf", "sha256": "ab" * 32, "size": 1}] * 51), "最多带 50 个附件（attachments）"),
]


@pytest.mark.parametrize(("line", "reason"), HOSTILE, ids=[f"hostile{i}" for i in range(len(HOSTILE))])
def test_hostile_line_is_a_numbered_problem_and_imports_nothing(
    session: Session, blobs: BlobStore, tmp_path: Path, line: Any, reason: str
) -> None:
    pack = write_pack(tmp_path, [doc("good"), line])
    with pytest.raises(ContentPackError) as err:
        import_pack(session, blobs, pack)
    assert len(err.value.problems) == 1
    n, why = err.value.problems[0]
    assert n == 2
    assert reason in why
    assert not re.search(r"[a-z]{3,} [a-z]{3,} [a-z]{3,}", why), why  # no English sentence left in it
    assert len(why) < 400  # a reason, not the hostile payload echoed back
    assert count(session, Document) == 0
    assert list(blobs.names()) == []


def test_a_huge_line_is_refused_without_reading_it_whole(session: Session, blobs: BlobStore, tmp_path: Path) -> None:
    huge = json.dumps(doc("huge", body="长" * (MAX_LINE_BYTES // 3 + 10)), ensure_ascii=False)
    pack = write_pack(tmp_path, [doc("a"), huge, doc("c")])
    with pytest.raises(ContentPackError) as err:
        import_pack(session, blobs, pack)
    assert err.value.problems == [(2, "这一行超过 8 MB")]
    report = import_pack(session, blobs, pack, skip_bad=True)
    assert report.counts["inserted"] == 2  # the line after the huge one is read correctly


def test_a_symlink_out_of_the_pack_folder_is_refused(session: Session, blobs: BlobStore, tmp_path: Path) -> None:
    outside = tmp_path / "outside.pdf"
    outside.write_bytes(b"%PDF-1.4 secret")
    pack_dir = tmp_path / "pack"
    pack_dir.mkdir()
    (pack_dir / "a.pdf").symlink_to(outside)
    pack = write_pack(pack_dir, [doc("x", attachments=[{"name": "a.pdf", "path": "a.pdf"}])])
    with pytest.raises(ContentPackError, match=r"路径（path）'a\.pdf' 超出了内容包所在的文件夹"):
        import_pack(session, blobs, pack)


def test_a_zone_prefix_held_by_another_zone_is_refused(session: Session, blobs: BlobStore, tmp_path: Path) -> None:
    wanbao = {"type": "zone", "code": "wanbao", "name": "万宝镇", "prefix": "WB"}
    import_pack(session, blobs, write_pack(tmp_path, [wanbao]))
    other = {"type": "zone", "code": "other", "name": "别处", "prefix": "WB"}
    pack = write_pack(tmp_path, [doc("a"), other], "p2.jsonl")
    with pytest.raises(ContentPackError, match=r"专区的受理编号前缀（prefix）WB 已由专区 wanbao 使用"):
        import_pack(session, blobs, pack)
    assert count(session, Document) == 0
    dup = write_pack(
        tmp_path,
        [
            {"type": "zone", "code": "a", "name": "甲", "prefix": "AA"},
            {"type": "zone", "code": "b", "name": "乙", "prefix": "AA"},
        ],
        "p3.jsonl",
    )
    with pytest.raises(ContentPackError, match=r"专区的受理编号前缀（prefix）AA 与第 1 行重复"):
        import_pack(session, blobs, dup)


def test_nul_in_a_body_is_dropped_not_stored(session: Session, blobs: BlobStore, tmp_path: Path) -> None:
    import_pack(session, blobs, write_pack(tmp_path, [doc("a", body="前\u0000后")]))
    assert get(session, "a").body == "前后"


# ----------------------------------------------------------------------------------------- attachments


def test_attachments_by_path_and_base64_land_verified_in_the_blob_store(
    session: Session, blobs: BlobStore, tmp_path: Path
) -> None:
    (tmp_path / "files").mkdir()
    pdf = b"%PDF-1.4 demo attachment"
    (tmp_path / "files" / "a.pdf").write_bytes(pdf)
    other = "第二个附件".encode()
    later = hashlib.sha256(b"arrives by sync").hexdigest()
    import_pack(
        session,
        blobs,
        write_pack(
            tmp_path,
            [
                doc(
                    "a",
                    attachments=[
                        {"name": "申请表.pdf", "path": "files/a.pdf", "sha256": hashlib.sha256(pdf).hexdigest()},
                        {"name": "说明.txt", "data_base64": base64.b64encode(other).decode(), "mime": "text/plain"},
                        {"name": "后到.pdf", "sha256": later, "size": 15},
                    ],
                )
            ],
        ),
    )
    with session.begin():
        atts = session.scalars(select(Attachment).order_by(Attachment.position)).all()
        got = [(a.name, a.size, a.mime, a.present) for a in atts]
    assert got == [
        ("申请表.pdf", len(pdf), "application/pdf", True),
        ("说明.txt", len(other), "text/plain", True),
        ("后到.pdf", 15, "application/pdf", False),
    ]
    assert blobs.read_verified(hashlib.sha256(pdf).hexdigest()) == pdf
    assert not blobs.has(later)


# --------------------------------------------------------------------------------------- the corpus


@pytest.mark.slow
def test_the_whole_corpus_imports_and_reimports_as_nothing(corpus_path: Path, tmp_path: Path) -> None:
    engine = open_engine(tmp_path / "corpus.db")
    try:
        session = session_factory(engine)()
        blobs = BlobStore(tmp_path / "blobs")
        report = import_pack(session, blobs, corpus_path)
        assert report.counts["inserted"] == 2970
        assert report.problems == []
        assert count(session, Document) == 2970
        with session.begin():
            xxgk = session.scalar(select(Document).where(Document.title == "中华人民共和国政府信息公开条例"))
            assert xxgk is not None
            assert xxgk.doc_number == "中华人民共和国国务院令第711号"
            assert (xxgk.published, xxgk.status) == ("2019-04-03", "in_force")
            fts_rows = session.execute(text("SELECT count(*) FROM search_docs")).scalar_one()
        assert fts_rows == 2970
        again = import_pack(session, blobs, corpus_path)
        assert again.counts["unchanged"] == 2970
        assert sum(again.counts.values()) == 2970
        session.close()
    finally:
        engine.dispose()
