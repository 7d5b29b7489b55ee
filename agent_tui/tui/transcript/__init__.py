"""The message log: a virtualised transcript of the session on screen (see `widget.py`).

`Transcript` is loaded on first use, not with the package: the tool panels import `transcript.render`, and the
widget imports the panels (through `blocks.py`), so an eager import here made `import agent_tui.tui.panels` on its
own a circular import."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent_tui.tui.transcript.widget import Transcript

__all__ = ["Transcript"]


def __getattr__(name: str) -> Any:
    if name == "Transcript":
        from agent_tui.tui.transcript.widget import Transcript

        return Transcript
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
