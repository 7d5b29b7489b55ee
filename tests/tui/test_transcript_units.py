"""The transcript's pure parts: splitting streaming Markdown, the plain-paragraph shortcut, panels, errors."""

from __future__ import annotations

import random
import re

import pytest
from rich.console import Console
from rich.text import Text

from agent_tui.core.models import MessageError, ToolPart, ToolState
from agent_tui.tui.panels import GenericPanel, panel_for
from agent_tui.tui.panels.bash import BashPanel
from agent_tui.tui.panels.diff import DiffPanel, diff_counts
from agent_tui.tui.panels.read import numbered_content
from agent_tui.tui.panels.task import steps_of
from agent_tui.tui.panels.todo import TodoPanel
from agent_tui.tui.transcript import demo
from agent_tui.tui.transcript.errors import error_action
from agent_tui.tui.transcript.markdown_stream import BlockSplitter, StreamingMarkdown, plain_paragraph
from agent_tui.tui.transcript.render import RenderContext, Styles, markdown_strips, to_strips


def context(width: int = 60) -> RenderContext:
    console = Console(width=width, force_terminal=True, color_system="truecolor")
    return RenderContext(console, width, Styles())


def texts(lines: list) -> list[str]:  # type: ignore[type-arg]
    return [line.text.rstrip() for line in lines]


def tool(name: str, **state: object) -> ToolPart:
    return ToolPart(session_id="s", message_id="m", call_id="c", tool=name, state=ToolState(**state))  # type: ignore[arg-type]


# --- splitting ----------------------------------------------------------------------------------------------


def test_a_blank_line_ends_a_block_once_the_next_block_starts() -> None:
    splitter = BlockSplitter()
    assert splitter.feed("First paragraph.\n\n") == 0  # the next line may still continue a list item
    text = "First paragraph.\n\nSecond"
    assert splitter.feed(text) == 0  # "Second" has no newline yet
    text += " paragraph.\n"
    assert text[: splitter.feed(text)] == "First paragraph.\n"


def test_blank_lines_inside_a_code_fence_do_not_split() -> None:
    text = "```python\nx = 1\n\ny = 2\n```\n\nAfter.\n"
    boundary = BlockSplitter().feed(text)
    assert text[:boundary] == "```python\nx = 1\n\ny = 2\n```\n"


def test_an_indented_line_after_a_blank_line_continues_the_block() -> None:
    text = "- item\n\n  more of the item\n"
    assert BlockSplitter().feed(text) == 0


def test_streaming_renders_finished_blocks_once() -> None:
    ctx = context()
    stream = StreamingMarkdown()
    text = ""
    for word in ("Alpha", " beta.", "\n\n", "Gamma", " delta.", "\n\n", "Epsilon"):
        text += word
        stream.lines(text, ctx)
    # One render per frame for the tail, plus one per finished block: the first paragraph is not re-rendered
    # while the later ones stream.
    renders_before = stream.renders
    final = stream.lines(text + " zeta.", ctx)
    assert stream.renders == renders_before + 1
    assert texts(final) == ["Alpha beta.", "", "Gamma delta.", "", "Epsilon zeta."]
    assert texts(final) == texts(markdown_strips(ctx, text + " zeta."))


def test_an_open_code_fence_streams_as_plain_text_and_is_highlighted_when_it_closes() -> None:
    ctx = context()
    stream = StreamingMarkdown()
    lines = stream.lines("Code:\n\n```python\nprint('hi')\n", ctx)
    assert "print('hi')" in "\n".join(texts(lines))
    closed = stream.lines("Code:\n\n```python\nprint('hi')\n```\n\nDone.", ctx)
    assert "Done." in texts(closed)[-1]


def test_replaced_text_starts_over() -> None:
    ctx = context()
    stream = StreamingMarkdown()
    stream.lines("Old text.\n\nMore old.", ctx)
    assert texts(stream.lines("New.", ctx)) == ["New."]


def streamed(text: str, ctx: RenderContext) -> StreamingMarkdown:
    """`text` fed word by word, as a reply streams."""
    stream = StreamingMarkdown()
    shown = ""
    for word in re.findall(r"\S+\s*|\s+", text):
        shown += word
        stream.lines(shown, ctx)
    return stream


