"""Running Heron as a user does: the `heron` console script in a subprocess, on its own data
dir, with `heron serve` on a free 127.0.0.1 port; shared by the server, e2e and CLI tests.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

HERON = Path(sys.executable).parent / "heron"
START_TIMEOUT_S = 120.0
Message = dict[str, Any]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def heron_env(data_dir: Path, **settings: str) -> dict[str, str]:
    """The environment of a fresh install on `data_dir`: no HERON_* leaks in from outside.

    The similarity stage runs on the TF-IDF engine: these tests are about the edges, the store
    and the scheduler, and importing torch for the embedding engine costs each new process
    about six seconds (tests/language covers both engines)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HERON_")}
    env.update(
        HERON_DATA_DIR=str(data_dir),
        HERON_TIMEZONE="UTC",
        HERON_HOST="127.0.0.1",
        HERON_PORT=str(free_port()),
        HERON_SIMILARITY_ENGINE="tfidf",
        # Most of these servers never hear speech; those that do load it on first use.
        HERON_WARM_SPEECH="false",
        HERON_WARM_LANGUAGE="false",
    )
    if os.environ.get("HERON_TEST_KNOWLEDGE_DIR"):  # the suite's one world graph (conftest)
        env["HERON_KNOWLEDGE_DIR"] = os.environ["HERON_TEST_KNOWLEDGE_DIR"]
    env.update({f"HERON_{name.upper()}": value for name, value in settings.items()})
    return env


def run_heron(
    *args: str, env: dict[str, str], stdin: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(HERON), *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def add_user(env: dict[str, str], name: str, timezone: str = "UTC") -> str:
    """Creates a user with `heron users add` and returns its key (the last line of stdout)."""
    done = run_heron("users", "add", name, "--timezone", timezone, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


class HeronServer:
    """`heron serve` in a subprocess; start, stop (gracefully or by SIGKILL) and start again on
    the same data dir, each time on a new free port."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.env = heron_env(data_dir)
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.log_path = data_dir.parent / f"{data_dir.name}-server.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/v1/assistant/events"

    def start(self) -> None:
        assert self.process is None, "already running"
        self.port = free_port()
        env = {**self.env, "HERON_PORT": str(self.port)}
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(HERON), "serve", "--port", str(self.port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.process = None
                raise AssertionError(f"heron serve exited early:\n{self.log()}")
            try:
                health = httpx.get(f"{self.base_url}/v1/health", timeout=1, trust_env=False)
                if health.status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop(kill=True)
        raise AssertionError(f"heron serve did not answer within {START_TIMEOUT_S} s")

    def stop(self, *, kill: bool = False) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def first_user_key(self) -> str:
        """The key `heron serve` prints (once) for the user it creates on a fresh data dir."""
        lines = [line.strip() for line in self.log().splitlines()]
        keys = [line for line in lines if line.startswith("heron_")]
        assert keys, f"heron serve printed no API key:\n{self.log()}"
        return keys[0]

    def add_user(self, name: str, timezone: str = "UTC") -> str:
        return add_user(self.env, name, timezone)

    def __enter__(self) -> HeronServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def client(self, key: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=30, trust_env=False)

    def async_client(self, key: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
            trust_env=False,
        )


# --- a device on the event stream -------------------------------------------------------


def events_socket(server: HeronServer, key: str, device: str = "test") -> connect:
    """`async with events_socket(...) as ws:` a device connected for the user's events."""
    return socket_to(f"{server.ws_url}?device={device}", headers={"Authorization": f"Bearer {key}"})


def socket_to(url: str, headers: dict[str, str] | None = None) -> connect:
    """A WebSocket connection straight to the test server (no proxy from the environment)."""
    return connect(url, additional_headers=headers, open_timeout=10, proxy=None)


async def receive(ws: ClientConnection, within_s: float = 5) -> Message:
    message: Message = json.loads(await asyncio.wait_for(ws.recv(), within_s))
    return message


async def wait_for(
    ws: ClientConnection, matches: Callable[[Message], bool], within_s: float = 10
) -> Message:
    """The first message that `matches`, skipping others (e.g. another test's events)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_s
    while True:
        message = await receive(ws, max(0.01, deadline - loop.time()))
        if matches(message):
            return message


async def until_pong(ws: ClientConnection, within_s: float = 5) -> list[Message]:
    """Everything the server sends before it answers a ping: what it had queued for us."""
    await ws.send(json.dumps({"type": "ping"}))
    before: list[Message] = []
    while (message := await receive(ws, within_s))["type"] != "pong":
        before.append(message)
    return before
