"""``kiosk install``: make this machine run the kiosk as a service, from the bundle's own files.

On Linux, as root: creates the service user (``kiosk``, a system user with its home in the data
folder, in the ``video``/``input``/``render`` groups a Wayland compositor needs), creates the
configuration folder (``root:kiosk``, 0750) and the data folder (``kiosk:kiosk``, 0750), gives an
existing ``terminal.toml`` to the service user (0600: it holds the token), writes the systemd unit with
this program's real path, reloads systemd and enables the unit. ``--unit cage`` (default) is the
system unit that shows the kiosk alone on tty1 inside cage; ``--unit user`` installs the per-user unit
for a desktop that logs the user in automatically. Without systemd it says what to do instead, and
``--dry-run`` prints every step without doing it. On Windows it prints the Task Scheduler command for
the bundled task.

``--root DIR`` installs into the system mounted at DIR instead (a terminal's disk image being prepared,
or a test): the user and groups go into DIR/etc (``useradd --root``), the folders and the unit under DIR,
owned by the ids DIR's own ``/etc/passwd`` gives, and the unit is enabled with ``systemctl --root``
(systemd need not run). Nothing of the running machine changes. Only the cage unit can be installed so.

The kiosk core imports no Qt and no HTTP; this command only runs the system's own tools.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.errors import KioskError, os_reason
from kiosk.paths import app_root
from kiosk.update.layout import installed_layout

USER = "kiosk"
CONFIG_DIR = Path("/etc/zwgk-kiosk")
DATA_DIR = Path("/var/lib/zwgk-kiosk")
UNITS = {"cage": "zwgk-kiosk-cage.service", "user": "zwgk-kiosk.service"}
DEFAULT_PROGRAM = "/opt/zwgk-kiosk/kiosk"


def register(sub: Any) -> None:
    p = sub.add_parser("install", help="创建服务用户和文件夹，安装并启用 systemd 单元（需 root）")
    p.add_argument("--unit", choices=sorted(UNITS), default="cage", help="cage：在 tty1 上只运行查询终端（默认）")
    p.add_argument("--user", default=USER, help=f"服务用户（默认 {USER}）")
    p.add_argument("--config-dir", type=Path, default=CONFIG_DIR)
    p.add_argument("--data-dir", type=Path, default=DATA_DIR)
    p.add_argument("--dry-run", action="store_true", help="只列出步骤，不做任何改动")
    p.add_argument("--root", type=Path, help="安装到挂载在此文件夹的系统（镜像）中，而不是本机")
    p.set_defaults(func=run)


def program() -> str:
    """This program's path as a unit must start it (the frozen executable, else ``python -m kiosk``)."""
    if getattr(sys, "frozen", False):
        return str(Path(sys.executable).resolve())
    return f"{sys.executable} -m kiosk"


def unit_text(unit: str, user: str, config_dir: Path) -> str:
    """The bundled unit with this program's path, user and configuration folder put in."""
    src = app_root() / "deploy" / "linux" / UNITS[unit]
    try:
        text = src.read_text(encoding="utf-8")
    except OSError as exc:
        raise KioskError(f"{src}：软件包中缺少它的 systemd 单元（{exc.strerror}）") from None
    installed = installed_layout()
    if installed is not None:  # an installed release: the unit follows ``current`` and guards switches
        root = installed[0].root
        text = text.replace(DEFAULT_PROGRAM, str(root / "current" / "kiosk"))
        first = "\nExecStartPre=" if "\nExecStartPre=" in text else "\nExecStart="  # the guard goes first
        text = text.replace(first, "\n" + guard_line(root, config_dir) + first, 1)
    else:
        text = text.replace(DEFAULT_PROGRAM, program())
    text = text.replace("/etc/zwgk-kiosk/terminal.toml", str(config_dir / "terminal.toml"))
    return text.replace("User=kiosk", f"User={user}")


