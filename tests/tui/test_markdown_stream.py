"""Streaming Markdown: every frame, fed word by word, is cell for cell the whole render of the text so far."""

from __future__ import annotations

import random
import re

import pytest
from rich.console import Console

from agent_tui.tui.transcript.markdown_stream import BlockSplitter, StreamingMarkdown
from agent_tui.tui.transcript.render import RenderContext, Styles, markdown_strips


def context(width: int = 60, code_theme: str = "monokai") -> RenderContext:
    console = Console(width=width, force_terminal=True, color_system="truecolor")
    return RenderContext(console, width, Styles(), code_theme=code_theme)


def texts(lines: list) -> list[str]:  # type: ignore[type-arg]
    return [line.text.rstrip() for line in lines]


def exactly(lines: list) -> list:  # type: ignore[type-arg]
    return [list(line) for line in lines]


def pieces(text: str, rng: random.Random | None = None) -> list[str]:
    """`text` as a model streams it: word by word, or (with `rng`) in cuts of 1–12 characters anywhere."""
    if rng is None:
        return re.findall(r"\S+\s*|\s+", text)
    out, at = [], 0
    while at < len(text):
        step = rng.randint(1, 12)
        out.append(text[at : at + step])
        at += step
    return out


def assert_every_frame_is_the_whole_render(text: str, ctx: RenderContext, rng: random.Random | None = None
                                           ) -> StreamingMarkdown:
    stream = StreamingMarkdown()
    shown = ""
    for piece in pieces(text, rng):
        shown += piece
        assert exactly(stream.lines(shown, ctx)) == exactly(markdown_strips(ctx, shown)), repr(shown)
    finished = stream.finished_lines(text, ctx)
    assert finished is None or exactly(finished) == exactly(markdown_strips(ctx, text)), repr(text)
    return stream


# --- splitting ----------------------------------------------------------------------------------------------


def test_a_blank_line_ends_a_block_once_the_next_line_starts_unindented() -> None:
    splitter = BlockSplitter()
    assert splitter.feed("First paragraph.\n\n") == 0  # the next line may still continue a list item
    assert splitter.feed("First paragraph.\n\n ") == 0  # indented so far: it still may
    text = "First paragraph.\n\nS"
    assert text[: splitter.feed(text)] == "First paragraph.\n"


def test_blank_lines_inside_a_code_fence_do_not_split() -> None:
    text = "```python\nx = 1\n\ny = 2\n```\n\nAfter.\n"
    boundary = BlockSplitter().feed(text)
    assert text[:boundary] == "```python\nx = 1\n\ny = 2\n```\n"


@pytest.mark.parametrize("closing", ["    ```", "``", "``` x", "~~~"])
def test_only_a_real_closing_fence_closes_it(closing: str) -> None:
    text = f"```\nx = 1\n{closing}\n\nstill code\n"
    assert BlockSplitter().feed(text) == 0


def test_an_indented_line_after_a_blank_line_continues_the_block() -> None:
    text = "- item\n\n  more of the item\n"
    assert BlockSplitter().feed(text) == 0


# --- what is drawn, frame by frame --------------------------------------------------------------------------


def test_finished_blocks_are_rendered_once_and_the_tail_once_a_frame() -> None:
    ctx = context()
    stream = StreamingMarkdown()
    text = ""
    for word in ("Alpha", " **beta**.", "\n\n", "Gamma", " `delta`.", "\n\n", "Epsilon"):
        text += word
        stream.lines(text, ctx)
    renders_before = stream.renders
    final = stream.lines(text + " zeta.", ctx)
    assert stream.renders == renders_before + 1  # only the tail: the finished paragraphs are kept
    assert texts(final) == ["Alpha beta.", "", "Gamma delta.", "", "Epsilon zeta."]


def test_a_growing_code_block_draws_only_its_changed_lines() -> None:
    ctx = context()
    stream = StreamingMarkdown()
    text = "Code:\n\n```python\n"
    for line in range(30):
        text += f"value_{line} = compute({line})\n"
        assert exactly(stream.lines(text, ctx)) == exactly(markdown_strips(ctx, text))
    fence = stream._fence
    assert fence is not None
    assert fence.lines_drawn <= 2 * 30  # each line about once (its first frame, and when it is completed)


