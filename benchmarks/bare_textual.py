"""The floor for the terminal benchmark: the least a Textual chat client can do.

One input, one scrolling column, each reply streamed from an OpenAI-compatible server (`OPENAI_BASE_URL`) into a
`Markdown` widget through Textual's own `Markdown.get_stream`. No storage, no tools, no agent loop: whatever
agent-tui costs above this is ours. Ready when "Ask the bare app" is on screen.

With `BARE_LITELLM=1` it is the floor for an in-process litellm client: a plain `import litellm` starts in a
thread after the first frame (nothing tuned: the collector on, the default switch interval), and each reply is
`litellm.acompletion(stream=True)` read through its wrapper, sent as soon as the import is done.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading

import httpx
from textual import work
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input, Markdown, Static


class BareChat(App[None]):
    CSS = "#log { height: 1fr; } Input { dock: bottom; } .you { color: $accent; }"
    AUTO_FOCUS = "Input"

    def compose(self) -> ComposeResult:
        yield VerticalScroll(id="log")
        yield Input(placeholder="Ask the bare app")

    def on_mount(self) -> None:
        self.history: list[dict[str, str]] = []
        self.query_one("#log", VerticalScroll).anchor()
        self.litellm_import: threading.Thread | None = None
        if os.environ.get("BARE_LITELLM"):
            os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
            self.litellm_import = threading.Thread(target=lambda: __import__("litellm"), daemon=True)
            self.call_after_refresh(self.litellm_import.start)

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        prompt, event.input.value = event.value, ""
        log = self.query_one("#log", VerticalScroll)
        reply = Markdown()
        await log.mount_all([Static(f"> {prompt}", classes="you", markup=False), reply])
        self.history.append({"role": "user", "content": prompt})
        self.stream(reply)

    @work(exclusive=True)
    async def stream(self, reply: Markdown) -> None:
        base = os.environ["OPENAI_BASE_URL"].rstrip("/")
        body = {"model": os.environ.get("OPENAI_MODEL", "bench"), "messages": self.history, "stream": True}
        out = Markdown.get_stream(reply)
        text: list[str] = []
        if self.litellm_import is not None:
            await asyncio.to_thread(self.litellm_import.join)
            import litellm

            response = await litellm.acompletion(model="openai/" + body["model"], messages=self.history,
                                                 api_base=base, api_key="sk-bench", stream=True)
            async for chunk in response:
                piece = chunk.choices[0].delta.content if chunk.choices else None
                if piece:
                    text.append(piece)
                    await out.write(piece)
            await out.stop()
            self.history.append({"role": "assistant", "content": "".join(text)})
            return
        async with httpx.AsyncClient(timeout=None) as client, client.stream(
            "POST", f"{base}/chat/completions", json=body
        ) as response:
            async for line in response.aiter_lines():
                if not line.startswith("data: ") or line == "data: [DONE]":
                    continue
                for choice in json.loads(line[6:]).get("choices", []):
                    piece = choice.get("delta", {}).get("content")
                    if piece:
                        text.append(piece)
                        await out.write(piece)
        await out.stop()
        self.history.append({"role": "assistant", "content": "".join(text)})


if __name__ == "__main__":
    BareChat().run()
