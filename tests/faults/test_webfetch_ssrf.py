"""webfetch never reaches a private address unless the config allows it (issue 10, "webfetch reaches private
addresses"): loopback in every spelling, link-local metadata, IPv4-mapped IPv6, redirects, DNS rebinding.

The "public" side runs inside a network namespace this test creates: 93.184.216.34 is put on that namespace's
loopback device, so nothing here can leave the machine.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import textwrap
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from agent_tui.core.tools.base import FileTimes, ToolContext, ToolError
from agent_tui.core.tools.netguard import blocked_reason
from agent_tui.core.tools.webfetch import WebFetchParams, WebFetchTool
from agent_tui.testing.fake_llm import FakeLLMThread, Reply, text, tool_call
from tests.faults.support import REPO_ROOT, agent, write_config

PUBLIC_IP = "93.184.216.34"


class _Server:
    """A local HTTP server that counts its hits (to prove a refused fetch never arrived)."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        hits: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                body = b"internal secret"
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.hits = hits
        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def local_server() -> Iterator[_Server]:
    server = _Server()
    yield server
    server.close()


def _ctx(tmp_path: Path) -> ToolContext:
    async def ask(request: object) -> None:
        return None

    return ToolContext(
        session_id="s", message_id="m", call_id="c", directory=tmp_path, root=tmp_path, abort=asyncio.Event(),
        ask=ask, update=lambda title, meta: None, file_times=FileTimes(),
    )


async def _fetch(url: str, tmp_path: Path, *, allow_private: bool = False) -> str:
    result = await WebFetchTool(allow_private=allow_private).execute(WebFetchParams(url=url, format="text"),
                                                                   _ctx(tmp_path))
    return result.output


@pytest.mark.parametrize("host", [
    "127.0.0.1", "localhost", "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "0x7f.0.0.1",
    "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::1]",
])
async def test_loopback_in_every_spelling_is_refused_by_default(host: str, local_server: _Server, tmp_path: Path):
    with pytest.raises(ToolError) as caught:
        await _fetch(f"http://{host}:{local_server.port}/secret", tmp_path)
    message = str(caught.value)
    # httpx itself rejects a few spellings (`0177.0.0.1`) as invalid; every other one reaches the check.
    assert ("refused" in message and "allow_private" in message) or "not a valid URL" in message
    assert local_server.hits == []  # refused before any byte was sent


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data/", "http://[::ffff:169.254.169.254]/", "http://[::ffff:a9fe:a9fe]/",
    "http://2852039166/", "http://10.0.0.1/", "http://192.168.1.1/", "http://172.16.0.1/", "http://[fd00::1]/",
    "http://[fe80::1]/", "http://224.0.0.1/", "http://0.0.0.0/", "http://100.64.0.1/", "http://[64:ff9b::7f00:1]/",
    "http://[2002:7f00:1::]/",
])
async def test_metadata_private_and_special_ranges_are_refused(url: str, tmp_path: Path):
    with pytest.raises(ToolError, match="refused"):
        await _fetch(url, tmp_path)


def test_public_addresses_are_allowed_by_the_classifier():
    import ipaddress

    for address in (PUBLIC_IP, "1.1.1.1", "2606:4700::1111", "::ffff:1.1.1.1"):
        assert blocked_reason(ipaddress.ip_address(address)) is None, address


async def test_allow_private_in_the_config_allows_it(local_server: _Server, tmp_path: Path):
    assert await _fetch(f"http://127.0.0.1:{local_server.port}/ok", tmp_path, allow_private=True) == "internal secret"
    assert local_server.hits == ["/ok"]


def test_yes_does_not_allow_private_addresses_in_an_unattended_run(local_server: _Server, tmp_path: Path):
    """`agent-tui run --yes` with the default config: the model's fetch of 127.0.0.1 fails as a tool error."""
    project = tmp_path / "proj"
    project.mkdir()
    url = f"http://127.0.0.1:{local_server.port}/admin"
    script = [Reply.of(tool_call("webfetch", {"url": url}, id="w1")), Reply.of(text("done"))]
    with FakeLLMThread(script) as llm:
        write_config(project, llm.openai_base)
        result = agent(project, tmp_path / "home", "run", "--yes", "--format", "json", "fetch it")
        tool_results = [m["content"] for r in llm.requests for m in r.messages if m["role"] == "tool"]
    assert result.returncode == 0, result.stderr
    assert local_server.hits == []
    assert tool_results and "loopback" in tool_results[0] and "refused" in tool_results[0]
    # And with the config key the same run reaches it.
    with FakeLLMThread([Reply.of(tool_call("webfetch", {"url": url}, id="w1")), Reply.of(text("done"))]) as llm:
        write_config(project, llm.openai_base, webfetch={"allow_private": True})
        result = agent(project, tmp_path / "home", "run", "--yes", "fetch it")
        tool_results = [m["content"] for r in llm.requests for m in r.messages if m["role"] == "tool"]
    assert result.returncode == 0, result.stderr
    assert local_server.hits == ["/admin"] and "internal secret" in tool_results[0]


