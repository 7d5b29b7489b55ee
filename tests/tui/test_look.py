"""Defect 14, the look: Markdown headings, quotes and links from the theme (never Rich's magenta, never centred);
diffs with line numbers, a gutter and tinted added/removed lines."""

from __future__ import annotations

from rich.color import Color
from rich.console import Console
from rich.style import Style

from agent_tui.tui.diff_view import DiffStyles, DiffView, diff_rows
from agent_tui.tui.transcript.render import RenderContext, Styles, markdown_strips

DIFF = """--- a/app.py
+++ b/app.py
@@ -10,3 +10,4 @@ def main():
 start()
-stop()
+stop(now=True)
+log("stopped")
 done()
"""
THEME = {"background": "#101010", "success": "#00c000", "error": "#d00000", "foreground": "#e0e0e0",
         "secondary": "#3060ff"}


def test_diff_rows_carry_old_and_new_line_numbers():
    rows = [(r.kind, r.old, r.new, r.text) for r in diff_rows(DIFF)]
    assert rows == [
        ("file", None, None, "app.py"),
        ("hunk", None, None, "def main():"),
        ("context", 10, 10, "start()"),
        ("remove", 11, None, "stop()"),
        ("add", None, 11, "stop(now=True)"),
        ("add", None, 12, 'log("stopped")'),
        ("context", 12, 13, "done()"),
    ]


def test_diff_lines_have_a_gutter_and_a_tinted_background_across_the_width():
    console = Console(width=50, color_system="truecolor", file=None, legacy_windows=False)
    styles = DiffStyles.from_theme(THEME)
    lines = console.render_lines(DiffView(DIFF, styles), console.options.update(width=50), pad=True)
    texts = ["".join(s.text for s in line) for line in lines]
    assert texts[2].startswith("10 10   start()")
    assert texts[3].startswith("11    - stop()") and texts[4].startswith("   11 + stop(now=True)")
    after_gutter = [s for s in lines[3] if s.text][1:]  # the first segment is the line numbers
    assert {s.style.bgcolor for s in after_gutter} == {styles.remove.bgcolor}  # the tint runs to the right edge
    assert sum(len(s.text) for s in after_gutter) == 50 - len("11    ")
    assert styles.add.bgcolor != styles.remove.bgcolor and styles.add.bgcolor is not None


def test_markdown_headings_quotes_and_links_use_the_theme_not_magenta():
    console = Console(width=60, color_system="truecolor", legacy_windows=False)
    accent = Style(color="#ffa62b", bold=True)
    by_name = {"md-h1": accent, "md-h2": accent, "md-quote": Style(color="#808080", italic=True),
               "md-link": Style(color="#5fafff", underline=True)}
    ctx = RenderContext(console=console, width=60, styles=Styles(by_name))
    lines = markdown_strips(ctx, "# Title\n\n## Part\n\n> quoted\n\nsee [docs](https://example.com)\n")
    texts = [line.text for line in lines]
    assert texts[0].startswith("Title")  # left, not centred
    magenta = {Color.parse("magenta"), Color.parse("bright_magenta")}
    for line in lines:
        for segment in line:
            assert segment.style is None or segment.style.color not in magenta
    title_style = next(s.style for s in lines[0] if s.text.strip())
    assert title_style.color == accent.color and title_style.bold
    quote = next(line for line in lines if "quoted" in line.text)
    assert any(s.style and s.style.italic for s in quote if "quoted" in s.text)
