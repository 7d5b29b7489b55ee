"""The status line's "loading litellm" note for a prompt sent before the model library has loaded.

The prompt is not held back: the run starts at once and its first request waits for the import, which the
warm-up thread is already doing. This only tells the person why nothing has come back yet.
"""

from __future__ import annotations

import asyncio

from textual.app import App

from agent_tui.core.llm.litellm_loader import is_loaded, load_litellm
from agent_tui.tui.widgets.status import StatusLine


def show_while_loading(app: App[object], status: StatusLine) -> None:
    if is_loaded():
        return
    status.loading_library = True

    async def clear_when_loaded() -> None:
        try:
            await asyncio.to_thread(load_litellm)  # returns as soon as the warm-up thread's import is done
        finally:
            status.loading_library = False

    app.run_worker(clear_when_loaded(), name="litellm loaded", group="litellm", exclusive=True, exit_on_error=False)
