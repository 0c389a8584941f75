"""The date an application was received (收到申请之日, Article 31), decided by the server, not believed
from the terminal's clock.

- Delivered online (the terminal's submission time is within :data:`ONLINE_WINDOW` of the server's
  clock): the server's own date (China time) when it arrives.
- Queued offline (older than that): the terminal's time is kept, but only within a bound: not later than
  the server's now (plus :data:`CLOCK_SKEW`), and not earlier than the terminal's last contact with the
  server before this delivery minus :data:`OFFLINE_MARGIN` (an application submitted before that contact
  would have been delivered at it).
- Anything else (a clock running ahead, a date from long before the terminal last spoke to the server):
  the server's date counts, and the case carries a flag in plain Chinese (``Case.received_flag``) that the
  office's console shows, so such a date is never silently counted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

CHINA = dt.timezone(dt.timedelta(hours=8))
ONLINE_WINDOW = dt.timedelta(minutes=15)
CLOCK_SKEW = dt.timedelta(minutes=5)
OFFLINE_MARGIN = dt.timedelta(days=1)


@dataclass(frozen=True)
class ReceiptDate:
    """The receipt date that counts, and why the office should look at it (None: nothing to check)."""

    received_on: dt.date
    flag: str | None = None


def _utc(t: dt.datetime) -> dt.datetime:
    """A naive UTC instant from an aware time, or from a naive one read as China time (the kiosk's)."""
    aware = t if t.tzinfo else t.replace(tzinfo=CHINA)
    return aware.astimezone(dt.UTC).replace(tzinfo=None)


def _local(t_utc: dt.datetime) -> str:
    return t_utc.replace(tzinfo=dt.UTC).astimezone(CHINA).strftime("%Y-%m-%d %H:%M 北京时间")


def receipt_date(submitted: dt.datetime, now_utc: dt.datetime, last_contact_utc: dt.datetime | None) -> ReceiptDate:
    """The receipt date of an application the terminal says it took at ``submitted``, arriving at the
    server at ``now_utc`` (naive UTC) from a terminal last heard from at ``last_contact_utc``."""
    s = _utc(submitted)
    today = now_utc.replace(tzinfo=dt.UTC).astimezone(CHINA).date()
    if s > now_utc + CLOCK_SKEW:
        return ReceiptDate(
            today,
            f"终端记录的提交时间（{_local(s)}）晚于服务器收到的时间（{_local(now_utc)}），终端时钟可能不准；"
            f"收到日期按服务器日期 {today} 计，请核实",
        )
    if now_utc - s <= ONLINE_WINDOW:
        return ReceiptDate(today)
    if last_contact_utc is not None and s < last_contact_utc - OFFLINE_MARGIN:
        return ReceiptDate(
            today,
            f"终端记录的提交时间（{_local(s)}）比该终端此前最后一次联系服务器（{_local(last_contact_utc)}）"
            f"早一天以上，不像离线排队的申请；收到日期按服务器日期 {today} 计，请核实",
        )
    return ReceiptDate((s.replace(tzinfo=dt.UTC).astimezone(CHINA)).date())
