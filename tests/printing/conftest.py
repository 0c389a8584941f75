"""Fixtures for printing tests: emupos (an independent ESC/POS printer emulator), a real CUPS with a
capture backend, a tiny status-answering printer device for links that cannot be emulated here (USB,
serial, a TCP printer that drops the connection), and sample receipt data."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ------------------------------------------------------------------------------------------ emupos
@dataclass
class Emupos:
    """A running emupos with one TCP receipt printer called ``receipt``."""

    exe: Path
    port: int
    api: str
    receipts_dir: Path
    proc: subprocess.Popen[bytes]
    device: str = "receipt"

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def fault_cli(self, action: str, fault: str) -> None:
        """``emupos fault set|clear receipt FAULT``, the command line a person would type."""
        env = {**os.environ, "EMUPOS_API": self.api, "NO_COLOR": "1"}
        subprocess.run(
            [str(self.exe), "fault", action, self.device, fault], check=True, capture_output=True, env=env, timeout=30
        )

    def _api(self, method: str, fault: str) -> None:
        # The same control API the command line calls, without its second of start-up per call.
        import httpx

        r = httpx.request(method, f"{self.api}/api/v1/devices/{self.device}/faults/{fault}", timeout=10)
        assert r.status_code == 204, r.text

    def fault_set(self, fault: str) -> None:
        self._api("PUT", fault)

    def fault_clear(self, fault: str) -> None:
        self._api("DELETE", fault)

    def receipt_ids(self) -> list[str]:
        return sorted(p.stem for p in self.receipts_dir.glob(f"{self.device}-*.json"))

    def wait_new_receipt(self, before: list[str], timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            new = [r for r in self.receipt_ids() if r not in before]
            if new:
                return new[-1]
            time.sleep(0.05)
        raise AssertionError("emupos completed no receipt")

    def text_lines(self, receipt_id: str) -> list[str]:
        """The receipt's text dump, read back as GB18030 (emupos itself knows only code page 437)."""
        raw = (self.receipts_dir / f"{receipt_id}.txt").read_text(encoding="utf-8")
        return [line.encode("cp437").decode("gb18030") for line in raw.splitlines()]

    def png(self, receipt_id: str) -> Path:
        return self.receipts_dir / f"{receipt_id}.png"

    def meta(self, receipt_id: str) -> dict[str, object]:
        data = json.loads((self.receipts_dir / f"{receipt_id}.json").read_text(encoding="utf-8"))
        assert isinstance(data, dict)
        return data


def _wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"emupos exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"emupos did not listen on {port}")


def _wait_answering(port: int, timeout: float = 30.0) -> None:
    """Until emupos answers a status query: its first answer can take seconds on a loaded machine."""
    from printing.backends import TcpPrinter

    printer = TcpPrinter("emupos", f"127.0.0.1:{port}", status_timeout=5.0)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if printer.status().ready:
            return
        time.sleep(0.1)
    raise RuntimeError("emupos does not answer DLE EOT")


@pytest.fixture(scope="session")
def emupos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emupos]:
    """emupos 0.4.0 in its own Python 3.13 venv (created by scripts/emupos-env if missing)."""
    made = subprocess.run(
        [str(ROOT / "scripts" / "emupos-env")], capture_output=True, text=True, timeout=600, check=False
    )
    if made.returncode != 0:
        pytest.fail(f"scripts/emupos-env failed: {made.stderr.strip()[-500:]}")
    exe = Path(made.stdout.strip().splitlines()[-1])
    work = tmp_path_factory.mktemp("emupos")
    port, api_port = free_port(), free_port()
    (work / "emupos.yaml").write_text(
        "schema: 1\n"
        f"api: {{ host: 127.0.0.1, port: {api_port} }}\n"
        "devices:\n"
        "  - id: receipt\n"
        "    type: printer\n"
        "    profile: xprinter-xp80t\n"
        "    connections:\n"
        f"      - tcp: {{ host: 127.0.0.1, port: {port} }}\n"
        "    job_idle_timeout_ms: 500\n"
        "    receipts_dir: ./receipts\n",
        encoding="utf-8",
    )
    log = (work / "emupos.log").open("wb")
    proc = subprocess.Popen(
        [str(exe), "run", "--config", str(work / "emupos.yaml")],
        cwd=work,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
    )
    try:
        _wait_port(port, proc)
        _wait_port(api_port, proc)
        _wait_answering(port)
        yield Emupos(exe, port, f"http://127.0.0.1:{api_port}", work / "receipts", proc)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


# -------------------------------------------------------------------------------------------- CUPS
@dataclass(frozen=True)
class Cups:
    queue: str
    capture_dir: Path

    def wait_captured(self, before: set[str], timeout: float = 20.0) -> Path:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = {p.name for p in self.capture_dir.glob("*.done")}
            new = sorted(done - before)
            if new:
                return self.capture_dir / new[0].removesuffix(".done")
            time.sleep(0.05)
        raise AssertionError("CUPS delivered nothing to the capture backend")

    def done(self) -> set[str]:
        return {p.name for p in self.capture_dir.glob("*.done")}


