"""Turn an MCP `CallToolResult` into our `ToolResult`.

Duck-typed on each content block's `type` so this module needs no SDK import: text blocks are joined with
newlines, images become attachments, text resources are inlined, and structured content is shown as JSON when
the server sent no text. An `is_error` result becomes a `ToolError` carrying the server's text.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from agent_tui.core.tools.base import Attachment, ToolError, ToolResult


def _blob_size(data: str) -> int | None:
    try:
        return len(base64.b64decode(data, validate=True))
    except (binascii.Error, ValueError):
        return None


def _resource_text(block: Any, attachments: list[Attachment]) -> str:
    resource = block.resource
    uri = str(getattr(resource, "uri", ""))
    mime = getattr(resource, "mime_type", None) or "application/octet-stream"
    text = getattr(resource, "text", None)
    if isinstance(text, str):
        return text
    blob = getattr(resource, "blob", "") or ""
    if mime.startswith("image/"):
        attachments.append(Attachment(mime=mime, filename=uri.rsplit("/", 1)[-1] or None, data_base64=blob))
        return f"[image {uri} ({mime}) attached]"
    size = _blob_size(blob)
    return f"[binary resource {uri} ({mime}, {size if size is not None else '?'} bytes) not shown]"


def _block_text(block: Any, attachments: list[Attachment]) -> str | None:
    kind = getattr(block, "type", None)
    if kind == "text":
        return str(block.text)
    if kind == "image":
        attachments.append(Attachment(mime=block.mime_type, data_base64=block.data))
        return None
    if kind == "audio":
        return f"[audio ({block.mime_type}) not shown]"
    if kind == "resource_link":
        return f"[resource {block.name}: {block.uri}]"
    if kind == "resource":
        return _resource_text(block, attachments)
    return f"[unsupported content of type {kind!r}]"


def to_tool_result(result: Any, *, title: str, metadata: dict[str, Any]) -> ToolResult:
    attachments: list[Attachment] = []
    texts = [t for block in result.content if (t := _block_text(block, attachments)) is not None]
    output = "\n".join(texts)
    if not output and result.structured_content is not None:
        output = json.dumps(result.structured_content, indent=2, ensure_ascii=False, default=str)
    if result.is_error:
        raise ToolError(output or "The MCP tool reported an error without a message.")
    if not output:
        output = f"[{len(attachments)} image(s) attached]" if attachments else "(no output)"
    return ToolResult(title=title, output=output, metadata=metadata, attachments=attachments)
