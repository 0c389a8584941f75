"""The terminal's self-test (``kiosk self-test``, the frozen program's ``--self-test``).

District IT runs it after installing or upgrading a terminal, and the autostart unit may run it before
the kiosk starts. Each check answers one question with a verdict:

    fonts        the bundled CJK fonts are there and are TrueType files with the tables a renderer needs
    qml          the QML module is there: its qmldir and every file it lists
    data folder  the data folder exists (or can be made) and takes a file
    database     the mirror opens, migrates to the newest schema and passes SQLite's integrity_check
    content      the mirror holds the terminal's zone and documents (or will be seeded on first start)
    printer      each configured printer answers (through printing/'s status API)
    server       the district server accepts this terminal's token (an authenticated GET of the manifest) and
                 the manifest is signed by the trusted key, when one is configured
    transport    the server's address is https:// (or this machine's loopback): plain http:// to another
                 machine is a warning, since the token then crosses the network in clear
    outbox       how many submissions wait to be sent, and the oldest one's time
    calendar     this year's and next year's holidays are known (published by the server, or packaged)
    service user run as root: the ``kiosk`` user owns the data folder and the configuration (mode 600)
    disk         free space in the data folder
    speech       the read-aloud engine (``espeak-ng`` with its Mandarin voice) is installed and speaks

Verdicts are ``ok``, ``warn`` (works, but look at it), ``fail`` and ``skip`` (not checked, with the
reason). The command exits non-zero when any check failed. Nothing here prints personal data, and no
check changes content: the database check only migrates, as the kiosk itself would on start.

The printer and server checks live in ``printing/selftest.py`` and ``sync/selftest.py``, which the core
must not import: every check, the core's own included, is registered as an entry point in
``pyproject.toml`` (group ``zwgk_kiosk.selftest_checks``, :mod:`kiosk.plugins`), so each package adds its
own and the core runs and tests without them.

Why about 480 lines: every check of the core that ``kiosk self-test`` prints, each a small function with
its own verdicts (the packages' own checks live in printing/selftest.py and sync/selftest.py); they are
registered by entry point, not by this module's size.
"""

from __future__ import annotations

import enum
import shutil
import struct
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk import fonts, plugins
from kiosk.config import Config
from kiosk.paths import app_root

REQUIRED_FONT_TABLES = (b"cmap", b"glyf", b"head", b"hhea", b"hmtx", b"loca", b"maxp", b"name")
MIN_FREE_MB = 200  # below this the mirror, the print queue and the logs may not fit: fail
LOW_FREE_MB = 1024  # below this: warn
SERVER_PROBE_PATH = "/v1/manifest"


