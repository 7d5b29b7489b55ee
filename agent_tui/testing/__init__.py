"""Test helpers: the scripted LLM server (see `agent_tui.testing.fake_llm` for the script format)."""

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
    "malformed",
    "reasoning",
    "text",
    "tool_call",
    "usage",
]
