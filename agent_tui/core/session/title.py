"""Session titles: asked of the small model in the background; on failure, the first line of the message."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TYPE_CHECKING

from agent_tui.core.llm.catalog import ResolvedModel
from agent_tui.core.llm.stream import LLMRequest, TextDelta, stream_completion
from agent_tui.resources import read_prompt

if TYPE_CHECKING:
    from agent_tui.core.session.service import SessionService

log = logging.getLogger(__name__)

MAX_TITLE = 50


def fallback_title(text: str) -> str:
    """A trimmed first non-empty line of the user's message."""
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            return line if len(line) <= MAX_TITLE else line[: MAX_TITLE - 1].rstrip() + "…"
    return "New session"


def clean_title(raw: str) -> str | None:
    # Models sometimes think aloud first or wrap the title in quotes or markup.
    raw = re.sub(r"<think>.*?</think>", "", raw, flags=re.S)
    lines = [ln.strip() for ln in raw.strip().splitlines() if ln.strip()]
    if not lines:
        return None
    title = lines[0].strip("\"'`*# ").removeprefix("Title:").strip().rstrip(".")
    if not title:
        return None
    return title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1].rstrip() + "…"


async def generate_title(model: ResolvedModel, first_message: str) -> str:
    request = LLMRequest(
        model=model.litellm_model,
        provider=model.provider,
        messages=[
            {"role": "system", "content": read_prompt("title.md")},
            {"role": "user", "content": first_message[:4000]},
        ],
        api_base=model.api_base,
        api_key=model.api_key,
        key_env=model.key_env,
        temperature=0 if model.info.temperature else None,
        max_tokens=60,
        extra_headers=model.headers,
        timeout=30,
    )
    parts: list[str] = []
    try:
        async for event in stream_completion(request, max_attempts=1):
            if isinstance(event, TextDelta):
                parts.append(event.text)
    except Exception as exc:  # a title is a nicety: any failure falls back
        log.info("title generation failed (%s); using the first line", exc)
        return fallback_title(first_message)
    return clean_title("".join(parts)) or fallback_title(first_message)


async def title_session(service: SessionService, session_id: str, text: str) -> None:
    """Give a new session a title from its first message, unless the user named it meanwhile.

    Cancelled (the app or `run` shutting down before the small model answered), it stores the first line, so
    no session is left as "New session"."""
    try:
        spec = service.config.small_model or service.model_spec(session_id)
        model = service.catalog.resolve(spec)
        new_title = await generate_title(model, text)
    except asyncio.CancelledError:
        try:
            _store_title(service, session_id, fallback_title(text))
        except Exception:  # shutting down: the cancellation must still go through
            log.exception("could not store the fallback title")
        raise
    except Exception as exc:
        log.info("title: %s", exc)
        new_title = fallback_title(text)
    _store_title(service, session_id, new_title)


def _store_title(service: SessionService, session_id: str, new_title: str) -> None:
    session = service.get(session_id)  # the newest, even while only in memory (a locked database)
    if session is not None and not session.title_generated:
        session.title = new_title
        session.title_generated = True
        service._touch(session)
