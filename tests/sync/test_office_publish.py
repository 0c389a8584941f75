"""Publishing from the office's console: new, amend (the earlier version kept), repeal, withdraw, with the
zone and categories from the district's lists, through the real server to a real terminal's mirror; an
unknown zone or category is refused by the console and by the command line alike."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from adminlogin import csrf_token, login
from synchelpers import CATEGORIES, ZONES, mirror_docs

from sync.client import sync_once
from sync.server.__main__ import main as server_main
from sync.server.db import FeedDoc, sessions
from sync.server.office.models import DocVersion


def test_command_line_refuses_unknown_codes(server, tmp_path: Path, capsys) -> None:
    server.publish_lines(ZONES + CATEGORIES)
    pack = tmp_path / "pack.jsonl"
    lines = [
        {"id": "ok-1", "title": "万宝镇通知", "zone": "wanbao", "categories": ["policy"], "body": "正文"},
        {"id": "bad-1", "title": "错误专区", "zone": "nowhere", "body": "正文"},
        {"id": "bad-2", "title": "错误类别", "categories": ["policy", "nosuch"], "body": "正文"},
    ]
    pack.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    assert server_main(["publish", "--db", server.db_url, str(pack)]) == 1
    out, err = capsys.readouterr()
    assert "新增" not in out  # no preview of a pack that will not be published
    assert "pack.jsonl:2: 文件 bad-1：没有这个专区（zone）'nowhere'，服务器上没有，本次也未一并发布" in err
    assert "pack.jsonl:3: 文件 bad-2：没有这些分类（categories）nosuch，" in err and "2 行有错；未发布任何内容" in err
    assert "unknown" not in err  # IT reads Chinese on the command line too
    with sessions(server.engine)() as s:
        assert s.get(FeedDoc, "ok-1") is None


def test_console_new_amend_repeal_withdraw_reach_the_terminal(server, data_dir: Path) -> None:
    server.publish_lines(ZONES + CATEGORIES)
    cfg = server.terminal(data_dir)
    office = login(server.url, server.engine, "wang.office", ("office",))
    page = office.get("/admin/office/documents")
    assert page.status_code == 200 and "万宝镇" in page.text and "政策文件" in page.text  # the real lists
    token = csrf_token(office, "/admin/office/documents")
    new = {
        "csrf": token,
        "id": "wb-2026-notice",
        "zone": "wanbao",
        "categories": ["policy"],
        "title": "万宝镇2026年冬季供暖通知",
        "issuer": "万宝镇人民政府",
        "published": "2026-11-30",
        "body": "第一稿",
    }
    r = office.post("/admin/office/documents", data=new)
    assert r.status_code == 303, r.text
    assert sync_once(cfg).error is None
    assert mirror_docs(cfg.db_path)["wb-2026-notice"][0] == 1
    # a tampered form naming a category the district does not have: refused, nothing published
    bad = dict(new, id="wb-bad", categories=["policy", "nosuch"])
    r = office.post("/admin/office/documents", data=bad)
    assert r.status_code == 400 and "没有这些分类（categories）nosuch" in html.unescape(r.text)
    assert "unknown" not in html.unescape(r.text)  # the clerk reads Chinese
    assert "value='wb-bad'" in r.text and "第一稿</textarea>" in r.text, "what was typed is kept"
    # amend: version 2 on the terminal, version 1 kept on the server
    amended = dict(new, body="第二稿：供暖时间调整为11月15日起")
    del amended["id"]
    r = office.post("/admin/office/documents/wb-2026-notice", data=amended)
    assert r.status_code == 303
    assert sync_once(cfg).error is None
    assert mirror_docs(cfg.db_path)["wb-2026-notice"][0] == 2
    with sessions(server.engine)() as s:
        old = s.query(DocVersion).filter(DocVersion.doc_id == "wb-2026-notice").one()
        assert old.version == 1 and old.replaced_by == "wang.office"
        assert json.loads(old.payload)["doc"]["body"] == "第一稿"
    detail = office.get("/admin/office/documents/wb-2026-notice").text
    assert "历史版本" in detail and re.search(r"<td>1</td><td>万宝镇2026年冬季供暖通知</td>", detail)
    # repeal, then withdraw
    r = office.post("/admin/office/documents/wb-2026-notice/repeal", data={"csrf": token, "by": ""})
    assert r.status_code == 400 and "请勾选确认" in r.text  # 废止 takes effect only when confirmed
    r = office.post("/admin/office/documents/wb-2026-notice/repeal", data={"csrf": token, "by": "", "confirm": "yes"})
    assert r.status_code == 303
    assert sync_once(cfg).error is None
    assert mirror_docs(cfg.db_path)["wb-2026-notice"][2] == "repealed"
    r = office.post("/admin/office/documents/wb-2026-notice/withdraw", data={"csrf": token})
    assert r.status_code == 400 and "请勾选确认" in r.text
    r = office.post("/admin/office/documents/wb-2026-notice/withdraw", data={"csrf": token, "confirm": "yes"})
    assert r.status_code == 303
    assert sync_once(cfg).error is None
    assert "wb-2026-notice" not in mirror_docs(cfg.db_path)


def test_console_attachments_reach_the_terminal_as_blobs(server, data_dir: Path) -> None:
    """A PDF uploaded with a new document is a blob in the feed, named by sha256 and size as a content pack's
    attachment is; the terminal fetches and verifies it; an amendment adds one and drops the other; a file
    over the cap is refused and nothing is published."""
    import hashlib
    import sqlite3

    from kiosk.mirror.blobs import BlobStore
    from sync.server.office.case_routes import MAX_FILE_BYTES

    root = Path(__file__).resolve().parents[2] / "assets" / "demo" / "attachments"
    manual, form_pdf = (root / "bianmin-fuwu-shouce.pdf").read_bytes(), (root / "dibao-shenqing-biao.pdf").read_bytes()
    server.publish_lines(ZONES + CATEGORIES)
    cfg = server.terminal(data_dir)
    office = login(server.url, server.engine, "wang.office", ("office",))
    token = csrf_token(office, "/admin/office/documents")
    new = {"csrf": token, "id": "wb-guide", "zone": "wanbao", "categories": ["policy"], "title": "便民服务手册"}
    r = office.post(
        "/admin/office/documents", data=new, files=[("files", ("便民服务手册.pdf", manual, "application/pdf"))]
    )
    assert r.status_code == 303, r.text
    page = office.get("/admin/office/documents/wb-guide").text
    link = "/admin/office/documents/wb-guide/attachments/" + hashlib.sha256(manual).hexdigest()
    assert f"<a href='{link}'>便民服务手册.pdf</a>（39 KB）" in page
    got = office.get(link)
    assert got.status_code == 200 and got.content == manual and got.headers["content-type"] == "application/pdf"
    assert office.get(link[:-4] + "0000").status_code == 404
    report = sync_once(cfg)
    assert report.error is None and report.blobs_fetched == 1
    sha = hashlib.sha256(manual).hexdigest()
    assert BlobStore(cfg.blob_dir).read_verified(sha) == manual
    con = sqlite3.connect(cfg.db_path)
    try:
        rows = con.execute("SELECT name, sha256, size, mime, present FROM attachments").fetchall()
    finally:
        con.close()
    assert rows == [("便民服务手册.pdf", sha, len(manual), "application/pdf", 1)]

    # amendment: add the application form, drop the manual
    amend = {"csrf": token, "zone": "wanbao", "categories": ["policy"], "title": "便民服务手册", "drop_attachment": sha}
    files = [("files", ("低保申请表.pdf", form_pdf, "application/pdf"))]
    assert office.post("/admin/office/documents/wb-guide", data=amend, files=files).status_code == 303
    assert sync_once(cfg).error is None
    sha2 = hashlib.sha256(form_pdf).hexdigest()
    assert BlobStore(cfg.blob_dir).read_verified(sha2) == form_pdf
    con = sqlite3.connect(cfg.db_path)
    try:
        assert con.execute("SELECT name, sha256, present FROM attachments").fetchall() == [("低保申请表.pdf", sha2, 1)]
    finally:
        con.close()

    # over the cap: refused, the typed title kept, nothing published
    big = b"%PDF-1.4\n" + b"0" * MAX_FILE_BYTES
    r = office.post(
        "/admin/office/documents",
        data=dict(new, id="wb-big", title="太大的附件"),
        files=[("files", ("大文件.pdf", big, "application/pdf"))],
    )
    assert r.status_code == 400 and "附件 大文件.pdf 超过 20 MB" in r.text and "太大的附件" in r.text
    with sessions(server.engine)() as s:
        assert s.get(FeedDoc, "wb-big") is None


def test_documents_page_form_on_top_search_and_pages(server) -> None:
    """The new-document form comes before the list; the list is paged (100 a page, newest first) with a
    count, and the search finds a title or an id across all pages."""
    from synchelpers import doc

    server.publish_lines([*ZONES, *CATEGORIES, *(doc(i) for i in range(1, 131))])
    office = login(server.url, server.engine, "wang.office", ("office",))
    first = office.get("/admin/office/documents").text
    assert first.index("发布新文件") < first.index("从内容包发布") < first.index("已发布文件（共 130 件）")
    assert "doc-00130" in first and "doc-00031'" in first and "doc-00030'" not in first
    assert "第 1 / 2 页" in first and "page=2" in first
    second = office.get("/admin/office/documents", params={"page": 2}).text
    assert "doc-00030'" in second and "doc-00001'" in second and "doc-00031'" not in second
    found = office.get("/admin/office/documents", params={"q": "第7号"}).text
    assert "已发布文件（共 1 件符合“第7号”）" in found and "doc-00007'" in found and "第 1 / 2 页" not in found
    assert "doc-00005'" in office.get("/admin/office/documents", params={"q": "doc-00005"}).text
