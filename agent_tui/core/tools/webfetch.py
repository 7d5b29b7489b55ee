"""`webfetch`: fetch one http(s) URL and return it as Markdown, plain text or raw HTML."""

from __future__ import annotations

import asyncio
import base64
import importlib
import re
from html.parser import HTMLParser
from typing import Literal
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, Field

from agent_tui import __version__
from agent_tui.core.tools.base import Attachment, PermissionRequest, Tool, ToolContext, ToolError, ToolResult

DEFAULT_TIMEOUT = 30.0
MAX_TIMEOUT = 120.0
MAX_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


class WebFetchParams(BaseModel):
    url: str = Field(description="The http:// or https:// URL to fetch.")
    format: Literal["markdown", "text", "html"] = Field(
        default="markdown", description="How to return the page: markdown (default), text, or the raw html."
    )
    timeout: float | None = Field(
        default=None, description=f"Seconds to wait (default {DEFAULT_TIMEOUT:.0f}, max {MAX_TIMEOUT:.0f})."
    )


class _TextExtractor(HTMLParser):
    """Visible text of an HTML page (scripts, styles and other non-content elements dropped)."""

    _SKIP = {"script", "style", "noscript", "template", "svg", "head"}
    _BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "pre"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t]+", " ", text)
    return re.sub(r"\n\s*\n+", "\n\n", text).strip()


def html_to_markdown(html: str) -> str:
    # Drop <head> (its <title> would otherwise lead the text) and non-content elements.
    html = re.sub(r"(?is)<head\b.*?</head>", "", html)
    from markdownify import markdownify  # with BeautifulSoup, 8 MB: loaded by the first page fetched, not every turn

    markdown = markdownify(html, heading_style="ATX", strip=["img"], bullets="-")
    return re.sub(r"\n{3,}", "\n\n", markdown).strip()


class WebFetchTool(Tool):
    name = "webfetch"
    Params = WebFetchParams

    def __init__(self, *, allow_private: bool = False) -> None:
        # Private, loopback and link-local addresses are refused unless the config allows them (see netguard);
        # `--yes` does not change this: unattended runs are where a steered model matters most.
        self.allow_private = allow_private

    async def execute(self, params: WebFetchParams, ctx: ToolContext) -> ToolResult:
        url = params.url.strip()
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https"):
            shown = parts.scheme or "no scheme"
            raise ToolError(f"Only http:// and https:// URLs can be fetched ({shown!s} given): {url[:200]}")
        if not parts.netloc:
            raise ToolError(f"The URL has no host: {url[:200]}")
        timeout = DEFAULT_TIMEOUT if params.timeout is None else min(max(params.timeout, 0.1), MAX_TIMEOUT)
        await ctx.ask(
            PermissionRequest(
                permission="webfetch",
                title=f"Fetch {url}",
                patterns=[url],
                metadata={"url": url, "format": params.format},
            )
        )
        fetch = asyncio.create_task(self._fetch(url, params.format, timeout))
        abort = asyncio.create_task(ctx.abort.wait())
        try:
            done, _ = await asyncio.wait({fetch, abort}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            abort.cancel()
        if fetch not in done:
            fetch.cancel()
            await asyncio.gather(fetch, return_exceptions=True)
            if abort in done:
                raise ToolError("The fetch was aborted by the user.")
            raise ToolError(f"{url} did not answer within {timeout:g} seconds.")
        return fetch.result()

    async def _fetch(self, url: str, fmt: str, io_timeout: float) -> ToolResult:
        accept = {
            "markdown": "text/markdown;q=1.0, text/html;q=0.9, text/plain;q=0.8, */*;q=0.1",
            "text": "text/plain;q=1.0, text/html;q=0.9, */*;q=0.1",
            "html": "text/html;q=1.0, */*;q=0.1",
        }[fmt]
        headers = {"User-Agent": f"agent-tui/{__version__}", "Accept": accept}
        # Here, not at the top: the guard's httpcore (with h2 and hpack, about 3 MB) loads with the first fetch,
        # not with the tool list every turn needs; in a thread, as its import takes ~30 ms of the event loop's time.
        netguard = await asyncio.to_thread(importlib.import_module, "agent_tui.core.tools.netguard")
        try:
            async with (
                httpx.AsyncClient(
                    transport=netguard.GuardedTransport(allow_private=self.allow_private), trust_env=False,
                    follow_redirects=True, timeout=io_timeout, max_redirects=MAX_REDIRECTS,
                ) as client,
                client.stream("GET", url, headers=headers) as response,
            ):
                body = bytearray()
                capped = False
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_BYTES:
                        capped = True
                        del body[MAX_BYTES:]
                        break
                status = response.status_code
                content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
                encoding = response.encoding or "utf-8"
                final_url = str(response.url)
        except netguard.BlockedAddress as exc:
            raise ToolError(f"Could not fetch {url}: {exc}") from exc
        except httpx.InvalidURL as exc:  # not an HTTPError: e.g. `0177.0.0.1`, an IPv4 form httpx refuses
            raise ToolError(f"{url[:200]} is not a valid URL: {exc}") from exc
        except httpx.TimeoutException as exc:
            raise ToolError(f"{url} did not answer within {io_timeout:g} seconds.") from exc
        except httpx.TooManyRedirects as exc:
            raise ToolError(f"{url} redirects too many times.") from exc
        except httpx.HTTPError as exc:
            raise ToolError(f"Could not fetch {url}: {type(exc).__name__}: {exc}") from exc

        if status >= 400:
            snippet = bytes(body[:500]).decode(encoding, errors="replace")
            raise ToolError(f"{url} answered HTTP {status}.\n{snippet}")
        metadata = {"url": final_url, "status": status, "content_type": content_type, "bytes": len(body),
                    "capped": capped}
        if content_type in IMAGE_TYPES:
            if capped:
                raise ToolError(f"The image at {url} is larger than 5 MB.")
            return ToolResult(
                title=url,
                output=f"Image from {final_url} ({content_type}, {len(body):,} bytes) is attached.",
                metadata=metadata,
                attachments=[Attachment(mime=content_type, data_base64=base64.b64encode(bytes(body)).decode())],
            )
        if b"\x00" in body[:8192] and not content_type.startswith("text/"):
            raise ToolError(f"{url} returned binary content ({content_type or 'unknown type'}), not text.")
        text = bytes(body).decode(encoding, errors="replace")
        is_html = "html" in content_type or (not content_type and text.lstrip()[:15].lower().startswith("<!doctype"))
        if is_html and fmt == "markdown":
            text = html_to_markdown(text)
        elif is_html and fmt == "text":
            text = html_to_text(text)
        if capped:
            text += "\n\n[The response was larger than 5 MB; only the first 5 MB were read.]"
        return ToolResult(title=url, output=text or "(empty response)", metadata=metadata)
