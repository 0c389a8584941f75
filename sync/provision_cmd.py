"""``kiosk provision --zone ZONE --server URL --token TOKEN --trust PUBKEY --out FILE.toml [--data DIR]``:
write one terminal's configuration so IT sets up each terminal with one command.

The district's public key is copied next to the configuration (``district-signing.pub``) and referenced
relatively, so the folder can be moved as a whole. The written file is checked with ``kiosk.config.load``
before the command reports success, and it is written owner-readable only (it holds the token).
"""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path
from typing import Any

import tomli_w

from kiosk import config as config_mod
from kiosk.errors import ConfigError
from sync.signing import load_verifier


def register(sub: Any) -> None:
    p = sub.add_parser("provision", help="write a terminal's configuration for the district server")
    p.add_argument("--zone", required=True, help="zone code of this terminal (e.g. wanbao)")
    p.add_argument("--server", required=True, help="district server URL (https://…)")
    p.add_argument("--token", required=True, help="the terminal's token from `sync.server add-terminal`")
    p.add_argument("--trust", type=Path, required=True, help="the district's public key (PEM)")
    p.add_argument("--out", type=Path, required=True, help="configuration file to write (.toml)")
    p.add_argument("--data", type=Path, help="data folder (default: the platform's per-user folder)")
    p.add_argument("--id", help="terminal id as the server named it (add-terminal prints it; default: ZONE-kiosk)")
    p.add_argument("--ca-bundle", type=Path, help="CA bundle to trust for the server's TLS certificate")
    p.add_argument("--mirror-all-zones", action="store_true", help="mirror every zone's documents")
    p.add_argument("--force", action="store_true", help="overwrite an existing configuration")
    p.set_defaults(func=run)


def provision(args: argparse.Namespace) -> Path:
    out: Path = args.out.resolve()
    if out.exists() and not args.force:
        raise ConfigError(f"{out} exists; use --force to overwrite it")
    verifier = load_verifier(args.trust)  # refuse a file that is not an Ed25519 public key
    out.parent.mkdir(parents=True, exist_ok=True)
    trust_copy = out.parent / "district-signing.pub"
    if args.trust.resolve() != trust_copy:
        shutil.copyfile(args.trust, trust_copy)
    terminal: dict[str, Any] = {
        "id": args.id or f"{args.zone}-kiosk",
        "zone": args.zone,
        "mirror_all_zones": bool(args.mirror_all_zones),
    }
    if args.data is not None:
        terminal["data_dir"] = str(args.data.resolve())
    server: dict[str, Any] = {"url": args.server, "token": args.token, "trust_key": trust_copy.name}
    if args.ca_bundle is not None:
        server["ca_bundle"] = str(args.ca_bundle.resolve())
    text = f"# Written by `kiosk provision`; district key id {verifier.key_id}.\n" + tomli_w.dumps(
        {"terminal": terminal, "server": server}
    )
    config_mod.parse(text, out)  # the same checks `kiosk.config.load` makes, before anything is written
    tmp = out.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, out)
    config_mod.load(out)
    return out


def run(args: argparse.Namespace) -> int:
    out = provision(args)
    from kiosk.cli import program

    print(f"wrote {out}; check it with: {program()} sync --once --config {out}")
    return 0
