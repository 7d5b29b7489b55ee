"""Reading below litellm's stream wrapper: which chunk source to read, and what to do for what it skips.

`litellm.acompletion(stream=True)` returns a `CustomStreamWrapper` whose `completion_stream` is, for most
providers, litellm's own per-provider chunk parser (it turns each SSE line into an OpenAI-shaped
`ModelResponseStream`). The wrapper on top costs about 0.5 ms a chunk here (callbacks, logging, cost, chunk
rebuilding); the parser alone about 0.04 ms. So, decided once per attempt before the first chunk:

- when the provider's `completion_stream` is the parser class we tested it with (`FAST_ITERATORS`, checked by
  exact class path, so a litellm upgrade that swaps the class falls back instead of guessing), we read it;
- otherwise (the `openai` SDK's `AsyncStream`, a lazily opened stream like Gemini's, an unknown class) we read
  the wrapper, with litellm's streaming and message logging switched off.

What the wrapper would have done and a direct read must do itself (see `stream.py` and `chunks.py`): map
mid-stream exceptions through litellm's `exception_type` (here), report `tool_calls` when a reply with tool
calls says `stop`, count tokens only when the provider sent no usage, and close the stream (closing the
wrapper closes the parser's HTTP response).

Per provider (litellm 1.110.2, decided by the parity tests):
- `anthropic`, `hosted_vllm` (any OpenAI-compatible server), `deepseek`, `openrouter`, `groq`, `mistral`, `xai`:
  fast path; litellm already uses its own HTTP handler and parser for them.
- `openai`: fast path through litellm's base HTTP handler (`EXPERIMENTAL_OPENAI_BASE_LLM_HTTP_HANDLER`, set by
  us unless the user set it): identical events, errors, extra headers and key in the parity tests, and 0.12 s
  instead of 0.9–1.2 s of CPU for 3,000 chunks. It sends a request without a key where the SDK refused, so the
  missing key is checked before the call (`openai_key_missing`).
- `gemini`: the wrapper (its stream is opened lazily, inside the wrapper); no local wire format to test against.
- anything else (e.g. `cerebras`, `custom_openai`, `litellm_proxy` through the `openai` SDK): the wrapper.

`tests/llm/test_stream_parity.py` plays the same scripted replies through both paths for every provider family
and fails when `completion_stream` stops being the class listed here.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from types import ModuleType
from typing import Any

log = logging.getLogger("agent_tui.llm")

_OPENAI_PARSER = "litellm.llms.openai.chat.gpt_transformation.OpenAIChatCompletionStreamingHandler"

# Provider (litellm's `custom_llm_provider`) → the chunk parser class its fast path was tested with.
FAST_ITERATORS: dict[str, str] = {
    # `openai/` reaches this parser only with litellm's base HTTP handler (see `use_base_http_handler_for_openai`).
    "openai": _OPENAI_PARSER,
    "hosted_vllm": _OPENAI_PARSER,
    "deepseek": _OPENAI_PARSER,
    "anthropic": "litellm.llms.anthropic.chat.handler.ModelResponseIterator",
    "openrouter": "litellm.llms.openrouter.chat.transformation.OpenRouterChatCompletionStreamingHandler",
    "groq": "litellm.llms.groq.chat.transformation.GroqChatCompletionStreamingHandler",
    "mistral": "litellm.llms.mistral.chat.transformation.MistralChatResponseIterator",
    "xai": "litellm.llms.xai.chat.transformation.XAIChatCompletionStreamingHandler",
}

# Read by litellm at every `openai/` call. Its base HTTP handler parses OpenAI's SSE with the same parser as
# hosted_vllm/deepseek instead of building `openai` SDK models per chunk (0.35 s → 0.1 s for 3,000 chunks) and
# gives the same events, errors and headers in the parity tests. litellm marks it experimental; a user who
# sets the variable to false gets the SDK path (read through the wrapper).
BASE_HANDLER_ENV = "EXPERIMENTAL_OPENAI_BASE_LLM_HTTP_HANDLER"


def use_base_http_handler_for_openai() -> None:
    os.environ.setdefault(BASE_HANDLER_ENV, "true")


def openai_key_missing(model: str, api_key: str | None) -> bool:
    """The `openai` SDK refuses to send a request without a key; litellm's base handler sends it anyway (a
    request to the provider that can only fail, with our key variable unnamed). Check it here instead."""
    return model.startswith("openai/") and not api_key and not os.environ.get("OPENAI_API_KEY")


def quiet_wrapper(litellm: ModuleType) -> None:
    """Switches that make the fallback path (the wrapper) cheaper; we log nothing of litellm's anyway."""
    litellm.disable_streaming_logging = True
    litellm.turn_off_message_logging = True


def class_path(obj: object) -> str:
    cls = type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def fast_chunks(response: Any) -> AsyncIterator[Any] | None:
    """The provider's chunk parser under `response` when it is the one we tested, else None (read the wrapper)."""
    provider = getattr(response, "custom_llm_provider", None)
    source = getattr(response, "completion_stream", None)
    expected = FAST_ITERATORS.get(provider or "")
    if expected is None or source is None:
        return None
    if class_path(source) != expected:
        log.info("litellm's %s stream is %s, not %s: reading the wrapper", provider, class_path(source), expected)
        return None
    return source


def empty_chunk_for_bad_lines(response: Any) -> bool:
    """Whether the fast path's parser turns an SSE line it cannot parse into an empty chunk, so that the line
    check can wait for one (`sse_check.check_lines(lazy=True)`). litellm's OpenAI-style parsers do; Anthropic's
    keeps such a line as the start of a JSON value split across lines and yields nothing, so its lines are all
    checked. Tested for every family by the malformed-stream cases of tests/llm/test_stream_parity.py."""
    provider = getattr(response, "custom_llm_provider", None)
    return provider in FAST_ITERATORS and provider != "anthropic"


def map_stream_error(exc: BaseException, response: Any) -> BaseException:
    """A mid-stream exception from the parser (httpx, AnthropicError, a JSON error…) as litellm's wrapper
    would have raised it, so that `to_provider_error` sees the same classes on both paths."""
    if not isinstance(exc, Exception):
        return exc
    from litellm.litellm_core_utils.exception_mapping_utils import exception_type

    try:
        mapped = exception_type(
            model=getattr(response, "model", None) or "",
            original_exception=exc,
            custom_llm_provider=getattr(response, "custom_llm_provider", None),
        )
    except Exception as raised:  # exception_type raises the mapped exception
        return raised
    return mapped if isinstance(mapped, BaseException) else exc
