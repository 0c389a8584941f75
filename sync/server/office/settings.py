"""What every notice of the office carries, configured once for the district (``office_settings`` in Meta):

- the 文号 prefix: the agency's abbreviation before the year, e.g. ``娄星政公开`` gives
  ``娄星政公开〔2026〕第7号`` (one series per calendar year for every notice the office issues);
- the contact person, the telephone and the address (with postcode) where an applicant brings a
  correction or collects a reply;
- the remedies of Article 51 named in full: the 复议机关 and its period (60 days, 《行政复议法》第二十条),
  the court and its period (6 months, 《行政诉讼法》第四十六条).

``python -m sync.server office-settings show|set`` and the console's 文书设置 page edit it; a notice
is not issued while any of it is missing (:func:`require`).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import asdict, dataclass, fields

from sqlalchemy.orm import Session

from sync.server.db import meta_get, meta_set
from sync.server.errors import OfficeError

KEY = "office_settings"

LABELS = {
    "number_prefix": "文号前缀（机关简称）",
    "contact_person": "联系人",
    "contact_phone": "联系电话",
    "address": "地址（补正、领取答复）",
    "postcode": "邮政编码",
    "review_body": "行政复议机关",
    "review_days": "申请行政复议期限（日）",
    "court": "管辖法院",
    "litigation_months": "提起行政诉讼期限（月）",
}
LIMITS = {"number_prefix": 12, "contact_person": 20, "contact_phone": 30, "address": 60, "review_body": 30, "court": 30}
PHONE = re.compile(r"^(0\d{2,3}-?\d{7,8}(-\d{1,6})?|1[3-9]\d{9})$")


class SettingsMissing(OfficeError):
    """A notice cannot be issued before the district's contact and remedies are configured."""


@dataclass(frozen=True)
class OfficeSettings:
    """The district's notice settings (see the module docstring)."""

    number_prefix: str = ""
    contact_person: str = ""
    contact_phone: str = ""
    address: str = ""
    postcode: str = ""
    review_body: str = ""
    review_days: int = 60  # 《中华人民共和国行政复议法》第二十条：知道之日起六十日内
    court: str = ""
    litigation_months: int = 6  # 《中华人民共和国行政诉讼法》第四十六条：知道之日起六个月内

    def missing(self) -> list[str]:
        """The labels of what a notice needs and is not set."""
        needed = ("number_prefix", "contact_person", "contact_phone", "address", "review_body", "court")
        return [LABELS[n] for n in needed if not getattr(self, n)]

    def remedy_text(self, law: str) -> str:
        """The Art. 51 sentence naming the 复议机关 and the court with their periods."""
        return (
            f"如对本答复不服，可以自收到本答复之日起{self.review_days}日内向{self.review_body}申请行政复议，"
            f"或者自收到本答复之日起{self.litigation_months}个月内向{self.court}提起行政诉讼（{law}第五十一条）。"
        )

    def contact_text(self) -> str:
        post = f"（邮政编码：{self.postcode}）" if self.postcode else ""
        return f"联系人：{self.contact_person}　联系电话：{self.contact_phone}　地址：{self.address}{post}"


def load(session: Session) -> OfficeSettings:
    """The stored settings (defaults for what was never set)."""
    raw = meta_get(session, KEY)
    if not raw:
        return OfficeSettings()
    data = json.loads(raw)
    known = {f.name for f in fields(OfficeSettings)}
    return OfficeSettings(**{k: v for k, v in data.items() if k in known})


def require(session: Session) -> OfficeSettings:
    """The settings, or :class:`SettingsMissing` naming what a notice still lacks."""
    s = load(session)
    if s.missing():
        raise SettingsMissing(f"文书尚未设置：{'、'.join(s.missing())}（请在“文书设置”中填写，每区设置一次）")
    return s


def _clean(name: str, value: str) -> str:
    text = value.strip()
    for ch in text:
        if unicodedata.category(ch)[0] == "C":
            raise OfficeError(f"{LABELS[name]}含有控制字符或不可见字符 U+{ord(ch):04X}")
    if len(text) > LIMITS.get(name, 60):
        raise OfficeError(f"{LABELS[name]}最长{LIMITS.get(name, 60)}个字（现为{len(text)}个）")
    return text


def check(values: dict[str, str]) -> OfficeSettings:
    """Settings from the form's or command's text values, checked; :class:`OfficeError` says what is wrong."""
    base = asdict(OfficeSettings())
    out: dict[str, object] = {}
    for name, default in base.items():
        raw = str(values.get(name, "") or "")
        if isinstance(default, int):
            try:
                n = int(raw) if raw.strip() else default
            except ValueError:
                raise OfficeError(f"{LABELS[name]}应为整数") from None
            if not 1 <= n <= 365:
                raise OfficeError(f"{LABELS[name]}应为 1 至 365")
            out[name] = n
        else:
            out[name] = _clean(name, raw)
    phone = str(out["contact_phone"]).replace(" ", "")
    if phone and not PHONE.match(phone):
        raise OfficeError("联系电话应为手机号或 区号-号码[-分机]，例如 0738-8123456")
    out["contact_phone"] = phone
    if out["postcode"] and not re.fullmatch(r"[0-8]\d{5}", str(out["postcode"])):
        raise OfficeError("邮政编码应为6位数字")
    if "〔" in str(out["number_prefix"]) or "第" in str(out["number_prefix"]):
        raise OfficeError("文号前缀只写机关简称，年份和序号由系统编排（如“娄星政公开”）")
    return OfficeSettings(**out)  # type: ignore[arg-type]


def save(session: Session, values: dict[str, str]) -> OfficeSettings:
    """Check and store the settings (in the caller's transaction); returns them as stored."""
    settings = check(values)
    meta_set(session, KEY, json.dumps(asdict(settings), ensure_ascii=False))
    return settings
