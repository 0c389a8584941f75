"""``kiosk run`` (the touch screen) and ``kiosk screenshot`` (any screen rendered offscreen to a PNG).

``run`` starts fullscreen on the configured zone's home; ``--windowed`` for development; ``--smoke``
runs offscreen, waits until home is painted, prints ``{"event": "home_painted", "ms": …}`` and exits 0
— or nonzero if QML reported any error or warning. Where there is no display at all the command says so
in Chinese and English and names the offscreen mode instead of letting Qt abort.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from kiosk.config import Config, load


def smoke_command() -> str:
    """The exact command that starts this program offscreen: this interpreter (the venv's, not some
    system Python without PySide6) or the frozen program itself."""
    import shlex

    exe = Path(sys.executable)
    if getattr(sys, "frozen", False):
        return f"{shlex.quote(str(exe))} run --smoke"
    try:
        shown = str(exe.relative_to(Path.cwd())) if not exe.is_absolute() else str(exe)
    except ValueError:
        shown = str(exe)
    return f"{shlex.quote(shown)} -m kiosk run --smoke"


def no_display_message() -> str:
    """What ``kiosk run`` says where there is no display: commands that work, in Chinese and English."""
    from kiosk.paths import app_root

    command = smoke_command()
    script = app_root() / "scripts" / "run"
    lines = [command] + ([f"{script} --smoke"] if script.is_file() and not getattr(sys, "frozen", False) else [])
    listed = "\n".join(f"  {c}" for c in lines)
    return (
        "没有可用的显示器（未设置 DISPLAY 或 WAYLAND_DISPLAY）。无显示器时请使用离屏模式（启动、绘制首页后退出）：\n"
        f"{listed}\n"
        "No display found (DISPLAY and WAYLAND_DISPLAY are unset). Without a display use the offscreen mode:\n"
        f"{listed}\n"
        "  (or set QT_QPA_PLATFORM=offscreen)"
    )


def register_run(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    run = sub.add_parser("run", help="启动触摸屏界面（全屏显示本专区首页）")
    run.add_argument("--config", help="终端配置文件（TOML）；默认：演示终端")
    run.add_argument("--windowed", action="store_true", help="以 1920×1080 窗口代替全屏")
    run.add_argument("--smoke", action="store_true", help="离屏模式：启动、绘制首页、输出耗时后退出")
    run.add_argument("--timeout", type=float, default=30.0, help="--smoke：等待首页的秒数（30）")
    run.set_defaults(func=cmd_run)


def register_screenshot(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from ui.screens import SCREENS

    shot = sub.add_parser("screenshot", help="离屏绘制一个界面并保存为 PNG")
    shot.add_argument("--screen", required=True, help=", ".join(SCREENS))
    shot.add_argument("--size", default="1920x1080", help="宽x高（1920x1080 或 1080x1920）")
    shot.add_argument("--large-text", action="store_true", help="大字、高对比度模式（适老化）")
    shot.add_argument("--query", help="search：输入的查询词（默认 低保）")
    shot.add_argument("--doc", help="document/attachment：文件编号（默认：一份带 PDF 的演示文件）")
    shot.add_argument("--category", help="category：分类代码（默认：内容最多的类别）")
    shot.add_argument("--out", required=True, help="要写入的 PNG 文件")
    shot.add_argument("--config", help="终端配置文件（TOML）；默认：演示终端")
    shot.add_argument("--timeout", type=float, default=30.0)
    shot.set_defaults(func=cmd_screenshot)


def has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    on_linux = sys.platform.startswith("linux")  # elsewhere there is always a display
    return not on_linux or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _offscreen() -> None:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.setdefault("QT_QUICK_BACKEND", "software")


def _wait(app: Any, predicate: Any, timeout_s: float) -> bool:
    from PySide6.QtCore import QCoreApplication, QEventLoop

    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        if predicate():
            return True
        time.sleep(0.002)
    return False


def wait_painted(app: Any, ready_property: str, timeout_s: float, frames: int = 2) -> bool:
    """Wait until the window's ``ready_property`` is true and ``frames`` frames were painted after that."""
    seen = {"after": 0}
    window = app.window

    def on_swap() -> None:
        if window.property(ready_property):
            seen["after"] += 1

    window.frameSwapped.connect(on_swap)
    ok = _wait(app, lambda: seen["after"] >= frames, timeout_s)
    window.frameSwapped.disconnect(on_swap)
    return ok


