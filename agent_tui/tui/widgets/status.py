"""The status line: agent, model, context use, session cost, tokens of the last turn, MCP servers, busy state.

Each figure says what it is ("context 6.2k · 6% of 100k", "session $0.04"); in a narrow terminal the items are
shortened and then dropped by priority (status_items.py), never cut mid-word.
"""

from __future__ import annotations

from decimal import Decimal

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Static

from agent_tui.core.events import Event
from agent_tui.core.models import AssistantMessage
from agent_tui.tui import format as fmt
from agent_tui.tui.errors import GuardedPump
from agent_tui.tui.widgets.model_wait import ModelWait
from agent_tui.tui.widgets.status_items import Item, fit

MCP_MARKS = {"ready": "✓", "starting": "…", "failed": "✗", "stopped": "–", "disabled": "–"}


class StatusLine(GuardedPump, Horizontal):
    agent: reactive[str] = reactive("")
    agent_color: reactive[str] = reactive("")  # a colour Textual parses; empty: the accent
    model: reactive[str] = reactive("no model")
    turn_tokens: reactive[int] = reactive(0)
    context_used: reactive[int] = reactive(0)
    context_window: reactive[int] = reactive(0)
    cost: reactive[Decimal] = reactive(Decimal(0))
    busy: reactive[bool] = reactive(False)
    waiting: reactive[bool] = reactive(False)  # busy, and nothing has arrived from the model yet
    approval: reactive[bool] = reactive(False)  # a tool of the session waits for the user's permission
    loading_library: reactive[bool] = reactive(False)  # a prompt waits for litellm's import to finish
    queued: reactive[int] = reactive(0)
    mcp: reactive[dict[str, str]] = reactive(dict, always_update=True)
    notice: reactive[str] = reactive("")  # a retry's countdown or the model's silence (see ModelWait)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.wait = ModelWait()
        self._tick: Timer | None = None  # a 1 s timer, running only while the model is expected to send
        self._shown: dict[str | None, tuple[object, int]] = {}  # per side: (text and styles shown, its width)

    def track(self, event: Event) -> None:
        """An engine event of the session on screen: keep the retry countdown and the silence count."""
        self.wait.track(event)
        self._update_notice()

    def _update_notice(self) -> None:
        notice = self.wait.text() or ""
        if notice != self.notice:  # asked once per streamed chunk: most of the time nothing changes
            self.notice = notice
        if self.wait.ticking and self._tick is None and self.is_mounted:
            self._tick = self.set_interval(1.0, self._update_notice)
        elif not self.wait.ticking and self._tick is not None:
            self._tick.stop()
            self._tick = None

    def compose(self) -> ComposeResult:
        yield Static(id="status-left")
        yield Static(id="status-right")

    def on_mount(self) -> None:
        self._refresh_text()

    def show_turn(self, message: AssistantMessage | None) -> None:
        """Take tokens and context use from the last assistant message (None: a session without replies)."""
        if message is None:
            self.turn_tokens = 0
            self.context_used = 0
            return
        self.turn_tokens = message.tokens.total
        # What the next request will send again: the last step's prompt (cached or not) plus its reply. The
        # turn's token total sums every step's prompt, so it would overstate how full the window is.
        self.context_used = message.context_tokens

    def set_mcp(self, server: str, status: str) -> None:
        states = dict(self.mcp)
        states[server] = status
        self.mcp = states

    def _watch_any(self) -> None:
        if self.is_mounted:
            self._refresh_text()

    watch_model = watch_turn_tokens = watch_context_used = watch_context_window = _watch_any
    watch_agent = watch_agent_color = _watch_any
    watch_cost = watch_busy = watch_waiting = watch_approval = watch_queued = watch_mcp = _watch_any
    watch_loading_library = watch_notice = _watch_any

    def on_resize(self) -> None:
        self._refresh_text()

    def items(self) -> list[Item]:
        """Everything the line could show, with its priority (see status_items.py)."""
        items: list[Item] = []
        if self.agent:
            items.append(Item(4, [Content.styled(self.agent, f"bold {self.agent_color or '$accent'}")]))
        short_model = self.model.partition("/")[2] or self.model
        items.append(Item(8, [Content.styled(self.model, "bold"), Content.styled(short_model, "bold")]))
        if self.context_window and self.context_used:
            # The last request's prompt and reply, of the model's context window: how full the next one starts.
            percent = min(999, round(100 * self.context_used / self.context_window))
            style = "$error" if percent >= 90 else "$warning" if percent >= 70 else ""
            window = fmt.tokens(self.context_window)
            items.append(Item(7, [
                Content.styled(f"context {fmt.tokens(self.context_used)} · {percent}% of {window}", style),
                Content.styled(f"ctx {percent}% of {window}", style),
                Content.styled(f"ctx {percent}%", style),
            ]))
        items.append(Item(6, [Content(f"session {fmt.cost(self.cost)}"), Content(fmt.cost(self.cost))]))
        if self.turn_tokens:
            # Summed over the turn's steps (each resends the prompt), so it is not the context's size.
            items.append(Item(1, [Content(f"last turn {fmt.tokens(self.turn_tokens)} tokens"),
                                  Content(f"turn {fmt.tokens(self.turn_tokens)}")]))
        if self.mcp:
            servers = " ".join(f"{name} {MCP_MARKS.get(state, '?')}" for name, state in sorted(self.mcp.items()))
            ready = sum(state == "ready" for state in self.mcp.values())
            items.append(Item(2, [Content(f"mcp: {servers}"), Content(f"mcp {ready}/{len(self.mcp)}")], right=True))
        if self.queued:
            items.append(Item(5, [Content.styled(f"{self.queued} queued", "$warning")], right=True))
        if self.busy:
            doing = "waiting for the model" if self.waiting else "working"
            if self.waiting and self.loading_library:
                doing = "loading litellm, sends when ready"
            elif self.notice:
                doing = f"{doing} · {self.notice}" if not self.notice.startswith("retrying") else self.notice
            if self.approval:
                doing = "waiting for approval"
            brief = "waiting for approval" if self.approval else "waiting" if self.waiting else "working"
            items.append(Item(9, [Content.styled(f"● {doing}  esc to stop", "$accent"),
                                  Content.styled(f"● {doing}", "$accent"),
                                  Content.styled(f"● {brief}", "$accent")],
                              right=True))
        else:
            items.append(Item(9, [Content("idle")], right=True))
        return items

    def _refresh_text(self) -> None:
        width = self.content_region.width or self.app.size.width - 2
        left, right = fit(self.items(), width)
        self._show(self.query_one("#status-left", Static), left, fixed=True)
        self._show(self.query_one("#status-right", Static), right, fixed=False)
        self.set_class(self.busy, "-busy")

    def _show(self, side: Static, text: Content, *, fixed: bool) -> None:
        # `Static.update` lays out the whole screen by default (5–12 ms here, several times per streamed reply).
        # The left side is as wide as the line allows whatever it says, and the right side's width is its text's:
        # only a change of that width needs a layout, and an unchanged text needs nothing.
        shown = self._shown.get(side.id)
        key = (text.plain, tuple(text.spans))
        if shown is not None and shown[0] == key:
            return
        self._shown[side.id] = (key, text.cell_length)
        side.update(text, layout=shown is None or (not fixed and shown[1] != text.cell_length))
