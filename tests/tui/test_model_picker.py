"""Defect 9: the model picker lists the models in use first, then providers with keys, then the catalogue; any
`provider/model` can be typed and used (a model served through OPENAI_BASE_URL included); real matches first."""

from __future__ import annotations

from agent_tui.core.config import Config
from agent_tui.core.llm.catalog import Catalog
from agent_tui.testing.fake_llm import Reply, text
from agent_tui.tui.dialogs.model_picker import ModelPickerDialog
from agent_tui.tui.model_choices import RECENT, model_choices, rank
from tests.tui.conftest import SIZE, screen_text, type_text, wait_for, wait_for_screen


def catalog_with_openai_key() -> Catalog:
    return Catalog(Config(), env={"OPENAI_API_KEY": "sk-test"})


def test_order_in_use_then_keyed_providers_then_the_catalogue():
    choices = model_choices(catalog_with_openai_key(), current="openai/qwen-local",
                            configured=[None, "openai/gpt-4.1-mini"], recent=["anthropic/claude-sonnet-4-5"])
    head = [(c.spec, c.section, c.note) for c in choices[:3]]
    assert head == [("openai/qwen-local", RECENT, "current"), ("openai/gpt-4.1-mini", RECENT, "config"),
                    ("anthropic/claude-sonnet-4-5", RECENT, "recent")]
    sections = list(dict.fromkeys(c.section for c in choices))
    assert sections[:2] == [RECENT, "OpenAI"] and "Anthropic (no key: set ANTHROPIC_API_KEY)" in sections
    openai = [c for c in choices if c.section == "OpenAI"]
    assert openai[0].spec == "openai/gpt-5" and all(c.usable for c in openai)  # our preferred model first
    keyless = [c for c in choices if c.section.startswith("Anthropic (no key")]
    assert keyless and not any(c.usable for c in keyless) and keyless[0].note == "no key"


def test_real_matches_rank_before_loose_ones():
    choices = model_choices(catalog_with_openai_key(), current=None, configured=[], recent=[])
    ranked = [c.spec for c in rank("gpt-4o", choices)]
    assert ranked[0] == "openai/gpt-4o"
    assert ranked[1].startswith("openai/gpt-4o")  # then names starting with it, before names merely containing it
    first_loose = next(i for i, spec in enumerate(ranked) if "gpt-4o" not in spec)
    assert all("gpt-4o" in spec for spec in ranked[:first_loose])
    assert rank("sonnet 4-5", choices)[0].spec.startswith("anthropic/claude-sonnet-4-5")
    usable_first = rank("gpt-4o", choices)
    assert usable_first[0].usable


async def test_a_model_behind_openai_base_url_can_be_chosen_and_any_spec_typed(make_app, make_service, llm,
                                                                             monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", llm.openai_base)  # no key, no provider in the config
    llm.add(Reply.of(text("From the other local model")))
    llm.add(Reply.of(text("Local title")))  # without a small_model the title comes from the same model
    service = make_service(providers=False, model="openai/qwen-local")
    app = make_app(service)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        picker = await wait_for_screen(pilot, ModelPickerDialog)
        assert picker.choices[0].spec == "openai/qwen-local"  # the model in use is listed, first
        assert "Configured and recent" in screen_text(app) and "qwen-local" in screen_text(app)
        await type_text(pilot, "nosuch/thing")
        await pilot.press("enter")  # an unknown provider is refused in the dialog, which stays open
        await wait_for(pilot, lambda: "Unknown provider 'nosuch'" in screen_text(app), what="the refusal")
        assert isinstance(app.screen, ModelPickerDialog)
        picker.query_one("#model-filter").value = ""
        await type_text(pilot, "openai/other-local")
        await wait_for(pilot, lambda: "Use openai/other-local" in screen_text(app), what="the typed model")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main.status.model == "openai/other-local", what="the choice")
        await type_text(pilot, "hi")
        await pilot.press("enter")
        # The first turn imports litellm (seconds of CPU on a loaded machine): a longer wait than usual.
        await wait_for(pilot, lambda: len(llm.requests) == 2 and not service.busy_sessions(), what="the turn",
                       tries=2000)
        assert {request.model for request in llm.requests} == {"other-local"}
        await pilot.press("f2")
        picker = await wait_for_screen(pilot, ModelPickerDialog)
        specs = [c.spec for c in picker.choices[:3]]
        assert specs[0] == "openai/other-local" and "openai/qwen-local" in specs  # both stay choosable
