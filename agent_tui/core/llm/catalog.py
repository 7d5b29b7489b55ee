"""Providers and models: which are switched on, their limits and prices, and how to reach them through litellm.

Built-in providers are switched on by their usual environment variables; custom OpenAI-compatible providers
(Ollama, LM Studio, vLLM, llama.cpp, a LiteLLM proxy) come from the config's `provider` key. Limits and prices
come from litellm's model map (core/llm/model_map.py: read from its bundled JSON file until litellm is imported,
so that the catalogue never imports litellm, seconds of start-up) — config overrides win, and unknown models get
safe defaults.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

from agent_tui.core.config import Config, ModelConfig, ProviderConfig
from agent_tui.core.deferred_models import DeferredModel
from agent_tui.core.llm import model_map

log = logging.getLogger(__name__)

DEFAULT_CONTEXT = 32_768
DEFAULT_OUTPUT = 4_096
PER_MILLION = Decimal(1_000_000)


class ProviderSpec(BaseModel):
    id: str
    name: str
    key_env: list[str]  # the first one set switches the provider on
    litellm_prefix: str
    base_url_env: list[str] = Field(default_factory=list)
    preferred: list[str] = Field(default_factory=list)  # best defaults first
    api: Literal["openai", "anthropic", "litellm"] = "litellm"


BUILTIN_PROVIDERS: dict[str, ProviderSpec] = {
    p.id: p
    for p in [
        ProviderSpec(
            id="anthropic",
            name="Anthropic",
            key_env=["ANTHROPIC_API_KEY"],
            litellm_prefix="anthropic",
            base_url_env=["ANTHROPIC_BASE_URL"],
            preferred=["claude-sonnet-4-5", "claude-haiku-4-5"],
            api="anthropic",
        ),
        ProviderSpec(
            id="openai",
            name="OpenAI",
            key_env=["OPENAI_API_KEY"],
            litellm_prefix="openai",
            base_url_env=["OPENAI_BASE_URL", "OPENAI_API_BASE"],
            preferred=["gpt-5", "gpt-4.1", "gpt-4o"],
            api="openai",
        ),
        ProviderSpec(
            id="gemini",
            name="Google Gemini",
            key_env=["GEMINI_API_KEY", "GOOGLE_API_KEY"],
            litellm_prefix="gemini",
            preferred=["gemini-2.5-pro", "gemini-2.5-flash"],
        ),
        ProviderSpec(
            id="openrouter",
            name="OpenRouter",
            key_env=["OPENROUTER_API_KEY"],
            litellm_prefix="openrouter",
            preferred=["anthropic/claude-sonnet-4.5", "openai/gpt-5"],
        ),
        ProviderSpec(
            id="groq",
            name="Groq",
            key_env=["GROQ_API_KEY"],
            litellm_prefix="groq",
            preferred=["llama-3.3-70b-versatile"],
        ),
        ProviderSpec(
            id="mistral",
            name="Mistral",
            key_env=["MISTRAL_API_KEY"],
            litellm_prefix="mistral",
            preferred=["mistral-large-latest", "codestral-latest"],
        ),
        ProviderSpec(
            id="deepseek",
            name="DeepSeek",
            key_env=["DEEPSEEK_API_KEY"],
            litellm_prefix="deepseek",
            preferred=["deepseek-chat", "deepseek-reasoner"],
        ),
        ProviderSpec(
            id="xai",
            name="xAI",
            key_env=["XAI_API_KEY"],
            litellm_prefix="xai",
            preferred=["grok-4", "grok-3"],
        ),
    ]
}


class ModelInfo(BaseModel):
    provider: str
    id: str
    name: str
    context: int = DEFAULT_CONTEXT
    output: int = DEFAULT_OUTPUT
    # US dollars per token.
    cost_input: Decimal = Decimal(0)
    cost_output: Decimal = Decimal(0)
    cost_reasoning: Decimal | None = None  # None: billed as output
    cost_cache_read: Decimal = Decimal(0)
    cost_cache_write: Decimal = Decimal(0)
    temperature: bool = True
    vision: bool = False
    reasoning: bool = False
    known: bool = False  # limits and prices came from the model map or the config
    cost_from_config: bool = False  # prices set in provider.*.models.*.cost: they win over the provider's figure

    @property
    def spec(self) -> str:
        return f"{self.provider}/{self.id}"

    @property
    def usable_context(self) -> int:
        return max(self.context - self.output, self.context // 2)


class ResolvedModel(DeferredModel):
    """Everything needed to call one model."""

    provider: str
    provider_name: str
    model_id: str
    litellm_model: str
    api_base: str | None = None
    api_key: str | None = Field(default=None, repr=False, exclude=True)
    key_env: str | None = None
    headers: dict[str, str] = Field(default_factory=dict, repr=False, exclude=True)
    info: ModelInfo

    @property
    def spec(self) -> str:
        return f"{self.provider}/{self.model_id}"


class ProviderStatus(BaseModel):
    id: str
    name: str
    configured: bool
    source: Literal["env", "config", "none"]
    key_env: str | None = None


class ModelError(Exception):
    """A model or provider that cannot be used; the message says what to do."""


def _dec(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def _from_map(provider: ProviderSpec | None, model_id: str) -> Mapping[str, Any] | None:
    keys = [model_id]
    if provider is not None:
        keys.insert(0, f"{provider.litellm_prefix}/{model_id}")
    for key in keys:
        entry = model_map.lookup(key)
        if entry and (
            provider is None
            or entry.get("litellm_provider", provider.litellm_prefix)
            in (provider.litellm_prefix, f"{provider.litellm_prefix}_chat", "text-completion-openai")
        ):
            return entry
    return None


def _apply_override(info: ModelInfo, override: ModelConfig | None) -> ModelInfo:
    if override is None:
        return info
    update: dict[str, Any] = {}
    if override.name:
        update["name"] = override.name
    if override.limit.context:
        update["context"] = override.limit.context
    if override.limit.output:
        update["output"] = override.limit.output
    for field, price in (
        ("cost_input", override.cost.input),
        ("cost_output", override.cost.output),
        ("cost_cache_read", override.cost.cache_read),
        ("cost_cache_write", override.cost.cache_write),
    ):
        if price is not None:
            update[field] = Decimal(str(price)) / PER_MILLION
            update["cost_from_config"] = True
    if not override.temperature:
        update["temperature"] = False
    if override.vision is not None:
        update["vision"] = override.vision
    if update:
        update["known"] = True
    return info.model_copy(update=update)


class Catalog:
    def __init__(self, config: Config, env: Mapping[str, str] | None = None) -> None:
        self.config = config
        self.env = env if env is not None else os.environ

    # --- providers ----------------------------------------------------------------------------------------

    def _key_from_env(self, names: list[str]) -> tuple[str | None, str | None]:
        for name in names:
            value = self.env.get(name)
            if value:
                return name, value
        return None, None

    def providers(self) -> list[ProviderStatus]:
        result: list[ProviderStatus] = []
        for spec in BUILTIN_PROVIDERS.values():
            override = self.config.provider.get(spec.id)
            name, _ = self._key_from_env([override.api_key_env] if override and override.api_key_env else spec.key_env)
            if override is not None and not override.enabled:
                result.append(ProviderStatus(id=spec.id, name=spec.name, configured=False, source="none"))
                continue
            if override is not None and (override.api_key or override.base_url):
                result.append(
                    ProviderStatus(id=spec.id, name=spec.name, configured=True, source="config", key_env=name)
                )
            else:
                # A base URL without a key (a local OpenAI-compatible server) is usable: `resolve` accepts it.
                base_url, _ = self._key_from_env(spec.base_url_env)
                usable = name is not None or base_url is not None
                result.append(
                    ProviderStatus(
                        id=spec.id,
                        name=spec.name,
                        configured=usable,
                        source="env" if usable else "none",
                        key_env=name or spec.key_env[0],
                    )
                )
        for pid, cfg in self.config.provider.items():
            if pid in BUILTIN_PROVIDERS:
                continue
            result.append(
                ProviderStatus(
                    id=pid, name=cfg.name or pid, configured=cfg.enabled, source="config", key_env=cfg.api_key_env
                )
            )
        return result

    def configured(self) -> list[str]:
        return [p.id for p in self.providers() if p.configured]

    # --- models -------------------------------------------------------------------------------------------

    def model_info(self, provider_id: str, model_id: str) -> ModelInfo:
        spec = BUILTIN_PROVIDERS.get(provider_id)
        provider_cfg = self.config.provider.get(provider_id)
        override = provider_cfg.models.get(model_id) if provider_cfg else None
        lookup_id = override.id if override and override.id else model_id
        entry = _from_map(spec, lookup_id) if spec is not None else _from_map(None, lookup_id)
        if entry is None and spec is None and provider_cfg is None:
            entry = None
        info = ModelInfo(provider=provider_id, id=model_id, name=model_id)
        if entry is not None:
            info = info.model_copy(
                update={
                    "context": int(entry.get("max_input_tokens") or entry.get("max_tokens") or DEFAULT_CONTEXT),
                    "output": int(entry.get("max_output_tokens") or entry.get("max_tokens") or DEFAULT_OUTPUT),
                    "cost_input": _dec(entry.get("input_cost_per_token")),
                    "cost_output": _dec(entry.get("output_cost_per_token")),
                    "cost_reasoning": (
                        _dec(entry["output_cost_per_reasoning_token"])
                        if entry.get("output_cost_per_reasoning_token") is not None
                        else None
                    ),
                    "cost_cache_read": _dec(entry.get("cache_read_input_token_cost")),
                    "cost_cache_write": _dec(entry.get("cache_creation_input_token_cost")),
                    "vision": bool(entry.get("supports_vision")),
                    "reasoning": bool(entry.get("supports_reasoning")),
                    "known": True,
                }
            )
        return _apply_override(info, override)

    def models(self, provider_id: str | None = None) -> list[ModelInfo]:
        """Models of the configured providers (or one provider), for the model picker."""
        wanted = [provider_id] if provider_id else self.configured()
        result: list[ModelInfo] = []
        for pid in wanted:
            cfg = self.config.provider.get(pid)
            ids: list[str] = list(cfg.models) if cfg else []
            spec = BUILTIN_PROVIDERS.get(pid)
            if spec is not None and not (cfg and cfg.base_url and cfg.models):
                prefix = spec.litellm_prefix
                for key, entry in model_map.entries().items():
                    if entry.get("litellm_provider") != prefix or entry.get("mode") != "chat":
                        continue
                    model_id = key[len(prefix) + 1 :] if key.startswith(prefix + "/") else key
                    if model_id not in ids:
                        ids.append(model_id)
            result.extend(self.model_info(pid, mid) for mid in ids)
        return result

    def default_model(self) -> str | None:
        """The best available model of the first configured provider, in our preference order."""
        for pid in self.configured():
            cfg = self.config.provider.get(pid)
            if cfg and cfg.models:
                return f"{pid}/{next(iter(cfg.models))}"
            spec = BUILTIN_PROVIDERS.get(pid)
            if spec and spec.preferred:
                return f"{pid}/{spec.preferred[0]}"
        return None

    def choose(self, requested: str | None, last_used: str | None = None) -> str:
        """`--model`, else the config's `model`, else the last used model, else the best default."""
        for candidate in (requested, self.config.model, last_used, self.default_model()):
            if candidate:
                return candidate
        raise ModelError(
            "No model provider is configured. Set an API key such as ANTHROPIC_API_KEY or OPENAI_API_KEY, or add "
            "a provider to agent-tui.json (see the README)."
        )

    def resolve(self, spec: str) -> ResolvedModel:
        """Turn `provider/model` into what litellm needs. Raises ModelError with a user-facing message."""
        if "/" not in spec:
            raise ModelError(f"Model '{spec}' must be written as provider/model, e.g. anthropic/claude-sonnet-4-5.")
        provider_id, model_id = spec.split("/", 1)
        builtin = BUILTIN_PROVIDERS.get(provider_id)
        cfg: ProviderConfig | None = self.config.provider.get(provider_id)
        if builtin is None and cfg is None:
            known = ", ".join(sorted({*BUILTIN_PROVIDERS, *self.config.provider}))
            raise ModelError(f"Unknown provider '{provider_id}' in '{spec}'. Known providers: {known}.")
        if cfg is not None and not cfg.enabled:
            raise ModelError(f"Provider '{provider_id}' is disabled in the config.")
        info = self.model_info(provider_id, model_id)
        override = cfg.models.get(model_id) if cfg else None
        wire_id = override.id if override and override.id else model_id

        key_env_names = [cfg.api_key_env] if cfg and cfg.api_key_env else (builtin.key_env if builtin else [])
        key_env, key = self._key_from_env(key_env_names)
        if cfg and cfg.api_key:
            key = cfg.api_key
        base_url = cfg.base_url if cfg and cfg.base_url else None
        if base_url is None and builtin is not None:
            _, base_url = self._key_from_env(builtin.base_url_env)

        api = (cfg.api if cfg and cfg.api else None) or (builtin.api if builtin else "openai")
        if builtin is not None and api == builtin.api:
            litellm_model = f"{builtin.litellm_prefix}/{wire_id}"
        elif api == "anthropic":
            litellm_model = f"anthropic/{wire_id}"
        elif api == "openai":
            litellm_model = f"openai/{wire_id}"
        else:
            litellm_model = wire_id  # "litellm": the model id is already a litellm model string
        if key is None:
            if builtin is not None and base_url is None:
                raise ModelError(
                    f"Provider '{provider_id}' has no API key: set {key_env_names[0]} "
                    f"or add provider.{provider_id}.api_key_env to agent-tui.json."
                )
            key = "not-needed"  # local OpenAI-compatible servers accept any key, litellm insists on one
        return ResolvedModel(
            provider=provider_id,
            provider_name=(cfg.name if cfg and cfg.name else builtin.name if builtin else provider_id),
            model_id=model_id,
            litellm_model=litellm_model,
            api_base=base_url,
            api_key=key,
            key_env=key_env or (key_env_names[0] if key_env_names else None),
            headers=dict(cfg.headers) if cfg else {},
            info=info,
        )

    def family(self, resolved: ResolvedModel) -> str:
        """Which system prompt fits: anthropic, openai, gemini or default."""
        name = resolved.litellm_model.lower()
        if "claude" in name or resolved.provider == "anthropic":
            return "anthropic"
        if "gemini" in name:
            return "gemini"
        if any(t in name for t in ("gpt", "o1", "o3", "o4")) or resolved.provider == "openai":
            return "openai"
        return "default"
