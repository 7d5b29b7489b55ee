"""The wire itself, without the SDK's client: malformed and unknown messages get JSON-RPC errors, the process
keeps serving, and stdout carries nothing but protocol lines."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

import pytest
from acp_support import agent_env, write_config

from agent_tui.testing.fake_llm import FakeLLM, Reply, error, text

pytestmark = pytest.mark.slow


class Wire:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[bytes] = []

    async def send(self, raw: str | dict[str, Any]) -> None:
        assert self.process.stdin is not None
        data = raw if isinstance(raw, str) else json.dumps(raw)
        self.process.stdin.write(data.encode() + b"\n")
        await self.process.stdin.drain()

    async def read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), 180)
        assert line, "the agent closed stdout"
        self.lines.append(line)
        return json.loads(line)  # every line on stdout is a JSON-RPC message

    async def answer(self, request_id: int) -> dict[str, Any]:
        """Read until the response to `request_id` (notifications in between are kept in `lines`)."""
        while True:
            message = await self.read()
            if message.get("id") == request_id and "method" not in message:
                return message


async def test_malformed_and_unknown_messages_are_answered_and_stdout_stays_protocol(
    project: Path, agent_tui_home: Path, llm: FakeLLM
):
    write_config(project, llm.openai_base)
    llm.add(Reply.of(error(400, body={"error": {"message": "boom"}})))  # not retried
    llm.add(Reply.of(text("fine")))
    env = {**os.environ, **agent_env(agent_tui_home)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "agent_tui.cli", "acp", cwd=project, env=env, stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    wire = Wire(process)
    try:
        await wire.send("this is not json")
        parse = await wire.read()
        assert parse["id"] is None and parse["error"]["code"] == -32700
        await wire.send('{"jsonrpc": "2.0", "id": 3, "method": "initialize", "params": {')  # cut off
        assert (await wire.read())["error"]["code"] == -32700
        await wire.send("[1, 2]")
        assert (await wire.read())["error"]["code"] == -32600
        await wire.send('"just a string"')
        assert (await wire.read())["error"]["code"] == -32600
        await wire.send({"jsonrpc": "2.0", "id": 4, "method": 17})
        invalid = await wire.read()
        assert invalid["id"] == 4 and invalid["error"]["code"] == -32600
        await wire.send({"jsonrpc": "2.0", "id": 5, "method": "no/such_method", "params": {}})
        unknown = await wire.answer(5)
        assert unknown["error"]["code"] == -32601
        await wire.send({"jsonrpc": "2.0", "id": 6, "method": "session/prompt", "params": {"sessionId": 3}})
        assert (await wire.answer(6))["error"]["code"] == -32602

        # Still serving: a whole turn, and a provider failure (litellm likes to print on those) in between.
        await wire.send({"jsonrpc": "2.0", "id": 7, "method": "initialize", "params": {"protocolVersion": 1}})
        assert (await wire.answer(7))["result"]["protocolVersion"] == 1
        await wire.send({"jsonrpc": "2.0", "id": 8, "method": "session/new",
                         "params": {"cwd": str(project), "mcpServers": []}})
        session = (await wire.answer(8))["result"]["sessionId"]
        prompt = {"sessionId": session, "prompt": [{"type": "text", "text": "hi"}]}
        await wire.send({"jsonrpc": "2.0", "id": 9, "method": "session/prompt", "params": prompt})
        failed = await wire.answer(9)
        assert failed["error"]["code"] == -32603
        await wire.send({"jsonrpc": "2.0", "id": 10, "method": "session/prompt", "params": prompt})
        assert (await wire.answer(10))["result"]["stopReason"] == "end_turn"
        chunks = [json.loads(line) for line in wire.lines]
        assert any(m.get("method") == "session/update" and m["params"]["update"].get("content", {}).get("text")
                   == "fine" for m in chunks)
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), 180)
    assert process.returncode == 0  # SIGTERM is a clean stop
    assert b"Traceback" not in err