class Verdict(enum.StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"


CHECK_LABELS = {  # the check's code (in --json and the log) and what a person reads in the table
    "fonts": "字体",
    "qml": "界面文件（qml）",
    "data folder": "数据文件夹",
    "database": "数据库",
    "content": "内容",
    "transport": "传输加密",
    "outbox": "待发送队列",
    "calendar": "工作日历",
    "service user": "服务用户",
    "disk": "磁盘",
    "speech": "语音朗读",
    "server": "区级服务器",
    "printer": "打印机",
}
VERDICT_LABELS = {Verdict.OK: "通过", Verdict.WARN: "警告", Verdict.FAIL: "失败", Verdict.SKIP: "跳过"}
CALENDAR_SOURCES = {"server": "区级服务器公布", "package": "程序自带", "statutory": "仅按法定规则推算"}


def check_label(name: str) -> str:
    """``打印机 小票`` for ``printer 小票``, ``数据库`` for ``database``; an unknown code as it is."""
    if name.startswith("printer "):
        return f"打印机 {name.removeprefix('printer ')}"
    return CHECK_LABELS.get(name, name)


def _beijing(iso: str | None) -> str:
    """A UTC time as the outbox stores it (``2026-12-08T02:27:33Z``) as ``2026-12-08 10:27 北京时间``."""
    import datetime as dt

    try:
        t = dt.datetime.fromisoformat((iso or "").replace("Z", "+00:00"))
    except ValueError:
        return iso or "?"
    t = t if t.tzinfo else t.replace(tzinfo=dt.UTC)
    return f"{t.astimezone(dt.timezone(dt.timedelta(hours=8))):%Y-%m-%d %H:%M} 北京时间"


@dataclass(frozen=True)
class CheckResult:
    name: str
    verdict: Verdict
    detail: str
    ms: float = 0.0


# -------------------------------------------------------------------------------------------- fonts


def _tables(data: bytes) -> dict[bytes, tuple[int, int]]:
    """The font's table directory (tag -> offset, length); ValueError if it is not a TrueType font."""
    if len(data) < 12:
        raise ValueError("文件太短，不可能是字体")
    tag = data[:4]
    if tag == b"OTTO":
        raise ValueError("这是 CFF（OpenType/PostScript）字体：PDF 需要 TrueType 轮廓")
    if tag not in (b"\x00\x01\x00\x00", b"true"):
        raise ValueError(f"不是 TrueType 字体（开头为 {tag!r}）")
    (num_tables,) = struct.unpack(">H", data[4:6])
    if not 1 <= num_tables <= 100 or len(data) < 12 + 16 * num_tables:
        raise ValueError("字体表目录已损坏")
    tables: dict[bytes, tuple[int, int]] = {}
    for i in range(num_tables):
        tag_i, _checksum, offset, length = struct.unpack(">4sLLL", data[12 + 16 * i : 28 + 16 * i])
        if offset + length > len(data):
            raise ValueError(f"字体表 {tag_i.decode('latin-1')} 超出文件末尾（文件不完整？）")
        tables[tag_i] = (offset, length)
    return tables


def truetype_problem(data: bytes) -> str | None:
    """Why ``data`` is not a usable TrueType font, or None. Reads the table directory, not the glyphs."""
    try:
        tables = _tables(data)
    except ValueError as exc:
        return str(exc)
    missing = [t.decode() for t in REQUIRED_FONT_TABLES if t not in tables]
    if missing:
        return f"缺少字体表 {', '.join(missing)}"
    head_off, head_len = tables[b"head"]
    if head_len < 16 or data[head_off + 12 : head_off + 16] != b"\x5f\x0f\x3c\xf5":
        return "'head' 表的标识数错误"
    return None


def shaping_problem() -> str | None:
    """What keeps names in Uyghur, Mongolian or Tibetan script from printing joined and in order, if
    anything: HarfBuzz for the PDFs (uharfbuzz) and Pillow's Raqm layout (which needs FriBiDi) for the
    receipt's image lines."""
    try:
        import uharfbuzz  # type: ignore[import-untyped]  # noqa: F401
        from PIL import features
    except ImportError as exc:
        return f"文字排版：{exc}"
    if not features.check_feature("raqm"):
        return "文字排版：Pillow 没有 Raqm 排版（请安装 Debian 软件包 libfribidi0）"
    return None


def check_fonts(_cfg: Config) -> CheckResult:
    problems, sizes = [], []
    for face in fonts.ALL_FACES:
        path = face.path
        try:
            data = path.read_bytes()
        except OSError as exc:
            problems.append(f"{path.name}: {exc.strerror or exc}")
            continue
        why = truetype_problem(data)
        if why:
            problems.append(f"{path.name}: {why}")
        sizes.append(f"{path.name} {len(data) / 1e6:.1f} MB")
    engine = shaping_problem()
    if engine:
        problems.append(engine)
    if problems:
        return CheckResult("fonts", Verdict.FAIL, "；".join(problems))
    return CheckResult("fonts", Verdict.OK, "、".join(sizes))


# ---------------------------------------------------------------------------------------------- qml


def qml_module_dir() -> Path:
    return app_root() / "ui" / "qml" / "Kiosk"


def check_qml(_cfg: Config) -> CheckResult:
    folder = qml_module_dir()
    qmldir = folder / "qmldir"
    try:
        lines = qmldir.read_text(encoding="utf-8").splitlines()
    except OSError:
        return CheckResult("qml", Verdict.FAIL, f"缺少 {qmldir}")
    listed = [parts[-1] for parts in (line.split() for line in lines) if parts and parts[-1].endswith((".qml", ".js"))]
    missing = [name for name in listed if not (folder / name).is_file()]
    if missing:
        return CheckResult("qml", Verdict.FAIL, f"qmldir 列出的文件不存在：{', '.join(missing[:5])}")
    qml_files = sorted(folder.rglob("*.qml"))  # Main.qml at the root, the rest in pages/, controls/, …
    if not any(p.name == "Main.qml" for p in qml_files):
        return CheckResult("qml", Verdict.FAIL, f"缺少 {folder / 'Main.qml'}")
    empty = [p.relative_to(folder).as_posix() for p in qml_files if p.stat().st_size == 0]
    if empty:
        return CheckResult("qml", Verdict.FAIL, f"QML 文件为空：{', '.join(empty[:5])}")
    return CheckResult("qml", Verdict.OK, f"{len(qml_files)} 个 QML 文件，qmldir 列出 {len(listed)} 个")


# ------------------------------------------------------------------------------ data folder, database


def check_data_folder(cfg: Config) -> CheckResult:
    folder = cfg.data_dir
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".self-test-probe"
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        return CheckResult("data folder", Verdict.FAIL, f"{folder}: {exc.strerror or exc}")
    return CheckResult("data folder", Verdict.OK, str(folder))


def check_database(cfg: Config) -> CheckResult:
    from sqlalchemy import text

    from kiosk.db import open_engine
    from kiosk.errors import StorageError

    try:
        engine = open_engine(cfg.db_path)
    except StorageError as exc:
        return CheckResult("database", Verdict.FAIL, f"{cfg.db_path}: {str(exc)[:200]}")
    try:
        with engine.connect() as conn:
            result = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").all()]
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
    except Exception as exc:  # a damaged file fails in many ways; each is a failed check, not a crash
        return CheckResult("database", Verdict.FAIL, f"{cfg.db_path}: {str(exc).splitlines()[0][:200]}")
    finally:
        engine.dispose()
    if result != ["ok"]:
        return CheckResult("database", Verdict.FAIL, f"完整性检查（integrity_check）未通过：{'; '.join(result[:3])}")
    return CheckResult("database", Verdict.OK, f"{cfg.db_path.name}：结构版本 {revision}，日志模式 {mode}，完整性正常")


def _empty_mirror(cfg: Config) -> CheckResult:
    """An empty mirror is fine if the terminal will seed it from a pack that exists, or sync it."""
    from kiosk.errors import ConfigError
    from kiosk.seed import pack_files

    if not cfg.terminal.content_pack:
        return CheckResult("content", Verdict.WARN, "内容镜像为空；等待首次同步")
    try:
        files = pack_files(cfg)
    except ConfigError as exc:
        return CheckResult("content", Verdict.FAIL, f"内容镜像为空，且无法从内容包导入：{exc}")
    return CheckResult(
        "content",
        Verdict.WARN,
        f"内容镜像为空；启动时从 {'、'.join(f.name for f in files)} 导入（content_pack '{cfg.terminal.content_pack}'）",
    )


def check_content(cfg: Config) -> CheckResult:
    from sqlalchemy import func, select

    from kiosk.db import make_engine, session_factory
    from kiosk.mirror.models import Document, Zone

    if not cfg.db_path.exists():
        return CheckResult("content", Verdict.SKIP, "还没有内容镜像")
    engine = make_engine(cfg.db_path, read_only=True)
    try:
        with session_factory(engine)() as s:
            docs = s.scalar(select(func.count()).select_from(Document)) or 0
            zone = s.get(Zone, cfg.terminal.zone)
    except Exception as exc:  # reported by the database check already; say so briefly here
        return CheckResult("content", Verdict.FAIL, f"无法读取内容镜像：{str(exc).splitlines()[0][:120]}")
    finally:
        engine.dispose()
    if docs == 0:
        return _empty_mirror(cfg)
    if zone is None:
        return CheckResult(
            "content",
            Verdict.FAIL,
            f"{docs} 份文件，但配置的专区 '{cfg.terminal.zone}' 不在内容镜像中",
        )
    return CheckResult("content", Verdict.OK, f"{docs} 份文件；专区 {zone.name}（{zone.code}）")


def check_transport(cfg: Config) -> CheckResult:
    """The token crosses the network only inside TLS (or never leaves this machine)."""
    from kiosk.urls import is_loopback_url, plain_http_problem

    url = cfg.server.url
    if not url:
        return CheckResult("transport", Verdict.SKIP, "未配置服务器")
    if plain_http_problem(url) is not None:
        return CheckResult(
            "transport",
            Verdict.WARN,
            f"{url} 是明文 http://：本终端的令牌和申请在网络上未加密传输；请为服务器配置 TLS，再用 https:// 重新注册",
        )
    if url.lower().startswith("http://") and is_loopback_url(url):
        return CheckResult("transport", Verdict.OK, f"{url}：明文 http，仅限本机回环地址")
    return CheckResult("transport", Verdict.OK, f"{url}: TLS")


def check_outbox(cfg: Config) -> CheckResult:
    """What waits to reach the server: how many entries, and since when."""
    if not cfg.db_path.exists():
        return CheckResult("outbox", Verdict.SKIP, "还没有内容镜像")
    from kiosk.db import make_engine, session_factory
    from kiosk.outbox import oldest_pending, pending_count

    engine = make_engine(cfg.db_path, read_only=True)
    try:
        with session_factory(engine)() as s:
            count, oldest = pending_count(s), oldest_pending(s)
    except Exception as exc:  # a table from an older schema, a damaged file: reported, not raised
        return CheckResult("outbox", Verdict.FAIL, f"无法读取待发送队列：{str(exc).splitlines()[0][:120]}")
    finally:
        engine.dispose()
    if not count:
        return CheckResult("outbox", Verdict.OK, "没有待发送的内容")
    verdict = Verdict.WARN if cfg.server.url else Verdict.OK
    return CheckResult("outbox", verdict, f"{count} 件待发送，最早的一件自 {_beijing(oldest)} 起")


def check_calendar(cfg: Config) -> CheckResult:
    """Reply deadlines need this year's and next year's holidays: from the server, else the package."""
    import datetime as dt

    from kiosk.workdays import WorkCalendar

    published: Any = None
    if cfg.db_path.exists():
        from kiosk.calendar_store import load_calendar
        from kiosk.db import make_engine, session_factory

        engine = make_engine(cfg.db_path, read_only=True)
        try:
            with session_factory(engine)() as s:
                published = load_calendar(s)
        except Exception:  # the database check reports a bad mirror; here the package still answers
            published = None
        finally:
            engine.dispose()
    cal = WorkCalendar(published)
    this = dt.datetime.now(dt.UTC).year
    sources = {y: cal.year(y).source for y in (this, this + 1)}
    detail = "；".join(f"{y} 年：{CALENDAR_SOURCES.get(src, src)}（{src}）" for y, src in sources.items())
    if sources[this] == "statutory":
        return CheckResult("calendar", Verdict.FAIL, f"{detail}（{this} 年没有公布的节假日安排：答复期限只是估算）")
    if sources[this + 1] == "statutory":
        return CheckResult("calendar", Verdict.WARN, f"{detail}（明年的节假日安排尚未公布）")
    return CheckResult("calendar", Verdict.OK, detail)


def check_service_user(cfg: Config) -> CheckResult:
    """Run as root for a terminal that runs as a service user: that user must own what the kiosk writes."""
    import os

    if os.name != "posix" or os.geteuid() != 0 or cfg.path is None:
        return CheckResult("service user", Verdict.SKIP, "未以 root 运行")
    import pwd

    try:
        user = pwd.getpwnam("kiosk")
    except KeyError:
        return CheckResult("service user", Verdict.SKIP, "本机没有 'kiosk' 用户")
    problems = []
    for path, need in ((cfg.data_dir, os.W_OK), (cfg.path, os.R_OK)):
        try:
            st = path.stat()
        except OSError:
            continue
        if st.st_uid != user.pw_uid:
            problems.append(f"{path} 属于 uid {st.st_uid}，而不是 kiosk")
        elif need == os.R_OK and st.st_mode & 0o077:
            problems.append(f"{path} 其他用户可读（其中有令牌）：请 chmod 600")
    if problems:
        return CheckResult("service user", Verdict.FAIL, "；".join(problems) + f"（`{_program()} install` 可修复）")
    return CheckResult("service user", Verdict.OK, f"{cfg.data_dir} 和 {cfg.path} 归 kiosk 所有")


def _program() -> str:
    import sys

    return sys.executable if getattr(sys, "frozen", False) else "python -m kiosk"


# --------------------------------------------------------------------------------------------- disk


def check_disk(cfg: Config) -> CheckResult:
    folder = cfg.data_dir
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        free_mb = shutil.disk_usage(folder).free / (1024 * 1024)
    except OSError as exc:
        return CheckResult("disk", Verdict.FAIL, f"{folder}: {exc.strerror or exc}")
    detail = f"{folder} 可用 {free_mb / 1024:.1f} GB"
    if free_mb < MIN_FREE_MB:
        return CheckResult("disk", Verdict.FAIL, f"{detail}（至少需要 {MIN_FREE_MB} MB）")
    if free_mb < LOW_FREE_MB:
        return CheckResult("disk", Verdict.WARN, f"{detail}（不足 {LOW_FREE_MB} MB）")
    return CheckResult("disk", Verdict.OK, detail)


# ------------------------------------------------------------------------------------------ speech


def check_speech(_cfg: Config) -> CheckResult:
    """Warn (read-aloud shows 本机未配置语音) where espeak-ng is missing or cannot speak Mandarin."""
    from kiosk import speech

    program = speech.find_engine()
    if program is None:
        return CheckResult("speech", Verdict.WARN, "未安装 espeak-ng：朗读功能关闭（apt install espeak-ng）")
    synth = speech.Synthesiser(program)
    try:
        wav = synth.synthesise("你好")
        size = wav.stat().st_size
    except speech.SpeechError as exc:
        return CheckResult("speech", Verdict.WARN, f"{program}：{exc}：朗读将无法使用")
    finally:
        synth.close()
    return CheckResult("speech", Verdict.OK, f"{program}，语音 {speech.VOICE}（2 个字 {size} 字节）")


# ----------------------------------------------------------------------------------------- the run

Check = Callable[[Config], CheckResult | list[CheckResult]]


# What a newly switched release must pass to be kept (kiosk.update.guard): the program's own parts and the
# data, not the network or the printers, which fail for reasons of their own.
HEALTH_CHECKS: tuple[Check, ...] = (check_fonts, check_qml, check_data_folder, check_database, check_content)


def checks() -> tuple[Check, ...]:
    """Every check, in the order ``pyproject.toml`` declares them (group ``zwgk_kiosk.selftest_checks``:
    the core's own, ``printing``'s printer check, ``sync``'s server check). A check whose package this
    build does not carry is a skip that says so."""
    out: list[Check] = []
    for name, check in plugins.loaded(plugins.SELFTEST_CHECKS).items():
        out.append(_not_carried(name, check.module) if isinstance(check, plugins.Missing) else check)
    return tuple(out)


def _not_carried(name: str, module: str) -> Check:
    def skip(_cfg: Config) -> CheckResult:
        return CheckResult(name, Verdict.SKIP, f"未检查（本版本未包含 {module.split('.', maxsplit=1)[0]}）")

    return skip


def run_checks(cfg: Config, only: tuple[Check, ...] | None = None) -> Iterator[CheckResult]:
    """Run every check (or ``only`` these) in order, timing each; a check that raises is a failure, not the
    end of the run."""
    for check in checks() if only is None else only:
        t0 = time.perf_counter()
        try:
            got = check(cfg)
        except Exception as exc:  # an unexpected bug in a check still yields a verdict for the others
            got = CheckResult(
                check.__name__.removeprefix("check_"),
                Verdict.FAIL,
                f"检查本身出错：{type(exc).__name__}: {str(exc)[:160]}",
            )
        ms = (time.perf_counter() - t0) * 1000
        for r in got if isinstance(got, list) else [got]:
            yield CheckResult(r.name, r.verdict, r.detail, ms)


def failed(results: list[CheckResult]) -> bool:
    return any(r.verdict is Verdict.FAIL for r in results)


def _cells(text: str) -> int:
    """Terminal columns ``text`` takes (a Chinese character takes two)."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def format_table(results: list[CheckResult]) -> str:
    """The results as an aligned plain-text table (what staff and IT read on the console)."""
    names = [check_label(r.name) for r in results]
    width = max([_cells("检查项")] + [_cells(n) for n in names])

    def pad(text: str, cells: int) -> str:
        return text + " " * (cells - _cells(text))

    lines = [f"{pad('检查项', width)}  结果  说明", f"{'-' * width}  ----  {'-' * 40}"]
    lines += [
        f"{pad(n, width)}  {pad(VERDICT_LABELS[r.verdict], 4)}  {r.detail}" for n, r in zip(names, results, strict=True)
    ]
    bad = sum(r.verdict is Verdict.FAIL for r in results)
    lines.append(f"自检：{f'未通过（{bad} 项失败）' if bad else '通过'}")
    return "\n".join(lines)
