"""The request bodies of the protocol (sync/protocol/requests.py): hostile and wrong-typed bodies refused by
the models and, over real HTTP, by the server with the right status and stable error code, the log naming
no value; what the terminal sends today (and older shapes the server always took) still accepted; the
OpenAPI document shows the models as the request bodies."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from synchelpers import submit_application

from kiosk.applications.model import (
    Applicant,
    ApplicantKind,
    Application,
    Delivery,
    IdType,
    Issued,
    Medium,
    RequestedInfo,
)
from sync.protocol import requests
from sync.server.__main__ import add_terminal
from sync.server.db import Submission, sessions

APP = {
    "tracking_no": "WB01-20261127-0007",
    "zone": "wanbao",
    "submitted_at": "2026-11-27T09:00:00+08:00",
    "applicant": {"name": "王五", "id_number": "11010519491231002X", "phone": "13700001111"},
    "request": {"description": "2026年财政预算"},
}
SECRET = "王五"


def _kiosk_application() -> dict[str, Any]:
    """An application exactly as the kiosk's applications service queues it (``Application.to_json``)."""
    import datetime as dt

    app = Application(
        applicant=Applicant(
            kind=ApplicantKind.CITIZEN,
            name=SECRET,
            id_type=IdType.RESIDENT_ID,
            id_number="11010519491231002X",
            phone="139 1234 5678",
            address="万宝街道1号",
        ),
        request=RequestedInfo(description="2025年度老旧小区改造资金使用情况"),
        media=(Medium.PAPER,),
        delivery=(Delivery.COLLECT,),
        pledge_accepted=True,
        consent_personal_data=True,
        issued=Issued(
            tracking_no="WB01-20261127-0001",
            zone_code="wanbao",
            terminal_id="wanbao-01",
            submitted_at=dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))),
            deadline=dt.date(2026, 12, 18),
            deadline_explanation="自收到申请之日起20个工作日内答复",
        ),
    )
    return app.to_json()


def _with(base: dict[str, Any], path: str, value: object) -> dict[str, Any]:
    out = json.loads(json.dumps(base))
    *parents, last = path.split(".")
    node = out
    for p in parents:
        node = node[p]
    node[last] = value
    return out


