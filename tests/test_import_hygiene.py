"""Import contracts, checked in fresh interpreters: the engine never imports Textual, and the command line
stays light (litellm and mcp load only inside the command that needs them)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import agent_tui.core

CORE_DIR = Path(agent_tui.core.__file__).parent

PROBE = textwrap.dedent(
    """
    import importlib, json, sys, traceback

    def loaded(name):
        return any(m == name or m.startswith(name + ".") for m in sys.modules)

    modules, forbidden = json.loads(sys.argv[1]), json.loads(sys.argv[2])
    report = {"culprits": {}, "errors": {}}
    for module in modules:
        try:
            importlib.import_module(module)
        except BaseException:
            report["errors"][module] = traceback.format_exc(limit=3)
            continue
        for name in forbidden:
            if loaded(name) and name not in report["culprits"]:
                report["culprits"][name] = module  # the first module after whose import it appeared
    print(json.dumps(report))
    """
)


def probe(modules: list[str], forbidden: list[str], env: dict[str, str]) -> dict[str, dict[str, str]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(modules), json.dumps(forbidden)],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def core_modules() -> list[str]:
    """`agent_tui.core` and every module below it, read from the folder (nothing imported, nothing skipped)."""
    found = []
    for path in sorted(CORE_DIR.rglob("*.py")):
        parts = ["agent_tui", "core", *path.relative_to(CORE_DIR).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found.append(".".join(parts))
    return found


def test_the_walk_sees_the_core_modules() -> None:
    # Guards the test below against passing vacuously on an empty walk.
    modules = core_modules()
    assert modules[0] == "agent_tui.core"
    for expected in ("agent_tui.core.bus", "agent_tui.core.storage", "agent_tui.core.config",
                     "agent_tui.core.tools", "agent_tui.core.tools.base"):
        assert expected in modules


def test_core_never_imports_textual(subprocess_env: dict[str, str]) -> None:
    report = probe(core_modules(), ["textual"], subprocess_env)
    assert report["errors"] == {}, "core modules failed to import:\n" + "\n".join(report["errors"].values())
    assert "textual" not in report["culprits"], f"textual imported by {report['culprits']['textual']}"


def test_probe_detects_a_forbidden_import(subprocess_env: dict[str, str]) -> None:
    # The probe itself must be able to fail: importing textual is reported, naming the module that did it.
    report = probe(["agent_tui.core.ids", "textual"], ["textual"], subprocess_env)
    assert report["culprits"] == {"textual": "textual"}


def test_cli_module_does_not_import_litellm_or_mcp(subprocess_env: dict[str, str]) -> None:
    report = probe(["agent_tui.cli"], ["litellm", "mcp"], subprocess_env)
    assert report["errors"] == {}, report["errors"]
    assert "litellm" not in report["culprits"]
    assert "mcp" not in report["culprits"]


CLI_RUN = textwrap.dedent(
    """
    import json, sys
    from agent_tui.cli import main
    try:
        code = main(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code
    heavy = sorted({m.split(".")[0] for m in sys.modules} & {"litellm", "mcp"})
    print(json.dumps({"code": code, "heavy": heavy}), file=sys.stderr)
    """
)


def test_version_and_help_work_without_loading_litellm_or_mcp(subprocess_env: dict[str, str]) -> None:
    for flag in ("--version", "--help"):
        done = subprocess.run(
            [sys.executable, "-c", CLI_RUN, flag], capture_output=True, text=True, env=subprocess_env, timeout=120
        )
        assert done.returncode == 0, done.stderr
        result = json.loads(done.stderr.strip().splitlines()[-1])
        assert result == {"code": 0, "heavy": []}
        assert "agent-tui" in done.stdout


# What the TUI must not load before its first frame: the litellm and MCP SDKs, the tools (httpx, BeautifulSoup,
# markdownify, tree-sitter's bash grammar), the turn machinery, YAML and pathspec (only for files that need them),
# and the transcript's Markdown stack (markdown-it, Rich's Markdown and Syntax, pygments: an empty session draws none).
NOT_BEFORE_FIRST_FRAME = [
    "litellm", "mcp", "openai", "httpx", "bs4", "markdownify", "yaml", "pathspec", "watchfiles", "anyio",
    "tree_sitter_bash",
    "agent_tui.core.tools.builtin", "agent_tui.core.tools.bash", "agent_tui.core.tools.webfetch",
    "agent_tui.core.session.loop", "agent_tui.core.llm.stream", "agent_tui.core.llm.fast_path",
    "agent_tui.core.session.compaction", "agent_tui.core.mcp",
    "markdown_it", "pygments", "rich.markdown", "rich.syntax", "agent_tui.tui.transcript.render_markdown",
    # the dialogs load when they open (the first-run dialog and the dialogs' base class are needed at start)
    *(f"agent_tui.tui.dialogs.{name}" for name in (
        "agents", "confirm", "cost", "diff_view", "help", "mcp", "model_picker", "permission", "picker",
        "revert_picker", "session_switcher", "text_input", "themes")),
    "ctypes",  # only to give memory back (core/free_memory.py)
]


def test_importing_the_tui_app_loads_none_of_the_deferred_modules(subprocess_env: dict[str, str]) -> None:
    report = probe(["agent_tui.cli", "agent_tui.tui.app"], NOT_BEFORE_FIRST_FRAME, subprocess_env)
    assert report["errors"] == {}, report["errors"]
    assert report["culprits"] == {}


FIRST_FRAME = textwrap.dedent(
    """
    import gc, json, sys, threading
    from pathlib import Path
    from agent_tui import startup_gc
    from agent_tui.core.deferred_models import unbuilt_models
    from agent_tui.tui import app as app_module

    startup_gc.pause()  # as the command line does
    names = json.loads(sys.argv[2])
    service = app_module.SessionService.open(Path(sys.argv[1]), model="openai/gpt-4o")
    seen = {}
    on_loop_after_first_frame = set()

    def imports_on_the_loop(event, args):
        if event == "import" and "loaded" in seen and threading.current_thread() is threading.main_thread():
            on_loop_after_first_frame.add(args[0].split(".")[0])

    sys.addaudithook(imports_on_the_loop)

    def first_frame(app):
        seen["loaded"] = sorted(n for n in names if any(m == n or m.startswith(n + ".") for m in sys.modules))
        seen["gc"] = [gc.isenabled(), gc.get_freeze_count() > 0]
        seen["unbuilt"] = sorted(m.__name__ for m in unbuilt_models())

        async def start_the_watcher_then_exit():  # what the real start does after the first frame
            await app._start_watcher()
            seen["watching"] = app._watcher is not None and app._watcher.running
            seen["unbuilt_after"] = [m.__name__ for m in unbuilt_models()]
            seen["imported_on_loop"] = sorted(on_loop_after_first_frame & {"anyio", "watchfiles", "pathspec"})
            app.exit(0)

        app.run_worker(start_the_watcher_then_exit())

    app_module.AgentApp._after_first_frame = first_frame
    app_module.AgentApp(service, warm_up=False).run(headless=True, size=(120, 40))
    seen["tools_after"] = service.tools.get("bash") is not None  # built on first use
    seen["loaded_after"] = "agent_tui.core.tools.bash" in sys.modules
    # 8 MB, and the fetch guard's httpcore (3 MB): loaded by the first fetch, not by the tool list
    seen["page_libs"] = sorted({m.split(".")[0] for m in sys.modules} & {"bs4", "markdownify", "httpcore"})
    print(json.dumps(seen))
    """
)


def test_the_first_frame_loads_none_of_them_and_resumes_the_collector(
        tmp_path: Path, subprocess_env: dict[str, str]) -> None:
    # The real start-up path (config, database, session list, every widget of the main screen) up to the
    # first frame; then the tools still build on first use.
    env = {**subprocess_env, "OPENAI_API_KEY": "sk-test"}
    done = subprocess.run([sys.executable, "-c", FIRST_FRAME, str(tmp_path), json.dumps(NOT_BEFORE_FIRST_FRAME)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["loaded"] == []
    assert report["gc"] == [True, True]  # paused for the start-up, then frozen and switched back on
    # The records an empty session does not need are built after the first frame, in a thread, with the file
    # watcher's imports (anyio, watchfiles), which used to run on the event loop when the prompt became ready.
    for model in ("Session", "TextPart", "MessageWithParts", "PartUpdated"):
        assert model in report["unbuilt"]
    assert report["unbuilt_after"] == []
    assert report["watching"] is True
    assert report["imported_on_loop"] == []
    assert report["tools_after"] is True and report["loaded_after"] is True
    assert report["page_libs"] == []
