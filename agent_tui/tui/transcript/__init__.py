"""The message log: a virtualised transcript of the session on screen (see `widget.py`)."""

from agent_tui.tui.transcript.widget import Transcript

__all__ = ["Transcript"]
