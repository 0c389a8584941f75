"""The status lookup (申请进度查询) driven offscreen through the real shell: offline it says so plainly and
still shows what the terminal knows; a wrong phone number reveals nothing; typing goes through the
on-screen keyboard."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session
from test_wizard_driver import KioskDriver, kiosk_fixture, wait_until

from kiosk.applications.model import Applicant, ApplicantKind, Application, IdType, RequestedInfo
from kiosk.applications.validation import resident_id_check_digit
from ui.vm_status_lookup import StatusLookup

pytestmark = pytest.mark.slow

OFFLINE = "目前无法连接区政务公开办，请稍后再试或咨询工作人员"


@pytest.fixture
def kiosk(qapp: Any, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from kiosk_fixture(tmp_path, tmp_path_factory)


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def submit_here(d: KioskDriver, phone: str) -> str:
    """An application submitted at this terminal through the core; its tracking number."""
    from kiosk.applications import service
    from kiosk.applications.tracking import CHINA_TZ
    from kiosk.db import make_engine
    from kiosk.mirror.models import Zone

    body = "43130219851111002"
    app = Application(
        applicant=Applicant(
            kind=ApplicantKind.CITIZEN,
            name="陈七",
            id_type=IdType.RESIDENT_ID,
            id_number=body + resident_id_check_digit(body),
            phone=phone,
            address="万宝镇",
        ),
        request=RequestedInfo(description="万宝镇2025年道路建设项目招标公告"),
        pledge_accepted=True,
        consent_personal_data=True,
    )
    engine = make_engine(d.app.config.db_path)
    with Session(engine) as s:
        zone = s.get(Zone, d.app.config.terminal.zone)
        assert zone is not None
        issued = service.submit(
            s, app, zone=zone, terminal_id=d.app.config.terminal.id, now=datetime(2026, 11, 27, 10, 30, tzinfo=CHINA_TZ)
        )
    engine.dispose()
    return issued.tracking_no


def lookup(d: KioskDriver) -> Any:
    return d.app.engine.singletonInstance("Kiosk.Backend", "StatusLookup")


def type_phone(d: KioskDriver, phone: str) -> None:
    d.tap("statusPhoneField")
    d.wait_keyboard()
    d.type_keys(phone)
    assert d.text("statusPhoneField") == phone


def test_offline_lookup_says_so_and_shows_what_the_terminal_knows(kiosk: Any, tmp_path: Path) -> None:
    key = tmp_path / "district.pub"
    key.write_text("not used: the server is never reached")
    server = {
        "url": f"http://127.0.0.1:{closed_port()}",
        "token": "terminal-token",
        "trust_key": str(key),
        "timeout_s": 2.0,
    }
    d = kiosk("status", server=server)
    tracking = submit_here(d, "13912345678")

    lookup(d).setProperty("trackingNumber", tracking.lower())  # typed loosely: upper-cased by the screen
    assert d.text("statusTrackingField") == tracking
    type_phone(d, "13912345678")
    d.tap("statusQueryButton")
    wait_until(lambda: lookup(d).property("state") == StatusLookup.State.Done, 15, "the lookup")
    assert d.text("statusServerText") == OFFLINE
    local = d.text("statusLocalText")
    assert "该申请在本终端提交" in local and "正在等待发送" in local
    assert lookup(d).property("localDeadline") == "2026-12-25"


def test_wrong_phone_reveals_nothing_and_no_server_is_said_plainly(kiosk: Any) -> None:
    d = kiosk("status")  # the demo terminal has no server configured
    tracking = submit_here(d, "13912345678")
    lookup(d).setProperty("trackingNumber", tracking)
    type_phone(d, "13800000000")
    d.tap("statusQueryButton")
    wait_until(lambda: lookup(d).property("state") == StatusLookup.State.Done, 10, "the lookup")
    assert "本终端暂未接入区政务公开办" in d.text("statusServerText")
    assert d.text("statusLocalText") == "没有查到，请核对编号或询问工作人员"
    assert lookup(d).property("localSubmittedAt") == ""


def test_number_typed_without_hyphens_is_found_and_an_edit_clears_the_answer(kiosk: Any) -> None:
    d = kiosk("status")
    tracking = submit_here(d, "13912345678")
    d.tap("statusTrackingField")
    d.wait_keyboard()
    d.type_keys(tracking.replace("-", "").replace("0", "O", 1))  # no hyphens, an O for the first 0
    type_phone(d, "13912345678")
    d.tap("keyPadEnter")  # 下一项 on the last field: the lookup runs
    wait_until(lambda: lookup(d).property("state") == StatusLookup.State.Done, 15, "the lookup")
    assert "该申请在本终端提交" in d.text("statusLocalText")
    assert d.find("statusLocalCard") is not None

    d.tap("statusTrackingField")
    d.wait_keyboard()
    d.tap("keyPadBackspace")  # the number edited: the old answer goes at once
    assert lookup(d).property("state") == StatusLookup.State.Idle
    assert d.find("statusLocalCard") is None and d.find("statusServerCard") is None
    d.type_keys("9")
    d.tap("keyPadEnter")
    d.tap("keyPadEnter")
    wait_until(lambda: lookup(d).property("state") == StatusLookup.State.Done, 15, "the second lookup")
    assert d.text("statusLocalText") == "没有查到，请核对编号或询问工作人员"


def test_missing_input_is_asked_for(kiosk: Any) -> None:
    d = kiosk("status")
    d.tap("statusQueryButton")
    assert d.text("statusInputError") == "请输入回执上的受理编号"
    lookup(d).setProperty("trackingNumber", "WB01-20261127-0001")
    d.tap("statusQueryButton")
    assert d.text("statusInputError") == "请输入申请时填写的联系电话"


@pytest.fixture
def district(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The real reference district server (sync/) under uvicorn on a free loopback port."""
    import threading
    import time

    import uvicorn

    from sync.protocol import signing
    from sync.server.app import create_app
    from sync.server.db import open_db

    keys = tmp_path / "district-keys"
    signing.generate(keys)
    url = f"sqlite:///{tmp_path / 'district.db'}"
    engine = open_db(url)
    from kiosk.mirror.models import Zone
    from sync.server.db import sessions
    from sync.server.feed.publish import publish_records

    with sessions(engine)() as s, s.begin():  # terminals are registered in a zone the district has
        publish_records(s, [], [Zone(code="wanbao", name="万宝镇", kind="township", prefix="WB")])
    from sync.server.office import settings as office_settings

    with sessions(engine)() as s, s.begin():  # the office's notice settings, set once (notices need them)
        office_settings.save(
            s,
            {
                "number_prefix": "娄星政公开",
                "contact_person": "刘晓红",
                "contact_phone": "0738-8123456",
                "address": "娄星区政务服务中心",
                "review_body": "娄底市娄星区人民政府",
                "court": "娄底市娄星区人民法院",
            },
        )
    app = create_app(engine, signing.load_signer(keys))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the district server did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield {"url": f"http://127.0.0.1:{port}", "db_url": url, "public_key": keys / signing.PUBLIC_NAME}
    server.should_exit = True
    thread.join(10)
    engine.dispose()


