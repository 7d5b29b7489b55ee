"""Known secret values (API keys from the environment and the config), hidden wherever tool output goes.

A model may run `env` or read a `.env` file; what a tool returns is stored, shown and sent back to the provider,
so the exact values of the keys agent-tui knows are replaced before that. Only exact values are replaced (no
patterns), so ordinary code that mentions `api_key = ...` reaches the model unchanged.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

from agent_tui.core.config import Config

SECRET_ENV_SUFFIXES = ("_API_KEY", "_TOKEN", "_ACCESS_KEY", "_SECRET")
MIN_SECRET_LEN = 8  # shorter values would replace ordinary words
REDACTED = "[REDACTED]"


class SecretScrubber:
    def __init__(self, values: Iterable[str]) -> None:
        # Longest first, so that a key containing another is hidden whole.
        self.values = sorted({v for v in values if len(v) >= MIN_SECRET_LEN}, key=len, reverse=True)

    @classmethod
    def from_config(cls, config: Config, env: Mapping[str, str] | None = None) -> SecretScrubber:
        env = os.environ if env is None else env
        values = [v for k, v in env.items() if k.upper().endswith(SECRET_ENV_SUFFIXES)]
        for provider in config.provider.values():
            if provider.api_key:
                values.append(provider.api_key)
            values.extend(v for k, v in provider.headers.items() if k.lower() in ("authorization", "x-api-key"))
        return cls(values)

    def text(self, text: str) -> str:
        for value in self.values:
            if value in text:
                text = text.replace(value, REDACTED)
        return text

    def value(self, value: Any) -> Any:
        """Strings anywhere inside dicts and lists are scrubbed; other values are returned as they are."""
        if not self.values:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        return value
