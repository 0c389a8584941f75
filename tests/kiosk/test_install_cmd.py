"""``kiosk install`` run for real — the program as a subprocess, as root — into a throwaway system root
(``--root``): the service user and its groups land in that root's own passwd/group files (by the real
``useradd``/``usermod``), the folders and the configuration get their owners and modes, the unit is
written with this program's path and enabled by the real ``systemctl --root``, and the commands the unit
runs are ones the kiosk accepts. The machine's own users and units are checked untouched."""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli import build_parser

pytestmark = pytest.mark.skipif(
    os.name != "posix" or os.geteuid() != 0 or not all(shutil.which(t) for t in ("useradd", "usermod", "systemctl")),
    reason="needs root and the system's useradd, usermod and systemctl",
)

UNIT = "zwgk-kiosk-cage.service"


def _system_root(tmp_path: Path) -> Path:
    """A minimal system: root, and the groups a Wayland compositor's user joins (gids unlike the host's)."""
    root = tmp_path / "image"
    etc = root / "etc"
    etc.mkdir(parents=True)
    (etc / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n", encoding="utf-8")
    (etc / "group").write_text("root:x:0:\nvideo:x:1044:\ninput:x:1105:\nrender:x:1106:\n", encoding="utf-8")
    (etc / "shadow").write_text("root:*:20000:0:99999:7:::\n", encoding="utf-8")
    (etc / "gshadow").write_text("root:*::\nvideo:*::\ninput:*::\nrender:*::\n", encoding="utf-8")
    for name in ("shadow", "gshadow"):
        (etc / name).chmod(0o600)
    cfg = etc / "zwgk-kiosk"
    cfg.mkdir()
    (cfg / "terminal.toml").write_text('[terminal]\nid = "wanbao-01"\n', encoding="utf-8")
    (cfg / "terminal.toml").chmod(0o644)  # as copied by hand: the install makes it the service user's, 0600
    return root


def _host_state() -> tuple[str, ...]:
    files = [Path("/etc/passwd"), Path("/etc/group"), Path(f"/etc/systemd/system/{UNIT}")]
    hashes = [hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else "absent" for p in files]
    return (*hashes, str(Path("/var/lib/zwgk-kiosk").exists()), str(Path("/etc/zwgk-kiosk").exists()))


def _install(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "install", "--root", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_install_into_a_throwaway_root(tmp_path: Path) -> None:
    root = _system_root(tmp_path)
    host_before = _host_state()
    r = _install(root)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"已安装到 {root}；该系统启动时单元随之启动" in r.stdout
    unit = root / "etc/systemd/system/zwgk-kiosk-cage.service"
    assert f"写入 {unit}（程序 {sys.executable} -m kiosk）" in r.stdout, r.stdout  # each step said in Chinese

    passwd = {f[0]: f for f in (ln.split(":") for ln in (root / "etc/passwd").read_text().splitlines())}
    assert "kiosk" in passwd
    uid, gid, home, shell = int(passwd["kiosk"][2]), int(passwd["kiosk"][3]), passwd["kiosk"][5], passwd["kiosk"][6]
    assert uid < 1000 and home == "/var/lib/zwgk-kiosk" and shell == "/usr/sbin/nologin"  # a system user
    groups = {f[0]: f for f in (ln.split(":") for ln in (root / "etc/group").read_text().splitlines())}
    assert int(groups["kiosk"][2]) == gid
    for g in ("video", "input", "render"):
        assert "kiosk" in groups[g][3].split(","), g

    def owner_mode(p: Path) -> tuple[int, int, int]:
        st = p.lstat()
        return st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)

    assert owner_mode(root / "etc/zwgk-kiosk") == (0, gid, 0o750)
    assert owner_mode(root / "var/lib/zwgk-kiosk") == (uid, gid, 0o750)
    assert owner_mode(root / "etc/zwgk-kiosk/terminal.toml") == (uid, gid, 0o600)
    unit = root / "etc/systemd/system" / UNIT
    assert owner_mode(unit) == (0, 0, 0o644)
    wants = root / "etc/systemd/system/graphical.target.wants" / UNIT
    assert wants.is_symlink() and os.readlink(wants) == f"/etc/systemd/system/{UNIT}"  # the image's path

    # The unit starts this program with commands the kiosk accepts, on the image's configuration path.
    text = unit.read_text(encoding="utf-8")
    assert "User=kiosk" in text and "Environment=KIOSK_CONFIG=/etc/zwgk-kiosk/terminal.toml" in text
    program = shlex.split(f"{sys.executable} -m kiosk")
    commands = {}
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key in ("ExecStartPre", "ExecStart"):
            argv = shlex.split(value.lstrip("-").replace("${KIOSK_CONFIG}", "/etc/zwgk-kiosk/terminal.toml"))
            if argv[0] == "/usr/bin/cage":
                argv = argv[argv.index("--") + 1 :]
            assert argv[: len(program)] == program, line
            commands[key] = argv[len(program) :]
            args = build_parser(commands[key][0]).parse_args(commands[key])
            assert str(args.config) == "/etc/zwgk-kiosk/terminal.toml"
    assert commands["ExecStartPre"][0] == "self-test" and commands["ExecStart"][0] == "run"

    # Again: nothing to add, the same result.
    again = _install(root)
    assert again.returncode == 0, again.stderr
    assert "useradd" not in again.stdout
    assert [ln for ln in (root / "etc/passwd").read_text().splitlines() if ln.startswith("kiosk:")] == [
        ":".join(passwd["kiosk"])
    ]
    assert _host_state() == host_before, "the machine's own users, folders or units changed"


def test_root_refuses_the_per_user_unit(tmp_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "kiosk", "install", "--root", str(_system_root(tmp_path)), "--unit", "user"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert r.returncode == 2 and "--root 只能安装 cage 单元" in r.stderr


def test_an_installed_release_gets_a_unit_that_follows_current_and_guards_switches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kiosk.cli.install_cmd import unit_text
    from kiosk.update import layout

    release = tmp_path / "opt" / "releases" / "2026.12.1"
    release.mkdir(parents=True)
    monkeypatch.setenv("KIOSK_PROGRAM_DIR", str(release))
    layout.program_dir.cache_clear()
    try:
        text = unit_text("cage", "kiosk", Path("/etc/zwgk-kiosk"))
    finally:
        layout.program_dir.cache_clear()
    root = tmp_path / "opt"
    assert f"-- {root}/current/kiosk run" in text and "releases/2026.12.1" not in text
    guard = next(line for line in text.splitlines() if "update guard" in line)
    assert guard.startswith("ExecStartPre=-/bin/sh -c") and f"{root}/previous/kiosk update guard" in guard
    assert "/var/lib/zwgk-kiosk/update/pending" in guard and "/var/lib/zwgk-kiosk/update/counted" in guard
    assert text.index("update guard") < text.index("self-test") < text.index("\nExecStart=")
