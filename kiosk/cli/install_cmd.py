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

from kiosk.errors import KioskError
from kiosk.paths import app_root

USER = "kiosk"
CONFIG_DIR = Path("/etc/zwgk-kiosk")
DATA_DIR = Path("/var/lib/zwgk-kiosk")
UNITS = {"cage": "zwgk-kiosk-cage.service", "user": "zwgk-kiosk.service"}
DEFAULT_PROGRAM = "/opt/zwgk-kiosk/kiosk"


def register(sub: Any) -> None:
    p = sub.add_parser("install", help="create the service user and folders, install and enable the unit (root)")
    p.add_argument("--unit", choices=sorted(UNITS), default="cage", help="cage: kiosk alone on tty1 (default)")
    p.add_argument("--user", default=USER, help=f"service user (default {USER})")
    p.add_argument("--config-dir", type=Path, default=CONFIG_DIR)
    p.add_argument("--data-dir", type=Path, default=DATA_DIR)
    p.add_argument("--dry-run", action="store_true", help="print the steps, change nothing")
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
        raise KioskError(f"{src}: the bundle lacks its systemd unit ({exc.strerror})") from None
    text = text.replace(DEFAULT_PROGRAM, program())
    text = text.replace("/etc/zwgk-kiosk/terminal.toml", str(config_dir / "terminal.toml"))
    return text.replace("User=kiosk", f"User={user}")


def steps(args: argparse.Namespace) -> list[tuple[str, Callable[[], None]]]:
    """What installing does, each step as (what a person reads, the action)."""
    user, cfg_dir, data_dir = args.user, args.config_dir, args.data_dir
    unit = UNITS[args.unit]
    out: list[tuple[str, Callable[[], None]]] = []

    def run_cmd(*cmd: str) -> Callable[[], None]:
        def do() -> None:
            subprocess.run(cmd, check=True, timeout=120)

        return do

    if not _user_exists(user):
        out.append(
            (
                f"useradd --system --user-group --home-dir {data_dir} --shell /usr/sbin/nologin {user}",
                run_cmd(
                    "useradd",
                    "--system",
                    "--user-group",
                    "--home-dir",
                    str(data_dir),
                    "--shell",
                    "/usr/sbin/nologin",
                    user,
                ),
            )
        )
    for group in ("video", "input", "render"):
        if _group_exists(group):
            out.append((f"usermod -aG {group} {user}", run_cmd("usermod", "-aG", group, user)))
    out.append(
        (
            f"install -d -o root -g {user} -m 0750 {cfg_dir}",
            run_cmd("install", "-d", "-o", "root", "-g", user, "-m", "0750", str(cfg_dir)),
        )
    )
    out.append(
        (
            f"install -d -o {user} -g {user} -m 0750 {data_dir}",
            run_cmd("install", "-d", "-o", user, "-g", user, "-m", "0750", str(data_dir)),
        )
    )
    for name, mode in (("terminal.toml", "0600"), ("district-signing.pub", "0644")):
        path = cfg_dir / name
        if path.exists():
            out.append((f"chown {user}:{user} {path}; chmod {mode} {path}", _chown(path, user, int(mode, 8))))
    if args.unit == "cage":
        target = Path("/etc/systemd/system") / unit
        out.append((f"write {target} (program {program()})", _write(target, unit_text("cage", user, cfg_dir))))
        out.append(("systemctl daemon-reload", run_cmd("systemctl", "daemon-reload")))
        out.append((f"systemctl enable {unit}", run_cmd("systemctl", "enable", unit)))
    else:
        home = Path(os.path.expanduser(f"~{user}"))
        target = home / ".config" / "systemd" / "user" / unit
        out.append((f"write {target} (program {program()})", _write(target, unit_text("user", user, cfg_dir), user)))
        out.append((f"loginctl enable-linger {user}", run_cmd("loginctl", "enable-linger", user)))
        out.append(
            (
                f"systemctl --user -M {user}@ enable {unit}",
                run_cmd("systemctl", "--user", "-M", f"{user}@", "enable", unit),
            )
        )
    return out


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _group_exists(name: str) -> bool:
    import grp

    try:
        grp.getgrnam(name)
    except KeyError:
        return False
    return True


def _chown(path: Path, user: str, mode: int) -> Callable[[], None]:
    def do() -> None:
        shutil.chown(path, user, user)
        path.chmod(mode)

    return do


def _write(path: Path, text: str, owner: str | None = None) -> Callable[[], None]:
    def do() -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        path.chmod(0o644)
        if owner is not None:
            shutil.chown(path, owner, owner)

    return do


def windows_hint() -> str:
    folder = Path(sys.executable).resolve().parent if getattr(sys, "frozen", False) else Path("C:/zwgk-kiosk")
    task = folder / "_internal" / "deploy" / "windows" / "kiosk-task.xml"
    return (
        "On Windows, logged on as the kiosk account (a standard user with automatic logon):\n"
        f'    schtasks /Create /TN "zwgk-kiosk" /XML "{task}"\n'
        "See docs/deploy.md in the bundle (_internal/docs/deploy.md)."
    )


def run(args: argparse.Namespace) -> int:
    if os.name == "nt":
        print(windows_hint())
        return 0
    plan = steps(args)
    has_systemd = Path("/run/systemd/system").is_dir() and shutil.which("systemctl") is not None
    if args.dry_run or not has_systemd or os.geteuid() != 0:
        if not args.dry_run:
            why = "this machine does not run systemd" if not has_systemd else "this needs root"
            print(f"kiosk install: {why}; nothing was changed. The steps, to run by hand (as root):")
        for what, _action in plan:
            print(f"    {what}")
        if not has_systemd:
            print(
                "Without systemd: start the kiosk at the service user's graphical login instead, e.g.\n"
                f"    {program()} run --config {args.config_dir / 'terminal.toml'}\n"
                "from the session's autostart, after a self-test: "
                f"{program()} self-test --config {args.config_dir / 'terminal.toml'}"
            )
        return 0 if args.dry_run else 1
    for what, action in plan:
        print(what, flush=True)
        try:
            action()
        except (OSError, subprocess.SubprocessError) as exc:
            raise KioskError(f"{what}: {exc}") from None
    print(f"installed; it starts at the next boot (or now: systemctl start {UNITS[args.unit]})")
    return 0
