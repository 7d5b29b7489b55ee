"""`agent-tui serve` in a real headless Chromium (Debian's package, driven by Playwright): the page loads, a prompt
typed into the page reaches the scripted model server, and the reply appears in xterm's buffer.

xterm.js draws on a canvas, so the page has no text to read; its buffer is. textual-serve keeps its Terminal
object private; a hook on `Function.prototype.bind` (installed before the page's scripts run) catches it when
xterm binds its option accessors to it. Every request leaving 127.0.0.1 (the page's web font) is aborted, so
the test never touches the internet.

`AGENT_TUI_UPDATE_SCREENSHOTS=1` copies the screenshot to screenshots/serve_browser.png.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from agent_tui.testing.fake_llm import FakeLLM, Reply, text

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_NAMES = ("chromium", "chromium-browser")

HOOK = """
(() => {
  const bind = Function.prototype.bind;
  Function.prototype.bind = function (thisArg, ...args) {
    if (!window.__xterm && thisArg && typeof thisArg === "object" && "_core" in thisArg
        && "_addonManager" in thisArg) {
      window.__xterm = thisArg;
    }
    return bind.call(this, thisArg, ...args);
  };
})();
"""
SCREEN = """() => {
  const terminal = window.__xterm;
  if (!terminal) return null;
  const buffer = terminal.buffer.active, lines = [];
  for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i).translateToString(true));
  return lines.join("\\n");
}"""
CHROMIUM_FLAGS = ["--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage", "--no-first-run",
                  "--disable-extensions", "--disable-sync", "--mute-audio", "--no-default-browser-check"]


def chromium() -> str:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no Chromium on this machine: install Debian's `chromium` package (apt-get install chromium); "
                ".ci/run does that itself when apt-get is usable")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def wait_for_screen(page, predicate, what: str) -> str:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 180
    screen = None
    while time.monotonic() < deadline:
        screen = await page.evaluate(SCREEN)
        if screen and predicate(screen):
            return screen
        await asyncio.sleep(0.25)
    raise AssertionError(f"{what} never appeared; the screen was:\n{screen}")


async def test_a_prompt_typed_in_the_browser_reaches_the_model_and_the_reply_appears(
    tmp_path: Path, agent_tui_home: Path, llm: FakeLLM
):
    executable = chromium()
    playwright_api = pytest.importorskip("playwright.async_api")
    project = tmp_path / "proj"
    project.mkdir()
    config = {
        "model": "fake/m", "small_model": "titles/m",
        "provider": {
            "fake": {"api": "openai", "base_url": llm.openai_base, "api_key": "sk-test", "models": {"m": {}}},
            "titles": {"api": "openai", "base_url": "http://127.0.0.1:9/v1", "api_key": "sk-test",
                       "models": {"m": {}}},
        },
    }
    (project / "agent-tui.json").write_text(json.dumps(config))
    llm.add(Reply.of(text("Hello from the scripted model, in a browser.")))
    port = free_port()
    env = {**os.environ, "AGENT_TUI_HOME": str(agent_tui_home), "PYTHONPATH": str(REPO_ROOT),
           "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "agent_tui.cli", "serve", "--port", str(port), cwd=project, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )
    blocked: list[str] = []

    async def local_only(route) -> None:  # type: ignore[no-untyped-def]
        if urlsplit(route.request.url).hostname in ("127.0.0.1", "localhost"):
            await route.continue_()
        else:
            blocked.append(route.request.url)
            await route.abort()

    try:
        async with playwright_api.async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
            try:
                page = await browser.new_page(viewport={"width": 1280, "height": 800})
                await page.route("**/*", local_only)
                await page.add_init_script(HOOK)
                for _ in range(720):  # the server imports textual-serve first (slow on a loaded machine)
                    try:
                        await page.goto(f"http://127.0.0.1:{port}/")
                        break
                    except playwright_api.Error:
                        await asyncio.sleep(0.25)
                assert "agent-tui — proj" in await page.content()  # the page textual-serve made for us
                socket_url = await page.get_attribute("#terminal", "data-session-websocket-url")
                assert socket_url == f"ws://127.0.0.1:{port}/ws"
                await wait_for_screen(page, lambda s: "fake/m" in s and "Ask anything" in s, "the empty session")
                await page.click("#terminal")
                await page.keyboard.type("hello from the browser")
                await page.keyboard.press("Enter")
                screen = await wait_for_screen(page, lambda s: "Hello from the scripted model, in a browser." in s,
                                               "the reply")
                assert "hello from the browser" in screen
                shot = tmp_path / "serve_browser.png"
                await page.screenshot(path=str(shot))
            finally:
                await browser.close()
    finally:
        server.terminate()
        await asyncio.wait_for(server.wait(), 30)
    (request,) = llm.requests
    assert request.messages[-1]["content"] in ("hello from the browser",
                                                [{"type": "text", "text": "hello from the browser"}])
    assert all("127.0.0.1" not in url for url in blocked)
    if os.environ.get("AGENT_TUI_UPDATE_SCREENSHOTS") == "1":
        shutil.copy(shot, REPO_ROOT / "screenshots" / "serve_browser.png")
