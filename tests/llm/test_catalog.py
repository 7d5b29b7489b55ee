"""The provider and model catalogue: which providers are on, limits and prices, and model resolution."""

from __future__ import annotations

from decimal import Decimal

import pytest

from agent_tui.core.config import Config
from agent_tui.core.llm.catalog import DEFAULT_CONTEXT, DEFAULT_OUTPUT, Catalog, ModelError
from agent_tui.core.llm.cost import step_cost
from agent_tui.core.models import TokenUsage


def test_providers_are_switched_on_by_their_environment_variables():
    catalog = Catalog(Config(), env={"GEMINI_API_KEY": "g", "GROQ_API_KEY": "q"})
    assert catalog.configured() == ["gemini", "groq"]
    statuses = {p.id: p for p in catalog.providers()}
    assert statuses["anthropic"].configured is False and statuses["anthropic"].key_env == "ANTHROPIC_API_KEY"
    assert statuses["gemini"].source == "env"


def test_no_provider_means_a_helpful_error():
    with pytest.raises(ModelError, match="ANTHROPIC_API_KEY"):
        Catalog(Config(), env={}).choose(None)


def test_choice_order_requested_config_last_default():
    catalog = Catalog(Config(model="openai/gpt-4.1"), env={"ANTHROPIC_API_KEY": "a", "OPENAI_API_KEY": "o"})
    assert catalog.choose("anthropic/claude-haiku-4-5", "openai/gpt-4o") == "anthropic/claude-haiku-4-5"
    assert catalog.choose(None, "openai/gpt-4o") == "openai/gpt-4.1"
    no_config = Catalog(Config(), env={"ANTHROPIC_API_KEY": "a"})
    assert no_config.choose(None, "anthropic/claude-haiku-4-5") == "anthropic/claude-haiku-4-5"
    assert no_config.choose(None, None) == "anthropic/claude-sonnet-4-5"


def test_limits_and_prices_come_from_litellms_bundled_map():
    resolved = Catalog(Config(), env={"ANTHROPIC_API_KEY": "sk-ant"}).resolve("anthropic/claude-sonnet-4-5")
    info = resolved.info
    assert (info.context, info.output) == (200_000, 64_000)
    assert info.cost_input == Decimal("0.000003") and info.cost_cache_read == Decimal("3E-7")
    assert resolved.litellm_model == "anthropic/claude-sonnet-4-5" and resolved.api_key == "sk-ant"
    assert "sk-ant" not in repr(resolved) and "sk-ant" not in resolved.model_dump_json()


def test_unknown_models_get_safe_defaults_and_config_overrides_win():
    catalog = Catalog(Config.model_validate({"provider": {"openai": {"models": {"tuned": {
        "limit": {"context": 50_000, "output": 2_000}, "cost": {"input": 2, "output": 8}}}}}}),
        env={"OPENAI_API_KEY": "k"})
    unknown = catalog.model_info("openai", "brand-new-model")
    assert (unknown.context, unknown.output, unknown.known) == (DEFAULT_CONTEXT, DEFAULT_OUTPUT, False)
    assert unknown.cost_input == 0
    tuned = catalog.model_info("openai", "tuned")
    assert (tuned.context, tuned.output) == (50_000, 2_000)
    assert tuned.cost_input == Decimal(2) / Decimal(1_000_000)
    cost = step_cost(TokenUsage(input=1_000_000, output=500_000, reasoning=500_000), tuned)
    assert cost == Decimal(2) + Decimal(4) + Decimal(4)  # reasoning billed at the output price


def test_openai_base_url_from_the_environment():
    catalog = Catalog(Config(), env={"OPENAI_API_KEY": "k", "OPENAI_BASE_URL": "http://127.0.0.1:8000/v1"})
    resolved = catalog.resolve("openai/local-model")
    assert resolved.api_base == "http://127.0.0.1:8000/v1" and resolved.litellm_model == "openai/local-model"
    anthropic = Catalog(Config(), env={"ANTHROPIC_API_KEY": "k", "ANTHROPIC_BASE_URL": "http://127.0.0.1:9"})
    assert anthropic.resolve("anthropic/x").api_base == "http://127.0.0.1:9"


def test_custom_openai_compatible_provider_needs_no_key():
    config = Config.model_validate({"provider": {"ollama": {
        "api": "openai", "base_url": "http://127.0.0.1:11434/v1", "models": {"qwen": {"id": "qwen2.5-coder:14b"}}}}})
    catalog = Catalog(config, env={})
    assert catalog.configured() == ["ollama"]
    assert catalog.default_model() == "ollama/qwen"
    resolved = catalog.resolve("ollama/qwen")
    assert resolved.litellm_model == "openai/qwen2.5-coder:14b"
    assert resolved.api_base == "http://127.0.0.1:11434/v1" and resolved.api_key == "not-needed"
    assert [m.id for m in catalog.models("ollama")] == ["qwen"]


def test_resolution_errors_say_what_to_do():
    catalog = Catalog(Config(), env={})
    with pytest.raises(ModelError, match="provider/model"):
        catalog.resolve("gpt-4o")
    with pytest.raises(ModelError, match="Unknown provider 'nowhere'"):
        catalog.resolve("nowhere/x")
    with pytest.raises(ModelError, match="OPENAI_API_KEY"):
        catalog.resolve("openai/gpt-4o")


def test_model_list_for_the_picker_and_families():
    catalog = Catalog(Config(), env={"ANTHROPIC_API_KEY": "a"})
    models = catalog.models()
    assert any(m.id == "claude-sonnet-4-5" for m in models)
    assert all(m.provider == "anthropic" for m in models)
    assert catalog.family(catalog.resolve("anthropic/claude-sonnet-4-5")) == "anthropic"


def test_config_can_say_a_custom_model_sees_images():
    config = Config.model_validate({"provider": {"local": {"api": "openai", "base_url": "http://127.0.0.1:1/v1",
                                                           "models": {"llava": {"vision": True}, "plain": {}}}}})
    catalog = Catalog(config, env={})
    assert catalog.model_info("local", "llava").vision is True
    assert catalog.model_info("local", "plain").vision is False
