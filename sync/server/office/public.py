"""The public status page the receipt's QR code opens (``/status?no=…``): a phone-sized page where the
applicant types the last four digits of the phone number given in the application and reads the stage in
plain Chinese, the key dates, the reply type once replied and what to do next.

No personal data is shown or stored: the server keeps, per case, only an HMAC of the tracking number
with those four digits (``Case.phone_tail_hash``, salted like the full-phone hash). Four digits are
guessable, so failures are limited: after :data:`MAX_FAILURES` wrong answers for one tracking number, or
:data:`MAX_FAILURES_PER_CLIENT` from one address, within :data:`WINDOW_S` seconds, the page refuses to
check until the window has passed (in memory, per server process). A wrong tail and an unknown number
answer alike. The form posts (the digits stay out of URLs and access logs).
"""

from __future__ import annotations

import hashlib
import hmac
import html
import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable

from sqlalchemy.orm import Session

from kiosk.applications.validation import LANDLINE_RE, MOBILE_RE, normalise_phone
from sync.server.db import ZoneRow
from sync.server.office import lifecycle as lc
from sync.server.office.models import Case

MAX_FAILURES = 5
MAX_FAILURES_PER_CLIENT = 20
WINDOW_S = 15 * 60
_TRACKING = re.compile(r"^[A-Za-z0-9-]{4,40}$")

_STYLE = """
<style>
*{box-sizing:border-box}body{margin:0;font-family:"Noto Sans SC","Noto Sans CJK SC",sans-serif;
font-size:18px;line-height:1.6;color:#1a1a1a;background:#f4f1ec}
header{background:#a4161a;color:#fff;padding:14px 18px}header h1{margin:0;font-size:21px}
main{max-width:560px;margin:0 auto;padding:16px}
.card{background:#fff;border-radius:10px;padding:16px 18px;margin-bottom:14px;box-shadow:0 1px 3px #0002}
.stage{font-size:26px;font-weight:700;color:#a4161a;margin:4px 0 8px}
label{display:block;margin:12px 0 4px;font-weight:600}
input{width:100%;font-size:22px;padding:12px;border:1px solid #888;border-radius:8px}
button{width:100%;margin-top:16px;font-size:22px;padding:14px;border:0;border-radius:8px;
background:#a4161a;color:#fff;min-height:56px}
dl{display:grid;grid-template-columns:auto 1fr;gap:6px 14px;margin:0}dt{color:#555}dd{margin:0}
.note{color:#555;font-size:16px}.err{color:#a4161a;font-weight:600}
</style>
"""


def phone_parts(phone: str) -> tuple[str, str]:
    """(kind, the digits whose last four unlock the page): a mobile's 11 digits, or a landline's area code
    and number WITHOUT its extension (``0738-8123456-806`` → ``07388123456``: never ``6806``)."""
    p = normalise_phone(phone)
    if MOBILE_RE.fullmatch(p):
        return "mobile", p
    m = LANDLINE_RE.fullmatch(p)
    if m:
        return "landline", m.group(1) + m.group(2)
    return "other", re.sub(r"\D", "", p)


KIND_TAIL_LABELS = {
    "mobile": "申请时所留手机号的后四位",
    "landline": "申请时所留固定电话号码的后四位（不含分机号）",
}
ANY_TAIL_LABEL = "申请时所留电话号码的后四位（手机号，或固定电话号码不含分机号）"


def page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{html.escape(title)}</title>{_STYLE}</head><body>"
        f"<header><h1>{html.escape(title)}</h1></header><main>{body}</main></body></html>"
    )


def tail_hash(salt: str, tracking_no: str, phone_digits: str) -> str:
    """The HMAC kept to check the last four digits of the phone for ``tracking_no``."""
    msg = f"{tracking_no.upper()}:{phone_digits[-4:]}".encode()
    return hmac.new(salt.encode(), msg, hashlib.sha256).hexdigest()


class Limiter:
    """Failures per tracking number and per client address within a sliding window (thread-safe)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._fails: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, key: str) -> deque[float]:
        q = self._fails[key]
        cutoff = self._clock() - WINDOW_S
        while q and q[0] < cutoff:
            q.popleft()
        return q

    def blocked(self, tracking_no: str, client: str) -> bool:
        with self._lock:
            return (
                len(self._recent("no:" + tracking_no)) >= MAX_FAILURES
                or len(self._recent("ip:" + client)) >= MAX_FAILURES_PER_CLIENT
            )

    def fail(self, tracking_no: str, client: str) -> None:
        with self._lock:
            now = self._clock()
            self._recent("no:" + tracking_no).append(now)
            self._recent("ip:" + client).append(now)


def form(no: str = "", error: str = "", kind: str | None = None) -> str:
    """The form; ``kind`` (the kind of number the application gave, when the tracking number is known)
    says which number's last four digits to type."""
    err = f"<p class='err'>{html.escape(error)}</p>" if error else ""
    label = KIND_TAIL_LABELS.get(kind or "", ANY_TAIL_LABEL)
    return page(
        "政府信息公开申请 办理进度",
        "<div class='card'><form method='post' action='/status'>"
        f"{err}<label for='no'>受理编号</label>"
        f"<input id='no' name='no' value='{html.escape(no)}' autocomplete='off' required>"
        f"<label for='tail'>{html.escape(label)}</label>"
        "<input id='tail' name='tail' inputmode='numeric' pattern='[0-9]{4}' maxlength='4' "
        "autocomplete='off' required>"
        "<button type='submit'>查询</button></form>"
        "<p class='note'>只显示办理进度，不显示申请人信息。</p></div>",
    )


def check(session: Session, salt: str | None, no: str, tail: str) -> Case | None:
    """The case if ``tail`` are the last four digits of its applicant's phone, else None."""
    if salt is None or not _TRACKING.match(no) or not re.fullmatch(r"\d{4}", tail):
        return None
    case = session.get(Case, no.upper())
    if case is None or case.phone_tail_hash is None:
        return None
    return case if hmac.compare_digest(case.phone_tail_hash, tail_hash(salt, no, tail)) else None


def status_page(session: Session, case: Case) -> str:
    st = lc.public_status(case, session)
    zone = session.get(ZoneRow, case.zone)
    zone_name = ""
    if zone is not None:
        import json

        zone_name = str(json.loads(zone.data).get("name", ""))
    dates = "".join(f"<dt>{html.escape(d['label'])}</dt><dd>{html.escape(d['date'])}</dd>" for d in st["dates"])
    if st["deadline"]:
        label = "答复期限（暂定）" if st["deadline_provisional"] else "答复期限"
        dates += f"<dt>{label}</dt><dd>{html.escape(st['deadline'])}</dd>"
    reply = f"<p>答复结果：<b>{html.escape(st['reply_label'])}</b></p>" if st["reply_label"] else ""
    note = f"<p class='note'>{html.escape(st['deadline_note'])}</p>" if st["deadline_note"] else ""
    where = f"<p class='note'>受理地点：{html.escape(zone_name)}</p>" if zone_name else ""
    return page(
        "政府信息公开申请 办理进度",
        f"<div class='card'><p class='note'>受理编号 {html.escape(case.tracking_no)}</p>"
        f"<div class='stage'>{html.escape(st['stage_label'])}</div>{reply}<dl>{dates}</dl>{note}</div>"
        f"<div class='card'><b>下一步</b><p>{html.escape(st['next_step'])}</p>{where}</div>",
    )


def salt_for(session: Session) -> str | None:
    from sync.server.db import meta_get

    return meta_get(session, "phone_salt")
