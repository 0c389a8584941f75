"""The wording of the notices of Articles 32, 35 and 42 (rendered by :mod:`notices`, issued by :mod:`issued`):

- 政府信息公开征求第三方意见书 (Art. 32), to the third party — it never names the applicant;
- 政府信息公开信息处理费收费通知书 (Art. 42; 《政府信息公开信息处理费管理办法》): the method, each
  progressive band, the total, the day to pay by and how, and what happens if unpaid;
- 要求说明理由通知书 and 延迟答复告知书 (Art. 35).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy.orm import Session

from sync.server.office import lifecycle as lc
from sync.server.office import notices
from sync.server.office.models import Case
from sync.server.office.settings import OfficeSettings

LAW = notices.LAW
MEASURES = "《政府信息公开信息处理费管理办法》"


def _event(session: Session, case: Case, action: str) -> Any:
    ev = next((e for e in reversed(lc.events(session, case.tracking_no)) if e.action == action), None)
    if ev is None:
        raise notices.NoticeUnavailable(f"本申请没有“{lc.ACTION_LABELS.get(action, action)}”")
    return ev


def consultation(
    session: Session, case: Case, settings: OfficeSettings, _head: str, _intro: str
) -> tuple[list[str], dt.date]:
    ev = _event(session, case, "start_consultation")
    party = str(json.loads(ev.data).get("party") or "")
    what, _corrected = notices.requested_text(session, case)
    body = [
        f"{party}：",
        f"本机关于{lc.cn_date(case.received_on)}收到一件政府信息公开申请（受理编号：{case.tracking_no}），"
        f"申请获取“{what}”。经审查，公开该政府信息可能损害您的合法权益。根据{LAW}第三十二条的规定，"
        "现书面征求您的意见。",
        f"请您自收到本意见书之日起15个工作日内，书面提出是否同意公开的意见及理由，提交或寄送至{settings.address}。"
        "逾期未提出意见的，由本机关依照条例的规定决定是否公开。您不同意公开且有合理理由的，本机关不予公开；"
        "本机关认为不公开可能对公共利益造成重大影响的，可以决定予以公开，并将决定公开的政府信息内容和理由书面告知您。",
    ]
    if ev.reason.strip():
        body.append(f"需要说明的情况：{ev.reason.strip()}")
    return body, ev.on


def _band(method: str, a: int, b: int, rate: int) -> str:
    unit = "件" if method == "per_request" else "页"
    span = f"第{a}{unit}" if a == b else f"第{a}—{b}{unit}"
    return f"{span}：{b - a + 1}{unit}×{rate}元/{unit}＝{(b - a + 1) * rate}元"


def fee(session: Session, case: Case, settings: OfficeSettings, head: str, intro: str) -> tuple[list[str], dt.date]:
    ev = _event(session, case, "fee_notice")
    d = json.loads(ev.data)
    method = str(d["method"])
    article = "第四条" if method == "per_request" else "第五条"
    how = "按件计收" if method == "per_request" else "按量计收"
    scope = (
        f"您本自然月内累计申请的第{d['first']}件至第{int(d['first']) + int(d['count']) - 1}件"
        if method == "per_request"
        else f"本申请所需提供的政府信息共{d['count']}页"
    )
    bands = "；".join(_band(method, a, b, r) for a, b, r in d["bands"])
    pay_how = ev_field(ev, "pay_how") or f"持本通知书到{settings.address}办理缴费，执收单位开具财政票据"
    body = [
        head,
        intro + f"经审查，您申请公开政府信息的数量、频次明显超过合理范围（{ev.reason.strip()}）。"
        f"根据{LAW}第四十二条和{MEASURES}第三条、{article}的规定，本机关决定对本申请{how}信息处理费。",
        f"计费依据：{scope}，按超额累进方式计算：{bands}。",
        f"合计：人民币{d['amount']}元。",
        f"请于收到本通知书次日起20个工作日内（{lc.cn_date(dt.date.fromisoformat(d['fee_due']))}前）缴纳。"
        f"缴纳方式：{pay_how}。逾期未缴纳的，视为放弃申请，本机关不再处理该政府信息公开申请。"
        "自发出本通知书之日至您缴纳费用之日的期间，不计算在答复期限内。",
    ]
    return body, ev.on


def ev_field(ev: Any, name: str) -> str:
    return str(json.loads(ev.data).get(name) or "").strip()


def reasons(session: Session, case: Case, settings: OfficeSettings, head: str, intro: str) -> tuple[list[str], dt.date]:
    ev = _event(session, case, "ask_reasons")
    within = ev_field(ev, "within")
    by = f"于{lc.cn_date(dt.date.fromisoformat(within))}前" if within else "在合理期限内"
    body = [
        head,
        intro + f"经审查，您申请公开政府信息的数量、频次明显超过合理范围（{ev.reason.strip()}）。"
        f"根据{LAW}第三十五条的规定，请您{by}向本机关书面说明理由，提交或寄送至{settings.address}。",
        "本机关认为申请理由不合理的，将告知您不予处理；认为申请理由合理，但是无法在规定期限内答复的，"
        "将确定延迟答复的合理期限并告知您。",
    ]
    return body, ev.on


def delay(session: Session, case: Case, settings: OfficeSettings, head: str, intro: str) -> tuple[list[str], dt.date]:
    ev = _event(session, case, "delay")
    d = json.loads(ev.data)
    body = [
        head,
        intro + f"本机关经审查认为您的申请理由合理，但因{ev.reason.strip()}，无法在{LAW}第三十三条规定的期限内答复。"
        f"根据{LAW}第三十五条的规定，本机关确定延迟答复的期限为{lc.cn_date(dt.date.fromisoformat(d['due']))}前，"
        "届时将依法作出答复。",
        "特此告知。",
    ]
    return body, ev.on


KINDS = ("consultation", "fee", "reasons", "delay")
notices.EXTRA.update({"consultation": consultation, "fee": fee, "reasons": reasons, "delay": delay})
