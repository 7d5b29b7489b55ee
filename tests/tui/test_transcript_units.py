"""The transcript's pure parts: panels, errors (streaming Markdown: test_markdown_stream.py)."""

from __future__ import annotations

from rich.console import Console

from agent_tui.core.models import MessageError, ToolPart, ToolState
from agent_tui.tui.panels import GenericPanel, panel_for
from agent_tui.tui.panels.bash import BashPanel
from agent_tui.tui.panels.diff import DiffPanel, diff_counts
from agent_tui.tui.panels.read import numbered_content
from agent_tui.tui.panels.task import steps_of
from agent_tui.tui.panels.todo import TodoPanel
from agent_tui.tui.transcript import demo
from agent_tui.tui.transcript.errors import error_action
from agent_tui.tui.transcript.render import RenderContext, Styles, to_strips


def context(width: int = 60) -> RenderContext:
    console = Console(width=width, force_terminal=True, color_system="truecolor")
    return RenderContext(console, width, Styles())


def texts(lines: list) -> list[str]:  # type: ignore[type-arg]
    return [line.text.rstrip() for line in lines]


def tool(name: str, **state: object) -> ToolPart:
    return ToolPart(session_id="s", message_id="m", call_id="c", tool=name, state=ToolState(**state))  # type: ignore[arg-type]


# --- panels -------------------------------------------------------------------------------------------------


def test_each_tool_has_its_panel_and_unknown_or_mcp_tools_get_the_generic_one() -> None:
    assert isinstance(panel_for("bash"), BashPanel)
    for name in ("edit", "write", "patch", "multiedit"):
        assert isinstance(panel_for(name), DiffPanel)
    assert isinstance(panel_for("todowrite"), TodoPanel)
    assert isinstance(panel_for("github_search_issues"), GenericPanel)
    assert isinstance(panel_for("no-such-tool"), GenericPanel)


def test_diff_counts_and_title() -> None:
    part = tool("edit", input={"file_path": "a.py"}, status="completed", metadata={"diff": demo.BUS_DIFF})
    assert diff_counts(demo.BUS_DIFF) == (4, 2)
    assert panel_for("edit").title(part) == "a.py"
    assert panel_for("edit").summary(part) == "+4 -2"


def test_read_preview_drops_the_tools_line_numbers() -> None:
    start, lines = numbered_content(demo.READ_OUTPUT + "\n(More lines remain: use offset=46.)")
    assert start == 38
    assert lines[0] == "    def subscribe(self) -> asyncio.Queue[Event]:"
    assert len(lines) == 8


def test_todo_checklist_marks_each_state() -> None:
    part = tool("todowrite", status="completed", metadata={"todos": [
        {"content": "one", "status": "completed"}, {"content": "two", "status": "in_progress"},
        {"content": "three", "status": "pending"},
    ]})
    body = panel_for("todowrite").body(part, context())
    assert body is not None
    assert texts(to_strips(context(), body)) == ["☑ one", "◐ two", "☐ three"]
    assert panel_for("todowrite").title(part) == "1/3 done"


def test_task_steps_accept_dicts_nested_states_and_strings() -> None:
    part = tool("task", metadata={"steps": [
        {"tool": "read", "title": "a.py", "status": "completed"},
        {"tool": "bash", "state": {"status": "running", "title": "pytest"}},
        "thinking",
    ]})
    assert [(s["tool"] if "tool" in s else "", s["title"], s["status"]) for s in steps_of(part)] == [
        ("read", "a.py", "completed"), ("bash", "pytest", "running"), ("", "thinking", "completed"),
    ]


def test_bash_shows_the_tail_of_long_output_while_running() -> None:
    output = "\n".join(f"line {i}" for i in range(100))
    part = tool("bash", input={"command": "seq 100"}, status="running", metadata={"output": output})
    body = panel_for("bash").body(part, context())
    assert body is not None
    shown = texts(to_strips(context(), body))
    assert shown[0] == "$ seq 100"
    assert "88 earlier lines" in shown[1]
    assert shown[-1] == "line 99"


def test_generic_panel_shows_input_and_output() -> None:
    part = tool("server_tool", input={"query": "x"}, status="completed", output="result text")
    body = panel_for("server_tool").body(part, context())
    assert body is not None
    shown = "\n".join(texts(to_strips(context(), body)))
    assert '"query": "x"' in shown
    assert "result text" in shown


# --- errors -------------------------------------------------------------------------------------------------


def test_auth_errors_name_the_variable_to_set() -> None:
    error = MessageError(kind="auth", provider="anthropic", message="401")
    assert "ANTHROPIC_API_KEY" in error_action(error)
    assert "provider.anthropic.api_key" in error_action(error)  # the config key, spelt as the config spells it


def test_auth_errors_of_custom_providers_point_to_the_config() -> None:
    action = error_action(MessageError(kind="auth", provider="local", message="401"))
    assert "provider.local.api_key" in action
    assert "LOCAL_API_KEY" not in action  # nothing reads such a variable


def test_every_error_kind_has_an_action() -> None:
    kinds = MessageError.model_fields["kind"].annotation.__args__  # type: ignore[union-attr]
    for kind in kinds:
        assert error_action(MessageError(kind=kind, message="x")).strip()


def test_task_panel_title_names_a_chosen_sub_agent() -> None:
    from agent_tui.core.models import ToolPart, ToolState
    from agent_tui.tui.panels.task import TaskPanel

    def part(**input_: str) -> ToolPart:
        return ToolPart(session_id="s", message_id="m", call_id="c", tool="task",
                        state=ToolState(input={"description": "find py", "prompt": "p", **input_}))

    panel = TaskPanel()
    assert panel.title(part(agent="scout")) == "find py (scout)"
    assert panel.title(part()) == panel.title(part(agent="general")) == "find py"
