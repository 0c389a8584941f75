"""The application as the touch-screen form holds it (the documented JSON form, with empty fields left
in) turned into the core's :class:`~kiosk.applications.model.Application`.

The wizard and staff's proxy filing send this form; :func:`kiosk.applications.validation.validate`
then says, field by field, what is missing or wrong.
"""

from __future__ import annotations

from typing import Any

from kiosk.applications.model import (
    Applicant,
    ApplicantKind,
    Application,
    Delivery,
    IdType,
    Medium,
    Proxy,
    ProxyKind,
    RequestedInfo,
)


def application_from_wizard(data: dict[str, Any]) -> Application:
    """The core's :class:`~kiosk.applications.model.Application` built from the wizard's JSON form.

    Built field by field (not through ``from_json``) so that an empty required field reaches
    :func:`kiosk.applications.validation.validate`, whose messages say what to fill in."""
    a = data["applicant"]
    proxy = data.get("proxy")
    return Application(
        applicant=Applicant(
            kind=ApplicantKind(a["kind"]),
            name=a.get("name", ""),
            id_type=IdType(a["id_type"]),
            id_number=a.get("id_number", ""),
            phone=a.get("phone", ""),
            address=a.get("address", ""),
            employer=a.get("employer", ""),
            legal_representative=a.get("legal_representative", ""),
            contact_person=a.get("contact_person", ""),
            postcode=a.get("postcode", ""),
            email=a.get("email", ""),
        ),
        request=RequestedInfo(**data["request"]),
        media=tuple(Medium(m) for m in data["media"]),
        delivery=tuple(Delivery(d) for d in data["delivery"]),
        proxy=Proxy(kind=ProxyKind.STAFF, staff_id=proxy["staff_id"], note=proxy["note"]) if proxy else None,
        pledge_accepted=data["pledge_accepted"],
        consent_personal_data=data["consent_personal_data"],
    )
