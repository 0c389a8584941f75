"""The terminal configuration file: defaults run the demo, and every mistake names its key and file."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk import config
from kiosk.errors import ConfigError
from kiosk.paths import demo_dir


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "terminal.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_bundled_demo_file_is_the_demo_terminal() -> None:
    cfg = config.load(None)
    assert cfg.path == (demo_dir() / "terminal.toml").resolve()
    assert cfg.terminal.zone == "wanbao"
    assert cfg.terminal.idle_timeout_s == 90
    assert cfg.terminal.content_pack == "demo"
    assert cfg.server.url == ""  # the demo runs with no server
    roles = {p.role: p for p in cfg.printers}
    assert set(roles) == {"a4", "receipt"}
    for p in cfg.printers:  # demo printers write files under the data folder, not into the install
        assert p.kind == "file"
        assert Path(p.target).is_relative_to(cfg.data_dir)


def test_every_key_of_the_demo_file_is_commented() -> None:
    lines = (demo_dir() / "terminal.toml").read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if "=" in line and not line.lstrip().startswith("#"):
            assert lines[i - 1].lstrip().startswith("#"), f"key without a comment above it: {line!r}"


def test_empty_file_gives_the_demo_defaults(tmp_path: Path) -> None:
    cfg = config.load(write(tmp_path, ""))
    assert cfg.terminal.zone == "wanbao"
    assert cfg.terminal.content_pack == "demo"
    assert cfg.terminal.idle_timeout_s == 90
    assert cfg.staff.pin_hash.startswith("scrypt$")
    assert cfg.printers == ()
    assert cfg.data_dir.is_absolute()  # the platform's per-user data folder


def test_relative_paths_resolve_against_the_file_and_the_data_folder(tmp_path: Path) -> None:
    cfg = config.load(
        write(
            tmp_path,
            """
[terminal]
data_dir = "data"
[server]
url = "https://zwgk.example:8443"
token = "t"
trust_key = "keys/district.pem"
[[printers]]
name = "p"
kind = "file"
target = "out"
""",
        )
    )
    assert cfg.data_dir == tmp_path / "data"
    assert cfg.db_path == tmp_path / "data" / "mirror.db"
    assert cfg.server.trust_key == str(tmp_path / "keys" / "district.pem")
    assert cfg.printers[0].target == str(tmp_path / "data" / "out")


def test_demo_config_moves_the_data_folder_and_its_printers(tmp_path: Path) -> None:
    cfg = config.demo_config(tmp_path / "t")
    assert cfg.data_dir == tmp_path / "t"
    assert all(Path(p.target).is_relative_to(tmp_path / "t") for p in cfg.printers)


def test_missing_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match=r"nope\.toml：找不到配置文件"):
        config.load(missing)


def test_not_utf8_and_not_toml_are_named(tmp_path: Path) -> None:
    p = tmp_path / "terminal.toml"
    p.write_bytes("zone = '万宝'".encode("gbk"))
    with pytest.raises(ConfigError, match="配置文件不是 UTF-8 文本"):
        config.load(p)
    with pytest.raises(ConfigError, match=r"terminal\.toml：不是有效的 TOML"):
        config.load(write(tmp_path, "[terminal\nzone="))


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[terminal]\nzoen = 'wanbao'\n", "未知的键 'zoen'"),
        ("[termnial]\n", "未知的节 'termnial'"),
        ("[server]\nurl = 'x'\ntimeout = 3\n", "未知的键 'timeout'"),
        ("[[printers]]\nname = 'p'\ntarget = 'x'\ncolour = true\n", "未知的键 'colour'"),
    ],
)
def test_unknown_keys_are_named_with_the_file(tmp_path: Path, text: str, key: str) -> None:
    p = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        config.load(p)
    assert key in str(err.value)
    assert str(p) in str(err.value)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[terminal]\nidle_timeout_s = '90'\n", "'idle_timeout_s' 应为整数"),
        ("[terminal]\nidle_timeout_s = true\n", "'idle_timeout_s' 应为整数"),
        ("[terminal]\nlarge_text = 1\n", "'large_text' 应为布尔值 true 或 false"),
        ("[terminal]\nzone = 7\n", "'zone' 应为文字"),
        ("[terminal]\ndata_dir = 3\n", "'data_dir' 应为路径文字"),
        ("[server]\ntimeout_s = 'soon'\n", "'timeout_s' 应为数字"),
        ("[[printers]]\nname = 'p'\ntarget = 'x'\ncolumns = 4.5\n", "'columns' 应为整数"),
        ("terminal = 3\n", "[terminal] 应为表（table）"),
        ("printers = 'lp'\n", "'printers' 应为表数组"),
    ],
)
def test_wrong_types_are_named_with_the_file(tmp_path: Path, text: str, key: str) -> None:
    p = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        config.load(p)
    assert key in str(err.value)
    assert str(p) in str(err.value)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[terminal]\nzone = ' '\n", "'zone'（专区代码）不能为空"),
        ("[terminal]\nidle_timeout_s = 5\n", "'idle_timeout_s' 应在 15 到 3600 秒之间"),
        ("[server]\nurl = 'ftp://x'\n", "'url' 应以 http:// 或 https:// 开头"),
        ("[server]\nurl = 'https://x'\ntrust_key = 'k.pem'\n", "必须有键 'token'"),
        ("[server]\nurl = 'https://x'\ntoken = 't'\n", "必须有键 'trust_key'"),
        ("[server]\nmax_response_mb = 0\n", "'max_response_mb' 应在 1 到 1024 之间"),
        ("[staff]\npin_hash = '246810'\n", "'pin_hash' 应为 scrypt 哈希"),
        ("[[printers]]\nname = 'p'\nkind = 'fax'\ntarget = 'x'\n", "'kind' 应为以下之一"),
        ("[[printers]]\nname = 'p'\nrole = 'label'\ntarget = 'x'\n", "'role' 应为以下之一"),
        ("[[printers]]\nname = 'p'\nkind = 'tcp'\n", "类打印机必须有键 'target'"),
        ("[[printers]]\nname = 'p'\ntarget = 'x'\nencoding = 'utf-8'\n", "'encoding' 应为 gb18030 或 gbk"),
        ("[[printers]]\nkind = 'file'\ntarget = 'x'\n", "缺少键 'name'"),
        (
            "[[printers]]\nname = 'p'\ntarget = 'x'\n[[printers]]\nname = 'p'\ntarget = 'y'\n",
            "'name' 与前面的打印机重复",
        ),
    ],
)
def test_bad_values_are_named_with_the_file(tmp_path: Path, text: str, key: str) -> None:
    p = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        config.load(p)
    assert key in str(err.value)
    assert str(p) in str(err.value)


def test_second_printer_is_numbered_in_messages(tmp_path: Path) -> None:
    p = write(
        tmp_path, "[[printers]]\nname = 'a'\ntarget = 'x'\n[[printers]]\nname = 'b'\nkind = 'fax'\ntarget = 'y'\n"
    )
    with pytest.raises(ConfigError, match=r"\[\[printers\]\] #2：键 'kind' 应为以下之一"):
        config.load(p)