def exactly(lines: list) -> list:  # type: ignore[type-arg]
    return [list(line) for line in lines]


FINISHED_TEXTS = {
    "paragraphs": ("Alpha beta.\n\nGamma **delta**.\n\nEpsilon `zeta`.", True),
    "heading, list, code": ("Reads `bus.py` .\n\n## What changes\n\n- caches\n- the tail\n\n"
                            "```python\nfor p in parts:\n    render(p)\n```\n\nThen *this* .", True),
    "quote": ("> quoted\n\n> again\n\nText.", True),
    "table": ("| a | b |\n|---|---|\n| 1 | 2 |\n\nAfter the table.", True),
    "open fence": ("Code:\n\n```python\nprint('hi')\n", True),
    "loose list": ("- one\n\n- two\n\n- three\n\nAfter.", False),
    "loose ordered list": ("1. one\n\n2. two\n\nAfter.", False),
    "item continued after a blank line": ("- item\n\n  continued item\n\n- next\n\nDone.", False),
    "rule": ("Above.\n\n---\n\nBelow.", False),
    "link by reference": ("See [the docs][d].\n\nMore.\n\n[d]: https://example.com", False),
    "raw html": ("<div>\n\nhello\n\n</div>\n\nText", False),
}


@pytest.mark.parametrize("name", list(FINISHED_TEXTS))
@pytest.mark.parametrize("width", [60, 30])
def test_a_finished_reply_keeps_its_streamed_blocks_only_when_they_look_like_the_whole(name: str, width: int
                                                                                       ) -> None:
    text, kept = FINISHED_TEXTS[name]
    ctx = context(width)
    finished = streamed(text, ctx).finished_lines(text, ctx)
    assert (finished is not None) is kept
    if finished is not None:
        assert exactly(finished) == exactly(markdown_strips(ctx, text))


@pytest.mark.parametrize("seed", range(12))
def test_finished_lines_are_the_whole_render_or_nothing_for_any_mix_of_blocks(seed: int) -> None:
    pieces = ["Some **bold** words.", "A plain sentence here.", "## A heading", "- a\n- b", "1. x\n2. y",
              "```python\nx = 1\n\ny = 2\n```", "> a quote", "| h |\n|---|\n| c |", "- a\n\n- loose",
              "---", "    indented code", "Term  \nwith a hard break", "* star\n* list"]
    rng = random.Random(seed)
    text = "\n\n".join(rng.choice(pieces) for _ in range(rng.randint(2, 9)))
    ctx = context(rng.choice([24, 60]))
    stream = streamed(text, ctx)
    finished = stream.finished_lines(text, ctx)
    assert finished is None or exactly(finished) == exactly(markdown_strips(ctx, text)), text


def test_a_list_after_a_paragraph_streams_with_the_one_blank_line_it_keeps_when_finished() -> None:
    # Rich starts a list (or quote, or table) with its blank line; joining the chunks added a second one, so
    # the reply jumped by a line when it finished.
    ctx = context()
    text = "Intro.\n\n- one\n- two\n\nAfter the list."
    assert texts(streamed(text, ctx).lines(text, ctx)) == texts(markdown_strips(ctx, text))


@pytest.mark.parametrize("text", [
    "Plain words and (parentheses), 'quotes' and \"double quotes\": 3.5 of them!",
    "A soft\nbreak joins lines",
    "Trailing words that are long enough to wrap around the sixty column width of the test console easily",
])
def test_the_plain_paragraph_shortcut_looks_exactly_like_markdown(text: str) -> None:
    ctx = context()
    plain = plain_paragraph(text)
    assert plain is not None
    style = ctx.console.get_style("markdown.paragraph", default="none")
    assert [list(s) for s in to_strips(ctx, Text(plain, style=style, justify="left"))] == [
        list(s) for s in markdown_strips(ctx, text)
    ]


@pytest.mark.parametrize("text", ["**bold**", "- item", "1. first", "# Heading", "    code", "a `b`", "Title\n===",
                                  "> quote", "a | b", "line with hard break  \nnext"])
def test_anything_markdown_would_format_is_not_plain(text: str) -> None:
    assert plain_paragraph(text) is None


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
