"""A scripted LLM server for tests, benchmarks and manual trials: real HTTP on 127.0.0.1, no model.

It speaks OpenAI chat completions (`POST /v1/chat/completions`, also `/chat/completions`) and Anthropic
Messages (`POST /v1/messages`), streamed (SSE) or not, and plays a script: each request consumes the next
reply. When the script is exhausted it answers 500 "script exhausted" so a test that asks too much fails loudly.

    from agent_tui.testing.fake_llm import FakeLLM, Reply, text, tool_call, usage

    async with FakeLLM([Reply.of(text("Hello"), usage(10, 5))]) as srv:
        litellm.acompletion(model="openai/fake", api_base=srv.openai_base, api_key="sk-test", ...)
        litellm.acompletion(model="anthropic/fake", api_base=srv.anthropic_base, api_key="sk-test", ...)
        srv.add(Reply.of(text("more")))          # append replies at run time
        srv.requests[0].messages, .tools, .stream, .headers, .auth_present, .disconnected
        await srv.wait_idle()                    # until every reply in flight is finished or abandoned

Addresses: `srv.base_url` is `http://127.0.0.1:PORT`; litellm needs `api_base=srv.openai_base`
(`.../v1`, it appends `/chat/completions`) for `openai/` models and `api_base=srv.anthropic_base`
(the bare base URL, it appends `/v1/messages`) for `anthropic/` models.

From sync code or for subprocesses: `with FakeLLMThread(script) as srv: ...` (same attributes; `wait_idle()`
is synchronous). From a shell: `python -m agent_tui.testing.fake_llm --script FILE [--port N]` prints the base
URL on its first stdout line and serves until killed.

Script format (JSON file or pydantic models; the constructors are in `agent_tui.testing.script`)::

    [
      [{"reasoning": "look first"}, {"text": "Reading it.", "chunks": 2},
       {"tool_call": {"id": "call_1", "name": "read", "arguments": {"path": "a.py"}, "chunks": 3}},
       {"usage": {"input": 100, "output": 20}}],
      [{"error": {"status": 429, "retry_after": 1}}],
      {"steps": [{"text": "Done."}], "chunk_delay": 0.01}
    ]

Steps: text, reasoning, tool_call (arguments: object or raw string, for malformed JSON), usage, delay
(seconds), error (HTTP error when first; an error event then a broken stream after output started), drop
(close mid-stream), malformed (garbage SSE event), finish (override the finish reason: "stop", "tool_calls",
"length"). Without a usage step the server reports sizes-based estimates; a usage step's `cost` (US dollars) is
sent as OpenAI-style `usage.cost`, as OpenRouter reports what it billed. Python constructors:
`Reply.of(text("hi", chunks=2), reasoning("..."), tool_call("read", {...}, id="call_1", chunks=3),
usage(input, output, reasoning=0, cache_read=0, cache_write=0, cost=None), delay(0.05), error(429, retry_after=1),
drop(), malformed(), finish("length"))`, `Script.of(reply, ...)`, `Script.load(path)`.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from agent_tui.testing.recorded import RecordedRequest
from agent_tui.testing.script import (
    Reply,
    Script,
    delay,
    drop,
    end_early,
    error,
    finish,
    malformed,
    reasoning,
    text,
    tool_call,
    usage,
)
from agent_tui.testing.server import FakeLLM
from agent_tui.testing.server_thread import FakeLLMThread

__all__ = [
    "FakeLLM",
    "FakeLLMThread",
    "RecordedRequest",
    "Reply",
    "Script",
    "delay",
    "drop",
    "end_early",
    "error",
    "finish",
    "main",
    "malformed",
    "reasoning",
    "text",
    "tool_call",
    "usage",
]


async def _serve(script: Script, host: str, port: int) -> None:
    async with FakeLLM(script, host=host, port=port) as srv:
        print(srv.base_url, flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                loop.add_signal_handler(sig, stop.set)
            except (NotImplementedError, RuntimeError):
                pass  # not on this platform: the default handler ends the process instead
        await stop.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m agent_tui.testing.fake_llm", description=__doc__.splitlines()[0])
    parser.add_argument("--script", required=True, help="JSON script file: a list of replies")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    try:
        script = Script.load(args.script)
    except (OSError, ValueError) as exc:
        print(f"fake_llm: cannot load script {args.script}: {exc}", file=sys.stderr)
        return 2
    asyncio.run(_serve(script, args.host, args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