# (kind, body, status, code): every refusal a terminal can meet for a bad body
REFUSED: dict[str, tuple[str, object, int, str]] = {
    "application: a list, not an object": ("application", ["not", "an", "object"], 400, "malformed"),
    "application: a string": ("application", "WB-1", 400, "malformed"),
    "application: no tracking number": (
        "application",
        {k: v for k, v in APP.items() if k != "tracking_no"},
        422,
        "invalid",
    ),
    "application: tracking number is a number": ("application", _with(APP, "tracking_no", 20261127), 422, "invalid"),
    "application: tracking number malformed": ("application", _with(APP, "tracking_no", "WB 1; DROP"), 422, "invalid"),
    "application: submitted_at not a time": ("application", _with(APP, "submitted_at", "yesterday"), 422, "invalid"),
    "application: no phone": ("application", _with(APP, "applicant.phone", ""), 422, "invalid"),
    "application: phone is a number": ("application", _with(APP, "applicant.phone", 13700001111), 422, "invalid"),
    "application: name over 120 characters": ("application", _with(APP, "applicant.name", "王" * 121), 422, "invalid"),
    "application: NUL in the description": ("application", _with(APP, "request.description", "a\x00b"), 422, "invalid"),
    "application: pledge is 1, not true": ("application", _with(APP, "pledge_accepted", 1), 422, "invalid"),
    "application: unknown field": ("application", _with(APP, "password", "x"), 422, "invalid"),
    "application: a phone number as an unknown key": ("application", _with(APP, "13700001111", "王五"), 422, "invalid"),
    "application: unknown applicant field": ("application", _with(APP, "applicant.ssn", "x"), 422, "invalid"),
    "application: version true": ("application", _with(APP, "version", True), 422, "invalid"),
    "application: other zone": ("application", _with(APP, "zone", "hexi"), 403, "wrong_zone"),
    "rating: score 9": ("rating", {"score": 9}, 422, "invalid"),
    "rating: level true": ("rating", {"level": True}, 422, "invalid"),
    "rating: level 4.0": ("rating", {"level": 4.0}, 422, "invalid"),
    "rating: level '4'": ("rating", {"level": "4"}, 422, "invalid"),
    "rating: no level": ("rating", {"zone": "wanbao"}, 422, "invalid"),
    "rating: other zone": ("rating", {"zone": "hexi", "level": 4}, 403, "wrong_zone"),
    "rating: zone null": ("rating", {"zone": None, "level": 4}, 403, "wrong_zone"),
    "usage: no counters": ("usage", {"zone": "wanbao"}, 422, "invalid"),
    "usage: a counter true": ("usage", {"counters": {"session": True}}, 422, "invalid"),
    "usage: a counter negative": ("usage", {"counters": {"session": -1}}, 422, "invalid"),
    "usage: an event without time": ("usage", {"counters": {}, "events": [{"type": "session"}]}, 422, "invalid"),
    "usage: 501 events": (
        "usage",
        {"counters": {}, "events": [{"type": "session", "at": "2026-11-30T09:00:00+08:00"}] * 501},
        422,
        "invalid",
    ),
    "usage: not an object": ("usage", 7, 400, "malformed"),
    "heartbeat: mirror_seq true": ("heartbeat", {"version": "1", "mirror_seq": True}, 400, "malformed"),
    "heartbeat: free disk a string": ("heartbeat", {"version": "1", "free_disk_mb": "12"}, 400, "malformed"),
    "heartbeat: interval huge": ("heartbeat", {"sync_interval_s": 10**12}, 400, "malformed"),
    "heartbeat: failure count false": (
        "heartbeat",
        {
            "sync_failure": {
                "part": "feed",
                "code": "x",
                "text": "断网",
                "at": "2026-12-01T00:00:00Z",
                "in_a_row": False,
            }
        },
        400,
        "malformed",
    ),
    "heartbeat: other zone": ("heartbeat", {"zone": "hexi"}, 403, "wrong_zone"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_the_models_refuse_each_bad_body_naming_the_field_not_the_value(case: str) -> None:
    kind, body, status, _code = REFUSED[case]
    if status == 403:  # the zone is the server's check (it knows the terminal); the body itself is fine
        requests.parse(requests.SUBMISSION_MODELS[kind], body)
        return
    with pytest.raises(requests.RequestRefused) as refused:
        requests.parse(requests.SUBMISSION_MODELS[kind], body)
    assert refused.value.not_an_object == (status == 400 and not isinstance(body, dict))
    assert SECRET not in str(refused.value) and "13700001111" not in str(refused.value)


ACCEPTED: dict[str, tuple[str, object]] = {
    "application as the kiosk writes it": ("application", _kiosk_application()),
    "application in the older top-level shape": ("application", APP),
    "rating as the kiosk writes it": (
        "rating",
        {
            "level": 2,
            "label": "不满意",
            "terminal": "wanbao-01",
            "zone": "wanbao",
            "context": "",
            "at": "2026-11-15T02:00:00Z",
        },
    ),
    "rating with an older terminal's score": ("rating", {"score": 4}),
    "usage with events": (
        "usage",
        {
            "zone": "wanbao",
            "terminal": "wanbao-01",
            "visit": "3f9c",
            "started_at": "2026-11-30T09:12:03+08:00",
            "events": [
                {"type": "session", "at": "2026-11-30T09:12:03+08:00"},
                {"type": "search", "at": "2026-11-30T09:12:40+08:00", "hits": 0, "query": "低保"},
                {"type": "rating", "at": "2026-11-30T09:13:00+08:00", "level": 5},
            ],
            "counters": {"session": 1, "search": 1, "rating": 1},
        },
    ),
    "usage with an older terminal's counters only": ("usage", {"counters": {"sessions": 3}}),
    "heartbeat with a newer field the server does not know": ("heartbeat", {"version": "9", "battery": 80}),
}


@pytest.mark.parametrize("case", list(ACCEPTED))
def test_what_terminals_send_is_accepted(case: str) -> None:
    kind, body = ACCEPTED[case]
    requests.parse(requests.SUBMISSION_MODELS[kind], body)


def test_the_application_names_itself_from_issued_or_the_top_level() -> None:
    new = requests.parse(requests.ApplicationRequest, _kiosk_application())
    assert (new.tracking_number, new.zone_code, new.printed_deadline) == ("WB01-20261127-0001", "wanbao", "2026-12-18")
    assert new.phone_digits == "13912345678"
    old = requests.parse(requests.ApplicationRequest, APP)
    assert (old.tracking_number, old.zone_code, old.submitted) == (APP["tracking_no"], "wanbao", APP["submitted_at"])


def test_every_bad_body_is_refused_over_http_with_its_code_and_nothing_personal_is_logged(server, caplog) -> None:
    caplog.set_level(logging.INFO, logger="sync.server")
    server.ensure_zone("wanbao")
    _tid, token = add_terminal(server.db_url, "wanbao")
    c = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    wrong = {}
    for i, (case, (kind, body, status, code)) in enumerate(REFUSED.items()):
        r = c.post(
            f"/v1/submissions/{kind}",
            content=json.dumps(body, ensure_ascii=False).encode(),
            headers={"Idempotency-Key": f"k-{i}", "Content-Type": "application/json"},
        )
        got = (r.status_code, r.json().get("error"))
        if got != (status, code):
            wrong[case] = got
    assert wrong == {}
    for i, (case, (kind, body)) in enumerate(ACCEPTED.items()):
        if isinstance(body, dict) and body.get("zone", "wanbao") != "wanbao":
            continue
        r = c.post(f"/v1/submissions/{kind}", json=body, headers={"Idempotency-Key": f"ok-{i}"})
        assert r.status_code == 200, (case, r.text)
    lookups = {
        "no phone": ({"tracking_no": "WB-1"}, 400),
        "phone a number": ({"tracking_no": "WB-1", "phone": 13700001111}, 400),
        "tracking number over 40": ({"tracking_no": "W" * 41, "phone": "1"}, 400),
        "unknown field": ({"tracking_no": "WB-1", "phone": "1", "name": "x"}, 400),
        "a list": (["WB-1", "1"], 400),
        "well-formed, unknown": ({"tracking_no": "WB-1", "phone": "1"}, 404),
    }
    for case, (body, status) in lookups.items():
        r = c.post("/v1/applications/lookup", json=body)
        assert r.status_code == status, case
        assert r.json()["error"] == ("malformed" if status == 400 else "not_found"), case
    enrols = {"no code": {}, "code a number": {"code": 12345}, "code too long": {"code": "A" * 41}, "list": ["A"]}
    for case, body in enrols.items():
        r = httpx.post(f"{server.url}/v1/enrol", json=body)
        assert (r.status_code, r.json()["error"]) == (400, "malformed"), case
    assert SECRET not in caplog.text and "13700001111" not in caplog.text and "13912345678" not in caplog.text


def test_the_terminal_still_delivers_through_the_models(server, data_dir) -> None:
    from sync.client import sync_once

    cfg = server.terminal(data_dir)
    submit_application(cfg)
    report = sync_once(cfg)
    assert report.error is None and report.pushed == 1  # the application went, and the heartbeat after it


def test_the_terminal_keeps_an_entry_the_protocol_refuses_and_sends_the_rest(server, data_dir) -> None:
    from kiosk import outbox
    from kiosk.db import open_engine, session_factory
    from sync.client import sync_once

    cfg = server.terminal(data_dir)
    engine = open_engine(cfg.db_path)
    with session_factory(engine)() as s, s.begin():
        bad = outbox.enqueue(s, "rating", {"level": True, "zone": "wanbao"}).idempotency_key
        good = outbox.enqueue(s, "rating", {"level": 4, "zone": "wanbao"}).idempotency_key
    report = sync_once(cfg, engine=engine)
    with session_factory(engine)() as s:
        kept = s.query(outbox.OutboxEntry).filter_by(idempotency_key=bad).one()
        sent = s.query(outbox.OutboxEntry).filter_by(idempotency_key=good).one()
        assert kept.acked_at is None and kept.payload is not None and "level" in (kept.last_error or "")
        assert sent.acked_at is not None
    engine.dispose()
    assert report.pushed == 1 and any(f.code == "bad-entry" for f in report.failures)
    with sessions(server.engine)() as s:
        keys = set(s.scalars(select(Submission.idem_key).where(Submission.kind == "rating")))
    assert keys == {good}  # the refused one never left the terminal


def test_the_openapi_document_shows_the_request_models(server) -> None:
    spec = httpx.get(f"{server.url}/openapi.json").json()
    schemas = spec["components"]["schemas"]
    for model in requests.REQUEST_MODELS:
        assert model.__name__ in schemas, model.__name__
    assert schemas["RatingRequest"]["additionalProperties"] is False
    assert schemas["ApplicantPart"]["properties"]["name"]["maxLength"] == 120

    def body(path: str) -> dict[str, Any]:
        return spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]

    submission = {ref["$ref"].rsplit("/", 1)[1] for ref in body("/v1/submissions/{kind}")["oneOf"]}
    assert submission == {"ApplicationRequest", "RatingRequest", "UsageRequest", "HeartbeatRequest"}
    assert body("/v1/applications/lookup")["$ref"].endswith("/LookupRequest")
    assert body("/v1/enrol")["$ref"].endswith("/EnrolRequest")
    docs = httpx.get(f"{server.url}/docs")
    assert docs.status_code == 200 and "/openapi.json" in docs.text


def test_a_lookup_the_protocol_cannot_carry_is_not_found_without_asking(server, data_dir) -> None:
    import dataclasses

    from sync.client import lookup_application
    from sync.http import StatusError

    cfg = server.terminal(data_dir)
    offline = dataclasses.replace(cfg, server=dataclasses.replace(cfg.server, url="https://127.0.0.1:9"))
    with pytest.raises(StatusError) as not_found:
        lookup_application(offline, "W" * 41, "13700001111")  # nothing listens on port 9: no request made
    assert not_found.value.status == 404
