"""End to end: a resident applies at a terminal and prints the receipt (its QR opens the public status
page) → the office asks for a correction → the terminal's status lookup and the public page show it →
the correction arrives → an extension → a reply → closed. Real server under uvicorn on 127.0.0.1, real
terminal database and sync, real ESC/POS bytes from a file printer, the office's real command line."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
from synchelpers import ZONES, configure_office

from kiosk import config as config_mod
from kiosk.applications import service
from kiosk.applications.model import Applicant, ApplicantKind, Application, Delivery, IdType, Medium, RequestedInfo
from kiosk.db import open_engine, session_factory
from kiosk.mirror.models import Zone
from sync.client import sync_once
from sync.server.__main__ import main as server_main
from sync.server.office.lifecycle import china_today

CHINA = timezone(timedelta(hours=8))
PHONE = "13912345678"
PERSONAL = ("陈𬭎", "11010519491231002X", PHONE, "万宝街道1号")


def _apply(cfg: config_mod.Config) -> str:
    app = Application(
        applicant=Applicant(
            kind=ApplicantKind.CITIZEN,
            name="陈𬭎",
            id_type=IdType.RESIDENT_ID,
            id_number="11010519491231002X",
            phone=PHONE,
            address="万宝街道1号",
        ),
        request=RequestedInfo(description="万宝镇2026年道路硬化工程的招标文件"),
        media=(Medium.PAPER,),
        delivery=(Delivery.COLLECT,),
        pledge_accepted=True,
        consent_personal_data=True,
    )
    engine = open_engine(cfg.db_path)
    zone = Zone(code="wanbao", name="万宝镇", kind="township", prefix="WB")
    with session_factory(engine)() as s:
        done = service.submit(s, app, zone=zone, terminal_id=cfg.terminal.id, now=datetime.now(CHINA))
    engine.dispose()
    assert done.issued is not None
    return done.issued.tracking_no


def public_page(url: str, no: str, tail: str) -> httpx.Response:
    with httpx.Client(base_url=url) as c:
        form = c.get("/status", params={"no": no})
        assert form.status_code == 200 and "手机号的后四位" in form.text
        return c.post("/status", data={"no": no, "tail": tail})


def terminal_lookup(cfg: config_mod.Config, no: str) -> tuple[str, str]:
    """What the terminal's status lookup screen shows (its view-model's Qt-free lookup)."""
    from ui.adapters import CoreStatusPort
    from ui.vm_status_lookup import ask_server

    r = ask_server(CoreStatusPort(cfg), None, no, PHONE)
    assert r.server_state == "answered", r
    return r.server_status, r.server_deadline


def office(capsys, db: str, *argv: str) -> str:
    rc = server_main(["case", argv[0], "--db", db, *argv[1:]])
    out = capsys.readouterr()
    assert rc == 0, out.err
    return out.out


def test_resident_to_reply_through_the_real_server(server, data_dir: Path, tmp_path: Path, capsys) -> None:
    from kiosk.db import make_engine
    from printing.queue import PrintService
    from ui.adapters import queue_receipt

    server.publish_lines(ZONES)
    configure_office(server.engine)
    cfg = server.terminal(data_dir)
    receipts = tmp_path / "receipts"
    receipts.mkdir()
    assert cfg.path is not None
    cfg.path.write_text(
        cfg.path.read_text(encoding="utf-8")
        + f'\n[[printers]]\nname = "receipt"\nrole = "receipt"\nkind = "file"\ntarget = "{receipts}"\n',
        encoding="utf-8",
    )
    cfg = config_mod.load(cfg.path)
    assert sync_once(cfg).error is None

    # 1. the resident applies and takes the receipt: its QR holds the public status page's address
    no = _apply(cfg)
    printing = PrintService.from_config(make_engine(cfg.db_path), cfg)
    printing.start()
    engine = make_engine(cfg.db_path, read_only=True)  # as the UI's DB worker reads
    try:
        with session_factory(engine)() as s:
            job = queue_receipt(cfg, printing, s, no)  # what the wizard's print button runs
        assert printing.wait(job, timeout=30).state == "done"
    finally:
        printing.stop()
        engine.dispose()
    raw = b"".join(p.read_bytes() for p in receipts.iterdir())
    qr = re.search(rb"\x1d\(k..1P0(.+?)\x1d\(k", raw, re.S)
    assert qr is not None, "no QR code in the receipt's ESC/POS bytes"
    assert qr.group(1).decode() == f"{server.url}/status?no={no}"
    assert sync_once(cfg).error is None
    db = server.db_url
    today = china_today().isoformat()

    label, due = terminal_lookup(cfg, no)
    assert label == "已受理，正在办理" and due

    # 2. the office asks for a correction
    office(
        capsys, db, "ask-correction", no, "--by", "张三", "--items", "请写明招标文件的项目名称或文号", "--within", "10"
    )
    label, due = terminal_lookup(cfg, no)
    assert (label, due) == ("需要补正申请内容", "")
    wrong = public_page(server.url, no, "0000")
    assert wrong.status_code == 404 and "未找到该申请" in wrong.text
    page = public_page(server.url, no, PHONE[-4:])
    assert page.status_code == 200
    assert "需要补正申请内容" in page.text and "补正期限" in page.text and "告知补正日期" in page.text
    assert "viewport" in page.text
    for secret in PERSONAL:
        assert secret not in page.text
    assert "correction" not in page.text  # never the raw code

    # 3. the correction arrives: the clock starts again
    office(capsys, db, "correction-received", no, "--by", "张三")
    label, due = terminal_lookup(cfg, no)
    assert label == "已受理，正在办理" and due > today
    # 4. extension, approved by the head of the office
    office(capsys, db, "extend", no, "--by", "张三", "--approver", "李主任", "--reason", "需调取档案")
    label, extended = terminal_lookup(cfg, no)
    assert label == "已延长答复期限，正在办理" and extended > due
    page = public_page(server.url, no, PHONE[-4:])
    assert "已延长答复期限" in page.text and extended.removesuffix("（暂定）") in page.text
    # 5. reply, then close
    office(capsys, db, "reply", no, "--by", "张三", "--type", "disclosed")
    page = public_page(server.url, no, PHONE[-4:])
    assert "已答复" in page.text and "予以公开" in page.text and "领取答复书" in page.text
    office(capsys, db, "close", no, "--by", "张三")
    label, due = terminal_lookup(cfg, no)
    assert (label, due) == ("已办结", "")
    page = public_page(server.url, no, PHONE[-4:])
    assert "已办结" in page.text and "办结日期" in page.text
    for secret in PERSONAL:
        assert secret not in page.text


def test_public_page_limits_guesses(server, data_dir: Path) -> None:
    server.publish_lines(ZONES)
    cfg = server.terminal(data_dir)
    no = _apply(cfg)
    assert sync_once(cfg).error is None
    for tail in ("0000", "1111", "2222", "3333", "4444"):
        assert public_page(server.url, no, tail).status_code == 404
    blocked = public_page(server.url, no, PHONE[-4:])
    assert blocked.status_code == 429 and "尝试次数过多" in blocked.text
