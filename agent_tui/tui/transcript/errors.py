"""What the user can do about a provider error, in one line under the error."""

from __future__ import annotations

from agent_tui.core.llm.catalog import BUILTIN_PROVIDERS
from agent_tui.core.models import MessageError


def key_advice(provider: str | None) -> str:
    """Where the key goes: built-in providers read their usual variable; others only what agent-tui.json says."""
    spec = BUILTIN_PROVIDERS.get(provider or "")
    if spec is not None:
        return f"Set {spec.key_env[0]} in your environment (or provider.{spec.id}.api_key in agent-tui.json)"
    name = provider or "<provider>"
    return (f"Set provider.{name}.api_key in agent-tui.json (or provider.{name}.api_key_env, the variable that "
            "holds it)")


def error_action(error: MessageError) -> str:
    match error.kind:
        case "aborted":
            return "Send a message to continue from here."
        case "auth":
            return f"{key_advice(error.provider)}, then send again — or pick another model with /models."
        case "rate_limit":
            return "Wait a moment and send again, or pick another model with /models."
        case "context_overflow":
            return "The conversation no longer fits the model's context: run /compact, or start a /new session."
        case "output_length":
            return "The reply hit the model's output limit: ask it to continue, or to answer in smaller steps."
        case "connection":
            return "Check your network and the provider's base URL in agent-tui.json, then send again."
        case "server":
            return "The provider failed: send again in a moment." if error.retryable else "Send again later."
        case "bad_request":
            return "The provider refused the request: check the model name with /models, or start a /new session."
        case _:
            return "Send again, or pick another model with /models."


def error_title(error: MessageError) -> str:
    if error.kind == "aborted":
        return "Interrupted"
    return error.message.strip() or error.kind.replace("_", " ")
