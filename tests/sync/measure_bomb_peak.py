"""Decoded-memory peak of a gzip bomb answer (100 MB of JSON whitespace) at a 32 MB cap: this checkout's
sync.http beside an older one loaded from git into the same process (tracemalloc). Not a test; run:

    git show ca599de:sync/http.py > /tmp/oldhttp.py
    PYTHONPATH=$PWD .venv/bin/python tests/sync/measure_bomb_peak.py /tmp/oldhttp.py
"""

import importlib.util
import sys
import tracemalloc

sys.path.insert(0, "tests/sync")
import dataclasses

from hostile import HostileServer, gzip_bomb, http

import kiosk.config as kc
import sync.http as new
from kiosk.config import ServerSection

spec = importlib.util.spec_from_file_location("oldhttp", sys.argv[1])
old = importlib.util.module_from_spec(spec)
spec.loader.exec_module(old)
bomb = gzip_bomb(100)
h = HostileServer()
h.rule("/v1/manifest", lambda _r, _u: [http(200, bomb, {"Content-Encoding": "gzip"})])
cfg = kc.demo_config(__import__("pathlib").Path(__import__("tempfile").mkdtemp()))
cfg = dataclasses.replace(
    cfg, server=ServerSection(url=h.url, token="t", trust_key="k", timeout_s=10, max_response_mb=32)
)
for name, mod in (("the older sync/http.py", old), ("this checkout", new)):
    with mod.ServerClient(cfg) as c:
        tracemalloc.start()
        base, _ = tracemalloc.get_traced_memory()
        try:
            c.request("GET", "/v1/manifest", "清单")
        except Exception as exc:
            kind = type(exc).__name__
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    over = (peak - base - 32 * 2**20) / 2**10
    print(f"{name}: {kind}, peak {(peak - base) / 2**20:.2f} MB for a 32 MB cap ({over:+.0f} KB)")
h.close()
