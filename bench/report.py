"""Writes one benchmark's section into docs/benchmarks.md, replacing its previous figures."""

from __future__ import annotations

import os
import platform
import re
from datetime import UTC, datetime
from pathlib import Path

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
