"""A list filtered as you type, for choosing one entry: prompt history search (ctrl+r) and the fork picker.

Every word typed must appear in an entry (case-insensitive, any order); matches keep the order given (newest first)
and the typed words are highlighted. Enter picks the highlighted entry, Esc closes without picking.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from agent_tui.tui.dialogs.base import Dialog, dialog_css

LABEL_CHARS = 300


@dataclass(frozen=True)
class PickerEntry:
    id: str
    text: str  # what is searched and shown (its first line, with a count of the others)
    detail: str = ""  # shown muted after the text


def matches(query: str, text: str) -> bool:
    lowered = text.lower()
    return all(word in lowered for word in query.lower().split())


def label(entry: PickerEntry, query: str) -> Content:
    lines = entry.text.strip().splitlines() or [""]
    first = lines[0][:LABEL_CHARS]
    content = Content(first)
    lowered = first.lower()
    for word in query.lower().split():
        start = lowered.find(word)
        while start != -1:
            content = content.stylize("bold $accent underline", start, start + len(word))
            start = lowered.find(word, start + len(word))
    more = f"  (+{len(lines) - 1} lines)" if len(lines) > 1 else ""
    extra = "  ".join(part for part in (more.strip(), entry.detail) if part)
    return content + Content.styled(f"  {extra}", "$text-muted") if extra else content


class PickerDialog(Dialog[str]):
    CSS_PATH = dialog_css("dialog_picker.tcss")
    BINDINGS = [
        Binding("down", "move(1)", show=False, priority=True),
        Binding("up", "move(-1)", show=False, priority=True),
        Binding("pagedown", "move(10)", show=False, priority=True),
        Binding("pageup", "move(-10)", show=False, priority=True),
    ]

    def __init__(self, title: str, entries: list[PickerEntry], *, placeholder: str, empty: str,
                 hint: str = "↑↓ move · enter choose · esc close", query: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.entries = entries
        self.placeholder = placeholder
        self.empty = empty
        self.hint = hint
        self.initial_query = query

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield Input(self.initial_query, placeholder=self.placeholder, id="picker-filter")
            yield OptionList(id="picker-list")
            yield Static(self.hint, classes="dialog-hint")

    def on_mount(self) -> None:
        self._show(self.initial_query)
        self.query_one("#picker-filter", Input).focus()

    def _show(self, query: str) -> None:
        chosen = [entry for entry in self.entries if matches(query, entry.text)]
        option_list = self.query_one("#picker-list", OptionList)
        option_list.set_options(Option(label(entry, query), id=entry.id) for entry in chosen)
        if not chosen:
            option_list.add_option(Option(self.empty if not query else "Nothing matches", disabled=True))
        else:
            option_list.highlighted = 0

    @on(Input.Changed, "#picker-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._show(event.value)

    def action_move(self, step: int) -> None:
        option_list = self.query_one("#picker-list", OptionList)
        for _ in range(abs(step)):
            if step > 0:
                option_list.action_cursor_down()
            else:
                option_list.action_cursor_up()

    @on(Input.Submitted, "#picker-filter")
    def _submit(self) -> None:
        option_list = self.query_one("#picker-list", OptionList)
        if option_list.highlighted is not None:
            option = option_list.get_option_at_index(option_list.highlighted)
            if option.id:
                self.dismiss(option.id)

    @on(OptionList.OptionSelected, "#picker-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.dismiss(event.option.id)
