"""Start-up: heavy imports after the first frame, the first-run dialog, --continue and --session."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from agent_tui.tui.dialogs.first_run import FirstRunDialog
from tests.tui.conftest import SIZE, screen_text, type_text, wait_for_screen

FIRST_FRAME_PROBE = textwrap.dedent(
    """
    import asyncio, gc, json, sys
    from pathlib import Path
    from agent_tui.core.config import Config
    from agent_tui.core.project import Project
    from agent_tui.core.session.service import SessionService
    from agent_tui.core.storage import Storage
    from agent_tui.tui.app import AgentApp

    async def main():
        project = Path(sys.argv[1])
        config = Config.model_validate({
            "model": "local/m",
            "provider": {"local": {"api": "openai", "base_url": "http://127.0.0.1:9/v1", "models": {"m": {}}}},
            "mcp": {"probe": {"type": "local", "command": [sys.executable, "-c", "import sys"]}},
        })
        service = SessionService(project=Project.discover(project), config=config,
                                 storage=Storage(project / "db.sqlite"))
        at_construction = [m for m in ("litellm", "mcp") if m in sys.modules]
        app = AgentApp(service)
        async with app.run_test(size=(80, 24)) as pilot:
            while app.heavy_modules_at_first_frame is None:
                await pilot.pause(0.02)
            for _ in range(9000):  # then the background start-up loads them (minutes on a loaded machine)
                if "litellm" in sys.modules and "mcp" in sys.modules:
                    break
                await pilot.pause(0.02)
            later = [m for m in ("litellm", "mcp") if m in sys.modules]
        print(json.dumps({"construction": at_construction, "first_frame": app.heavy_modules_at_first_frame,
                          "later": later, "young_threshold": gc.get_threshold()[0]}))

    asyncio.run(main())
    """
)


def test_litellm_and_mcp_load_after_the_first_frame(tmp_path: Path, subprocess_env: dict[str, str]) -> None:
    project = tmp_path / "project"
    project.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", FIRST_FRAME_PROBE, str(project)],
        env=subprocess_env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["construction"] == []
    assert report["first_frame"] == []
    assert sorted(report["later"]) == ["litellm", "mcp"]  # proves the probe can see them
    assert report["young_threshold"] >= 10_000  # a streaming reply no longer runs ~30 collections a second


async def test_first_run_without_provider_explains_and_nothing_crashes(make_app, make_service):
    app = make_app(make_service(providers=False))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, FirstRunDialog)
        shown = screen_text(app)
        for variable in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENROUTER_API_KEY"):
            assert variable in shown
        assert '"base_url": "http://localhost:11434/v1"' in shown
        assert "agent-tui.json" in shown
        await pilot.press("enter")
        assert not isinstance(app.screen, FirstRunDialog)
        assert app.main.status.model == "no model"
        # Sending anyway: a clear error, the text stays in the prompt, the dialog comes back.
        await type_text(pilot, "hello")
        await pilot.press("enter")
        await wait_for_screen(pilot, FirstRunDialog)
        await pilot.press("escape")
        assert app.main.composer.text == "hello"
        assert any("No model provider is configured" in str(n.message) for n in app._notifications)
    assert app.return_code in (0, None)


async def test_first_run_dialog_fits_an_80x24_terminal(make_app, make_service):
    app = make_app(make_service(providers=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, FirstRunDialog)
        await pilot.pause(0.1)
        shown = screen_text(app)
        assert " OK " in shown  # the button stayed on screen; the text above it scrolls instead
        assert "Google Gemini  GEMINI_API_KEY or GOOGLE_API_KEY" in shown  # one provider a line when two columns
        assert "Groq           GROQ_API_KEY" in shown  # would not fit: nothing is split across lines
        body = app.screen.query_one("#first-run-body")
        assert body.max_scroll_y > 0
        await pilot.press("enter")
        assert not isinstance(app.screen, FirstRunDialog)


async def test_continue_opens_the_latest_session(make_app, make_service):
    service = make_service()
    service.create(title="Older")
    latest = service.create(title="Latest")
    app = make_app(service, continue_last=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.main.session_id == latest.id
        assert app.sub_title == "Latest"


async def test_session_option_opens_that_session_and_unknown_ids_are_reported(make_app, make_service):
    service = make_service()
    wanted = service.create(title="Wanted")
    service.create(title="Other")
    app = make_app(service, session_id=wanted.id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.main.session_id == wanted.id
    app = make_app(service, session_id="ses_missing")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.main.session_id is None
        assert any("No session ses_missing" in str(n.message) for n in app._notifications)


async def test_the_sidebar_starts_hidden_in_a_narrow_terminal_until_toggled(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.05)
        assert not app.main.sidebar.display
        await pilot.press("ctrl+b")
        assert app.main.sidebar.display
        await pilot.resize_terminal(70, 24)
        await pilot.pause(0.05)
        assert app.main.sidebar.display  # the user's choice wins over the width from now on
    wide = make_app()
    async with wide.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.05)
        assert wide.main.sidebar.display


EARLY_PROMPT_PROBE = textwrap.dedent(
    """
    import asyncio, json, sys
    from pathlib import Path
    from agent_tui.core.config import Config
    from agent_tui.core.llm import litellm_loader
    from agent_tui.core.llm.litellm_loader import is_loaded

    litellm_loader._lock.acquire()  # litellm's import waits until the prompt is sent, as on a slow machine
    from agent_tui.core.project import Project
    from agent_tui.core.session.service import SessionService
    from agent_tui.core.storage import Storage
    from agent_tui.testing import FakeLLMThread, text
    from agent_tui.tui.app import AgentApp

    async def main():
        project = Path(sys.argv[1])
        with FakeLLMThread([[text("the early reply")], [text("the early reply")]]) as srv:  # reply and title
            config = Config.model_validate({"model": "local/m", "provider": {"local": {
                "api": "openai", "base_url": srv.openai_base, "api_key": "sk-test", "models": {"m": {}}}}})
            service = SessionService(project=Project.discover(project), config=config,
                                     storage=Storage(project / "db.sqlite"))
            app = AgentApp(service)  # with its background warm-up, as a user starts it
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.press(*"hello")
                await pilot.press("enter")
                await pilot.pause(0.05)
                status = app.main.status
                early = {"loaded": is_loaded(), "note": status.loading_library}
                litellm_loader._lock.release()
                for _ in range(3000):
                    if not service.busy_sessions() and service.list():
                        break
                    await pilot.pause(0.02)
                messages = service.messages(service.list()[0].id)
                reply = "".join(getattr(p, "text", "") for p in messages[-1].parts)
                print(json.dumps({**early, "after": status.loading_library, "reply": reply}))

    asyncio.run(main())
    """
)


def test_a_prompt_sent_before_litellm_loads_goes_out_when_it_has(
    tmp_path: Path, subprocess_env: dict[str, str]
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", EARLY_PROMPT_PROBE, str(project)],
        env=subprocess_env, capture_output=True, text=True, timeout=180, check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["loaded"] is False, report  # the prompt really was sent while litellm was loading
    assert report["note"] is True  # and the status line said why nothing came back yet
    assert report["after"] is False
    assert report["reply"] == "the early reply"
