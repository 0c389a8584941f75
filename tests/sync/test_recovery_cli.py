"""The recovery commands as IT reads them (sync/server/recovery_cli.py): ``backup`` names everything that
must be kept beside the copy, the personal-data keyring included (docs/deploy.md §6: without it the
applications in a backup cannot be read); ``lost`` gives every time in Beijing time, labelled."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sync.server import recovery
from sync.server.__main__ import main as server_main
from sync.server.db import open_db, sessions


def test_backup_names_the_keyring_and_lost_speaks_beijing_time(tmp_path: Path, capsys) -> None:
    db = tmp_path / "district.db"
    open_db(str(db)).dispose()  # a server database, with its keyring beside it
    keyring = tmp_path / "district.db.pii-keys.json"
    capsys.readouterr()
    assert server_main(["backup", "--db", str(db), "--out", str(tmp_path / "backup" / "d.db")]) == 0
    out = capsys.readouterr().out
    assert str(tmp_path / "backup" / "d.db") in out and str(keyring) in out and "feed-state.json" in out

    engine = open_db(str(db))
    with sessions(engine)() as s, s.begin():
        recovery.report_acked(s, "wanbao-01", "wanbao", 2, [("WB01-20261208-0001", "2026-12-08T02:27:33Z")])
        row = recovery.lost_applications(s)[0]
        row.reported_at = dt.datetime(2026, 12, 8, 2, 28)
    engine.dispose()
    assert server_main(["lost", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "WB01-20261208-0001" in out and "北京时间" in out
    assert "2026-12-08 10:27" in out and "2026-12-08 10:28" in out and "02:27:33Z" not in out
