"""Choose the model: every model of the configured providers with its context size and price, filtered as you
type. Enter picks the highlighted model; the app remembers the choice."""

from __future__ import annotations

from decimal import Decimal
from itertools import groupby

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from agent_tui.core.llm.catalog import ModelInfo
from agent_tui.tui import format as fmt
from agent_tui.tui.dialogs.base import Dialog, dialog_css
from agent_tui.tui.fuzzy import fuzzy_filter


def per_million(price: Decimal) -> str:
    return fmt.price_per_million(float(price * 1_000_000)) if price else "–"


def describe(model: ModelInfo, *, current: bool) -> Content:
    mark = Content.styled("● ", "$success") if current else Content("  ")
    name = Content.styled(f"{model.id:<40}", "bold" if current else "")
    context = Content.styled(f"{fmt.tokens(model.context):>6} ctx", "$text-muted")
    price = Content.styled(
        f"   {per_million(model.cost_input)} in / {per_million(model.cost_output)} out per M", "$text-muted"
    )
    return mark + name + context + price


class ModelPickerDialog(Dialog[str]):
    CSS_PATH = dialog_css("dialog_model_picker.tcss")
    BINDINGS = [
        Binding("down", "move(1)", show=False, priority=True),
        Binding("up", "move(-1)", show=False, priority=True),
        Binding("pagedown", "move(10)", show=False, priority=True),
        Binding("pageup", "move(-10)", show=False, priority=True),
    ]

    def __init__(self, models: list[ModelInfo], *, current: str | None) -> None:
        super().__init__()
        self.models = models
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Static("Choose a model", classes="dialog-title")
            yield Input(placeholder="Filter models…", id="model-filter")
            yield OptionList(id="model-list")
            yield Static("↑↓ move · enter choose · esc close", classes="dialog-hint")

    def on_mount(self) -> None:
        self._show("")
        self.query_one("#model-filter", Input).focus()

    def _show(self, query: str) -> None:
        chosen = fuzzy_filter(query, self.models, key=lambda m: m.spec, limit=None)
        if not query:
            # Grouped by provider, in catalogue order.
            order = {p: i for i, p in enumerate(dict.fromkeys(m.provider for m in self.models))}
            chosen = sorted(chosen, key=lambda m: order[m.provider])
        options: list[Option] = []
        highlight: int | None = None
        for provider, group in groupby(chosen, key=lambda m: m.provider):
            options.append(Option(Content.styled(provider, "bold $accent"), disabled=True))
            for model in group:
                if model.spec == self.current:
                    highlight = len(options)
                options.append(Option(describe(model, current=model.spec == self.current), id=model.spec))
        option_list = self.query_one("#model-list", OptionList)
        option_list.set_options(options)
        if not chosen:
            option_list.add_option(Option("No model matches the filter", disabled=True))
        elif highlight is not None:
            option_list.highlighted = highlight
        else:
            option_list.action_first()

    @on(Input.Changed, "#model-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._show(event.value.strip())

    def action_move(self, step: int) -> None:
        option_list = self.query_one("#model-list", OptionList)
        for _ in range(abs(step)):
            if step > 0:
                option_list.action_cursor_down()
            else:
                option_list.action_cursor_up()

    @on(Input.Submitted, "#model-filter")
    def _submit(self) -> None:
        option_list = self.query_one("#model-list", OptionList)
        if option_list.highlighted is not None:
            option = option_list.get_option_at_index(option_list.highlighted)
            if option.id:
                self.dismiss(option.id)

    @on(OptionList.OptionSelected, "#model-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.dismiss(event.option.id)
