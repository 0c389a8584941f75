"""The application as the resident gave it, as the console and the case file show it: every code as its
Chinese label (personal data: callers log the view)."""

from __future__ import annotations

from typing import Any

from kiosk.applications.model import ApplicantKind, Delivery, IdType, Medium


def _label(enum: Any, code: Any) -> str:
    try:
        return str(enum(code).label)
    except ValueError:
        return str(code)


def applicant_facts(app_json: dict[str, Any]) -> list[tuple[str, Any]]:
    """The application as the resident gave it, every code as its Chinese label (personal data)."""
    a = app_json.get("applicant") or {}
    r = app_json.get("request") or {}
    org = a.get("kind") == "organisation"
    id_type = _label(IdType, a.get("id_type", "resident_id"))
    if a.get("id_type") == "other" and a.get("id_type_other"):
        id_type += f"（{a.get('id_type_other')}）"
    return [
        ("申请人类型", _label(ApplicantKind, a.get("kind", "citizen"))),
        ("单位名称" if org else "姓名", a.get("name")),
        ("证件类型", id_type),
        ("证件号码", a.get("id_number")),
        ("工作单位", a.get("employer")),
        ("法定代表人或者主要负责人", a.get("legal_representative")),
        ("联系人", a.get("contact_person")),
        ("联系电话", a.get("phone")),
        ("通信地址", a.get("address")),
        ("邮政编码", a.get("postcode")),
        ("电子邮箱", a.get("email")),
        ("传真", a.get("fax")),
        ("所需信息", r.get("description")),
        ("文号", r.get("doc_number")),
        ("用途", r.get("purpose")),
        ("载体形式", "、".join(_label(Medium, m) for m in app_json.get("media") or [])),
        ("获取方式", "、".join(_label(Delivery, d) for d in app_json.get("delivery") or [])),
    ]
