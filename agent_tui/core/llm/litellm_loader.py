"""Import litellm lazily, once, quietly, and without touching the network.

`import litellm` costs about 4 s of CPU, fetches a price list from the internet unless told not to, and writes
to stdout/stderr; all three would hurt a TUI. Everything that needs litellm goes through `load_litellm()`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
from types import ModuleType

log = logging.getLogger("agent_tui.llm")

_LITELLM_LOGGERS = ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy")

_lock = threading.Lock()
_module: ModuleType | None = None
_warm_thread: threading.Thread | None = None


def load_litellm() -> ModuleType:
    """The litellm module, imported on first use (thread-safe) and configured for an embedded, quiet life."""
    global _module
    if _module is not None:
        return _module
    with _lock:
        if _module is None:
            # Both must be set before the import: the cost map is fetched and the log level read at import time.
            os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
            os.environ.setdefault("LITELLM_LOG", "ERROR")
            from agent_tui.core.llm import fast_path

            fast_path.use_base_http_handler_for_openai()
            import litellm

            litellm.suppress_debug_info = True  # stops "Provider List: ..." prints for unpriced models
            if hasattr(litellm, "telemetry"):
                litellm.telemetry = False
            litellm.drop_params = True  # unsupported params (e.g. temperature on some models) are dropped
            fast_path.quiet_wrapper(litellm)
            _quiet_loggers()
            _module = litellm
    return _module


def _quiet_loggers() -> None:
    """Remove litellm's terminal handlers; its records reach our logging (root handlers) at WARNING and up."""
    for name in _LITELLM_LOGGERS:
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            stream = getattr(handler, "stream", None)
            is_terminal = isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler)
            if is_terminal or stream in (sys.stdout, sys.stderr):
                # Its filters redact secrets; keep them on the logger so they still apply upstream of our handlers.
                for flt in handler.filters:
                    if flt not in logger.filters:
                        logger.addFilter(flt)
                logger.removeHandler(handler)
        logger.setLevel(logging.WARNING)
        logger.propagate = True


def is_loaded() -> bool:
    return _module is not None


def warm_up_in_background() -> threading.Thread:
    """Import litellm and pay its first-call setup in a daemon thread; call after the first frame is painted.

    Returns the thread (already started; the same one on later calls) so a caller may join it.
    """
    global _warm_thread
    with _lock:
        if _warm_thread is None:
            _warm_thread = threading.Thread(target=_warm_up, name="litellm-warm-up", daemon=True)
            _warm_thread.start()
        return _warm_thread


def _warm_up() -> None:
    try:
        litellm = load_litellm()

        async def throwaway() -> None:
            # Mocked calls make no request but run litellm's one-time setup. Measured here: a first real streamed
            # call costs 0.7-1.2 s (tokenizer loading for the cost of a stream, ~0.25 s more for the Anthropic
            # path); only a *streamed* mock per provider family brings both down to ~20-40 ms.
            for model in ("openai/gpt-4o-mini", "anthropic/claude-sonnet-4-5"):
                response = await litellm.acompletion(
                    model=model,
                    messages=[{"role": "user", "content": "warm up"}],
                    mock_response="ok",
                    api_key="sk-warm-up-not-a-key",
                    stream=True,
                    stream_options={"include_usage": True},
                )
                async for _ in response:
                    pass

        asyncio.run(throwaway())
    except Exception:  # warm-up is an optimisation: a failure here must never reach the user
        log.warning("litellm warm-up failed", exc_info=True)
