"""Choose the model: the configured and recently used models first, then each provider that has a key, then the
catalogue of the others, with context size and price. Typing filters (real matches first); any `provider/model`
can be typed and used. Enter picks the highlighted model; the app remembers the choice."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from itertools import groupby

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from agent_tui.tui import format as fmt
from agent_tui.tui.dialogs.base import Dialog, dialog_css
from agent_tui.tui.model_choices import ModelChoice, rank

NAME_WIDTH = 44
MAX_MATCHES = 300  # a query listing more than this is refined by typing, not by scrolling
HINT = "↑↓ move · enter choose · type provider/model to use any model · esc close"


def per_million(price: Decimal) -> str:
    return fmt.price_per_million(float(price * 1_000_000)) if price else "–"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def describe(choice: ModelChoice, *, current: bool, full_name: bool, width: int = 90) -> Content:
    """One row, never wider than `width` (rows must not wrap): mark, name, context, price, note."""
    mark = Content.styled("● ", "$success") if current else Content("  ")
    name = choice.spec if full_name or choice.note in ("current", "config", "recent") else choice.model_id
    style = "bold" if current else ("" if choice.usable else "$text-muted")
    name_width = max(20, min(NAME_WIDTH, width - 40))
    row = mark + Content.styled(f"{_cut(name, name_width):<{name_width}}", style)
    info = choice.info
    if info is not None and info.known:
        row += Content.styled(f"{fmt.tokens(info.context):>6} ctx", "$text-muted")
        if info.cost_input or info.cost_output:
            row += Content.styled(f"  {per_million(info.cost_input)} in / {per_million(info.cost_output)} out per M",
                                  "$text-muted")
    if choice.note and choice.note != "current" and (full_name or choice.usable):
        row += Content.styled(f"  {choice.note}", "$warning" if not choice.usable else "$text-muted")
    return row.truncate(width, ellipsis=True)


class ModelPickerDialog(Dialog[str]):
    CSS_PATH = dialog_css("dialog_model_picker.tcss")
    BINDINGS = [
        Binding("down", "move(1)", show=False, priority=True),
        Binding("up", "move(-1)", show=False, priority=True),
        Binding("pagedown", "move(10)", show=False, priority=True),
        Binding("pageup", "move(-10)", show=False, priority=True),
    ]

    def __init__(self, choices: list[ModelChoice], *, current: str | None,
                 check: Callable[[str], str | None] | None = None) -> None:
        """`check(spec)` returns why a model cannot be used (shown in the dialog), or None."""
        super().__init__()
        self.choices = choices
        self.current = current
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Static("Choose a model", classes="dialog-title")
            yield Input(placeholder="Filter models, or type provider/model…", id="model-filter")
            yield OptionList(id="model-list")
            yield Static(HINT, id="model-hint", classes="dialog-hint")

    def on_mount(self) -> None:
        self._show("")
        self.query_one("#model-filter", Input).focus()

    def _row_width(self) -> int:
        # The dialog is 100 columns or 95% of the terminal; less its border, padding and the scrollbar.
        return max(30, min(100, int(self.app.size.width * 0.95)) - 2 - 4 - 2)

    def _show(self, query: str) -> None:
        width = self._row_width()
        options: list[Option] = []
        highlight: int | None = None
        if not query:
            for section, group in groupby(self.choices, key=lambda c: c.section):
                options.append(Option(Content.styled(section, "bold $accent").truncate(width, ellipsis=True),
                                      disabled=True))
                for choice in group:
                    if choice.spec == self.current and highlight is None:
                        highlight = len(options)
                    options.append(Option(describe(choice, current=choice.spec == self.current, full_name=False,
                                                   width=width), id=choice.spec))
        else:
            chosen = rank(query, self.choices)[:MAX_MATCHES]
            typed = query.strip()
            if "/" in typed and " " not in typed and all(c.spec != typed for c in chosen):
                options.append(Option(Content.assemble("  Use ", (typed, "bold"), ("  (not in the catalogue)",
                                                                                 "$text-muted")), id=typed))
            options.extend(Option(describe(c, current=c.spec == self.current, full_name=True, width=width),
                                  id=c.spec) for c in chosen)
        option_list = self.query_one("#model-list", OptionList)
        option_list.set_options(options)
        if not options:
            option_list.add_option(Option("No model matches; type provider/model to use another", disabled=True))
        elif highlight is not None:
            option_list.highlighted = highlight
        else:
            option_list.action_first()

    @on(Input.Changed, "#model-filter")
    def _filter(self, event: Input.Changed) -> None:
        self.query_one("#model-hint", Static).update(HINT)
        self._show(event.value.strip())

    def action_move(self, step: int) -> None:
        option_list = self.query_one("#model-list", OptionList)
        for _ in range(abs(step)):
            if step > 0:
                option_list.action_cursor_down()
            else:
                option_list.action_cursor_up()

    def _choose(self, spec: str) -> None:
        problem = self.check(spec) if self.check is not None else None
        if problem:
            self.query_one("#model-hint", Static).update(Content.styled(problem, "$error"))
            return
        self.dismiss(spec)

    @on(Input.Submitted, "#model-filter")
    def _submit(self) -> None:
        option_list = self.query_one("#model-list", OptionList)
        if option_list.highlighted is not None:
            option = option_list.get_option_at_index(option_list.highlighted)
            if option.id:
                self._choose(option.id)

    @on(OptionList.OptionSelected, "#model-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self._choose(event.option.id)