@pytest.fixture(scope="session")
def cups(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cups]:
    """A raw CUPS queue whose backend copies each job's bytes into a folder (scripts/cups-test-env).

    The queue is named per test run (two runs at once must not redirect each other's jobs) and
    deleted afterwards; cupsd, if this started it, keeps running for the next run.
    """
    if os.geteuid() != 0:
        pytest.skip("CUPS tests need root: cupsd, lpadmin and a backend in /usr/lib/cups/backend")
    capture = tmp_path_factory.mktemp("cups-capture")
    capture.chmod(0o777)
    queue = f"kiosk-test-{os.getpid()}"
    done = subprocess.run(
        [str(ROOT / "scripts" / "cups-test-env"), queue, str(capture)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"scripts/cups-test-env failed: {done.stdout}{done.stderr}")
    yield Cups(queue, capture)
    subprocess.run(["lpadmin", "-x", queue], capture_output=True, timeout=60, check=False)


# ------------------------------------------------------------------------- a status-answering device
@dataclass
class StatusDevice:
    """The printer end of a two-way ESC/POS link, for links emupos cannot serve (USB, serial).

    It answers DLE EOT 1–4 from its ``faults`` the way Epson's reference describes, and keeps every
    other byte it receives. It is the device; the code under test talks to it through pyusb,
    pyserial or a socket.
    """

    faults: set[str] = field(default_factory=set)
    received: bytearray = field(default_factory=bytearray)
    paper_runs_out_after: int | None = None  # bytes printed before the roll ends
    _pending: bytes = b""

    def status_byte(self, n: int) -> int:
        f = self.faults
        blocking = bool(f & {"paper-out", "cover-open", "offline"})
        match n:
            case 1:
                return 0x12 | (0x08 if blocking else 0)
            case 2:
                return 0x12 | (0x04 if "cover-open" in f else 0) | (0x20 if "paper-out" in f else 0)
            case 3:
                return 0x12
            case _:
                near = "paper-near-end" in f or "paper-out" in f
                return 0x12 | (0x0C if near else 0) | (0x60 if "paper-out" in f else 0)

    def feed(self, data: bytes) -> bytes:
        """Bytes in; the status replies they ask for out."""
        data = self._pending + data
        self._pending = b""
        replies = bytearray()
        i = 0
        while i < len(data):
            if data[i] == 0x10:
                if i + 1 >= len(data) or (data[i + 1] == 0x04 and i + 2 >= len(data)):
                    self._pending = data[i:]  # a DLE EOT split across two reads
                    break
                if data[i + 1] == 0x04 and 1 <= data[i + 2] <= 4:
                    replies.append(self.status_byte(data[i + 2]))
                    i += 3
                    continue
            self.received.append(data[i])
            if self.paper_runs_out_after is not None and len(self.received) >= self.paper_runs_out_after:
                self.faults.add("paper-out")
            i += 1
        return bytes(replies)


@pytest.fixture
def status_device() -> StatusDevice:
    return StatusDevice()


class DroppingTcpPrinter:
    """A TCP printer that answers status, accepts ``accept_bytes`` of a job, then closes the connection."""

    def __init__(self, accept_bytes: int) -> None:
        self.accept_bytes = accept_bytes
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = int(self.sock.getsockname()[1])
        self.device = StatusDevice()
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                start = len(self.device.received)
                while True:
                    try:
                        chunk = conn.recv(256)
                    except OSError:
                        break
                    if not chunk:
                        break
                    reply = self.device.feed(chunk)
                    if reply:
                        conn.sendall(reply)
                    if len(self.device.received) - start >= self.accept_bytes:
                        conn.shutdown(socket.SHUT_RDWR)  # the printer goes away mid-job
                        break

    def close(self) -> None:
        self._stop = True
        self.sock.close()


@pytest.fixture
def dropping_printer() -> Iterator[DroppingTcpPrinter]:
    p = DroppingTcpPrinter(accept_bytes=500)
    yield p
    p.close()


# ------------------------------------------------------------------------------------- sample data
@pytest.fixture
def receipt_data() -> object:
    from printing.escpos.receipt import ReceiptData, ZoneInfo

    zone = ZoneInfo(
        "万宝镇政务公开专区", "娄星区万宝镇政府便民服务中心一楼", "周一至周五 9:00—12:00，13:30—17:00", "0738-8321234"
    )
    return ReceiptData(
        tracking_no="WB01-20261127-0007",
        submitted_at=datetime(2026, 11, 27, 10, 30),
        applicant_name="王𬭎",
        applicant_kind="公民",
        id_label="居民身份证",
        id_masked="4301**********1234",
        phone_masked="138****5678",
        description="2024年度本镇最低生活保障资金发放情况（含人数、金额￥及审核流程）",
        deadline=date(2026, 12, 25),
        deadline_explanation="自收到申请之日起20个工作日，不含法定节假日，已计入调休上班日。",
        zone=zone,
        qr_payload="https://gk.example.gov.cn/status?no=WB01-20261127-0007",
        doc_number="万宝政发〔2024〕12号",
        media="纸质",
        delivery="自行领取",
    )