# --- the public side, inside a network namespace ----------------------------------------------------------------

_NETNS_SCRIPT = textwrap.dedent("""
    import asyncio, json, sys, threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from pathlib import Path
    from agent_tui.core.tools import netguard
    from agent_tui.core.tools.base import FileTimes, ToolContext, ToolError
    from agent_tui.core.tools.webfetch import WebFetchParams, WebFetchTool

    PUBLIC, PORT = sys.argv[1], int(sys.argv[2])
    hits = {"public": [], "loopback": []}

    def serve(host, name):
        class H(BaseHTTPRequestHandler):
            def do_GET(self):
                hits[name].append(self.path)
                if self.path == "/redirect":
                    self.send_response(302)
                    self.send_header("Location", f"http://127.0.0.1:{PORT}/secret")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = f"{name} page".encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *a):
                pass
        httpd = ThreadingHTTPServer((host, PORT), H)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()

    serve(PUBLIC, "public")
    serve("127.0.0.1", "loopback")

    async def ask(request):
        return None

    def ctx():
        return ToolContext(session_id="s", message_id="m", call_id="c", directory=Path("."), root=Path("."),
                           abort=asyncio.Event(), ask=ask, update=lambda t, m: None, file_times=FileTimes())

    async def fetch(url):
        try:
            r = await WebFetchTool().execute(WebFetchParams(url=url, format="text"), ctx())
            return {"ok": r.output, "url": r.metadata["url"]}
        except ToolError as exc:
            return {"error": str(exc)}

    async def main():
        out = {}
        out["public"] = await fetch(f"http://{PUBLIC}:{PORT}/page")
        out["named"] = await fetch(f"http://public.test:{PORT}/page")
        out["redirect"] = await fetch(f"http://{PUBLIC}:{PORT}/redirect")
        out["mixed"] = await fetch(f"http://mixed.test:{PORT}/page")
        # DNS rebinding: the name turns private right after it was checked. The connection must still go to
        # the address that was checked, never to a second lookup's answer.
        original = netguard.resolve_checked
        async def rebinding(host, port, *, allow_private):
            addresses = await original(host, port, allow_private=allow_private)
            Path("/etc/hosts").write_text("127.0.0.1 rebind.test\\n")
            return addresses
        netguard.resolve_checked = rebinding
        out["rebind"] = await fetch(f"http://rebind.test:{PORT}/page")
        netguard.resolve_checked = original
        out["after_rebind"] = await fetch(f"http://rebind.test:{PORT}/page")
        out["hits"] = hits
        print(json.dumps(out))

    asyncio.run(main())
""")


@pytest.fixture
def netns() -> Iterator[str]:
    if os.geteuid() != 0:
        pytest.skip("needs root to create a network namespace")
    if shutil.which("ip") is None:
        pytest.skip("needs iproute2 (`ip`) to create a network namespace")
    name = f"at-ssrf-{uuid.uuid4().hex[:8]}"
    created = subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True)
    if created.returncode != 0:
        pytest.skip(f"cannot create a network namespace: {created.stderr.strip()}")
    etc = Path("/etc/netns") / name
    try:
        subprocess.run(["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"], check=True)
        subprocess.run(["ip", "netns", "exec", name, "ip", "addr", "add", f"{PUBLIC_IP}/32", "dev", "lo"],
                       check=True)
        etc.mkdir(parents=True)
        (etc / "hosts").write_text(
            f"{PUBLIC_IP} public.test\n{PUBLIC_IP} rebind.test\n{PUBLIC_IP} mixed.test\n127.0.0.1 mixed.test\n"
        )
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], capture_output=True)
        shutil.rmtree(etc, ignore_errors=True)


def test_public_address_redirect_and_rebinding_inside_a_network_namespace(netns: str):
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(
        ["ip", "netns", "exec", netns, sys.executable, "-c", _NETNS_SCRIPT, PUBLIC_IP, "8080"],
        capture_output=True, text=True, env=env, timeout=180,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["public"] == {"ok": "public page", "url": f"http://{PUBLIC_IP}:8080/page"}
    assert out["named"]["ok"] == "public page"
    # A public URL that redirects to loopback: the redirect is followed only as far as the check.
    assert "refused" in out["redirect"]["error"] and "loopback" in out["redirect"]["error"]
    # A name with a public and a private answer is refused as a whole.
    assert "refused" in out["mixed"]["error"]
    # Rebinding after the check: the page still came from the checked public address...
    assert out["rebind"]["ok"] == "public page"
    # ...and the next lookup, now private, is refused.
    assert "refused" in out["after_rebind"]["error"]
    assert out["hits"]["loopback"] == []
    assert out["hits"]["public"] == ["/page", "/page", "/redirect", "/page"]