def test_a_long_paragraph_wraps_again_only_its_last_lines() -> None:
    ctx = context()
    text = " ".join(f"word{n} **bold{n}** `code{n}`" if n % 7 == 0 else f"word{n}" for n in range(400))
    stream = assert_every_frame_is_the_whole_render(text, ctx)
    frames = len(pieces(text))
    assert len(stream.lines(text, ctx)) > 40
    assert stream._paragraph.lines_drawn < 4 * frames  # a whole redraw each frame would be ~20 lines a frame
    assert stream._paragraph._inline.parsed < 400 * frames  # the settled start is not parsed again


@pytest.mark.parametrize("text", ["日本語のテキストは幅が二倍です。" * 12 + " end", "Start " + "x" * 48 + " end of it"])
def test_a_folded_word_whose_last_piece_is_its_space_is_wrapped_as_a_whole(text: str) -> None:
    # At width 24 the word fills its last line exactly, so its trailing space is folded onto a line of its own
    # and the next word follows it there; wrapping again from that space's line put the word on the next line.
    assert_every_frame_is_the_whole_render(text, context(24))


def test_syntax_left_open_keeps_the_rest_of_a_paragraph_parsed_until_it_closes() -> None:
    text = "An *open " + "word " * 60 + "still open* then " + "more " * 60 + "end."
    assert_every_frame_is_the_whole_render(text, context(40))


def test_replaced_text_starts_over() -> None:
    ctx = context()
    stream = StreamingMarkdown()
    stream.lines("Old text.\n\nMore old.", ctx)
    assert texts(stream.lines("New.", ctx)) == ["New."]


FIXED_TEXTS = {
    "paragraphs": "Alpha beta.\n\nGamma **delta**.\n\nEpsilon `zeta`.",
    "heading, list, code": ("Reads `bus.py` .\n\n## What changes\n\n- caches\n- the tail\n\n"
                            "```python\nfor p in parts:\n    render(p)\n```\n\nThen *this* ."),
    "open fence": "Code:\n\n```python\nprint('hi')\n\n\ndef f():\n    return '''a\nb'''\n",
    "fence right after a paragraph": "Run this:\n```bash\nls -la\n\necho done\n```\nand see.",
    "fence without language": "```\nplain code\n\n  indented\n```\n\nAfter.",
    "tilde fence, longer close": "~~~~ruby\nputs 1\n~~~\nstill code\n~~~~~\n\nAfter.",
    "quote": "> quoted\n> more\n\n> again\n\nText.",
    "table": "| a | b |\n|---|:-:|\n| 1 | two words |\n| 3 | `x` |\n\nAfter the table.",
    "tight list": "Intro.\n\n- one\n- two **bold**\n- three\n\nAfter the list.",
    "loose list": "- one\n\n- two\n\n- three\n\nAfter.",
    "loose ordered list past nine": "".join(f"{n}. item {n}\n\n" for n in range(1, 13)) + "After.",
    "item continued after a blank line": "- item\n\n  continued item\n\n- next\n\nDone.",
    "nested list": "1. first\n   - inner\n   - inner two\n2. second\n\n   more of second\n\nEnd.",
    "rule": "Above.\n\n---\n\nBelow.\n\n***\n\n- list after a rule",
    "setext heading": "Title\n=====\n\nSub\n---\n\nText.",
    "headings": "# One\n\n## Two\n\n### Three\n#### Four\n\nBody text.",
    "link by reference": "See [the docs][d].\n\nMore.\n\n[d]: https://example.com",
    "raw html": "<div>\n\nhello\n\n</div>\n\nText",
    "inline html and links": "A <b>bold</b> [link](https://x.y) and <https://auto.link> &amp; more.",
    "cjk and wide": "日本語のテキストは幅が二倍です。これは折り返しのテスト。\n\n- 項目一\n- 項目二 😀 emoji",
    "very long word": "Start " + "x" * 150 + " end.\n\n`" + "y" * 90 + "` code.",
    "hard breaks": "Line one  \nline two\\\nline three\n\nNext.",
    "indented code": "Para.\n\n    code line\n\n    more code\n\nAfter.",
    "emphasis across lines": "This *starts\nand ends* here, **bold\nacross** too.",
    "markup closing late in a long paragraph": ("Intro words **bold starts here and " + "goes on " * 30 + "ends** and "
                                                "`code " + "spans " * 12 + "end` then plain words " * 4),
    "links in a long paragraph": ("See " + "words " * 15 + "[a link with several words](https://example.com/a/long/"
                                  "path) and " + "more " * 15 + "<https://auto.example> done."),
    "kbd and image in a paragraph": "Press <kbd>Ctrl</kbd> and see ![alt text](i.png) then " + "more " * 20,
    "tab in a paragraph": "Name\tvalue and " + "more words " * 10,
    "long cjk paragraph": "日本語のテキストは幅が二倍です。" * 12 + " end",
    "folded word in a paragraph": "Words " + "z" * 80 + " more words " * 6 + "y" * 45 + " end.",
}


