"""`agent-tui serve` as a real subprocess: the page and websocket guards, and the remote-binding rule."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from agent_tui.serve.guard import host_name, is_loopback, refusal

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_env(home: Path) -> dict[str, str]:
    return {**os.environ, "AGENT_TUI_HOME": str(home), "PYTHONPATH": str(REPO_ROOT),
            "LITELLM_LOCAL_MODEL_COST_MAP": "True"}


def wait_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 180  # the child imports litellm: slow on a loaded machine
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited"
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


@pytest.fixture
def served(tmp_path: Path, agent_tui_home: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "agent_tui.cli", "serve", "--port", str(port), str(tmp_path)],
        env=serve_env(agent_tui_home), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        wait_listening(port, process)
        yield port, process
    finally:
        process.terminate()
        process.wait(30)


def test_the_guard_rules():
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1") and is_loopback("127.1.2.3")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("evil.example")
    assert host_name("[::1]:8000") == "::1" and host_name("LocalHost:80") == "localhost"

    def request(path: str, **headers: str) -> web.Request:
        from aiohttp.test_utils import make_mocked_request

        return make_mocked_request("GET", path, headers=headers)

    assert refusal(request("/", Host="127.0.0.1:8000"), loopback_only=True) is None
    assert "not this machine" in refusal(request("/", Host="evil.example:8000"), loopback_only=True)
    assert refusal(request("/", Host="evil.example:8000"), loopback_only=False) is None
    ws_ok = request("/ws", Host="localhost:8000", Origin="http://localhost:8000")
    assert refusal(ws_ok, loopback_only=True) is None
    assert "websocket from" in refusal(request("/ws", Host="localhost:8000", Origin="https://evil.example"),
                                       loopback_only=True)
    assert "without an Origin" in refusal(request("/ws", Host="localhost:8000"), loopback_only=True)


async def test_foreign_pages_and_rebound_names_are_refused(served: tuple[int, subprocess.Popen[bytes]]):
    port, _ = served
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as http:
        async with http.get(base + "/") as page:
            assert page.status == 200
            html = await page.text()
            assert f'data-session-websocket-url="ws://127.0.0.1:{port}/ws"' in html
        async with http.get(f"http://localhost:{port}/") as page:  # the websocket URL follows the page's address
            assert f'ws://localhost:{port}/ws' in await page.text()
        async with http.get(base + "/", headers={"Host": f"attacker.example:{port}"}) as rebound:
            assert rebound.status == 403
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(base + "/ws", origin="https://attacker.example")
        assert refused.value.status == 403
        # The page's own origin may connect; the app then starts and speaks.
        async with http.ws_connect(base + "/ws?width=80&height=24", origin=base) as ws:
            message = await asyncio.wait_for(ws.receive(), 180)
            assert message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT)


def test_binding_beyond_the_loopback_needs_a_flag_and_warns(tmp_path: Path, agent_tui_home: Path):
    refused = subprocess.run(
        [sys.executable, "-m", "agent_tui.cli", "serve", "--host", "0.0.0.0", "--port", str(free_port()),
         str(tmp_path)], env=serve_env(agent_tui_home), capture_output=True, text=True, timeout=180,
    )
    assert refused.returncode == 2 and "--allow-remote" in refused.stderr
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "agent_tui.cli", "serve", "--host", "0.0.0.0", "--port", str(port), "--allow-remote",
         str(tmp_path)], env=serve_env(agent_tui_home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        wait_listening(port, process)
    finally:
        process.terminate()
        _, err = process.communicate(timeout=120)
    assert "WARNING" in err and "Anyone who can reach this port controls the agent" in err
    assert process.returncode == 0  # SIGTERM stops it cleanly


def test_a_port_in_use_is_a_clear_error(tmp_path: Path, agent_tui_home: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "agent_tui.cli", "serve", "--port", str(port), str(tmp_path)],
            env=serve_env(agent_tui_home), capture_output=True, text=True, timeout=180,
        )
    assert done.returncode == 1
    assert f"cannot serve on 127.0.0.1:{port}" in done.stderr and "Traceback" not in done.stderr
