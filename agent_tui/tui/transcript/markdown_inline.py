"""The styled text of a paragraph that is still growing, parsing again only its end.

Parsing a paragraph's inline Markdown is linear in its length, so a long streaming paragraph cost more each frame.
The start of the paragraph is kept parsed and styled once it can no longer change: up to a space at least
`SLACK` characters before the end, provided every text token of that start shows none of the characters inline
syntax is made of. Then each construct in it (emphasis, code span, link) closed within it: a delimiter, backtick
or bracket left open would show as literal text. Since inline parsing pairs closers with earlier openers and scans
spans and links forward, nothing after the cut can reach back into it, so parsing the rest alone gives the same
tokens, with the text run across the cut joined (markdown-it makes one text token of a run). Tests check the
result frame by frame against rendering the whole text.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text

if TYPE_CHECKING:
    from markdown_it.token import Token

SLACK = 100  # characters at the end always parsed again (a construct there may still close)
_SYNTAX = re.compile(r"[*_`\[\]<>!&\\~]")


def styled_paragraph(children: list[Token], styles: dict[str, Style]) -> Text | None:
    """The `Text` Rich's Markdown builds for a paragraph with these inline tokens (its `Paragraph` element and
    `MarkdownContext` style stack, links drawn as `text (url)`); None for a token it handles some other way."""
    text = Text(justify="left")
    return None if append_inline(text, children, styles) is None else text


def append_inline(text: Text, children: list[Token], styles: dict[str, Style], lead: str = "",
                  hold_last: bool = False) -> str | None:
    """Append what Rich would for these tokens, which follow text that closed everything it opened. `lead`: the
    start of a text run the first token continues (markdown-it makes one text token of a run); `hold_last`: keep
    back a last text token and return it. None: a token Rich handles some other way (images, raw HTML), or a tab
    (which Rich expands by column)."""
    stack = [Style.null() + styles["paragraph"]]
    link: list[str] | None = None  # the plain text of the link being read: Rich keeps only that
    href = ""
    held = ""
    if hold_last and children and children[-1].type == "text":
        children, held = children[:-1], children[-1].content
        if not children:
            return lead + held

    def add(piece: str) -> None:
        if link is not None:
            link.append(piece)
        else:
            text.append(piece, stack[-1])

    for index, token in enumerate(children):
        kind = token.type
        if lead and index == 0:
            if kind == "text":
                add(lead + token.content)
                continue
            add(lead)
        if kind == "text":
            add(token.content)
        elif kind == "softbreak":
            add(" ")
        elif kind == "hardbreak":
            add("\n")
        elif kind == "link_open" and link is None:
            link = [token.content]
            href = str(token.attrs.get("href", "#"))
        elif kind == "link_close" and link is not None:
            plain, link = "".join(link), None
            stack.append(stack[-1] + styles["link"])
            add(plain)
            stack.pop()
            add(" (")
            stack.append(stack[-1] + styles["link_url"])
            add(href)
            stack.pop()
            add(")")
        elif token.tag in ("em", "strong", "s") and token.nesting == 1:
            stack.append(stack[-1] + styles[token.tag])
        elif token.tag in ("em", "strong", "s") and token.nesting == -1 and len(stack) > 1:
            stack.pop()
        elif kind == "code_inline":
            stack.append(stack[-1] + styles["code"])
            if token.content:
                add(token.content)
            stack.pop()
        else:
            return None
    if not children and lead:
        add(lead)
    return None if "\t" in text.plain or "\t" in held else held


def _parse(source: str) -> list[Token]:
    from agent_tui.tui.transcript.render_markdown import MARKDOWN_PARSER  # loaded with the first message

    return MARKDOWN_PARSER.parseInline(source)[0].children or []


class GrowingInline:
    """A paragraph's inline content → the `Text` Rich builds for it, the settled start kept between frames."""

    def __init__(self) -> None:
        self._styles: dict[str, Style] | None = None
        self._prefix = ""  # content[:cut], parsed and styled into _text (all of it but its last text run)
        self._text = Text(justify="left")
        self._held = ""  # the prefix's last text run, which the rest may continue
        self.parsed = 0  # characters parsed (for tests and benchmarks)

    def text(self, content: str, styles: dict[str, Style]) -> Text | None:
        if styles is not self._styles or not content.startswith(self._prefix):
            self._styles, self._prefix, self._text, self._held = styles, "", Text(justify="left"), ""
        rest = content[len(self._prefix) :]
        self.parsed += len(rest)
        text = self._text.copy()
        if append_inline(text, _parse(rest), styles, lead=self._held) is None:
            return None
        self._settle(content, styles)
        return text

    def _settle(self, content: str, styles: dict[str, Style]) -> None:
        """Move the cut forward when enough text follows it and what lies before the new cut is settled."""
        start = len(self._prefix)
        if len(content) - start < 2 * SLACK:
            return
        space = content.rfind(" ", start, len(content) - SLACK)
        cut = space + 1
        if space < start or content[cut].isspace():
            return
        children = _parse(content[start:cut])
        if any(token.type == "text" and _SYNTAX.search(token.content) for token in children):
            return  # something may still be open: try again further on
        text = self._text.copy()
        held = append_inline(text, children, styles, lead=self._held, hold_last=True)
        if held:  # the cut is inside a text run (it follows a space), so there is one to hold back
            self.parsed += cut - start
            self._prefix, self._text, self._held = content[:cut], text, held
