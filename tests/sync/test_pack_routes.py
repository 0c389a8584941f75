"""Publishing a content pack from the console, through the real server: the upload only previews (new,
amended with the categories it drops, unchanged — nothing changes), the pack waits server-side under its
sha256, 确认发布 publishes it without a second upload, and an amendment that drops categories needs the
tick as the command line needs ``--yes``; a bad pack shows its lines and publishes nothing."""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import time
from pathlib import Path

import chromium
from adminlogin import PASSWORD, csrf_token, login, make_account, submit_and_wait
from synchelpers import CATEGORIES, ZONES, doc, mirror_docs

from sync.client import sync_once
from sync.server.db import FeedDoc, sessions
from sync.server.office.pack_routes import STALE_S, pending_dir, pending_pack

PAGE = "/admin/office/documents"


def _pack(lines: list[dict[str, object]]) -> bytes:
    return ("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n").encode()


def _versions(server) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with sessions(server.engine)() as s:
        return {d.id: d.version for d in s.query(FeedDoc) if d.op == "put"}


def test_upload_previews_then_confirm_publishes(server, data_dir) -> None:  # type: ignore[no-untyped-def]
    server.publish_lines([*ZONES, *CATEGORIES, doc(1, categories=["policy"]), doc(2, categories=["policy"])])
    cfg = server.terminal(data_dir)
    assert sync_once(cfg).error is None
    before = _versions(server)
    office = login(server.url, server.engine, "wang.office", ("office",))
    assert "从内容包发布" in office.get(PAGE).text
    data = _pack([doc(1, title="同一编号的另一份文件"), doc(2, categories=["policy"]), doc(3)])
    sha = hashlib.sha256(data).hexdigest()
    token = csrf_token(office, PAGE)
    shown = office.post(f"{PAGE}/pack", data={"csrf": token}, files={"pack": ("corpus.jsonl", data)})
    assert shown.status_code == 200, shown.text
    text = html.unescape(shown.text)
    assert "新增 1 件" in text and "修订 1 件" in text and "未变 1 件" in text and "尚未发布" in text
    assert "1 件修订会删除已有分类" in text and ">政策文件</td>" in text and "标题改变" in text
    assert "policy" not in text  # the category by its Chinese name only
    assert "doc-00003 测试文件第3号关于低保金发放的通知" in text and f"action='{PAGE}/pack/{sha}'" in text
    assert (pending_pack(sha)).read_bytes() == data, "kept server-side under its sha256"
    assert _versions(server) == before, "the preview changes nothing"

    # 确认发布 without the tick for the dropped categories: refused, still nothing published
    refused = office.post(f"{PAGE}/pack/{sha}", data={"csrf": token})
    assert refused.status_code == 400 and "请勾选确认" in refused.text and _versions(server) == before
    # without the session's CSRF token: refused
    assert office.post(f"{PAGE}/pack/{sha}", data={"csrf": "stale", "drops": "yes"}).status_code == 403
    done = office.post(f"{PAGE}/pack/{sha}", data={"csrf": token, "drops": "yes"})
    assert done.status_code == 200, done.text
    assert "已发布：新增 1 件，修订 1 件，未变 1 件" in done.text
    after = _versions(server)
    assert after["doc-00001"] == before["doc-00001"] + 1 and after["doc-00002"] == before["doc-00002"]
    assert "doc-00003" in after and not (pending_pack(sha)).exists()
    assert sync_once(cfg).error is None
    assert "doc-00003" in mirror_docs(cfg.db_path)
    # confirming again (the pack is gone): a page saying so, nothing published twice
    again = office.post(f"{PAGE}/pack/{sha}", data={"csrf": token, "drops": "yes"})
    assert again.status_code == 404 and "请重新上传" in again.text and _versions(server) == after
    assert office.post(f"{PAGE}/pack/{'../' * 3}etc", data={"csrf": token}).status_code in (404, 405)


def test_unconfirmed_uploads_are_swept_after_a_day(server) -> None:  # type: ignore[no-untyped-def]
    server.publish_lines([*ZONES, *CATEGORIES])
    office = login(server.url, server.engine, "wang.office", ("office",))
    token = csrf_token(office, PAGE)
    old, fresh = _pack([doc(8)]), _pack([doc(9)])
    for data in (old, fresh):
        assert office.post(f"{PAGE}/pack", data={"csrf": token}, files={"pack": ("p.jsonl", data)}).status_code == 200
    stale = pending_pack(hashlib.sha256(old).hexdigest()).parent
    past = time.time() - STALE_S - 60
    os.utime(stale, (past, past))
    assert office.post(f"{PAGE}/pack", data={"csrf": token}, files={"pack": ("q.jsonl", _pack([doc(10)]))}).is_success
    assert not stale.exists() and pending_pack(hashlib.sha256(fresh).hexdigest()).exists()
    assert stale.parent == pending_dir()


def test_bad_pack_lists_its_lines_and_publishes_nothing(server) -> None:  # type: ignore[no-untyped-def]
    server.publish_lines([*ZONES, *CATEGORIES])
    office = login(server.url, server.engine, "wang.office", ("office",))
    token = csrf_token(office, PAGE)
    data = _pack([doc(7), {"id": "bad-1", "title": "错误专区", "zone": "nowhere", "body": "正文"}])
    data += b"not json\n"
    r = office.post(f"{PAGE}/pack", data={"csrf": token}, files={"pack": ("bad.jsonl", data)})
    assert r.status_code == 400 and "内容包有错误，未发布任何内容" in r.text and "第 3 行" in r.text
    assert "确认发布" not in r.text and "doc-00007" not in _versions(server)
    empty = office.post(f"{PAGE}/pack", data={"csrf": token}, files={"pack": ("e.jsonl", b"")})
    assert empty.status_code == 400 and "请选择内容包文件" in empty.text