def test_answer_from_the_district_after_the_application_was_delivered(kiosk: Any, district: dict[str, Any]) -> None:
    from sync.client import sync_once
    from sync.server.__main__ import add_terminal

    terminal_id, token = add_terminal(district["db_url"], "wanbao")
    d = kiosk(
        "status",
        terminal={"id": terminal_id},
        server={"url": district["url"], "token": token, "trust_key": str(district["public_key"])},
    )
    tracking = submit_here(d, "13912345678")
    report = sync_once(d.app.config)
    assert report.error is None and report.pushed == 1

    lookup(d).setProperty("trackingNumber", tracking)
    type_phone(d, "13912345678")
    d.tap("statusQueryButton")
    wait_until(lambda: lookup(d).property("state") == StatusLookup.State.Done, 15, "the lookup")
    assert lookup(d).property("serverState") == StatusLookup.Server.Answered
    assert d.text("statusServerText") == "已受理，正在办理"
    assert "答复期限：2026年12月25日（星期五）前（含当日）" in d.text("statusServerDates")
    assert d.text("statusLocalText") == "该申请在本终端提交，已送达区政务公开办"

    lookup(d).setProperty("phone", "")
    type_phone(d, "13900000000")  # the wrong phone: the district says nothing about the number
    d.hide_keyboard()
    d.tap("statusQueryButton")
    wait_until(lambda: lookup(d).property("state") == StatusLookup.State.Done, 15, "the second lookup")
    assert lookup(d).property("serverState") == StatusLookup.Server.NotFound
    assert d.text("statusServerText") == "区政务公开办暂未查到该申请，请核对受理编号和联系电话"
    assert d.text("statusLocalText") == "没有查到，请核对编号或询问工作人员", (
        "once delivered the terminal cannot check the phone, so it says nothing about the number"
    )


def test_the_districts_stage_dates_and_next_step_after_a_correction_request(
    kiosk: Any, district: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    from sync.client import sync_once
    from sync.server.__main__ import add_terminal
    from sync.server.__main__ import main as server_main

    terminal_id, token = add_terminal(district["db_url"], "wanbao")
    d = kiosk(
        "status",
        terminal={"id": terminal_id},
        server={"url": district["url"], "token": token, "trust_key": str(district["public_key"])},
    )
    tracking = submit_here(d, "13912345678")
    assert sync_once(d.app.config).error is None
    argv = ["case", "ask-correction", "--db", district["db_url"], tracking, "--by", "张三", "--on", "2026-11-30"]
    assert server_main([*argv, "--items", "请写明招标公告的项目名称", "--within", "10"]) == 0, capsys.readouterr()
    lookup(d).setProperty("trackingNumber", tracking)
    type_phone(d, "13912345678")
    d.tap("statusQueryButton")
    wait_until(lambda: lookup(d).property("state") == StatusLookup.State.Done, 15, "the lookup")
    assert d.text("statusServerText") == "需要补正申请内容"
    assert "受理时间：2026-11-27" in d.text("statusServerDates"), "the day it was handed in (Article 31)"
    details = d.text("statusServerDetails")
    assert "告知补正日期：2026-11-30" in details and "补正期限：2026-12-14" in details
    assert "补正" in d.text("statusServerNextStep") and "视为放弃申请" in d.text("statusServerNextStep")
    assert "答复期限" not in d.text("statusServerDates"), "the clock stops while the correction is awaited"
    shots = Path(__file__).resolve().parents[1] / ".artifacts" / "status"
    shots.mkdir(parents=True, exist_ok=True)
    assert d.app.window.grabWindow().save(str(shots / "correction-asked.png"))
