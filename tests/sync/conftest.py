"""Fixtures for sync tests: a district key pair, the real reference server under uvicorn on a free
loopback port (in a thread of the test process), provisioned terminals, and the fault-injection proxy."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from faultproxy import FaultProxy
from syncserver import RunningServer

from sync.protocol import signing
from sync.server.db import open_db


@pytest.fixture(scope="session")
def district_keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("keys") / "district"
    signing.generate(d)
    return d


@pytest.fixture(scope="session")
def other_keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("keys") / "impostor"
    signing.generate(d)
    return d


@pytest.fixture
def server(tmp_path: Path, district_keys: Path) -> Iterator[RunningServer]:
    db_path = tmp_path / "district.db"
    url = f"sqlite:///{db_path}"
    srv = RunningServer(db_url=url, db_path=db_path, key_dir=district_keys, engine=open_db(url), tmp=tmp_path)
    srv.start()
    yield srv
    srv.stop()
    srv.engine.dispose()


@pytest.fixture
def proxy(server: RunningServer) -> Iterator[FaultProxy]:
    p = FaultProxy(server.port)
    yield p
    p.close()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL: ``ZWGK_TEST_POSTGRES_URL`` if set, else a throwaway cluster when the PostgreSQL
    binaries (initdb, pg_ctl) and the psycopg driver are installed; otherwise the test is skipped."""
    pytest.importorskip("psycopg", reason="the psycopg driver is not installed (requirements-dev.txt)")
    if os.environ.get("ZWGK_TEST_POSTGRES_URL"):
        yield os.environ["ZWGK_TEST_POSTGRES_URL"]
        return
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip("no PostgreSQL server here (no initdb/pg_ctl); set ZWGK_TEST_POSTGRES_URL to run")
    prefix: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        if not shutil.which("runuser"):
            pytest.skip("running as root without runuser: cannot start a PostgreSQL cluster")
        prefix = ["runuser", "-u", "postgres", "--"]
    base = Path(tempfile.mkdtemp(prefix="zwgk-pg-"))
    base.chmod(0o777)
    data = base / "data"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    try:
        subprocess.run(
            [*prefix, initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"],
            check=True,
            capture_output=True,
            timeout=120,
        )
        opts = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            [*prefix, pg_ctl, "-D", str(data), "-o", opts, "-l", str(base / "log"), "-w", "start"],
            check=True,
            capture_output=True,
            timeout=120,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        shutil.rmtree(base, ignore_errors=True)
        detail = getattr(exc, "stderr", b"") or b""
        why = f"could not start a throwaway PostgreSQL cluster: {exc} {detail.decode(errors='replace')[-300:]}"
        if os.environ.get("CI"):  # scripts/setup installs PostgreSQL: in CI a skip here would hide a real failure
            pytest.fail(why)
        pytest.skip(why)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True, timeout=60, check=False
        )
        shutil.rmtree(base, ignore_errors=True)