def guard_line(root: Path, config_dir: Path, data: Path = Path("/var/lib/zwgk-kiosk")) -> str:
    """The unit's boot guard (kiosk.update.guard): run from the previous release only while a switch is
    pending, and not for the start the switch counted itself (docs/deploy.md, Releases)."""
    u = data / "update"
    prev = root / "previous" / "kiosk"
    return (
        f"ExecStartPre=-/bin/sh -c 'if [ -e {u}/counted ]; then rm -f {u}/counted; "
        f"elif [ -e {u}/pending ] && [ -x {prev} ]; then {prev} update guard --root {root} "
        f"--config {config_dir / 'terminal.toml'}; fi'"
    )


def steps(args: argparse.Namespace) -> list[tuple[str, Callable[[], None]]]:
    """What installing does, each step as (what a person reads, the action)."""
    user, cfg_dir, data_dir = args.user, args.config_dir, args.data_dir
    root: Path | None = args.root
    unit = UNITS[args.unit]
    if root is not None and args.unit != "cage":
        raise KioskError("--root 只能安装 cage 单元（按用户的单元需要该用户正在运行的会话）")
    accounts = Accounts(root)
    on = accounts.under
    rooted = ("--root", str(root)) if root is not None else ()
    out: list[tuple[str, Callable[[], None]]] = []

    def run_cmd(*cmd: str) -> Callable[[], None]:
        def do() -> None:
            subprocess.run(cmd, check=True, timeout=120)

        return do

    if not accounts.user_exists(user):
        create = ("--system", "--user-group", "--home-dir", str(data_dir), "--shell", "/usr/sbin/nologin", user)
        out.append((" ".join(("useradd", *rooted, *create)), run_cmd("useradd", *rooted, *create)))
    for group in ("video", "input", "render"):
        if accounts.group_exists(group):
            add = ("usermod", *rooted, "-aG", group, user)
            out.append((" ".join(add), run_cmd(*add)))
    out.append(
        (f"install -d -o root -g {user} -m 0750 {on(cfg_dir)}", accounts.make_dir(on(cfg_dir), None, user, 0o750))
    )
    out.append(
        (f"install -d -o {user} -g {user} -m 0750 {on(data_dir)}", accounts.make_dir(on(data_dir), user, user, 0o750))
    )
    for name, mode in (("terminal.toml", 0o600), ("district-signing.pub", 0o644)):
        path = on(cfg_dir / name)
        if path.exists():
            out.append((f"chown {user}:{user} {path}; chmod {mode:04o} {path}", accounts.chown(path, user, mode)))
    if args.unit == "cage":
        target = on(Path("/etc/systemd/system") / unit)
        out.append((f"写入 {target}（程序 {program()}）", _write(target, unit_text("cage", user, cfg_dir))))
        if root is None:
            out.append(("systemctl daemon-reload", run_cmd("systemctl", "daemon-reload")))
        enable = ("systemctl", *(("--root", str(root)) if root is not None else ()), "enable", unit)
        out.append((" ".join(enable), run_cmd(*enable)))
    else:
        home = Path(os.path.expanduser(f"~{user}"))
        target = home / ".config" / "systemd" / "user" / unit
        text = unit_text("user", user, cfg_dir)
        out.append((f"写入 {target}（程序 {program()}）", _write(target, text, accounts.ids_of(user))))
        out.append((f"loginctl enable-linger {user}", run_cmd("loginctl", "enable-linger", user)))
        out.append(
            (
                f"systemctl --user -M {user}@ enable {unit}",
                run_cmd("systemctl", "--user", "-M", f"{user}@", "enable", unit),
            )
        )
    return out


