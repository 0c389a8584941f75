"""A terminal's configuration: one TOML file per terminal.

The file names the zone, the data folder, the district server, the printers, the idle timeout and the
staff PIN hash. Every key has a default that runs the bundled demo district, so an empty file is a
working demo terminal. A file with a server is a production terminal: it seeds no content pack unless it
names one (never the demo), and has no staff PIN until it names one (``kiosk enrol`` asks for it).
An unknown key, a wrong type or a bad value is a :class:`ConfigError` naming the
key and the file, never a traceback.

Layout::

    [terminal]   id, name, zone, data_dir, idle_timeout_s, large_text, print_pages_per_visit, timezone,
                 mirror_all_zones, content_pack
    [server]     url, token, ca_bundle, trust_key, timeout_s, sync_interval_s, max_response_mb
    [staff]      pin_hash, max_failures, lockout_s
    [[printers]] name, role, kind, target, encoding, font_charset, columns, cut

Relative paths are resolved against the folder of the configuration file, except a file printer's
``target``, which is resolved against the data folder (so a demo terminal run from a read-only install
or a frozen bundle writes its printouts beside its mirror, never into the program's folder).
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk import localtime
from kiosk.errors import ConfigError
from kiosk.paths import demo_dir

PRINTER_KINDS = ("system", "tcp", "usb", "serial", "file")
PRINTER_ROLES = ("a4", "receipt")


# The demo terminal's staff PIN (246810, printed in the README): a terminal without a server gets it when
# its file names none; a terminal with a server never does (no staff access until a PIN is set).
DEMO_PIN_HASH = "scrypt$16384$8$1$a2lvc2stZGVtby1zYWx0IQ==$AN7QY2aqBAuMcC5pJSxWGoiHaXMTwVNcdhSKBFOxECc="


@dataclass(frozen=True)
class TerminalSection:
    id: str = "demo-wanbao-01"
    name: str = ""  # what the district calls this terminal (set by `kiosk enrol`), shown to staff
    zone: str = "wanbao"
    data_dir: Path = Path("")  # "" = the platform's per-user data folder (platformdirs)
    idle_timeout_s: int = 90
    large_text: bool = False
    # pages one resident may print in one visit (a visit ends at the idle timeout); staff set it here
    print_pages_per_visit: int = 30
    # the zone whose time the screens show and the receipts print, whatever the OS clock's zone
    timezone: str = "Asia/Shanghai"
    mirror_all_zones: bool = False
    # The content pack a fresh data folder is seeded from (demo district by default; "" for none).
    content_pack: str = "demo"


@dataclass(frozen=True)
class ServerSection:
    url: str = ""  # empty: no server, the terminal runs on its mirror alone
    token: str = ""
    ca_bundle: str = ""
    trust_key: str = ""  # path to the district's Ed25519 public key (PEM)
    timeout_s: float = 10.0
    sync_interval_s: int = 300
    max_response_mb: int = 32


@dataclass(frozen=True)
class StaffSection:
    # scrypt hash of the staff PIN (`kiosk pin-hash`); "" = no PIN set, staff mode stays locked. Without a
    # server and without this key: the demo PIN (DEMO_PIN_HASH).
    pin_hash: str = ""
    max_failures: int = 5
    lockout_s: int = 300


@dataclass(frozen=True)
class PrinterConfig:
    name: str
    role: str = "receipt"  # a4 | receipt
    kind: str = "file"  # system | tcp | usb | serial | file
    # system: CUPS queue name ("" = default); tcp: host:port; usb: vendor:product (hex);
    # serial: device path; file: folder that receives one file per job
    target: str = ""
    encoding: str = "gb18030"  # gb18030 | gbk (ESC/POS only)
    font_charset: str = "gbk"  # gb2312 | gbk | gb18030: what the printer's own font can draw
    columns: int = 48  # characters per line in the printer's font A (80 mm paper: 48, 58 mm: 32)
    cut: bool = True


@dataclass(frozen=True)
class Config:
    path: Path | None
    terminal: TerminalSection = field(default_factory=TerminalSection)
    server: ServerSection = field(default_factory=ServerSection)
    staff: StaffSection = field(default_factory=StaffSection)
    printers: tuple[PrinterConfig, ...] = ()

    @property
    def data_dir(self) -> Path:
        return self.terminal.data_dir

    @property
    def db_path(self) -> Path:
        return self.terminal.data_dir / "mirror.db"

    @property
    def blob_dir(self) -> Path:
        return self.terminal.data_dir / "blobs"

    @property
    def log_dir(self) -> Path:
        return self.terminal.data_dir / "logs"

    def printer(self, role: str) -> PrinterConfig | None:
        """The first printer configured for ``role`` (a4 or receipt), if any."""
        return next((p for p in self.printers if p.role == role), None)


def _coerce(where: str, key: str, value: Any, expected: Any) -> Any:
    """Check one value against the dataclass field type; ints are accepted where floats are."""
    if expected in (Path, "Path"):
        if not isinstance(value, str):
            raise ConfigError(f"{where}：键 '{key}' 应为路径文字，而不是 {type(value).__name__}")
        return Path(value)
    pytype = {"str": str, "int": int, "float": float, "bool": bool}.get(str(expected), expected)
    if pytype is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if pytype is int and isinstance(value, bool):
        raise ConfigError(f"{where}：键 '{key}' 应为整数，而不是 true/false")
    if not isinstance(value, pytype):
        names = {str: "文字", int: "整数", float: "数字", bool: "布尔值 true 或 false"}
        raise ConfigError(
            f"{where}：键 '{key}' 应为{names.get(pytype, pytype)}，而不是 {type(value).__name__} {value!r}"
        )
    return value


def _section(cls: type, raw: Any, where: str, required: tuple[str, ...] = ()) -> Any:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} 应为表（table）")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in fields:
            known = ", ".join(sorted(fields))
            raise ConfigError(f"{where}：未知的键 '{key}'（可用的键：{known}）")
        values[key] = _coerce(where, key, value, fields[key].type)
    for key in required:
        if key not in values:
            raise ConfigError(f"{where}：缺少键 '{key}'")
    return cls(**values)


def _validate(cfg: Config, src: str) -> None:  # noqa: PLR0912 - one flat list of checks reads best
    t, s, st = cfg.terminal, cfg.server, cfg.staff
    if not t.zone.strip():
        raise ConfigError(f"{src} [terminal]：键 'zone'（专区代码）不能为空")
    if not 15 <= t.idle_timeout_s <= 3600:
        raise ConfigError(f"{src} [terminal]：键 'idle_timeout_s' 应在 15 到 3600 秒之间")
    if not 1 <= t.print_pages_per_visit <= 1000:
        raise ConfigError(f"{src} [terminal]：键 'print_pages_per_visit' 应在 1 到 1000 之间")
    try:
        localtime.zone(t.timezone)
    except localtime.UnknownZone:
        raise ConfigError(f"{src} [terminal]：键 'timezone' 应为时区名称，如 Asia/Shanghai") from None
    if s.url and not s.url.startswith(("http://", "https://")):
        raise ConfigError(f"{src} [server]：键 'url' 应以 http:// 或 https:// 开头")
    if s.url and not s.token:
        raise ConfigError(f"{src} [server]：设置了 'url' 时必须有键 'token'")
    if s.url and not s.trust_key:
        raise ConfigError(f"{src} [server]：设置了 'url' 时必须有键 'trust_key'")
    if not 0 < s.timeout_s <= 300:
        raise ConfigError(f"{src} [server]：键 'timeout_s' 应大于 0 且不超过 300 秒")
    if not 1 <= s.max_response_mb <= 1024:
        raise ConfigError(f"{src} [server]：键 'max_response_mb' 应在 1 到 1024 之间")
    if st.pin_hash and not st.pin_hash.startswith("scrypt$"):
        raise ConfigError(f"{src} [staff]：键 'pin_hash' 应为 scrypt 哈希（用 `kiosk pin-hash` 生成）")
    if s.url and st.pin_hash == DEMO_PIN_HASH:
        why = "连接服务器的终端不能使用演示 PIN；请另设一个（`kiosk pin-hash`）"
        raise ConfigError(f"{src} [staff]：{why}")
    if s.url and t.content_pack == "demo":
        raise ConfigError(
            f'{src} [terminal]：连接服务器时不能使用 content_pack = "demo"（正式终端从不显示演示内容）；请删除此键'
        )
    try:
        from kiosk.staff import check_settings

        check_settings(st.max_failures, st.lockout_s)
    except ValueError as exc:
        raise ConfigError(f"{src} [staff]：{exc}") from None
    names: set[str] = set()
    for i, p in enumerate(cfg.printers):
        where = f"{src} [[printers]] #{i + 1}"
        if p.name in names:
            raise ConfigError(f"{where}：键 'name' 与前面的打印机重复：'{p.name}'")
        names.add(p.name)
        if p.kind not in PRINTER_KINDS:
            raise ConfigError(f"{where}：键 'kind' 应为以下之一：{', '.join(PRINTER_KINDS)}")
        if p.role not in PRINTER_ROLES:
            raise ConfigError(f"{where}：键 'role' 应为以下之一：{', '.join(PRINTER_ROLES)}（A4 打印机、小票打印机）")
        if p.encoding not in ("gb18030", "gbk"):
            raise ConfigError(f"{where}：键 'encoding' 应为 gb18030 或 gbk")
        if p.font_charset not in ("gb2312", "gbk", "gb18030"):
            raise ConfigError(f"{where}：键 'font_charset' 应为 gb2312、gbk 或 gb18030")
        if p.kind != "system" and not p.target:
            raise ConfigError(f"{where}：{p.kind} 类打印机必须有键 'target'")


def _resolve(base: Path, value: str | Path) -> Path:
    p = Path(value).expanduser()
    return p if p.is_absolute() else (base / p)


def parse(text: str, path: Path | None = None, *, data_dir: Path | None = None) -> Config:
    """Parse configuration text; ``path`` (if any) is used in messages and to resolve relative paths.

    ``data_dir``, if given, replaces the file's data folder (tests, screenshots, a second demo terminal).
    """
    src = str(path) if path else "<config>"
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{src}：不是有效的 TOML：{exc}") from exc
    known = {"terminal", "server", "staff", "printers"}
    for key in raw:
        if key not in known:
            raise ConfigError(f"{src}：未知的节 '{key}'（可用的节：{', '.join(sorted(known))}）")
    terminal = _section(TerminalSection, raw.get("terminal", {}), f"{src} [terminal]")
    server = _section(ServerSection, raw.get("server", {}), f"{src} [server]")
    staff = _section(StaffSection, raw.get("staff", {}), f"{src} [staff]")
    raw_printers = raw.get("printers", [])
    if not isinstance(raw_printers, list):
        raise ConfigError(f"{src}：'printers' 应为表数组（[[printers]]）")
    printers = tuple(
        _section(PrinterConfig, p, f"{src} [[printers]] #{i + 1}", required=("name",))
        for i, p in enumerate(raw_printers)
    )
    base = path.parent if path else Path.cwd()
    if data_dir is not None:
        data_dir = Path(data_dir)
    elif str(terminal.data_dir) in ("", "."):
        import platformdirs

        data_dir = Path(platformdirs.user_data_dir("zwgk-kiosk", appauthor=False)) / terminal.id
    else:
        data_dir = _resolve(base, terminal.data_dir)
    terminal = dataclasses.replace(terminal, data_dir=data_dir)
    # Production (a server) versus demo defaults: no demo pack and no default PIN once a server is set.
    raw_terminal, raw_staff = raw.get("terminal", {}), raw.get("staff", {})
    if server.url and "content_pack" not in raw_terminal:
        terminal = dataclasses.replace(terminal, content_pack="")
    if not server.url and "pin_hash" not in raw_staff:
        staff = dataclasses.replace(staff, pin_hash=DEMO_PIN_HASH)

    def rel(v: str) -> str:
        return str(_resolve(base, v)) if v else ""

    server = dataclasses.replace(server, ca_bundle=rel(server.ca_bundle), trust_key=rel(server.trust_key))
    printers = tuple(
        dataclasses.replace(p, target=str(_resolve(data_dir, p.target))) if p.kind == "file" and p.target else p
        for p in printers
    )
    cfg = Config(path=path, terminal=terminal, server=server, staff=staff, printers=printers)
    _validate(cfg, src)
    return cfg


def load(path: str | Path | None = None, *, data_dir: Path | None = None) -> Config:
    """Load a terminal's configuration; ``None`` loads the bundled demo terminal's.

    ``data_dir``, if given, replaces the data folder the file names.
    """
    p = Path(path) if path is not None else demo_dir() / "terminal.toml"
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{p}：找不到配置文件") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{p}：配置文件不是 UTF-8 文本") from None
    except OSError as exc:
        raise ConfigError(f"{p}：无法读取配置文件：{exc.strerror}") from None
    return parse(text, p.resolve(), data_dir=data_dir)


def demo_config(data_dir: Path) -> Config:
    """The demo terminal's configuration with its data folder moved (tests, screenshots)."""
    return load(None, data_dir=data_dir)
