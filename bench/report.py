"""Writes one benchmark's section into docs/benchmarks.md, replacing its previous figures."""

from __future__ import annotations

import asyncio
import os
import platform
import re
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
HEADER = (
    "# Benchmarks\n\nEvery figure here was written by the script named in its section; "
    "run it again to reproduce it.\n"
)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPU cores ({cpu}), Python {platform.python_version()}"


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of `values` lie (nearest rank): 0.5 is the median."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def p50_p95(values: list[float], digits: int = 1) -> str:
    """ "12.3 / 40.1": the median and the 95th percentile, as the tables show them."""
    return f"{percentile(values, 0.5):.{digits}f} / {percentile(values, 0.95):.{digits}f}"


def write_section(title: str, body: str, *, command: str) -> None:
    text = DOC.read_text() if DOC.exists() else HEADER
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    section = (
        f"## {title}\n\n"
        f"Command: `{command}`  \nMachine: {machine()}  \nDate: {stamp}\n\n"
        f"{body.strip()}\n\n"
    )
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text.rstrip("\n") + "\n")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(data_dir: Path, user: str, **settings: str) -> tuple[subprocess.Popen[bytes], int, str]:
    """`heron serve` on `data_dir` and a free port, with a new user: (process, port, key)."""
    port = free_port()
    env = {**os.environ, "HERON_DATA_DIR": str(data_dir)}
    env.update({f"HERON_{name.upper()}": value for name, value in settings.items()})
    heron = Path(sys.executable).parent / "heron"
    added = subprocess.run(
        [str(heron), "users", "add", user], env=env, capture_output=True, text=True, check=True
    )
    key = added.stdout.strip().splitlines()[-1]
    server = subprocess.Popen(
        [str(heron), "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return server, port, key


async def wait_healthy(base: str, server: subprocess.Popen[bytes]) -> None:
    """Waits until `heron serve` at `base` answers its health check (its Wyoming server, if
    configured, listens by then); exits if the server dies or takes over two minutes."""
    async with httpx.AsyncClient(trust_env=False) as client:
        for _ in range(1200):
            if server.poll() is not None:
                raise SystemExit("heron serve exited before it was ready")
            try:
                if (await client.get(f"{base}/v1/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("heron serve did not start")
