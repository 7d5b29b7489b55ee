from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from agent_tui.core.tools.base import ToolError
from agent_tui.core.tools.webfetch import WebFetchParams, WebFetchTool

PAGE = """<!doctype html><html><head><title>T</title><style>p{color:red}</style>
<script>var secret = 1;</script></head><body><h1>Hello</h1><p>Some <b>bold</b> text and
<a href="https://example.org/x">a link</a>.</p><ul><li>one</li><li>two</li></ul></body></html>"""


@pytest.fixture
async def server() -> AsyncIterator[str]:
    async def page(request: web.Request) -> web.Response:
        return web.Response(text=PAGE, content_type="text/html")

    async def plain(request: web.Request) -> web.Response:
        return web.Response(text="just text", content_type="text/plain")

    async def huge(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        await response.prepare(request)
        chunk = b"x" * 65536
        for _ in range(6 * 16 + 1):  # a little over 6 MB
            await response.write(chunk)
        return response

    async def missing(request: web.Request) -> web.Response:
        return web.Response(status=404, text="no such page")

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPFound("/page")

    async def stall(request: web.Request) -> web.Response:
        await asyncio.sleep(3600)
        return web.Response(text="never")

    app = web.Application()
    app.router.add_get("/page", page)
    app.router.add_get("/plain", plain)
    app.router.add_get("/huge", huge)
    app.router.add_get("/missing", missing)
    app.router.add_get("/redirect", redirect)
    app.router.add_get("/stall", stall)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def fetch(ctx, **kwargs):
    return await WebFetchTool(allow_private=True).execute(WebFetchParams(**kwargs), ctx)  # served on 127.0.0.1


async def test_html_to_markdown(ctx, server: str, recorder) -> None:
    result = await fetch(ctx, url=f"{server}/page")
    assert "# Hello" in result.output and "**bold**" in result.output
    assert "[a link](https://example.org/x)" in result.output and "- one" in result.output
    assert "secret" not in result.output and "color:red" not in result.output
    assert recorder.permissions() == ["webfetch"]


async def test_text_and_html_formats(ctx, server: str) -> None:
    text = await fetch(ctx, url=f"{server}/page", format="text")
    assert "Hello" in text.output and "<h1>" not in text.output and "secret" not in text.output
    html = await fetch(ctx, url=f"{server}/page", format="html")
    assert "<h1>Hello</h1>" in html.output
    plain = await fetch(ctx, url=f"{server}/plain")
    assert plain.output == "just text"


async def test_redirect_followed(ctx, server: str) -> None:
    result = await fetch(ctx, url=f"{server}/redirect")
    assert "# Hello" in result.output and result.metadata["url"].endswith("/page")


async def test_5_mb_cap(ctx, server: str) -> None:
    result = await fetch(ctx, url=f"{server}/huge")
    assert result.metadata["capped"] is True and result.metadata["bytes"] == 5 * 1024 * 1024
    assert "only the first 5 MB" in result.output


async def test_http_error_status(ctx, server: str) -> None:
    with pytest.raises(ToolError, match="HTTP 404"):
        await fetch(ctx, url=f"{server}/missing")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "javascript:alert(1)", "example.org"])
async def test_other_schemes_refused(ctx, url: str, recorder) -> None:
    with pytest.raises(ToolError, match="Only http:// and https://"):
        await fetch(ctx, url=url)
    assert recorder.asked == []


async def test_server_that_never_answers_times_out(ctx, server: str) -> None:
    with pytest.raises(ToolError, match=r"did not answer within 0.3 seconds"):
        await fetch(ctx, url=f"{server}/stall", timeout=0.3)


async def test_abort_stops_the_fetch(ctx, server: str) -> None:
    task = asyncio.create_task(fetch(ctx, url=f"{server}/stall", timeout=30))
    await asyncio.sleep(0.1)
    ctx.abort.set()
    with pytest.raises(ToolError, match="aborted"):
        await task


async def test_connection_refused(ctx) -> None:
    with pytest.raises(ToolError, match="Could not fetch"):
        await fetch(ctx, url="http://127.0.0.1:1/", timeout=2)


async def test_permission_rejected(ctx, server: str, recorder) -> None:
    recorder.reject.add("webfetch")
    with pytest.raises(ToolError, match="refused"):
        await fetch(ctx, url=f"{server}/page")
