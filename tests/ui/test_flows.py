"""The resident's flows through the real shell, offscreen, by objectName with real taps.

home → category → document → attachment → back; search typed in pinyin on the embedded keyboard;
a repealed document's badge and its jump to the replacement; the idle countdown wiping a half-typed
field; the large-text mode; the portrait layout; a rating reaching the outbox.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import shiboken6
from sqlalchemy import select
from test_wizard_driver import KioskDriver
from uishell import Shell

from kiosk.db import make_engine, session_factory
from kiosk.outbox import OutboxEntry

pytestmark = pytest.mark.slow


def row_with_title(shell: Shell, prefix: str, title: str) -> Any:
    for item in shell.find_all(prefix):
        if item.property("docTitle") == title:
            return item
    return None


def test_home_category_document_attachment_and_back(shell: Shell) -> None:
    shell.tap("typeTile-type-banshi-zhinan")
    page = shell.wait_page("categoryPage")
    assert page.property("categoryName") == "办事指南"
    shell.wait(lambda: row_with_title(shell, "docRow-", "最低生活保障申请办事指南"))
    shell.tap(row_with_title(shell, "docRow-", "最低生活保障申请办事指南"))
    doc = shell.wait_page("documentPage")
    assert shell.find("docTitle").property("text") == "最低生活保障申请办事指南"
    assert "娄星区民政局" in shell.find("docMeta").property("text")
    assert not shell.find("statusBanner").isVisible(), "a document in force shows no warning banner"
    shell.tap("attachmentButton-0")
    att = shell.wait_page("attachmentPage")
    assert att.property("pageCount") >= 1
    assert not shell.find("pdfPrev").isEnabled()
    shell.tap("pdfZoomIn")
    shell.tap("backButton")
    assert shell.wait_page("documentPage") is doc
    shell.tap("backButton")
    shell.wait_page("categoryPage")
    shell.tap("homeButton")
    shell.wait_page("homePage")


def test_repealed_document_shows_badge_and_jumps_to_replacement(shell: Shell) -> None:
    shell.window.openRoute("document", {"docId": "louxing-2021-dibao-banfa"})
    shell.wait_page("documentPage")
    banner = shell.find("statusBanner")
    assert banner.isVisible()
    assert "已废止" in shell.find("statusBannerText").property("text")
    assert shell.find("docStatusChip").property("label") == "已废止"
    shell.tap("replacementButton")
    shell.wait(lambda: shell.page.property("docId") == "louxing-2026-dibao-banfa" and shell.page.property("ready"))
    assert not shell.in_page("statusBanner").property("visible")
    assert shell.in_page("docStatusChip").property("label") == "现行有效"
    assert "政策解读" in shell.in_page("interpretationButton-0").property("text"), "the new measure links to its 解读"


def test_search_typed_in_pinyin_on_the_virtual_keyboard(shell: Shell) -> None:
    shell.tap("homeSearch")
    shell.wait_page("searchPage")
    driver = KioskDriver(shell.app)
    shell.wait(lambda: shell.window.property("keyboardUp"))  # the keyboard comes up by itself
    driver.wait_keyboard()
    field = shell.find("searchField")
    panel = shell.find("inputPanel")
    field_bottom = field.mapToScene(field.boundingRect().bottomLeft()).y()
    assert field_bottom <= panel.y(), "the field being typed into is never behind the keyboard"
    driver.type_pinyin("zhengwu", "政务")
    assert field.property("text") == "政务"
    shell.wait(lambda: shell.find_all("result-"))
    assert "找到" in shell.find("resultCount").property("text")
    first = shell.find_all("result-")[0]
    assert "政务" in first.property("docTitle") + first.property("snippet")


def test_search_with_nothing_found_suggests_what_to_try(shell: Shell) -> None:
    shell.window.openRoute("search", {"initialQuery": "qqqxyzzy"})
    shell.wait_page("searchPage")
    shell.wait(lambda: shell.has("noResults"))
    assert shell.find("noResultsApply").isVisible()


def test_a_touch_anywhere_restarts_the_idle_clock(shell: Shell) -> None:
    idle = shell.singleton("Idle")
    idle._last -= 40  # the resident has been reading for 40 s
    shell.wait(lambda: idle.property("secondsLeft") <= idle.property("timeout") - 39)
    shell.tap("typeTile-type-zhengce-wenjian")
    shell.wait_page("categoryPage")  # the tap still reached the tile under the activity handler
    assert idle.property("secondsLeft") >= idle.property("timeout") - 1


def test_idle_countdown_then_home_with_half_typed_field_wiped(shell: Shell) -> None:
    shell.tap("homeSearch")
    shell.wait_page("searchPage")
    field = shell.find("searchField")
    field.setProperty("text", "最低生活")
    search_vm = next(c for c in shell.page.children() if c.metaObject().className().startswith("SearchModel"))
    shell.wait(lambda: search_vm.property("query") == "最低生活")
    search_vm.commit()
    idle = shell.singleton("Idle")
    idle._last -= idle.property("timeout") - 5  # as if the resident walked away 85 s ago
    shell.wait(lambda: shell.find("idleOverlay").isVisible(), 3000)
    assert "秒后将返回首页" in shell.find("idleSeconds").property("text")
    idle.expireNow()
    shell.wait_page("homePage")
    assert shell.find("attractScreen").isVisible()
    assert not shiboken6.isValid(field) or field.property("text") == "", "the half-typed field is gone or empty"
    assert shell.app.services.visit.visits_ended == 1, "the visit ended and its wipe callbacks ran"
    if shiboken6.isValid(search_vm):  # the screen may already be destroyed, taking its data with it
        assert search_vm.property("query") == "" and search_vm.property("recent") == []
    shell.tap("attractTap")
    assert not shell.find("attractScreen").isVisible()
    shell.tap("homeSearch")
    shell.wait_page("searchPage")
    assert shell.find("searchField").property("text") == ""


def test_large_text_mode_one_tap_away(shell: Shell) -> None:
    tile = shell.find("typeTile-type-zhengce-wenjian")
    before = tile.height()
    shell.tap("largeTextButton")
    shell.wait(lambda: tile.height() > before * 1.2)
    assert shell.find("largeTextButton").property("text") == "标准字体"
    shell.window.openRoute("document", {"docId": "louxing-guide-dibao"})
    shell.wait_page("documentPage")
    assert shell.find("docTitle").property("font").pixelSize() >= 50
    shell.tap("largeTextButton")
    shell.wait(lambda: shell.find("docTitle").property("font").pixelSize() < 50)


def test_touch_targets_are_big_enough(shell: Shell) -> None:
    kinds = ("KioskButton", "Tile")
    buttons = [i for i in shell.items() if i.isVisible() and i.metaObject().className().startswith(kinds)]
    assert len(buttons) > 20
    small = [(b.objectName(), b.height()) for b in buttons if b.height() < 72]
    assert not small


def test_portrait_layout_fits_the_screen(make_shell: Any) -> None:
    shell = make_shell(1080, 1920)
    tiles = shell.find_all("typeTile-")
    assert len(tiles) == 10
    for t in tiles:
        left = t.mapToScene(t.boundingRect().topLeft())
        assert left.x() >= 0 and left.x() + t.width() <= 1080
    assert len({round(t.mapToScene(t.boundingRect().topLeft()).x()) for t in tiles}) == 2, "two columns"
    shell.window.openRoute("document", {"docId": "louxing-guide-dibao"})
    shell.wait_page("documentPage")
    title = shell.find("docTitle")
    assert title.mapToScene(title.boundingRect().topLeft()).x() >= 0
    assert title.width() <= 1080


def test_rating_goes_to_the_outbox(shell: Shell) -> None:
    shell.tap("footerRatingButton")
    shell.wait_page("ratingPage")
    shell.tap("rate-4")
    shell.wait(lambda: "已记录" in shell.find("ratingOutcome").property("text"))
    engine = make_engine(shell.app.config.db_path)
    with session_factory(engine)() as s:
        entries = [e for e in s.scalars(select(OutboxEntry).where(OutboxEntry.kind == "rating"))]
    engine.dispose()
    assert entries and json.loads(entries[-1].payload)["label"] == "满意"


def test_print_a_document_on_the_a4_printer(shell: Shell) -> None:
    shell.window.openRoute("document", {"docId": "louxing-guide-dibao"})
    shell.wait_page("documentPage")
    shell.tap("printButton")
    shell.wait(lambda: shell.has("printConfirmYes"), 30_000)  # even one page is asked, with its count
    pages = shell.page.property("printPages")
    assert pages >= 1 and f"本文件共 {pages} 页" in shell.find("printConfirmText").property("text")
    assert not list((shell.app.config.data_dir / "printouts" / "a4").glob("*")), "nothing printed before the yes"
    shell.tap("printConfirmYes")
    shell.wait(lambda: "已发送到打印机" in shell.in_page("printStatus").property("text"), 30_000)
    printed = list((shell.app.config.data_dir / "printouts" / "a4").glob("*"))
    assert printed and printed[0].read_bytes().startswith(b"%PDF")


def test_a_document_page_answers_only_to_its_own_print_request(shell: Shell) -> None:
    # A resident who leaves a document while its PDF is being made and starts printing another must be
    # offered (and print) the second one: the answers to the first request are not this page's.
    shell.window.openRoute("document", {"docId": "louxing-guide-dibao"})
    shell.wait_page("documentPage")
    jobs = shell.app.engine.singletonInstance("Kiosk.Backend", "PrintJobs")
    shell.page.setProperty("printState", "preparing")
    shell.page.setProperty("printJob", "mine")
    jobs.prepared.emit("another", 999)  # a page gone meanwhile asked for this one
    jobs.printFailed.emit("another", "无法连接打印机")
    shell.app.qapp.processEvents()
    assert shell.page.property("printState") == "preparing" and shell.page.property("printPages") != 999
    shell.page.setProperty("printState", "")
    shell.tap("printButton")  # its own request: offered with its own page count
    shell.wait(lambda: shell.has("printConfirmYes"), 30_000)
    key = shell.page.property("printJob")
    assert key not in ("mine", "another") and shell.page.property("printPages") < 999
    shell.tap("printConfirmNo")


def test_pages_beyond_the_visit_allowance_are_not_printed(make_shell: Any, demo_cfg: Any) -> None:
    import dataclasses

    cap = 1
    cfg = dataclasses.replace(demo_cfg, terminal=dataclasses.replace(demo_cfg.terminal, print_pages_per_visit=cap))
    shell = make_shell(cfg=cfg)
    out = shell.app.config.data_dir / "printouts" / "a4"
    before = set(out.glob("*")) if out.exists() else set()
    engine = make_engine(shell.app.config.db_path)
    with engine.connect() as conn:
        long_id = conn.exec_driver_sql("SELECT id FROM documents ORDER BY length(body) DESC LIMIT 1").scalar()
    engine.dispose()
    shell.window.openRoute("document", {"docId": long_id})
    shell.wait_page("documentPage")
    shell.tap("printButton")
    shell.wait(lambda: shell.page.property("printState") == "capped", 30_000)
    text = shell.in_page("printStatus").property("text")
    assert f"每位居民每次可打印的 {cap} 页" in text and not shell.has("printConfirmYes")
    assert (set(out.glob("*")) if out.exists() else set()) == before


def test_long_document_asks_before_printing(shell: Shell) -> None:
    engine = make_engine(shell.app.config.db_path)
    with engine.connect() as conn:
        long_id = conn.exec_driver_sql("SELECT id FROM documents ORDER BY length(body) DESC LIMIT 1").scalar()
    engine.dispose()
    shell.window.openRoute("document", {"docId": long_id})
    shell.wait_page("documentPage")
    shell.tap("printButton")
    shell.wait(lambda: shell.has("printConfirmNo"), 30_000)
    assert "页" in shell.in_page("printStatus").property("text")
    shell.tap("printConfirmNo")
    shell.wait(lambda: not shell.has("printConfirmNo"))
    assert not shell.in_page("printStatus").property("visible")


def test_printer_problem_tells_the_resident_to_contact_staff(make_shell: Any, demo_cfg: Any) -> None:
    import dataclasses

    from kiosk.config import PrinterConfig

    broken = PrinterConfig(name="坏的A4打印机", role="a4", kind="tcp", target="127.0.0.1:9")
    cfg = dataclasses.replace(demo_cfg, printers=(broken,))
    shell = make_shell(cfg=cfg)
    shell.window.openRoute("document", {"docId": "louxing-guide-dibao"})
    shell.wait_page("documentPage")
    shell.tap("printButton")
    shell.wait(lambda: shell.has("printConfirmYes"), 30_000)
    shell.tap("printConfirmYes")
    shell.wait(lambda: "请联系工作人员" in shell.in_page("printStatus").property("text"), 60_000)
    text = shell.in_page("printStatus").property("text")
    # the reason in plain words (an ESC/POS printer given a PDF: 打印机不支持此文件), never the code
    assert re.fullmatch(r"打印机故障，请联系工作人员（[^A-Za-z（）]+）", text), text


def test_header_says_when_content_may_be_out_of_date(make_shell: Any, demo_cfg: Any) -> None:
    import dataclasses

    shell = make_shell()
    assert "内容更新于" in shell.find("lastUpdated").property("text")
    assert "内容可能不是最新" not in shell.find("lastUpdated").property("text"), "no server: nothing to be behind"
    with_server = dataclasses.replace(
        demo_cfg,
        server=dataclasses.replace(demo_cfg.server, url="https://127.0.0.1:9", token="t", trust_key="district.pem"),
    )
    shell = make_shell(cfg=with_server)
    shell.wait(lambda: "内容可能不是最新" in shell.find("lastUpdated").property("text"))


def test_qr_code_carries_the_public_address(shell: Shell, tmp_path: Any) -> None:
    import subprocess

    from PySide6.QtCore import QPointF

    shell.window.openRoute("document", {"docId": "louxing-yijianshi-xinshenger"})
    shell.wait_page("documentPage")
    qr = shell.in_page("qrImage")
    shell.wait(lambda: qr.property("loaded"))
    shell.qtbot.wait(200)
    top_left = qr.mapToScene(QPointF(0, 0)).toPoint()
    shot = shell.window.grabWindow().copy(
        top_left.x() - 20, top_left.y() - 20, int(qr.width()) + 40, int(qr.height()) + 40
    )
    png = tmp_path / "qr.png"
    assert shot.save(str(png))
    decoded = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True, check=False)
    assert decoded.stdout.strip() == "https://yijianshi.demo.invalid/louxing/xinshenger-chusheng"


def test_search_filters_narrow_the_results(shell: Shell) -> None:
    shell.window.openRoute("search", {"initialQuery": "低保"})
    shell.wait_page("searchPage")
    shell.wait(lambda: "找到" in shell.in_page("resultCount").property("text"))
    before = shell.in_page("resultCount").property("text")
    shell.tap(shell.in_page("searchCategoryFilter"))
    shell.wait(lambda: shell.has("choice-4"))
    shell.tap("choice-4")  # 全部类别, 政府公报, 政府工作报告, 政府信息公开条例, 政策文件
    shell.wait(lambda: shell.in_page("searchCategoryFilter").property("valueText") == "政策文件")
    shell.wait(lambda: shell.in_page("resultCount").property("text") != before)
    for row in shell.find_all("result-", shell.page):
        assert row.property("docTitle")


def test_explainer_opens_the_wizard_and_the_status_lookup(shell: Shell) -> None:
    shell.tap("footerApplyButton")
    shell.wait_page("disclosureInfoPage")
    shell.tap(shell.in_page("startWizardButton"))
    shell.wait(lambda: shell.page.objectName() == "applyWizardPage")
    shell.tap("backButton")
    shell.wait_page("disclosureInfoPage")
    shell.tap(shell.in_page("openStatusButton"))
    shell.wait(lambda: shell.page.objectName() == "statusLookupPage")


def test_staff_mode_opens_only_by_holding_the_header_seal(shell: Shell) -> None:
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtTest import QTest

    seal = shell.find("staffSeal")
    centre = seal.mapToScene(QPointF(seal.width() / 2, seal.height() / 2)).toPoint()
    assert seal.width() >= 72, "the seal is big enough to find with a finger"
    shell.tap(seal)  # a resident's tap does nothing
    shell.qtbot.wait(300)
    assert shell.page.objectName() == "homePage"
    QTest.mousePress(shell.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
    shell.qtbot.wait(3400)
    QTest.mouseRelease(shell.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
    shell.wait_page("staffPage")
    assert shell.find("staffPinDots").isVisible(), "staff mode starts at its PIN pad"
