"""Nothing is cut: every field the validation allows, at its maximum length, comes back whole from
``pdftotext`` (on the form or, whole, on its 附页), for a citizen and for an organisation."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from datetime import date, datetime

import pytest

from kiosk.applications.model import (
    Applicant,
    ApplicantKind,
    Application,
    Delivery,
    IdType,
    Issued,
    Medium,
    Proxy,
    ProxyKind,
    RequestedInfo,
)
from kiosk.applications.validation import MAX_LEN, validate
from printing.forms import MORE, build_form


def pdftotext(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True)
    return re.sub(r"\s+", "", out.stdout.decode())


def filler(n: int, seed: str) -> str:
    """``n`` characters of varied Chinese with punctuation, brackets and digits, starting with ``seed``."""
    base = seed + "（第一部分）关于《某某条例》实施情况的说明、2025年度资金安排；附件3份。"
    return (base * (n // len(base) + 1))[:n]


ISSUED = Issued(
    tracking_no="WB01-20260213-0001",
    zone_code="wanbao",
    terminal_id="t1",
    submitted_at=datetime(2026, 2, 13, 10, 30),
    deadline=date(2026, 3, 13),
    deadline_explanation="自收到申请之日起20个工作日",
)


def longest(kind: ApplicantKind) -> Application:
    email = "a" * (MAX_LEN["applicant.email"] - len("@example-mail.com")) + "@example-mail.com"
    citizen = kind is ApplicantKind.CITIZEN
    app = Application(
        applicant=Applicant(
            kind=kind,
            name=filler(MAX_LEN["applicant.name"], "阿卜杜热合曼·买买提"),
            id_type=IdType.RESIDENT_ID if citizen else IdType.OTHER,
            id_type_other="" if citizen else filler(MAX_LEN["applicant.id_type_other"], "事业单位法人证书"),
            id_number="11010519491231002X" if citizen else "X" * MAX_LEN["applicant.id_number"],
            employer=filler(MAX_LEN["applicant.employer"], "长沙市岳麓区") if citizen else "",
            legal_representative="" if citizen else filler(MAX_LEN["applicant.legal_representative"], "法人"),
            contact_person="" if citizen else filler(MAX_LEN["applicant.contact_person"], "联系人"),
            phone="0738-8123456-806",
            address=filler(MAX_LEN["applicant.address"], "湖南省娄底市"),
            postcode="417000",
            email=email,
            fax="0738-81234567-806000",  # the longest the landline check allows
        ),
        request=RequestedInfo(
            description=filler(MAX_LEN["request.description"], "请公开"),
            doc_number=filler(MAX_LEN["request.doc_number"], "娄星政发〔2025〕3号"),
            purpose=filler(MAX_LEN["request.purpose"], "了解"),
        ),
        media=(Medium.PAPER, Medium.EMAIL),
        delivery=(Delivery.EMAIL, Delivery.COLLECT),
        proxy=Proxy(
            kind=ProxyKind.STAFF,
            staff_id="S" * MAX_LEN["proxy.staff_id"],
            note=filler(MAX_LEN["proxy.note"], "申请人书写困难"),
        ),
        pledge_accepted=True,
        consent_personal_data=True,
    )
    return replace(app, issued=ISSUED)


def values(app: Application) -> dict[str, str]:
    a, r, p = app.applicant, app.request, app.proxy
    assert p is not None
    out = {
        "name": a.name,
        "id_number": a.id_number,
        "address": a.address,
        "email": a.email,
        "fax": a.fax,
        "phone": a.phone,
        "description": r.description,
        "doc_number": r.doc_number,
        "purpose": r.purpose,
        "proxy.note": p.note,
        "proxy.staff_id": p.staff_id,
    }
    if a.kind is ApplicantKind.CITIZEN:
        out["employer"] = a.employer
    else:
        out |= {"legal": a.legal_representative, "contact": a.contact_person, "id_type_other": a.id_type_other}
    return out


@pytest.mark.parametrize("kind", [ApplicantKind.CITIZEN, ApplicantKind.ORGANISATION])
def test_every_field_at_its_maximum_comes_back_whole(kind: ApplicantKind) -> None:
    app = longest(kind)
    for path, limit in MAX_LEN.items():  # the test uses the real limits: each field is at its maximum
        section, _, name = path.partition(".")
        obj = {"applicant": app.applicant, "request": app.request, "proxy": app.proxy}[section]
        value = getattr(obj, name, "")
        shaped = ("applicant.id_number", "applicant.fax", "proxy.agent_name")  # checked shapes, not free text
        assert len(value) in (0, limit) or path in shaped, path
    text = pdftotext(build_form("filled", app))
    for field, value in values(app).items():
        assert re.sub(r"\s+", "", value) in text, f"{field} ({len(value)} characters) was cut"
    assert MORE.strip("…") in text  # and the long ones say where the rest is


def test_the_longest_application_passes_validation_so_the_test_covers_what_residents_can_enter() -> None:
    app = longest(ApplicantKind.CITIZEN)
    validate(replace(app, issued=None), today=date(2026, 2, 13))


def test_the_a4_receipt_keeps_the_name_and_doc_number_whole_and_points_to_the_form_for_the_rest() -> None:
    from printing.pdf.receipt import SEE_FORM, build_receipt_pdf

    class Zone:
        name, address, hours, phone = "万宝镇政务公开专区", "万宝镇政府一楼", "周一至周五", "0738-8321234"

    app = longest(ApplicantKind.CITIZEN)
    text = pdftotext(build_receipt_pdf(app, Zone()))
    assert re.sub(r"\s+", "", app.applicant.name) in text
    assert re.sub(r"\s+", "", app.request.doc_number) in text
    assert SEE_FORM.strip("…") in text  # the 2,000-character description is shortened on the receipt
    assert "0738-***3456-***" in text  # the phone masked, extension included
