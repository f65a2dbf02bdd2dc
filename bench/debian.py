"""Test data that ships in registry packages, fetched for the benchmarks without installing it:
a Debian package downloaded and unpacked into a cache folder (and the commands that do it)."""

from __future__ import annotations

import subprocess
from pathlib import Path


def run(command: list[str], folder: Path) -> None:
    """Runs a fetching command in `folder`; stops the benchmark with what went wrong."""
    try:
        subprocess.run(command, cwd=folder, check=True, capture_output=True, text=True)
    except FileNotFoundError as error:
        raise SystemExit(f"{command[0]} is needed to fetch the benchmark's data") from error
    except subprocess.CalledProcessError as error:
        raise SystemExit(f"{' '.join(command)} failed: {error.stderr.strip()}") from error


def unpacked(package: str, cache: Path) -> Path:
    """The Debian package, downloaded (`apt-get download`, not installed) and unpacked under
    `cache` (kept there for the next runs)."""
    folder = cache / package
    if not folder.is_dir():
        debs = cache / "debs"
        debs.mkdir(parents=True, exist_ok=True)
        if not list(debs.glob(f"{package}_*.deb")):
            run(["apt-get", "download", package], debs)
        [deb] = sorted(debs.glob(f"{package}_*.deb"))[-1:]
        partial = folder.with_name(folder.name + ".partial")
        run(["dpkg-deb", "-x", str(deb), str(partial)], cache)
        partial.rename(folder)
    return folder


def version(package: str, cache: Path) -> str:
    """The version of the package fetched into `cache` ("?" before it is)."""
    debs = sorted((cache / "debs").glob(f"{package}_*.deb"))
    return debs[-1].name.split("_")[1] if debs else "?"
