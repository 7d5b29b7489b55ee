"""A `session/prompt`'s content blocks as the text and attachments `SessionService.chat` takes.

Text blocks are the message; a `resource_link` to a local file is attached like `--file`; an embedded text
resource (an editor selection, an open buffer) is added to the message with its URI. Images and audio are not
advertised in our capabilities; a client that sends them anyway gets a note in the text instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from acp.schema import (
    EmbeddedResourceContentBlock,
    ResourceContentBlock,
    TextContentBlock,
    TextResourceContents,
)


def _local_path(uri: str) -> Path | None:
    parts = urlsplit(uri)
    if parts.scheme == "file":
        return Path(unquote(parts.path))
    if not parts.scheme and uri.startswith("/"):
        return Path(uri)
    return None


def prompt_input(blocks: list[Any]) -> tuple[str, list[Path]]:
    texts: list[str] = []
    files: list[Path] = []
    for block in blocks:
        if isinstance(block, TextContentBlock):
            texts.append(block.text)
        elif isinstance(block, ResourceContentBlock):
            path = _local_path(block.uri)
            if path is not None and path.is_file():
                files.append(path)
            else:
                texts.append(f"[{block.name}]({block.uri})")
        elif isinstance(block, EmbeddedResourceContentBlock):
            resource = block.resource
            if isinstance(resource, TextResourceContents):
                texts.append(f'<context uri="{resource.uri}">\n{resource.text}\n</context>')
            else:
                texts.append(f"[binary resource {resource.uri} omitted]")
        else:
            texts.append(f"[{getattr(block, 'type', 'unknown')} content omitted: not supported]")
    return "\n\n".join(t for t in texts if t), files
