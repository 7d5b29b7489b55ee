"""The message log: one Line API widget over the blocks of the conversation.

Finished blocks are rendered once per width and cached; blocks never scrolled into view are only estimated, so
opening a long session renders about a screenful. Events mark blocks dirty and a one-shot timer renders them at
most once per frame; the end of a part or of a reply is rendered at once. Nothing runs while nothing changes (the
elapsed-time tick exists only while a tool runs).
"""

from __future__ import annotations

from collections.abc import Callable
from time import perf_counter

from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from agent_tui.core.models import MessageWithParts
from agent_tui.resources import style_path
from agent_tui.tui import format as fmt
from agent_tui.tui.errors import GuardedPump
from agent_tui.tui.transcript.block_layout import Layout
from agent_tui.tui.transcript.blocks import Block
from agent_tui.tui.transcript.conversation import Conversation, ends_something
from agent_tui.tui.transcript.elapsed_tick import ElapsedTick
from agent_tui.tui.transcript.frame_pace import FramePace
from agent_tui.tui.transcript.panel_selection import PanelSelection
from agent_tui.tui.transcript.render import STYLE_NAMES, RenderContext, Styles
from agent_tui.tui.transcript.repaint import changed_lines, paint_now
from agent_tui.tui.transcript.scrollbar import SteadyScrollbars
from agent_tui.tui.transcript.scrolling import JumpScrolling

FOLLOW_STEP = 12  # at most this many lines of blank space the followed view gains at a time while a reply streams
MIN_DELAY = 0.001  # a Textual timer of 0 s never fires (it divides by its interval)
MAX_LAYOUT_PASSES = 8  # rendering estimated blocks changes heights, which can bring more blocks into view


def _load_css() -> str:
    try:
        return style_path("transcript.tcss").read_text(encoding="utf-8")
    except OSError:
        return ""


