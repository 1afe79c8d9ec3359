"""`serve` previews on localhost and rebuilds when content changes."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from support.sites import copy_tree

MINI = Path(__file__).parent / "fixtures" / "mini" / "site_config.yml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.read().decode("utf-8")


def wait_for(pred, timeout: float = 90) -> bool:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if pred():
                return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def test_serve_rebuilds_on_change(tmp_path: Path) -> None:
    conf = copy_tree(MINI, tmp_path / "proj")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--config", str(conf), "--port", str(port),
                             "--out", str(tmp_path / "preview")], stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}/"
        assert wait_for(lambda: "测试站点" in fetch(base + "index.html"))
        unit = tmp_path / "proj" / "content" / "units" / "rmyy.yml"
        unit.write_text(unit.read_text(encoding="utf-8").replace("name: 测试市人民医院", "name: 测试市预览人民医院"), encoding="utf-8")
        assert wait_for(lambda: "测试市预览人民医院" in fetch(base + "units/rmyy.html"))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
