"""Fixtures for sync tests: a district key pair, the real reference server under uvicorn on a free
loopback port (in a thread of the test process), provisioned terminals, and the fault-injection proxy."""

from __future__ import annotations

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