def cmd_run(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    if args.smoke:
        _offscreen()
    elif not has_display():
        print(no_display_message(), file=sys.stderr)
        return 3
    cfg = load(args.config)
    if not args.smoke:  # a terminal started by systemd or the task scheduler has no console to read
        from kiosk.logsetup import setup_logging

        setup_logging(cfg.log_dir, console=True)
    from ui.app import KioskApp
    from ui.qt_messages import install_handler

    smoke_warnings: list[str] = []
    install_handler(smoke_warnings)
    app = KioskApp(cfg, initial={"fullscreen": not (args.windowed or args.smoke)})
    app.load()
    if args.smoke:
        painted = wait_painted(app, "homeReady", args.timeout, frames=1)
        ms = (time.perf_counter() - t0) * 1000
        problems = app.warnings + smoke_warnings
        app.shutdown()
        if not painted:
            print(json.dumps({"event": "home_not_painted", "timeout_s": args.timeout}), flush=True)
            return 1
        print(json.dumps({"event": "home_painted", "ms": round(ms)}), flush=True)
        if problems:
            for p in problems:
                print(f"Qt 警告：{p}", file=sys.stderr)
            return 4
        return 0
    app.start_background()
    app.confirm_release()
    code = app.qapp.exec()
    app.shutdown()
    return int(code)


def render_screen(
    cfg: Config,
    screen: str,
    size: tuple[int, int],
    *,
    large_text: bool = False,
    args: argparse.Namespace | None = None,
    timeout_s: float = 30.0,
) -> Any:
    """Start the shell offscreen at ``size`` on ``screen`` and return the painted QImage."""
    from kiosk.db import make_engine, session_factory
    from ui.app import KioskApp, open_mirror
    from ui.screens import SCREENS

    spec = SCREENS.get(screen)
    if spec is None:
        raise SystemExit(f"unknown screen {screen!r}; known: {', '.join(SCREENS)}")
    args = args or argparse.Namespace(doc=None, query=None, category=None)
    open_mirror(cfg)
    engine = make_engine(cfg.db_path)
    with session_factory(engine)() as session:
        props = spec.props(args, session, cfg.terminal.zone)
    engine.dispose()
    app = KioskApp(
        cfg,
        initial={
            "fullscreen": False,
            "width": size[0],
            "height": size[1],
            "largeText": large_text,
            "startRoute": spec.route if spec.route != "home" else "",
            "startProps": props,
            "startOverlay": spec.overlay,
        },
    )
    app.load()
    if not wait_painted(app, "screenReady", timeout_s):
        app.shutdown()
        raise SystemExit(f"screen {screen!r} did not become ready within {timeout_s:.0f} s")
    image = app.window.grabWindow()
    app.shutdown()
    return image


def cmd_screenshot(args: argparse.Namespace) -> int:
    if not os.environ.get("QT_QPA_PLATFORM"):
        _offscreen()
    try:
        w, h = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        print(f"--size 应写成 宽x高（如 1920x1080），而不是 {args.size!r}", file=sys.stderr)
        return 2
    cfg = load(args.config)
    from ui.qt_messages import install_handler

    install_handler()
    image = render_screen(cfg, args.screen, (w, h), large_text=args.large_text, args=args, timeout_s=args.timeout)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(out)):
        print(f"无法写入 {out}", file=sys.stderr)
        return 1
    print(json.dumps({"event": "screenshot", "screen": args.screen, "size": f"{w}x{h}", "out": str(out)}))
    return 0