class Accounts:
    """Users, groups and paths of the system being installed: this machine's, or the one under ``root``
    (read from its own ``etc/passwd`` and ``etc/group``, never this machine's)."""

    def __init__(self, root: Path | None) -> None:
        self.root = root

    def under(self, path: Path) -> Path:
        """Where ``path`` of the installed system is from here."""
        return path if self.root is None else self.root / path.relative_to(path.anchor)

    def _table(self, name: str) -> dict[str, list[str]]:
        assert self.root is not None
        try:
            lines = (self.root / "etc" / name).read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return {}
        return {f[0]: f for f in (line.split(":") for line in lines) if len(f) > 3}

    def user_exists(self, name: str) -> bool:
        import pwd

        return self._exists("passwd", name, pwd.getpwnam)

    def group_exists(self, name: str) -> bool:
        import grp

        return self._exists("group", name, grp.getgrnam)

    def _exists(self, table: str, name: str, lookup: Callable[[str], object]) -> bool:
        if self.root is not None:
            return name in self._table(table)
        try:
            lookup(name)
        except KeyError:
            return False
        return True

    def ids_of(self, user: str) -> Callable[[], tuple[int, int]]:
        """(uid, gid) of ``user`` when asked — after the step that creates the user has run."""

        def ids() -> tuple[int, int]:
            if self.root is not None:
                entry = self._table("passwd").get(user)
                if entry is None:
                    raise KioskError(f"{self.root / 'etc/passwd'} 中没有用户 {user}")
                return int(entry[2]), int(entry[3])
            import pwd

            pw = pwd.getpwnam(user)
            return pw.pw_uid, pw.pw_gid

        return ids

    def make_dir(self, path: Path, owner: str | None, group: str, mode: int) -> Callable[[], None]:
        """``install -d``: the folder with this owner (None: root), the group's gid and ``mode``."""

        def do() -> None:
            path.mkdir(parents=True, exist_ok=True)
            uid = 0 if owner is None else self.ids_of(owner)()[0]
            os.chown(path, uid, self.ids_of(group)()[1])
            path.chmod(mode)

        return do

    def chown(self, path: Path, user: str, mode: int) -> Callable[[], None]:
        def do() -> None:
            os.chown(path, *self.ids_of(user)())
            path.chmod(mode)

        return do


def _write(path: Path, text: str, owner: Callable[[], tuple[int, int]] | None = None) -> Callable[[], None]:
    def do() -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        path.chmod(0o644)
        if owner is not None:
            os.chown(path, *owner())

    return do


def windows_hint() -> str:
    folder = Path(sys.executable).resolve().parent if getattr(sys, "frozen", False) else Path("C:/zwgk-kiosk")
    task = folder / "_internal" / "deploy" / "windows" / "kiosk-task.xml"
    return (
        "Windows 上，以查询终端账户（设为自动登录的标准用户）登录后运行：\n"
        f'    schtasks /Create /TN "zwgk-kiosk" /XML "{task}"\n'
        "详见软件包中的 docs/deploy.md（_internal/docs/deploy.md）。"
    )


def run(args: argparse.Namespace) -> int:
    if os.name == "nt":
        print(windows_hint())
        return 0
    plan = steps(args)
    has_systemd = args.root is not None or (
        Path("/run/systemd/system").is_dir() and shutil.which("systemctl") is not None
    )
    if args.dry_run or not has_systemd or os.geteuid() != 0:
        if not args.dry_run:
            why = "本机没有运行 systemd" if not has_systemd else "需要 root 权限"
            print(f"kiosk install：{why}；未做任何改动。以下步骤请以 root 身份手工执行：")
        for what, _action in plan:
            print(f"    {what}")
        if not has_systemd:
            print(
                "没有 systemd 时：改为在服务用户图形登录时启动查询终端，例如在会话的自动启动中加入\n"
                f"    {program()} run --config {args.config_dir / 'terminal.toml'}\n"
                "启动前先自检："
                f"{program()} self-test --config {args.config_dir / 'terminal.toml'}"
            )
        return 0 if args.dry_run else 1
    for what, action in plan:
        print(what, flush=True)
        try:
            action()
        except OSError as exc:
            where = f"（{exc.filename}）" if exc.filename else ""
            raise KioskError(f"未完成：{what}：{os_reason(exc)}{where}") from None
        except subprocess.CalledProcessError as exc:
            raise KioskError(f"未完成：{what}：命令退出码为 {exc.returncode}") from None
        except subprocess.SubprocessError:
            raise KioskError(f"未完成：{what}：命令没有正常结束") from None
    if args.root is not None:
        print(f"已安装到 {args.root}；该系统启动时单元随之启动")
        return 0
    print(f"已安装；下次开机时启动（或立即启动：systemctl start {UNITS[args.unit]}）")
    return 0
