"""Every ``--json`` output of the ``kiosk`` command line, with a failure in it: the answer on stdout is
one JSON object a monitoring script can read (``ok``/``passed`` false, the reason), never a traceback
or a line of prose."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _kiosk(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def _one_json(done: subprocess.CompletedProcess[str]) -> dict[str, object]:
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout
    answer = json.loads(lines[0])
    assert isinstance(answer, dict)
    return answer


def test_import_json_with_bad_lines(tmp_path: Path) -> None:
    pack = tmp_path / "bad.jsonl"
    pack.write_text('{"type": "bogus"}\n', encoding="utf-8")
    done = _kiosk("import", "--db", str(tmp_path / "m.db"), "--json", str(pack), cwd=tmp_path)
    answer = _one_json(done)
    assert done.returncode == 1 and answer["ok"] is False and answer["error"] == "1 行有错；未导入任何内容"
    assert answer["problems"] == [
        {"line": 1, "problem": "不认识的行类型（type）'bogus'，应为 document（文件）、zone（专区）或 category（分类）"}
    ]
    missing = _kiosk("import", "--db", str(tmp_path / "m.db"), "--json", str(tmp_path / "none.jsonl"), cwd=tmp_path)
    assert missing.returncode != 0 and _one_json(missing)["ok"] is False


def test_import_of_a_bad_pack_prints_chinese_reasons(tmp_path: Path) -> None:
    """What IT reads on a terminal's console when a pack is refused: each bad line's file and number, then
    why in Chinese (the field by its meaning and key), then that nothing was imported."""
    pack = tmp_path / "bad.jsonl"
    lines = [
        {"id": "a", "title": "好的一行", "body": "正文"},
        {"title": "没有编号"},
        {"id": "b", "title": "附件太多", "attachments": {"name": "a.pdf"}},
        {"id": "c", "title": "状态", "status": "作废了"},
    ]
    pack.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    done = _kiosk("import", "--db", str(tmp_path / "m.db"), str(pack), cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    said = [x for x in done.stderr.splitlines() if not x.startswith("INFO alembic.")]  # a new mirror's migrations
    assert said == [
        f"{pack}:2: 缺少文件编号（id）",
        f"{pack}:3: 附件（attachments）应为列表（[…]）",
        f"{pack}:4: 效力状态（status）应为 现行有效、已修订 或 已废止（也可写 in_force、amended、repealed），"
        "不是 '作废了'",
        "kiosk import：3 行有错；未导入任何内容（加 --skip-bad 可导入其余各行）",
    ]


def test_search_json_on_a_damaged_mirror(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    db.write_bytes(b"not a database" * 400)
    done = _kiosk("search", "--db", str(db), "--json", "低保", cwd=tmp_path)
    answer = _one_json(done)
    assert done.returncode == 2 and answer == {"ok": False, "command": "search", "error": answer["error"]}
    assert "database" in str(answer["error"])


def test_self_test_json_with_failing_checks_and_a_bad_config(tmp_path: Path) -> None:
    cfg = tmp_path / "t.toml"
    cfg.write_text(
        f'[terminal]\nid = "t-01"\nzone = "wanbao"\ndata_dir = "{tmp_path / "d"}"\ncontent_pack = ""\n'
        '[server]\nurl = "http://127.0.0.1:9"\ntoken = "x"\ntrust_key = "none.pub"\n',
        encoding="utf-8",
    )
    done = _kiosk("self-test", "--config", str(cfg), "--json", cwd=tmp_path)
    answer = _one_json(done)
    assert done.returncode == 1 and answer["passed"] is False
    verdicts = {c["name"]: c["verdict"] for c in answer["checks"]}  # type: ignore[union-attr]
    assert verdicts["server"] == "fail"
    broken = tmp_path / "broken.toml"
    broken.write_text("[terminal\n", encoding="utf-8")
    done = _kiosk("self-test", "--config", str(broken), "--json", cwd=tmp_path)
    assert done.returncode == 2 and _one_json(done)["ok"] is False


def test_stderr_keeps_the_migrations_and_drops_alembics_plugin_chatter(tmp_path: Path) -> None:
    """What IT reads on a terminal's console and in journalctl: a new mirror's migrations are worth a line
    each; alembic's seven 'setup plugin …' lines on every command are not."""
    pack = tmp_path / "p.jsonl"
    pack.write_text(
        json.dumps({"id": "d1", "title": "通知", "body": "正文", "published": "2026-12-01"}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    done = _kiosk("import", str(pack), "--db", str(tmp_path / "m.db"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Running upgrade" in done.stderr and "setup plugin" not in done.stderr, done.stderr
    assert "Context impl" not in done.stderr and "Will assume" not in done.stderr, done.stderr
    again = _kiosk("import", str(pack), "--db", str(tmp_path / "m.db"), cwd=tmp_path)  # nothing to migrate
    assert again.returncode == 0 and "alembic" not in again.stderr, again.stderr
