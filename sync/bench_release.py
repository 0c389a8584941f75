"""Release benchmark: ``python -m kiosk bench release [--bundle DIR] [--link-mbit 20]``; figures go to
docs/benchmarks.md, "Releases (issue 21)".

1. ``release publish``: the archive's bytes beside the bundle folder's, and the time to pack it.
2. A terminal (``kiosk sync`` under a supervisor, as the unit runs it) learns of the release, downloads it
   through a rate-limited relay, unpacks it, switches and confirms it: seconds from ``rollout`` to
   *downloaded*, to *switched* and to *confirmed*, beside the baseline of the same archive downloaded as
   one file from Python's ``http.server`` through the same relay in the same run.
3. The resident-visible downtime of a switch: the boot guard (run from the previous release) plus the
   new release's start to its home screen painted (``kiosk run --smoke``), beside a plain restart of the
   release that was running (the same start, no switch).

``--bundle`` is a bundle folder (``dist/kiosk`` from ``scripts/build-bundle``); without it a stand-in is
made: a launcher running this checkout's code copied inside the folder with the bundled fonts.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kiosk.update import state as st
from kiosk.update.layout import CURRENT, Layout
from sync.bench import ROOT, ServerProcess, ThrottledLink, _download, _loadavg, _synthetic
from sync.protocol import signing
from sync.server.__main__ import add_terminal
from sync.server.feed.publish import publish_pack
from sync.server.releases import store


def standin(dest: Path) -> Path:
    """A bundle-shaped folder whose ``kiosk`` runs this checkout's code copied inside it."""
    app = dest / "app"
    for pkg in ("kiosk", "sync", "printing", "ui"):
        shutil.copytree(ROOT / pkg, app / pkg, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copytree(ROOT / "assets" / "fonts", app / "assets" / "fonts")
    launcher = dest / "kiosk"
    launcher.write_text(
        '#!/bin/sh\nHERE="$(cd "$(dirname "$0")" && pwd -P)"\nexport KIOSK_PROGRAM_DIR="$HERE"\n'
        f'export PYTHONPATH="$HERE/app"\nexec "{sys.executable}" -P -m kiosk "$@"\n',
        encoding="utf-8",
    )
    launcher.chmod(0o755)
    return dest


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def _closed_hours() -> str:
    h = (datetime.now(UTC) + timedelta(hours=20)).hour
    return f"每天 {h:02d}:00-{(h + 1) % 24:02d}:00"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KIOSK_CRASH_AT")}
    return env | {"QT_QPA_PLATFORM": "offscreen", "QT_QUICK_BACKEND": "software"}


def _wait_state(data: Path, states: tuple[str, ...], timeout: float = 1800) -> float:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if st.load(data).state in states:
            return time.monotonic()
        time.sleep(0.1)
    raise RuntimeError(f"the terminal never reached {states} (now {st.load(data)})")


def _smoke(program: Path, cfg: Path) -> float:
    """Seconds from starting ``program run --smoke`` to its home screen painted."""
    t0 = time.perf_counter()
    done = subprocess.run(
        [str(program), "run", "--smoke", "--timeout", "120", "--config", str(cfg)],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=cfg.parent,
        timeout=300,
        check=False,
    )
    took = time.perf_counter() - t0
    if '"home_painted"' not in done.stdout:
        raise RuntimeError(f"home not painted: {done.stdout[-500:]} {done.stderr[-500:]}")
    return took


def _server(root: Path) -> tuple[ServerProcess, Path]:
    """The district server as a process, its zone closed now, a category and 50 documents published."""
    keys = root / "keys"
    signing.generate(keys)
    server = ServerProcess(root / "server", keys)
    zone = {"type": "zone", "code": "wanbao", "name": "万宝镇", "kind": "township", "prefix": "WB"}
    category = {"type": "category", "code": "policy", "name": "政策文件", "facet": "type"}
    docs = (dict(_synthetic(i), type="document", categories=["policy"]) for i in range(50))
    lines = [zone | {"hours": _closed_hours()}, category, *docs]
    pack = root / "district.jsonl"
    pack.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    publish_pack(server.engine, pack)
    server.start()
    return server, keys


def _kiosk(program: Path, *args: str, cwd: Path, check: bool = True) -> None:
    subprocess.run([str(program), *args], capture_output=True, env=_env(), cwd=cwd, timeout=600, check=check)


def _terminal(root: Path, bundle: Path, server: ServerProcess, keys: Path, port: int) -> tuple[Layout, Path]:
    """An installed terminal running ``bundle`` as release 1.0, its first sync done."""
    layout = Layout(root / "opt")
    shutil.copytree(bundle, layout.release("1.0"), symlinks=True)
    layout.point(CURRENT, "1.0")
    _tid, token = add_terminal(server.db_url, "wanbao")
    cfg = root / "terminal.toml"
    cfg.write_text(
        f'[terminal]\nid = "wanbao-01"\nzone = "wanbao"\ndata_dir = "{root / "data"}"\ncontent_pack = ""\n'
        f'[server]\nurl = "http://127.0.0.1:{port}"\ntoken = "{token}"\n'
        f'trust_key = "{keys / signing.PUBLIC_NAME}"\ntimeout_s = 30\nsync_interval_s = 2\n',
        encoding="utf-8",
    )
    _kiosk(layout.root / "current" / "kiosk", "sync", "--once", "--config", str(cfg), cwd=root, check=False)
    return layout, cfg


def _unit_pre_start(layout: Layout, cfg: Path, data: Path, root: Path) -> None:
    """The unit's ExecStartPre as docs/deploy.md writes it (the boot guard only while a switch is pending,
    and not for the start the switch counted itself)."""
    script = (
        f'U="{data / "update"}"; if [ -e "$U/counted" ]; then rm -f "$U/counted"; '
        f'elif [ -e "$U/pending" ]; then "{layout.root / "previous" / "kiosk"}" update guard '
        f'--root "{layout.root}" --config "{cfg}"; fi'
    )
    subprocess.run(["/bin/sh", "-c", script], capture_output=True, env=_env(), cwd=root, timeout=120, check=True)


def measure(root: Path, bundle: Path, link_mbit: float) -> dict[str, Any]:
    server, keys = _server(root)
    link = ThrottledLink(server.port, link_mbit)
    out: dict[str, Any] = {"link_mbit": link_mbit, "bundle_bytes": _folder_bytes(bundle)}
    term: subprocess.Popen[bytes] | None = None
    try:
        t0 = time.perf_counter()
        done = store.publish(server.engine, root / "server" / "district.db-releases", bundle, "2.0")
        out["publish_s"] = time.perf_counter() - t0
        out["archive_bytes"] = done.size
        layout, cfg = _terminal(root, bundle, server, keys, link.port)
        current, data = layout.root / "current" / "kiosk", root / "data"
        out["restart_same_s"] = _smoke(current, cfg)
        term = subprocess.Popen(
            [str(current), "sync", "--config", str(cfg)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=_env(),
            cwd=root,
        )
        time.sleep(3)  # its first runs: nothing to update
        t0 = time.monotonic()
        store.rollout(server.engine, "2.0", None)
        out["downloaded_s"] = _wait_state(data, ("staged", "switching", "switched")) - t0
        out["exit_code"] = term.wait(600)
        out["switched_s"] = time.monotonic() - t0
        g0 = time.perf_counter()
        _unit_pre_start(layout, cfg, data, root)
        out["guard_s"] = time.perf_counter() - g0
        out["new_start_s"] = _smoke(current, cfg)
        out["downtime_s"] = out["guard_s"] + out["new_start_s"]
        c0 = time.perf_counter()
        _kiosk(current, "update", "confirm", "--config", str(cfg), cwd=root)
        out["confirm_s"] = time.perf_counter() - c0
        out["state"] = st.load(data).state
        out["baseline_download_s"] = _download(root, "archive", done.archive.read_bytes(), link_mbit)
    finally:
        if term is not None and term.poll() is None:
            term.kill()  # a run that failed half-way leaves no terminal behind
            term.wait(30)
        link.close()
        server.stop()
    return out


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--bundle", type=Path, help="a bundle folder (dist/kiosk); default: a stand-in of this checkout")
    p.add_argument("--link-mbit", type=float, default=20.0, help="the hall's link to the district (Mbit/s)")
    p.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")


def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="bench-release-") as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        bundle = args.bundle.resolve() if args.bundle else standin(root / "standin")
        f = measure(root, bundle, args.link_mbit)
    mb = 2**20
    print(
        f"bundle {f['bundle_bytes'] / mb:.1f} MB → archive {f['archive_bytes'] / mb:.1f} MB "
        f"({f['archive_bytes'] / f['bundle_bytes']:.0%}), packed in {f['publish_s']:.1f} s"
    )
    print(
        f"at {f['link_mbit']:g} Mbit/s: downloaded+unpacked {f['downloaded_s']:.1f} s, switched (process exit "
        f"{f['exit_code']}) {f['switched_s']:.1f} s; baseline one-file download {f['baseline_download_s']:.1f} s "
        f"({f['downloaded_s'] / f['baseline_download_s']:.2f}x)"
    )
    print(
        f"downtime of the switch: guard {f['guard_s']:.2f} s + start to home {f['new_start_s']:.2f} s = "
        f"{f['downtime_s']:.2f} s; baseline plain restart to home {f['restart_same_s']:.2f} s; "
        f"confirm (health checks, after home) {f['confirm_s']:.2f} s → {f['state']}"
    )
    print(f"load average {_loadavg()}")
    print(
        json.dumps(
            {"event": "bench_release", **{k: (round(v, 3) if isinstance(v, float) else v) for k, v in f.items()}}
        )
    )
    return 0