def _reasons(page: str) -> list[str]:
    return [html.unescape(li) for li in re.findall(r"<li>(.*?)</li>", page)]


def test_bad_packs_line_reasons_are_chinese_on_the_console(server) -> None:  # type: ignore[no-untyped-def]
    """The clerk reads why each line was refused in Chinese: the field by its meaning with its key, what is
    wrong and what is expected, with the line's own values kept as they were."""
    server.publish_lines([*ZONES, *CATEGORIES])
    office = login(server.url, server.engine, "wang.office", ("office",))
    token = csrf_token(office, PAGE)
    lines: list[dict[str, object]] = [
        doc(1),
        {**doc(2), "title": ""},
        {**doc(3), "published": "2026/12/01"},
        {**doc(4), "colour": "red"},
        doc(1),
    ]
    data = _pack(lines) + b'{"id": "x" "title": "t"}\n'
    r = office.post(f"{PAGE}/pack", data={"csrf": token}, files={"pack": ("bad.jsonl", data)})
    assert r.status_code == 400 and "内容包有错误，未发布任何内容" in r.text
    assert _reasons(r.text) == [
        "第 2 行：标题（title）为空",
        "第 3 行：发布日期（published）应写成 YYYY-MM-DD 的实有日期，不是 '2026/12/01'",
        "第 4 行：不认识的字段：colour（字段名是否拼错？）",
        "第 5 行：文件编号（id）doc-00001 与第 1 行重复",
        "第 6 行：不是有效的 JSON：第 12 列缺少逗号（,）",
    ]
    # a pack whose lines are well formed but name a zone and a category the district does not have
    data = _pack([doc(7, zone="nowhere"), doc(8, categories=["policy", "nosuch"])])
    r = office.post(f"{PAGE}/pack", data={"csrf": token}, files={"pack": ("codes.jsonl", data)})
    assert r.status_code == 400
    nowhere = "服务器上没有，本次也未一并发布；请改用已有的代码，或先发布它"
    assert _reasons(r.text) == [
        f"第 1 行：文件 doc-00007：没有这个专区（zone）'nowhere'，{nowhere}",
        f"第 2 行：文件 doc-00008：没有这些分类（categories）nosuch，{nowhere}",
    ]
    assert not re.search(r"unknown|missing|must be|repeats", r.text), "no English reason reaches the clerk"
    assert not {"doc-00001", "doc-00007"} & set(_versions(server))


def test_preview_on_a_phone_shows_every_column_in_chromium(server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """At 390 px the amendments table is a block of labelled lines per amendment: the categories it would
    drop are on screen, not scrolled out to the right (they were, in a sideways-scrolling table)."""
    from selenium.webdriver.common.by import By

    chromium.require()
    server.publish_lines([*ZONES, *CATEGORIES, doc(1, categories=["policy"])])
    make_account(server.engine, "wang.office", ("office",))
    pack = tmp_path / "冬季通知.jsonl"
    pack.write_bytes(_pack([doc(1, title="万宝镇2026年冬季供暖通知（修订，第三稿，标题很长需要换行）")]))
    drv = chromium.start(tmp_path / "profile", size=(1366, 900), load_timeout=30)
    try:
        drv.set_window_size(390, 844)  # a phone (a window opened at 390 px comes up 500 px wide)
        drv.get(f"{server.url}{PAGE}")
        drv.find_element(By.ID, "username").send_keys("wang.office")
        drv.find_element(By.ID, "password").send_keys(PASSWORD)
        submit_and_wait(drv, drv.find_element(By.CSS_SELECTOR, "button[type=submit]"), 20)
        drv.find_element(By.NAME, "pack").send_keys(str(pack))
        submit_and_wait(drv, drv.find_element(By.CSS_SELECTOR, "form[action$='/pack'] button[type=submit]"), 20)
        out = Path(__file__).resolve().parents[1] / ".artifacts" / "office"
        out.mkdir(parents=True, exist_ok=True)
        drv.save_screenshot(str(out / "pack-preview-390.png"))
        width = drv.execute_script("return window.innerWidth")
        assert width == 390
        assert drv.execute_script("return document.documentElement.scrollWidth") <= width, "no sideways scroll"
        cell = drv.find_element(By.CSS_SELECTOR, "td[data-label='将删除的分类']")
        assert cell.text == "政策文件" and cell.is_displayed()
        box = drv.execute_script("const r = arguments[0].getBoundingClientRect(); return [r.left, r.right]", cell)
        assert box[0] >= 0 and box[1] <= width, f"the dropped category is on screen: {box} within {width}"
        label = drv.execute_script("return getComputedStyle(arguments[0], '::before').content", cell)
        assert "将删除的分类" in label, label
        assert drv.find_element(By.CSS_SELECTOR, "table.stack thead").is_displayed() is False
        drv.set_window_size(1366, 900)  # on a desk the same table has its header row
        assert drv.find_element(By.CSS_SELECTOR, "table.stack thead").is_displayed()
    finally:
        drv.quit()