@pytest.mark.parametrize("name", list(FIXED_TEXTS))
@pytest.mark.parametrize("width", [60, 23])
def test_every_frame_of_a_fixed_text_is_the_whole_render(name: str, width: int) -> None:
    assert_every_frame_is_the_whole_render(FIXED_TEXTS[name], context(width))


@pytest.mark.parametrize("name", ["open fence", "table", "loose list", "cjk and wide"])
def test_every_frame_is_the_whole_render_when_cut_anywhere(name: str) -> None:
    rng = random.Random(name)
    assert_every_frame_is_the_whole_render(FIXED_TEXTS[name], context(40, code_theme="friendly"), rng)


RANDOM_PIECES = [
    "Some **bold** words and a `span`.", "A plain sentence here that is long enough to wrap at narrow widths.",
    "## A heading", "- a\n- b", "1. x\n2. y", "```python\nx = 1\n\ny = 2\n```", "```js\nlet s = `a\n\nb`;\n",
    "> a quote", "| h | i |\n|---|---|\n| c | d |", "- a\n\n- loose", "---", "    indented code",
    "Term  \nwith a hard break", "* star\n* list", "日本語 😀 wide", "x" * 70, "_under_ and ~~strike~~",
]


@pytest.mark.parametrize("seed", range(16))
def test_every_frame_of_a_random_mix_of_blocks_is_the_whole_render(seed: int) -> None:
    rng = random.Random(seed)
    text = "\n\n".join(rng.choice(RANDOM_PIECES) for _ in range(rng.randint(2, 8)))
    ctx = context(rng.choice([24, 60, 116]))
    assert_every_frame_is_the_whole_render(text, ctx, rng if seed % 2 else None)


def test_a_reply_with_link_definitions_is_rendered_whole() -> None:
    ctx = context()
    text = FIXED_TEXTS["link by reference"]
    stream = assert_every_frame_is_the_whole_render(text, ctx)
    assert stream.finished_lines(text, ctx) is None  # the block renders the whole text itself


def test_a_new_width_or_theme_renders_the_finished_blocks_again() -> None:
    text = "First **block**.\n\n```python\nx = 1\n```\n\nThird"
    stream = StreamingMarkdown()
    stream.lines(text, context(60))
    for ctx in (context(30), context(30, code_theme="friendly")):
        assert exactly(stream.lines(text, ctx)) == exactly(markdown_strips(ctx, text))


def test_a_lexer_asked_for_while_another_thread_makes_it_is_made_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # Python's lexer is compiled in a thread when Markdown is first drawn; a code block drawn meanwhile waits for
    # that one instead of compiling its own on the UI thread.
    import threading
    import time

    from agent_tui.tui.transcript import render_markdown

    made: list[str] = []
    real = render_markdown.get_lexer_by_name

    def slow(name: str, **options: object) -> object:
        made.append(name)
        time.sleep(0.05)
        return real(name, **options)

    monkeypatch.setattr(render_markdown, "get_lexer_by_name", slow)
    name = "ini"  # not made by anything else in these tests
    render_markdown._LEXERS.pop(name, None)
    warm = render_markdown.warm_lexers((name,))
    while not made:
        time.sleep(0.001)
    lexer = render_markdown.lexer_named(name)
    warm.join()
    assert made == [name]
    assert lexer is render_markdown.lexer_named(name) is not None
    assert warm.name == "agent-tui-lexers" and warm is not threading.current_thread()
