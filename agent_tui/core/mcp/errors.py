"""Errors of the MCP layer, and one-line descriptions of whatever the SDK raises."""

from __future__ import annotations


class McpStartError(Exception):
    """The server could not be started or connected. The message is for the user."""


class McpCallError(Exception):
    """A call could not be completed (server failed, stopped, rejected the call). The message is for the model."""


def describe_error(exc: BaseException) -> str:
    """One line: the exception's type and the first line of its message (groups: each member)."""
    if isinstance(exc, BaseExceptionGroup):
        return "; ".join(describe_error(e) for e in exc.exceptions)
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