class Transcript(GuardedPump, JumpScrolling, SteadyScrollbars, can_focus=True):
    """The conversation of the session on screen. Feed it `load(messages)` then the session's events."""

    DEFAULT_CSS = _load_css()
    COMPONENT_CLASSES = {f"transcript--{name}" for name in STYLE_NAMES}
    BINDINGS = [
        Binding("enter,space", "toggle_panel", "Expand/collapse", show=False),
        Binding("j,shift+down", "next_panel", "Next panel", show=False),
        Binding("k,shift+up", "previous_panel", "Previous panel", show=False),
    ]

    def __init__(
        self,
        *,
        clock: Callable[[], int] | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._clock = clock
        self._conversation = Conversation()
        self.block_layout = Layout()
        self.panels = PanelSelection(self)
        self._dirty: set[Block] = set()
        self._structure_dirty = False
        self._flush_timer: Timer | None = None
        self._tick = ElapsedTick(self.set_interval, self.mark_changed)
        self._last_flush_cost = 0.0
        self.pace = FramePace()
        self._last_flush_at = 0.0
        self._base = Style.null()
        self._paint: tuple[int, int] | None = None  # (width, first content line) while render_lines paints
        self._styles: Styles | None = None
        # Features layered on the log (search, message selection) without living in it: a hook sees each key
        # first (True: handled); a decorator restyles a line as it is painted.
        self.key_hooks: list[Callable[[str], bool]] = []
        self.line_decorators: list[Callable[[Block, int, Strip], Strip]] = []
        self.rebuild_hooks: list[Callable[[], None]] = []  # called when the list of blocks was rebuilt
        self.renders = 0  # block renders performed, for tests and benchmarks
        self.full_repaints = 0  # frames that repainted the whole view rather than the changed lines

    # --- public API ---------------------------------------------------------------------------------------

    @property
    def session_id(self) -> str | None:
        return self._conversation.session_id

    @property
    def settled(self) -> bool:
        """True when every change received has been rendered (no frame is pending)."""
        return self._flush_timer is None and not self._dirty and not self._structure_dirty

    @property
    def following(self) -> bool:
        """True while the view stays at the end as content arrives; scrolling up stops it, the bottom resumes."""
        return self._anchored and not self._anchor_released

    @following.setter
    def following(self, value: bool) -> None:
        if value:
            self.anchor()
        else:
            self.release_anchor()

    def follow(self) -> None:
        """Go to the end and stay there as content arrives (the user sent something: show the answer)."""
        self.anchor()
        self._anchor_released = False
        self.scroll_end(animate=False, immediate=True, x_axis=False)
        self._flush_changes()

    def load(self, messages: list[MessageWithParts]) -> None:
        """Show a session's history. Only the blocks that come into view get rendered."""
        self._conversation.load(messages)
        self.panels.selected = None
        self._dirty.clear()
        self._structure_dirty = True
        self.anchor()
        self._flush_changes()

    def clear(self) -> None:
        self._conversation.clear()
        self.panels.selected = None
        self._dirty.clear()
        self._structure_dirty = True
        self._flush_changes()

    def apply(self, event: object) -> None:
        """Take one bus event for the session on screen. Cheap: rendering waits for the next frame."""
        result = self._conversation.apply(event)
        if result is None:
            return
        changed, structure = result
        self._dirty.update(changed)
        self._structure_dirty |= structure
        if ends_something(event) and self.is_mounted:
            self._flush_changes()
            paint_now(self)  # the last words of a part never wait for the engine's next step
        else:
            self._schedule_flush()

    def toggle_details(self) -> None:
        """Expand every tool panel and reasoning block, or (when all are expanded) collapse them all."""
        self.panels.toggle_all()

    @property
    def blocks(self) -> list[Block]:
        return self.block_layout.blocks

    def style_named(self, name: str) -> Style:
        """One of the transcript's component styles (STYLE_NAMES), resolved from the theme."""
        return self._resolved_styles()[name]

    def render_blocks(self, blocks: list[Block]) -> None:
        """Render `blocks` now (not only when scrolled into view), e.g. to search their lines."""
        layout = self.block_layout
        if not layout.width or not blocks:
            return
        context = self._render_context()
        for block in blocks:
            block.lines(context)
        first = min((layout.index[b] for b in blocks if b in layout.index), default=None)
        if first is not None and layout.measure(first):
            self._sync_virtual_size()
        self.refresh()

    def scroll_to_line(self, block: Block, line: int, *, margin: int = 2) -> None:
        """Bring line `line` of `block` into view (unless it is already), a little below the top."""
        index = self.block_layout.index.get(block)
        if index is None:
            return
        y = self.block_layout.top(index) + line
        top = round(self.scroll_y)
        if not top <= y < top + self.scrollable_content_region.height - margin:
            self.release_anchor()
            self.scroll_to(y=max(0, y - margin), animate=False)
        self.refresh()

    async def _on_key(self, event: events.Key) -> None:
        for hook in self.key_hooks:
            if hook(event.key):
                event.stop()
                event.prevent_default()
                return
        await super()._on_key(event)

    def toggle_block(self, block: Block) -> None:
        self.panels.toggle_block(block)

    def mark_changed(self, blocks: list[Block]) -> None:
        """Render `blocks` again now (they changed without an event, e.g. expanded or a clock ticked)."""
        self._dirty.update(blocks)
        self._flush_changes()

    # --- events and actions -------------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.anchor()

    def on_resize(self, event: events.Resize) -> None:
        self._flush_changes()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        before = (self._styles, self._base)
        self._styles = None
        if before[0] is not None and self.is_mounted and (self._resolved_styles(), self._base) == before:
            return  # focus and hover restyle the widget without changing how a block looks
        for block in self.block_layout.blocks:
            block.invalidate()
        self.block_layout.width = 0  # re-measure everything on the next flush
        self._schedule_flush()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None and self.panels.clicked(offset.y + round(self.scroll_y)):
            event.stop()

    def action_toggle_panel(self) -> None:
        self.panels.toggle()

    def action_next_panel(self) -> None:
        self.panels.move(forward=True)

    def action_previous_panel(self) -> None:
        self.panels.move(forward=False)

    def action_toggle_details(self) -> None:
        self.toggle_details()

    # --- rendering ----------------------------------------------------------------------------------------

    def _now(self) -> int:
        return self._clock() if self._clock is not None else fmt.now_ms()

    def _resolved_styles(self) -> Styles:
        if self._styles is None:
            by_name: dict[str, Style] = {}
            for name in STYLE_NAMES:
                # Not partial: translucent theme colours ($text-muted, $boost) are blended with the background.
                by_name[name] = self.get_component_rich_style(f"transcript--{name}", partial=False)
            self._styles = Styles(by_name)
            self._base = self.rich_style
        return self._styles

    def _render_context(self) -> RenderContext:
        dark = getattr(self.app.current_theme, "dark", True)
        styles = self._resolved_styles()
        return RenderContext(
            console=self.app.console,
            width=self.block_layout.width,
            styles=styles,
            code_theme="monokai" if dark else "friendly",
            now_ms=self._now(),
            base=self._base,
        )

    def _schedule_flush(self) -> None:
        if self._flush_timer is not None or not self.is_mounted:
            return
        # At most one frame per spacing (frame_pace.py), counted from the last one, so the first change after a
        # pause shows at once.
        spacing = self.pace.spacing(live_reply=self._conversation.live_reply, now_ms=self._now(),
                                    last_cost=self._last_flush_cost)
        delay = max(MIN_DELAY, self._last_flush_at + spacing - perf_counter())
        self._flush_timer = self.set_timer(delay, self._flush_changes)

    def _flush_changes(self) -> None:
        """Apply what changed since the last frame: rebuild the block list, re-render dirty blocks, relayout."""
        started = self._last_flush_at = perf_counter()
        if self._flush_timer is not None:
            self._flush_timer.stop()
            self._flush_timer = None
        layout = self.block_layout
        rebuilt = self._structure_dirty
        if rebuilt:
            self._structure_dirty = False
            layout.set_blocks(self._conversation.blocks())
            self.panels.rebuilt()
            for hook in self.rebuild_hooks:
                hook()
        width = self.scrollable_content_region.width if self.is_mounted else 0
        if width <= 0:
            if rebuilt:
                # Hidden (the welcome screen) or not laid out yet: the measurements belong to the old block list.
                # Drop them so nothing reads them against the new one; the next flush at a real width measures.
                layout.forget()
            return
        dirty, self._dirty = self._dirty, set()
        full = rebuilt or width != layout.width
        first_changed = 0 if full else len(layout.blocks)
        layout.width = width
        for block in dirty:
            block.invalidate()  # re-rendered below if it is in view; otherwise estimated until it is
            index = layout.index.get(block)
            if index is not None:
                first_changed = min(first_changed, index)
        scroll_before = round(self.scroll_y)
        heights_before = layout.heights[:]  # a dirty block is estimated until re-rendered: compare the end result
        layout.measure(first_changed)
        self._render_viewport(self._render_context())
        self._sync_virtual_size()
        if full or round(self.scroll_y) != scroll_before or len(heights_before) != len(layout.heights):
            self.full_repaints += 1
            self.refresh()
        else:
            view_bottom = round(self.scroll_y) + self.scrollable_content_region.height
            for first, count in changed_lines(layout, dirty, heights_before, view_bottom):
                self.refresh_lines(first, count)
        self._tick.update(layout.blocks, None if full else dirty)
        # Only incremental frames set the pace; a load or a resize renders a screenful once.
        self._last_flush_cost = 0.0 if full else perf_counter() - started

    def _sync_virtual_size(self) -> None:
        line = self.block_layout.content_height
        view = self.scrollable_content_region.height
        step = min(FOLLOW_STEP, view // 3)
        if self.following and self._conversation.live and line > view and step > 1:
            # While a reply streams into a followed view, scroll in steps of a few lines (a third of the view, at
            # most 12): each scroll repaints the whole view (~7 ms here), and with a new line every frame that
            # was most of the cost. 12 instead of 6 halved the repaints of a long reply.
            line = -(-line // step) * step
        virtual = Size(self.block_layout.width, line)
        if virtual != self.virtual_size:
            self._set_virtual_size(virtual)

    def _set_virtual_size(self, size: Size) -> None:
        # Assigning `virtual_size` lays out the whole screen, on every new line of a streaming reply. This
        # widget's own size never depends on its content, so only its scrollbar and scroll range are updated.
        self.set_reactive(ScrollView.virtual_size, size)
        self._scroll_update(size)
        if self.following:
            self.scroll_end(animate=False, immediate=True, x_axis=False)

    def _render_viewport(self, context: RenderContext) -> bool:
        """Render the estimated blocks in and around the view; keep what is on screen still when heights change.
        True if a height changed."""
        layout = self.block_layout
        view = self.scrollable_content_region.height or 1
        changed = False
        for _ in range(MAX_LAYOUT_PASSES):
            top = max(0, layout.content_height - view) if self.following else max(0, round(self.scroll_y))
            first_rendered, shift, renders = layout.render_around(context, top, view)
            self.renders += renders
            if first_rendered is None:
                return changed
            changed |= layout.measure(first_rendered)
            if shift and not self.following:
                self._sync_virtual_size()  # the scroll range must include the new heights first
                self.scroll_to(y=max(0, round(self.scroll_y) + shift), animate=False)
        return changed

    def render_lines(self, crop: Region) -> list[Strip]:
        layout = self.block_layout
        if layout.width and layout.blocks and layout.width == self.scrollable_content_region.width and layout.laid_out:
            if self._render_viewport(self._render_context()):
                self._sync_virtual_size()
                self.refresh()
        # Looked up once per paint, not per line: `scrollable_content_region` alone was a third of a line's cost.
        self._paint = (self.scrollable_content_region.width, round(self.scroll_y))
        try:
            return super().render_lines(crop)
        finally:
            self._paint = None

    def render_line(self, y: int) -> Strip:
        width, top = self._paint or (self.scrollable_content_region.width, round(self.scroll_y))
        styles = self._resolved_styles()
        base = self._base
        found = self.block_layout.block_at(top + y)
        if found is None:
            return Strip.blank(width, base)
        block, line = found
        lines = block.cached()
        if lines is None or line >= len(lines):
            return Strip.blank(width, base)
        strip = lines[line]
        if line == 0 and block is self.panels.selected and self.has_focus:
            strip = strip.apply_style(styles["selected"])
        for decorate in self.line_decorators:
            strip = decorate(block, line, strip)
        if strip.cell_length != width:
            strip = strip.crop_extend(0, width, base)
        return strip
