"""The self-test's printer check (``kiosk self-test``): each configured printer answers, through the
status API of :mod:`printing.backends`. Registered in ``pyproject.toml`` (``zwgk_kiosk.selftest_checks``);
``kiosk.selftest`` holds the verdicts and runs it."""

from __future__ import annotations

from pathlib import Path

from kiosk.config import Config
from kiosk.selftest import CheckResult, Verdict
from printing import backends

ROLE_LABELS = {"receipt": "小票打印机", "a4": "A4 打印机"}


def check_printers(cfg: Config) -> list[CheckResult]:
    """Each configured printer's status through the print service's own backends."""
    if not cfg.printers:
        return [CheckResult("printer", Verdict.SKIP, "未配置打印机")]
    out = []
    for p in cfg.printers:
        name = f"printer {p.name}"
        try:
            if p.kind == "file":  # a folder printer makes its folder on the first job; make it now
                Path(p.target).mkdir(parents=True, exist_ok=True)
            status = backends.open_printer(p).status()
        except Exception as exc:  # a backend that raises is a failed check, named, never a crash
            out.append(CheckResult(name, Verdict.FAIL, f"{p.kind}: {type(exc).__name__}: {str(exc)[:160]}"))
            continue
        verdict = Verdict.OK if status.ready else Verdict.FAIL
        if status.ready and status.paper_near_end:
            verdict = Verdict.WARN
        out.append(CheckResult(name, verdict, f"{p.kind} {p.role}（{ROLE_LABELS.get(p.role, p.role)}）：{status.text}"))
    return out
