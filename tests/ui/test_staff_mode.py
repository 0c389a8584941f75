"""Staff mode driven offscreen through the real shell: the PIN pad, the lockout that survives a restart,
printing a blank form into the demo's file printer, a staff-assisted application, and the staff lists
checked with qtmodeltester."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPointF
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_wizard_driver import KioskDriver, kiosk_fixture, wait_until

from kiosk.applications.validation import resident_id_check_digit
from ui.vm_application import ApplyWizard
from ui.vm_staff import StaffMode

pytestmark = pytest.mark.slow

DEMO_PIN = "246810"  # the demo configuration's staff PIN (assets/demo/terminal.toml)


@pytest.fixture
def kiosk(qapp: Any, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from kiosk_fixture(tmp_path, tmp_path_factory)


def staff(d: KioskDriver) -> Any:
    return d.app.engine.singletonInstance("Kiosk.Backend", "StaffMode")


def enter_pin(d: KioskDriver, pin: str) -> None:
    for digit in pin:
        d.tap(f"staffKey-{digit}")
    assert staff(d).property("pinLength") == len(pin)
    d.tap("staffPinSubmit")
    wait_until(lambda: not staff(d).property("checking"), 10, "the PIN check")


def test_wrong_pins_lock_staff_mode_and_the_lockout_survives_a_restart(kiosk: Any) -> None:
    limits = {"max_failures": 3, "lockout_s": 300}
    d = kiosk("staff", staff=limits)
    for attempt in range(3):
        enter_pin(d, "1111")
        if attempt < 2:
            assert d.text("staffPinMessage") == "密码不正确，请重新输入"
    message = d.text("staffPinMessage")
    assert message.startswith("密码错误次数过多，已锁定。请 ")
    assert "4 分 59 秒" in message or "5 分 0 秒" in message
    assert not d.item("staffKey-1").property("enabled")
    assert staff(d).property("unlocked") is False

    d = kiosk("staff", staff=limits)  # the terminal restarts: still locked, even for the right PIN
    wait_until(lambda: staff(d).property("lockedSeconds") > 250, 5, "the persisted lockout")
    assert "已锁定" in d.text("staffPinMessage")
    staff(d).pressDigit("2")  # a locked pad takes no digits
    assert staff(d).property("pinLength") == 0


def test_staff_prints_forms_and_a_test_page_into_the_file_printers(kiosk: Any) -> None:
    d = kiosk("staff")
    enter_pin(d, DEMO_PIN)
    assert staff(d).property("unlocked") is True
    d.tap("staffPrintBlank")
    wait_until(lambda: d.text("staffMessage") == "空白申请表已发送打印", 20, "the form to print")
    pdfs = list((d.app.config.data_dir / "printouts" / "a4").glob("*.pdf"))
    assert len(pdfs) == 1
    assert pdfs[0].read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdfs[0]), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "政府信息公开申请表" in text
    fonts = subprocess.run(["pdffonts", str(pdfs[0])], capture_output=True, text=True, check=True).stdout
    assert "NotoSansSC" in fonts and " yes " in fonts

    # the queue lists the job as done
    wait_until(lambda: staff(d).property("printJobs").property("count") >= 1, 10, "the print queue")
    jobs = staff(d).property("printJobs").rows()
    assert (jobs[0].job_state, jobs[0].title) == ("done", "申请表 空白申请表")
    shown = d.text(f"staffJobState-{jobs[0].job_id}")
    assert "演示A4打印机" in shown and shown.endswith("已完成")

    d.tap("staffPrintSample")
    wait_until(lambda: d.text("staffMessage") == "填写样表已发送打印", 20, "the sample to print")
    pdfs = sorted((d.app.config.data_dir / "printouts" / "a4").glob("*.pdf"))
    assert len(pdfs) == 2
    wait_until(lambda: not staff(d).property("busy"), 10, "the staff screen to settle")
    d.tap("staffTestPage-receipt")
    wait_until(lambda: d.text("staffMessage") == "测试页已打印", 20, "the test page")
    pages = list((d.app.config.data_dir / "printouts" / "receipt").glob("*.bin"))
    assert len(pages) == 1 and "打印机测试页".encode("gb18030") in pages[0].read_bytes()


def test_staff_assisted_application_records_proxy_filing(kiosk: Any) -> None:
    d = kiosk("staff")
    enter_pin(d, DEMO_PIN)
    d.tap("staffProxyApply")
    wizard = d.app.engine.singletonInstance("Kiosk.Backend", "ApplyWizard")
    wait_until(lambda: d.find("applyWizardPage") and wizard.property("proxy"), 5, "the wizard in staff mode")
    d.tap("applyKindCitizen")
    body = "43130219700101002"
    for key, value in {
        "applicant.name": "赵六",
        "applicant.id_number": body + resident_id_check_digit(body),
        "applicant.phone": "13700001234",
        "applicant.address": "娄星区万宝镇幸福村3组",
        "request.description": "幸福村2025年村级财务公开情况",
    }.items():
        wizard.setValue(key, value)
    for _ in range(3):
        d.tap("applyNext")
    d.tap("applyConsent")
    d.tap("applyPledge")
    d.tap("applySubmit")
    assert "工号" in d.text("applyError-proxy.staff_id"), "staff filing needs the staff member's number"
    wizard.setValue("proxy.staff_id", "0731")
    d.tap("applySubmit")
    wait_until(lambda: wizard.property("trackingNumber"), 10, "the tracking number")

    from kiosk.applications.records import ApplicationRecord
    from kiosk.db import make_engine

    engine = make_engine(d.app.config.db_path)
    with Session(engine) as s:
        payload = json.loads(s.scalars(select(ApplicationRecord.payload)).one() or "{}")
    engine.dispose()
    assert payload["proxy"] == {"kind": "staff", "staff_id": "0731", "agent_name": "", "agent_phone": "", "note": ""}


def test_staff_lists_pass_the_model_tester(qtmodeltester: Any) -> None:
    from ui.ports import PrinterRow, PrintJobRow, RecentApplication
    from ui.vm_staff import PrintersModel, PrintJobsModel, RecentApplicationsModel

    recent = RecentApplicationsModel()
    recent.set_rows(
        [
            RecentApplication("WB01-20261127-0001", "张*", "11-27 10:30", False),
            RecentApplication("WB01-20261127-0002", "（已送达）", "11-27 10:45", True),
        ]
    )
    jobs = PrintJobsModel()
    jobs.set_rows([PrintJobRow("1", "回执", "小票", "failed", "打印机缺纸", "11-27 10:31", True)])
    printers = PrintersModel()
    printers.set_rows([PrinterRow("A4", "a4", "file", "ok", "打印机就绪")])
    for model in (recent, jobs, printers):
        qtmodeltester.check(model, force_py=True)
    assert recent.roleNames()[int(recent.Role.TRACKING_NO)] == b"trackingNo"
    assert recent.data(recent.index(1, 0), int(recent.Role.DELIVERED)) is True


def test_failed_receipt_is_shown_with_its_reason_and_reprinted_by_staff(kiosk: Any, tmp_path: Path) -> None:
    import dataclasses

    from kiosk.config import demo_config

    blocker = tmp_path / "cable-unplugged"
    blocker.write_text("a file where the receipt printer's folder should be")
    folder = blocker / "receipts"
    printers = tuple(
        dataclasses.replace(p, target=str(folder)) if p.role == "receipt" else p
        for p in demo_config(tmp_path / "terminal").printers
    )
    d = kiosk("wizard", printers=printers)
    wizard = d.app.engine.singletonInstance("Kiosk.Backend", "ApplyWizard")
    wizard.chooseKind(ApplyWizard.Kind.Citizen)
    body = "43130219900202002"
    for key, value in {
        "applicant.name": "孙八",
        "applicant.id_number": body + resident_id_check_digit(body),
        "applicant.phone": "13600001234",
        "applicant.address": "万宝镇新街5号",
        "request.description": "万宝镇2025年惠民补贴发放名单",
        "consent_personal_data": True,
        "pledge_accepted": True,
    }.items():
        wizard.setValue(key, value)
    for _ in range(4):
        wizard.next()
    d.tap("applySubmit")
    wait_until(lambda: wizard.property("receiptState") == ApplyWizard.Receipt.Failed, 15, "the receipt to fail")
    tracking = wizard.property("trackingNumber")

    d = kiosk("staff", printers=printers)  # staff come over; the terminal was restarted meanwhile
    blocker.unlink()  # … and plug the printer back in
    enter_pin(d, DEMO_PIN)
    jobs = staff(d).property("printJobs")
    wait_until(lambda: jobs.property("count") >= 1, 10, "the print queue")
    failed = jobs.rows()[0]
    assert (failed.job_state, failed.title, failed.reprintable) == ("failed", f"回执 {tracking}", True)
    assert "无法连接打印机" in d.text(f"staffJobState-{failed.job_id}")

    d.tap(f"staffReprintJob-{failed.job_id}")
    wait_until(lambda: d.text("staffMessage") == "已重新打印", 20, "the reprint")
    assert len(list(folder.glob("*.bin"))) == 1
    wait_until(lambda: jobs.rows() and jobs.rows()[0].job_state == "done", 10, "the queue to refresh")
    assert d.find(f"staffReprintJob-{failed.job_id}") is None, "a reprinted job offers no second reprint"

    d.tap(f"staffReprint-{tracking}")  # and one more copy from the recent applications
    wait_until(lambda: d.text("staffMessage") == "回执已重新打印", 20, "the receipt reprint")
    receipts = list(folder.glob("*.bin"))
    assert len(receipts) == 2 and all(tracking.encode() in r.read_bytes() for r in receipts)


def test_leaving_kiosk_mode_needs_the_pin_and_a_confirmation(kiosk: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.app import KioskApp

    # The composition root ends the event loop (QCoreApplication.exit): in the test process that would make
    # every later nested wait return at once, and the next screen tests never see their home screen ready.
    exits: list[int] = []
    monkeypatch.setattr(KioskApp, "leave", lambda self: exits.append(0))
    d = kiosk("staff")
    left: list[bool] = []
    staff(d).leavingKiosk.connect(lambda: left.append(True))
    staff(d).leaveKiosk()  # not unlocked: nothing happens
    assert left == []
    enter_pin(d, DEMO_PIN)
    d.tap("staffLeaveKiosk")
    d.item("staffLeaveConfirm")  # the dialog is up
    d.tap("staffLeaveCancel")
    wait_until(lambda: d.find("staffLeaveConfirm") is None, 5, "the dialog to close")
    assert left == []
    d.tap("staffLeaveKiosk")
    d.tap("staffLeaveConfirm")
    assert left == [True]
    assert exits == [0], "the composition root is asked to leave kiosk mode"


def test_sync_now_asks_the_running_sync_loop_for_a_run(kiosk: Any, tmp_path: Path) -> None:
    import socket

    from sync.protocol.signing import generate

    with socket.socket() as s:  # a district server that is down: each run fails fast and says so
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    _private, public = generate(tmp_path / "district-key")
    d = kiosk("staff", server={"url": f"http://127.0.0.1:{port}", "token": "t", "trust_key": str(public)})
    loop = d.app.sync_loop
    assert loop is not None
    d.app.start_background()
    wait_until(lambda: loop.runs >= 1, 20, "the loop's first run at start")
    runs = loop.runs
    enter_pin(d, DEMO_PIN)
    shown: list[int] = []
    staff(d).syncChanged.connect(lambda: shown.append(staff(d).property("syncState")))
    d.tap("staffSyncNow")
    wait_until(lambda: loop.runs == runs + 1, 20, "the loop to run on request")
    wait_until(
        lambda: staff(d).property("syncState") == StaffMode.Sync.Failed, 10, "the run's outcome on the staff screen"
    )
    assert d.text("staffMessage") == "同步失败（同步出错）"
    assert StaffMode.Sync.Syncing in shown and shown[-1] == StaffMode.Sync.Failed, shown
    assert loop.runs == runs + 1, "one run: staff's request did not start a second sync beside the loop"


def test_staff_reprint_a_receipt_after_the_application_was_delivered(kiosk: Any, tmp_path: Path) -> None:
    """The server has it and the personal data has left the terminal: the receipt can still be
    reprinted (补打), without the ID number and the phone."""
    import dataclasses

    from kiosk import outbox
    from kiosk.applications import service
    from kiosk.config import demo_config
    from kiosk.db import make_engine

    folder = tmp_path / "receipts"
    printers = tuple(
        dataclasses.replace(p, target=str(folder)) if p.role == "receipt" else p
        for p in demo_config(tmp_path / "terminal").printers
    )
    d = kiosk("wizard", printers=printers)
    wizard = d.app.engine.singletonInstance("Kiosk.Backend", "ApplyWizard")
    wizard.chooseKind(ApplyWizard.Kind.Citizen)
    body = "43130219900202002"
    id_number = body + resident_id_check_digit(body)
    for key, value in {
        "applicant.name": "王\U00020001",
        "applicant.id_number": id_number,
        "applicant.phone": "13600001234",
        "applicant.address": "万宝镇新街5号",
        "request.description": "万宝镇2025年惠民补贴发放名单",
        "consent_personal_data": True,
        "pledge_accepted": True,
    }.items():
        wizard.setValue(key, value)
    for _ in range(4):
        wizard.next()
    d.tap("applySubmit")
    wait_until(lambda: wizard.property("receiptState") == ApplyWizard.Receipt.Printed, 15, "the receipt")
    tracking = wizard.property("trackingNumber")

    engine = make_engine(d.app.config.db_path)  # the server acknowledges it; the purge runs
    with Session(engine) as s:
        entry = s.scalars(select(outbox.OutboxEntry).where(outbox.OutboxEntry.kind == "application")).one()
        outbox.mark_acked(entry, {"status": "received"})
        s.commit()
        assert service.purge_delivered(s) == 1
    engine.dispose()

    d = kiosk("staff", printers=printers)
    enter_pin(d, DEMO_PIN)
    recent = staff(d).property("recentApplications")
    wait_until(lambda: recent.property("count") >= 1, 10, "the recent applications")
    row = recent.rows()[0]
    assert (row.tracking_no, row.delivered, row.reprintable) == (tracking, True, True)
    before = set(folder.glob("*.bin"))
    d.tap(f"staffReprint-{tracking}")
    wait_until(lambda: d.text("staffMessage") == "回执已重新打印", 20, "the receipt reprint")
    (reprint,) = set(folder.glob("*.bin")) - before
    data = reprint.read_bytes()
    assert tracking.encode() in data
    assert "（补打）".encode("gb18030") in data
    assert id_number[-4:].encode() not in data and b"1234" not in data.replace(tracking.encode(), b"")
    assert "王*".encode("gb18030") in data, "the reprint names the applicant masked: the full name left with the rest"


def test_the_staff_screen_speaks_chinese_and_keeps_leaving_apart(kiosk: Any, tmp_path: Path) -> None:
    """No configuration key or document id on the staff screen; 退出终端程序 is red, far from 刷新状态."""
    d = kiosk("staff")
    printing = d.app.printing.get(30)
    a4 = next(p.name for p in d.app.config.printers if p.role == "a4")
    printing.submit(a4, b"%PDF-1.4 test", content_type="pdf", kind="document", label="louxing-2026-dibao-banfa")
    enter_pin(d, DEMO_PIN)
    staff(d).refresh()
    wait_until(lambda: any("最低生活保障" in t for t in _texts(d)), 10, "the document job listed by its title")
    texts = _texts(d)
    assert not [t for t in texts if "terminal." in t or "print_pages" in t or "louxing-" in t], texts
    refresh, leave = d.item("staffRefresh"), d.item("staffLeaveKiosk")
    gap = leave.mapToScene(QPointF(0, 0)).y() - refresh.mapToScene(QPointF(0, refresh.height())).y()
    assert gap >= 1.5 * refresh.height(), f"退出终端程序 is {gap:.0f} px below 刷新状态"
    assert leave.property("tone") == "danger"
    shots = Path(os.environ.get("KIOSK_SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    d.window.grabWindow().save(str(shots / "staff-unlocked.png"))


def _texts(d: KioskDriver) -> list[str]:
    """Every visible text of the page on top (labels and buttons; not the keyboard's keys)."""
    out = []
    for item in d.find_all_in(d.window.property("currentPage")):
        meta = item.metaObject()
        if item.isVisible() and meta.indexOfProperty("textFormat") >= 0 and meta.indexOfProperty("font") >= 0:
            out.append(str(item.property("text")))
    return out


def test_holding_the_seal_shows_a_ring_filling_for_three_seconds(kiosk: Any, tmp_path: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from test_wizard_driver import settle

    d = kiosk("")
    seal = d.item("staffSeal")
    centre = seal.mapToScene(QPointF(seal.width() / 2, seal.height() / 2)).toPoint()
    ring = d.find("staffSealRing", visible=False)
    assert ring is not None and not ring.isVisible()
    QTest.mousePress(d.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
    settle(1500)
    assert ring.isVisible() and 0.3 < ring.property("progress") < 0.8, ring.property("progress")
    shots = Path(os.environ.get("KIOSK_SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    d.window.grabWindow().copy(0, 0, 400, 200).save(str(shots / "staff-seal-held.png"))
    QTest.mouseRelease(d.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
    settle(100)
    assert not ring.isVisible(), "let go early: the ring goes and nothing opens"
    assert d.window.property("currentPage").objectName() == "homePage"

    QTest.mousePress(d.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
    wait_until(lambda: d.window.property("currentPage").objectName() == "staffPage", 6, "the staff page after 3 s")
    QTest.mouseRelease(d.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
