"""The Qt-free parts behind the wizard and staff view-models: the wizard's values in the core's JSON form,
the steps' fields, and the staff lockout persisted in the terminal's kv table (real SQLite, real scrypt)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from kiosk.applications.form import application_from_wizard
from kiosk.applications.validation import uscc_check_char, validate
from kiosk.errors import ValidationError
from kiosk.staff import StaffGate, hash_pin
from kiosk.staff_lockout import check_pin_persisted, seconds_locked
from ui.vm_application import KIND, blank_values, fields_of_step, to_application_json


def test_an_organisation_becomes_the_core_application_with_proxy_filing() -> None:
    values = blank_values()
    code17 = "91431302MA4L00001"
    values.update(
        {
            KIND: "organisation",
            "applicant.name": "娄底市某某农业合作社",
            "applicant.id_number": (code17 + uscc_check_char(code17)).lower(),
            "applicant.legal_representative": "王五",
            "applicant.contact_person": "赵六",
            "applicant.employer": "typed before switching kind",
            "applicant.phone": "0738-8321234",
            "applicant.address": " 万宝镇农业园1号 ",
            "request.description": "2025年农业补贴发放标准",
            "media": ["paper", "email"],
            "delivery": ["email"],
            "applicant.email": "coop@example.com",
            "consent_personal_data": True,
            "pledge_accepted": True,
            "proxy.staff_id": "0731",
            "proxy.note": "申请人书写困难",
        }
    )
    data = to_application_json(values, proxy=True)
    assert data["applicant"]["id_type"] == "uscc"
    assert data["applicant"]["employer"] == "", "a field of the other kind never travels"
    assert data["applicant"]["address"] == "万宝镇农业园1号"
    assert data["proxy"] == {"kind": "staff", "staff_id": "0731", "note": "申请人书写困难"}
    app = validate(application_from_wizard(data))
    assert app.applicant.id_number == code17 + uscc_check_char(code17)
    assert [m.value for m in app.media] == ["paper", "email"]


def test_empty_required_fields_get_the_cores_messages_keyed_like_the_fields() -> None:
    values = blank_values()
    values[KIND] = "citizen"
    with pytest.raises(ValidationError) as err:
        validate(application_from_wizard(to_application_json(values, proxy=True)))
    errors = err.value.errors
    step_fields = {f for step in range(5) for f in fields_of_step(step, "citizen", proxy=True)}
    assert set(errors) <= step_fields, f"errors the wizard could not show: {set(errors) - step_fields}"
    assert errors["applicant.name"] == "请填写姓名"
    assert errors["proxy.staff_id"] == "工作人员代为填写时请填写工号"


def test_a_lockout_is_persisted_and_survives_a_new_gate(engine: Any) -> None:
    session = Session(engine)
    pin_hash = hash_pin("246810", salt=b"0123456789abcdef")
    gate = StaffGate(pin_hash, max_failures=2, lockout_s=600)
    assert not check_pin_persisted(session, gate, "111111")
    assert gate.failures == 1
    assert not check_pin_persisted(session, gate, "222222")
    assert gate.failures == 0 and seconds_locked(session, gate) > 590

    restarted = StaffGate(pin_hash, max_failures=2, lockout_s=600)
    assert not check_pin_persisted(session, restarted, "246810"), "the right PIN is refused while locked"
    assert seconds_locked(session, restarted) > 590
