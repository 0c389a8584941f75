"""The 依申请公开 wizard driven offscreen through the real shell, by objectName, with real taps.

A citizen's application is typed in (the name in pinyin on the embedded virtual keyboard, digits with
key clicks), a bad ID number is refused next to its field, and submitting stores the application and
its outbox entry and prints the receipt into the demo's file printer. A failing receipt printer leaves
the application saved and the receipt queued; the idle timeout wipes a half-filled wizard. A Uyghur name
(right to left) starts at the left of its field and of its review line, like the Chinese answers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPointF
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_wizard_driver import KioskDriver, kiosk_fixture, settle, wait_until

from kiosk.applications.validation import resident_id_check_digit
from ui.vm_application import ApplyWizard

pytestmark = pytest.mark.slow

BODY17 = "43130219850612003"  # 湖南 娄底 娄星区, born 1985-06-12
GOOD_ID = BODY17 + resident_id_check_digit(BODY17)
BAD_ID = BODY17 + ("1" if GOOD_ID[-1] != "1" else "2")


@pytest.fixture
def kiosk(qapp: Any, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from kiosk_fixture(tmp_path, tmp_path_factory)


def type_digits(d: KioskDriver, field: str, digits: str) -> None:
    """Focus ``field`` with a tap (the kiosk's number pad opens) and tap ``digits`` on it."""
    d.tap(field)
    d.wait_keyboard()
    assert d.window.property("padUp"), f"{field} opens the number pad"
    item = d.item(field)
    bottom = item.mapToScene(QPointF(0, item.height())).y()
    assert bottom <= d.keyboard_top(), f"{field} is hidden behind the keyboard"
    item.setProperty("text", "")
    d.type_keys(digits)
    assert item.property("text") == digits


def wizard(d: KioskDriver) -> Any:
    return d.app.engine.singletonInstance("Kiosk.Backend", "ApplyWizard")


def fill_citizen(d: KioskDriver, id_number: str) -> None:
    d.tap("applyKindCitizen")
    assert d.text("applyStepLabel") == "步骤 2/5"
    d.tap("applyField-applicant.name")
    d.wait_keyboard()
    d.type_pinyin("zhangsan", "张三")
    assert d.text("applyField-applicant.name") == "张三"
    type_digits(d, "applyField-applicant.id_number", id_number)
    type_digits(d, "applyField-applicant.phone", "13812345678")
    type_digits(d, "applyField-applicant.postcode", "417000")
    d.hide_keyboard()
    wizard(d).setValue("applicant.address", "湖南省娄底市娄星区万宝镇幸福路8号")


def test_citizen_application_typed_validated_submitted_and_receipt_printed(kiosk: Any) -> None:
    d = kiosk("wizard")
    fill_citizen(d, BAD_ID)
    d.tap("applyNext")
    error = d.item("applyError-applicant.id_number")
    assert error.property("text") == "最后一位不对，请对照身份证核对"
    assert d.text("applyStepLabel") == "步骤 2/5", "a bad ID must keep the resident on the step"

    type_digits(d, "applyField-applicant.id_number", GOOD_ID)
    assert d.find("applyError-applicant.id_number") is None, "the error goes away once the field changes"
    assert d.find("applyNext") is None, "while typing the footer steps aside for the keyboard"
    assert d.text("applyStepCompact") == "步骤 2/5 · 申请人信息"
    d.hide_keyboard()
    d.tap("applyNext")
    assert d.text("applyStepLabel") == "步骤 3/5"
    wizard(d).setValue("request.description", "2025年万宝镇农村低保资金发放情况")
    d.tap("applyNext")
    assert d.text("applyStepLabel") == "步骤 4/5"
    d.tap("applyDelivery-post")  # collect is chosen already; add post
    d.tap("applyNext")
    assert d.text("applyStepLabel") == "步骤 5/5"
    d.tap("applySubmit")
    assert "请阅读并确认申请人承诺" in d.text("applyError-pledge_accepted")
    d.tap("applyConsent")
    d.tap("applyPledge")
    d.tap("applySubmit")

    tracking = wait_until(
        lambda: d.find("applyTrackingNumber") and d.text("applyTrackingNumber"), 10, "the tracking number"
    )
    assert tracking.startswith("WB")
    assert "工作日" in d.text("applyDeadlineExplanation")
    wait_until(lambda: wizard(d).property("receiptState") == ApplyWizard.Receipt.Printed, 10, "the receipt printed")
    assert "回执已打印" in d.text("applyReceiptState")

    cfg = d.app.config
    from kiosk.applications.records import ApplicationRecord
    from kiosk.db import make_engine
    from kiosk.outbox import OutboxEntry

    engine = make_engine(cfg.db_path)
    with Session(engine) as s:
        record = s.scalars(select(ApplicationRecord)).one()
        entry = s.scalars(select(OutboxEntry).where(OutboxEntry.kind == "application")).one()
    engine.dispose()
    assert record.tracking_no == tracking
    assert entry.idempotency_key == record.outbox_key
    payload = json.loads(entry.payload or "{}")
    assert payload["applicant"]["name"] == "张三"
    assert payload["applicant"]["id_number"] == GOOD_ID
    assert payload["delivery"] == ["collect", "post"]
    assert payload["proxy"] is None
    receipts = list((cfg.data_dir / "printouts" / "receipt").glob("*.bin"))
    assert len(receipts) == 1
    assert tracking.encode() in receipts[0].read_bytes()

    d.tap("applyDone")
    wait_until(lambda: d.find("applyWizardPage") is None, 5, "the wizard to close")
    assert wizard(d).property("values")["applicant.name"] == ""


def test_failed_receipt_printer_keeps_application_and_queues_receipt(kiosk: Any, tmp_path: Path) -> None:
    import dataclasses

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the printer's folder should be")
    from kiosk.config import demo_config

    base = demo_config(tmp_path / "terminal")
    printers = tuple(
        dataclasses.replace(p, target=str(blocker / "receipts")) if p.role == "receipt" else p for p in base.printers
    )
    d = kiosk("wizard", printers=printers)
    w = wizard(d)
    w.chooseKind(ApplyWizard.Kind.Citizen)
    for key, value in {
        "applicant.name": "李四",
        "applicant.id_number": GOOD_ID,
        "applicant.phone": "0738-8321234",
        "applicant.address": "娄星区万宝镇",
        "request.description": "万宝镇2025年财政预算执行情况",
    }.items():
        w.setValue(key, value)
    for _ in range(3):
        assert w.next()
    w.setValue("consent_personal_data", True)
    w.setValue("pledge_accepted", True)
    settle(50)
    d.tap("applySubmit")
    wait_until(lambda: w.property("receiptState") == ApplyWizard.Receipt.Failed, 10, "the receipt to fail")
    assert d.text("applyReceiptState") == "回执打印失败，请联系工作人员"
    tracking = d.text("applyTrackingNumber")
    assert tracking

    from kiosk.applications.records import ApplicationRecord
    from kiosk.db import make_engine
    from kiosk.printjobs import PrintJob

    engine = make_engine(d.app.config.db_path)
    with Session(engine) as s:
        assert s.scalars(select(ApplicationRecord.tracking_no)).one() == tracking
        job = s.scalars(select(PrintJob)).one()
    engine.dispose()
    assert (job.state, job.reason, job.kind) == ("failed", "unreachable", "receipt")
    assert job.payload and tracking.encode() in job.payload, "the failed receipt is kept for staff to reprint"


def test_idle_timeout_wipes_a_half_filled_wizard(kiosk: Any) -> None:
    d = kiosk("wizard")
    d.tap("applyKindCitizen")
    d.tap("applyField-applicant.name")
    d.wait_keyboard()
    d.type_pinyin("zhangsan", "张三")
    type_digits(d, "applyField-applicant.phone", "13900001111")
    w = wizard(d)
    assert w.property("values")["applicant.name"] == "张三"
    visit = d.app.services.visit
    assert any(name.startswith("apply-wizard-") for name in visit.registered)

    visit.end("staff")  # the visit session alone wipes the form, even with the page still open
    settle(50)
    assert w.property("values")["applicant.phone"] == ""
    assert w.property("step") == 0 and d.find("applyKindCitizen") is not None, "back to the first step"
    w.chooseKind(ApplyWizard.Kind.Citizen)
    w.setValue("applicant.name", "张三")

    d.app.engine.singletonInstance("Kiosk.Backend", "Idle").expireNow()
    wait_until(lambda: d.find("applyWizardPage") is None, 5, "home after the idle timeout")
    values = w.property("values")
    assert values["applicant.name"] == "" and values["applicant.phone"] == ""
    assert w.property("step") == 0


def test_errors_are_listed_for_an_organisation_and_key_into_fields(kiosk: Any) -> None:
    d = kiosk("wizard")
    d.tap("applyKindOrganisation")
    w = wizard(d)
    w.setValue("applicant.id_number", "91430100MA4L0000X0")
    d.tap("applyNext")
    assert d.text("applyStepLabel") == "步骤 2/5"
    errors = w.property("errors")
    assert {
        "applicant.name",
        "applicant.legal_representative",
        "applicant.contact_person",
        "applicant.phone",
        "applicant.address",
        "applicant.id_number",
    } <= set(errors)
    assert d.text("applyError-applicant.legal_representative") == errors["applicant.legal_representative"]


def test_an_id_ending_in_x_is_typed_on_the_numeric_pad_and_its_x_key(kiosk: Any) -> None:
    d = kiosk("wizard")
    d.tap("applyKindCitizen")
    type_digits(d, "applyField-applicant.id_number", "43130219850609008")
    d.tap_item(d.key("X"))
    assert d.text("applyField-applicant.id_number") == "43130219850609008X"
    assert wizard(d).property("values")["applicant.id_number"] == "43130219850609008X"
    assert d.keyboard_up(), "the X key keeps the field and its keyboard"
    d.hide_keyboard()
    d.tap("applyNext")
    assert d.find("applyError-applicant.id_number") is None  # the X check digit is accepted


def test_a_refused_step_scrolls_to_its_first_error(kiosk: Any) -> None:
    d = kiosk("wizard", size=(1080, 1920))
    d.window.setProperty("largeText", True)
    d.tap("applyKindCitizen")
    w = wizard(d)
    for key, value in {
        "applicant.name": "张三",
        "applicant.id_number": GOOD_ID,
        "applicant.phone": "13812345678",
        "applicant.address": "万宝镇",
        "applicant.email": "not-an-address",
    }.items():
        w.setValue(key, value)
    flick = d.item("applyFlick")
    flick.setProperty("contentY", 0)
    d.tap("applyNext")
    error = d.item("applyError-applicant.email")
    wait_until(lambda: float(flick.property("contentY")) > 0, 5, "the page to scroll to the error")
    top = error.mapToScene(QPointF(0, 0)).y()
    assert flick.mapToScene(QPointF(0, 0)).y() <= top <= flick.mapToScene(QPointF(0, flick.height())).y()


def test_a_revoked_terminal_tells_the_resident_and_keeps_nothing(kiosk: Any, tmp_path: Path) -> None:
    """The district revoked this terminal (a sync was refused): submitting says so in plain Chinese on the
    resident's screen, and neither the application nor its personal data is stored."""
    from kiosk.applications.records import ApplicationRecord
    from kiosk.db import make_engine
    from kiosk.mirror.store import kv_set
    from kiosk.sync_state import REVOKED_KEY

    d = kiosk("wizard")
    engine = make_engine(d.app.config.db_path)
    with Session(engine) as s:
        kv_set(s, REVOKED_KEY, "2026-12-07T02:00:00Z")
        s.commit()
    fill_citizen(d, GOOD_ID)
    d.tap("applyNext")
    wizard(d).setValue("request.description", "2025年万宝镇农村低保资金发放情况")
    d.tap("applyNext")
    d.tap("applyNext")
    d.tap("applyConsent")
    d.tap("applyPledge")
    d.tap("applySubmit")
    said = wait_until(lambda: d.find("applyGeneralError") and d.text("applyGeneralError"), 10, "the refusal")
    assert "本机已被区里停用" in said and "已提交的申请仍保存在本机" in said
    assert d.find("applyTrackingNumber") is None
    d.scroll_into_view(d.item("applyGeneralError"))
    d.window.grabWindow().save(str(tmp_path / "revoked.png"))
    with Session(engine) as s:
        assert s.scalars(select(ApplicationRecord)).all() == []
    engine.dispose()


def effective_alignment(item: Any) -> int:
    """The Qt.AlignmentFlag a Text or text field lays its text out with (Qt's natural alignment of
    right-to-left text is the right edge, unless the item sets its own)."""
    from PySide6.QtQml import QQmlEngine, QQmlExpression

    expression = QQmlExpression(QQmlEngine.contextForObject(item), item, "effectiveHorizontalAlignment")
    value, _undefined = expression.evaluate()
    return int(value)


def baseline_y(item: Any) -> float:
    return float(item.mapToScene(QPointF(0, float(item.property("baselineOffset")))).y())


UYGHUR = "ئابدۇرېھىم"  # Abdurehim, as a Uyghur name stands on the ID card (Arabic script, right to left)


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)], ids=["landscape", "portrait"])
def test_a_uyghur_name_starts_at_the_left_like_every_other_answer(kiosk: Any, size: tuple[int, int]) -> None:
    """A name in Arabic script reads right to left but sits where the Chinese answers sit: at the left of
    its field, beside its label on the review step, the labels of the review's rows level."""
    left = 0x1  # Qt.AlignLeft
    d = kiosk("wizard", size=size)
    w = wizard(d)
    w.chooseKind(ApplyWizard.Kind.Citizen)
    for key, value in {
        "applicant.name": UYGHUR,
        "applicant.id_number": GOOD_ID,
        "applicant.phone": "13812345678",
        "applicant.address": "娄星区万宝镇",
        "request.description": "万宝镇2025年财政预算执行情况",
    }.items():
        w.setValue(key, value)
    settle(100)
    field = d.item("applyField-applicant.name")
    assert field.property("text") == UYGHUR
    assert effective_alignment(field) == left, "the name starts at the field's left edge"
    assert effective_alignment(d.item("applyField-applicant.address")) == left

    for _ in range(3):
        assert w.next()
    settle(200)
    value = d.item("applyReview-1")
    assert value.property("text") == UYGHUR
    assert effective_alignment(value) == left, "the name stands beside its label, not at the cell's far edge"
    label = d.item("applyReviewLabel-1")
    assert label.property("text") == "姓名"
    assert abs(baseline_y(label) - baseline_y(value)) <= 1, "姓名 stands on the name's line"
    if size[0] > size[1]:  # two answers a row: 申请人类型 and 姓名 side by side, level
        assert abs(baseline_y(d.item("applyReviewLabel-0")) - baseline_y(label)) <= 1
        assert abs(baseline_y(d.item("applyReview-0")) - baseline_y(value)) <= 1
