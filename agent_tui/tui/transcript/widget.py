"""The message log: one Line API widget over the blocks of the conversation.

Finished blocks are rendered once per width and cached; blocks never scrolled into view are only estimated, so
opening a long session renders about a screenful. Events mark blocks dirty and a one-shot timer renders them at
most once per frame; nothing runs while nothing changes (the elapsed-time tick exists only while a tool runs).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from time import perf_counter
from typing import Any

from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from agent_tui.core.events import MessageRemoved, MessageUpdated, PartUpdated
from agent_tui.core.models import MessageWithParts
from agent_tui.resources import style_path
from agent_tui.tui import format as fmt
from agent_tui.tui.errors import GuardedPump
from agent_tui.tui.transcript.blocks import Block, ToolBlock
from agent_tui.tui.transcript.conversation import Conversation
from agent_tui.tui.transcript.render import STYLE_NAMES, RenderContext, Styles

FRAME_SECONDS = 1 / 20  # 20 renders a second read as smooth streaming and cost a third less than 30
MAX_FRAME_SECONDS = 0.25
FOLLOW_STEP = 6  # lines of blank space the followed view gains at a time while a reply streams
COST_SPACING = 16  # wait at least this many times the last render's cost (Textual's repaint costs as much again)
MAX_LAYOUT_PASSES = 8  # rendering estimated blocks changes heights, which can bring more blocks into view


def _load_css() -> str:
    try:
        return style_path("transcript.tcss").read_text(encoding="utf-8")
    except OSError:
        return ""


def gap_between(previous: Block | None, block: Block) -> int:
    """Blank lines before `block`: none at the top or between consecutive tool calls, else one."""
    if previous is None:
        return 0
    if isinstance(previous, ToolBlock) and isinstance(block, ToolBlock):
        return 0
    return 1


class Transcript(GuardedPump, ScrollView, can_focus=True):
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
        self._blocks: list[Block] = []
        self._gaps: list[int] = []
        self._heights: list[int] = []  # gap + lines, real when rendered at the current width, else estimated
        self._starts: list[int] = []
        self._content_height = 0
        self._index: dict[Block, int] = {}
        self._dirty: set[Block] = set()
        self._structure_dirty = False
        self._flush_timer: Timer | None = None
        self._tick_timer: Timer | None = None
        self._last_flush_cost = 0.0
        self._base = Style.null()
        self._width = 0
        self._styles: Styles | None = None
        self._selected: Block | None = None
        self._details: bool | None = None  # None: each panel's default; True/False: all expanded/collapsed
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
        self._selected = None
        self._dirty.clear()
        self._structure_dirty = True
        self.anchor()
        self._flush_changes()

    def clear(self) -> None:
        self._conversation.clear()
        self._selected = None
        self._dirty.clear()
        self._structure_dirty = True
        self._flush_changes()

    def apply(self, event: object) -> None:
        """Take one bus event for the session on screen. Cheap: rendering waits for the next frame."""
        conversation = self._conversation
        if isinstance(event, PartUpdated):
            if not self._is_ours(event.part.session_id):
                return
            changed, structure = conversation.apply_part(event.part)
        elif isinstance(event, MessageUpdated):
            if not self._is_ours(event.message.session_id):
                return
            if conversation.session_id is None:
                conversation.session_id = event.message.session_id
            changed, structure = conversation.apply_message(event.message)
        elif isinstance(event, MessageRemoved):
            if not self._is_ours(event.session_id):
                return
            changed, structure = [], conversation.remove(event.message_id)
        else:
            return
        self._dirty.update(changed)
        self._structure_dirty |= structure
        self._schedule_flush()

    def toggle_details(self) -> None:
        """Expand every tool panel and reasoning block, or (when all are expanded) collapse them all."""
        collapsible = [block for block in self._blocks if block.collapsible]
        self._details = not all(block.expanded for block in collapsible) if collapsible else not self._details
        for block in collapsible:
            block.set_expanded(self._details)
        self._dirty.update(collapsible)
        self._flush_changes()

    @property
    def blocks(self) -> list[Block]:
        return self._blocks

    def style_named(self, name: str) -> Style:
        """One of the transcript's component styles (STYLE_NAMES), resolved from the theme."""
        return self._resolved_styles()[name]

    def render_blocks(self, blocks: list[Block]) -> None:
        """Render `blocks` now (not only when scrolled into view), e.g. to search their lines."""
        if not self._width or not blocks:
            return
        context = self._render_context()
        for block in blocks:
            block.lines(context)
        first = min((self._index[b] for b in blocks if b in self._index), default=None)
        if first is not None and self._measure(first):
            self._sync_virtual_size()
        self.refresh()

    def scroll_to_line(self, block: Block, line: int, *, margin: int = 2) -> None:
        """Bring line `line` of `block` into view (unless it is already), a little below the top."""
        index = self._index.get(block)
        if index is None:
            return
        y = self._starts[index] + self._gaps[index] + line
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
        if block.collapsible:
            block.set_expanded(not block.expanded)
            self._dirty.add(block)
            self._flush_changes()

    # --- events and actions -------------------------------------------------------------------------------

    def _is_ours(self, session_id: str) -> bool:
        return self._conversation.session_id is None or session_id == self._conversation.session_id

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
        for block in self._blocks:
            block.invalidate()
        self._width = 0  # re-measure everything on the next flush
        self._schedule_flush()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        found = self._block_at(offset.y + round(self.scroll_y))
        if found is None:
            return
        block, line = found
        if block.collapsible and line == 0:
            self._select_block(block, scroll=False)
            self.toggle_block(block)
            event.stop()

    def action_toggle_panel(self) -> None:
        block = self._selected if self._selected in self._blocks else None
        if block is None:
            block = self._nearest_panel(forward=False)
            if block is None:
                return
            self._select_block(block)
        self.toggle_block(block)

    def action_next_panel(self) -> None:
        self._move_selection(forward=True)

    def action_previous_panel(self) -> None:
        self._move_selection(forward=False)

    def action_toggle_details(self) -> None:
        self.toggle_details()

    # Keyboard scrolls jump: blocks rendered on the way are taller than estimated and move the content under an
    # animated scroll, which then stops short of its target (Home needed several presses to reach the top).

    def action_scroll_home(self) -> None:
        self.scroll_home(animate=False)

    def action_scroll_end(self) -> None:
        self.scroll_end(animate=False)

    def action_page_up(self) -> None:
        self.scroll_page_up(animate=False)

    def action_page_down(self) -> None:
        self.scroll_page_down(animate=False)

    def scroll_to(self, x: float | None = None, y: float | None = None, **kwargs: Any) -> None:
        to_end = y is not None and y >= self.max_scroll_y
        super().scroll_to(x, y, **kwargs)
        if to_end and self._anchored:
            # Textual releases the anchor before every keyboard scroll, even one that cannot go further down:
            # PageDown at the bottom stopped following the reply. Going to the end always follows again.
            self._anchor_released = False

    # --- selection ----------------------------------------------------------------------------------------

    def _collapsible_indexes(self) -> list[int]:
        return [index for index, block in enumerate(self._blocks) if block.collapsible]

    def _nearest_panel(self, *, forward: bool) -> Block | None:
        """The first panel in view from the top (forward) or the last one from the bottom."""
        top = round(self.scroll_y)
        bottom = top + self.scrollable_content_region.height
        laid_out = self._laid_out()
        candidates = [i for i in self._collapsible_indexes()
                      if laid_out and self._starts[i] < bottom and self._ends(i) > top]
        if not candidates:
            candidates = self._collapsible_indexes()
        if not candidates:
            return None
        return self._blocks[candidates[0] if forward else candidates[-1]]

    def _move_selection(self, *, forward: bool) -> None:
        indexes = self._collapsible_indexes()
        if not indexes:
            return
        current = self._selected
        if current is None or current not in self._blocks:
            target = self._nearest_panel(forward=forward)
        else:
            position = indexes.index(self._blocks.index(current))
            position = min(len(indexes) - 1, position + 1) if forward else max(0, position - 1)
            target = self._blocks[indexes[position]]
        if target is not None:
            self._select_block(target)

    def _select_block(self, block: Block, *, scroll: bool = True) -> None:
        self._selected = block
        if scroll and block in self._blocks and self._laid_out():
            index = self._blocks.index(block)
            start = self._starts[index] + self._gaps[index]
            top = round(self.scroll_y)
            height = self.scrollable_content_region.height
            if start < top or start >= top + height:
                self.scroll_to(y=max(0, start - 2), animate=False)
        self.refresh()

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
            width=self._width,
            styles=styles,
            code_theme="monokai" if dark else "friendly",
            now_ms=self._now(),
            base=self._base,
        )

    def _schedule_flush(self) -> None:
        if self._flush_timer is not None or not self.is_mounted:
            return
        # Expensive renders (a long unfinished block) are spaced out so rendering stays a small share of a core.
        delay = min(MAX_FRAME_SECONDS, max(FRAME_SECONDS, self._last_flush_cost * COST_SPACING))
        self._flush_timer = self.set_timer(delay, self._flush_changes)

    def _flush_changes(self) -> None:
        """Apply what changed since the last frame: rebuild the block list, re-render dirty blocks, relayout."""
        started = perf_counter()
        if self._flush_timer is not None:
            self._flush_timer.stop()
            self._flush_timer = None
        rebuilt = self._structure_dirty
        if rebuilt:
            self._structure_dirty = False
            self._blocks = self._conversation.blocks()
            self._index = {block: index for index, block in enumerate(self._blocks)}
            if self._selected is not None and self._selected not in self._index:
                self._selected = None
            if self._details is not None:
                for block in self._blocks:
                    if block.collapsible and block._expanded is None:
                        block.set_expanded(self._details)
            for hook in self.rebuild_hooks:
                hook()
        width = self.scrollable_content_region.width if self.is_mounted else 0
        if width <= 0:
            if rebuilt:
                # Hidden (the welcome screen) or not laid out yet: the measurements belong to the old block list.
                # Drop them so nothing reads them against the new one; the next flush at a real width measures.
                self._forget_layout()
            return
        dirty, self._dirty = self._dirty, set()
        full = rebuilt or width != self._width
        first_changed = 0 if full else len(self._blocks)
        self._width = width
        for block in dirty:
            block.invalidate()  # re-rendered below if it is in view; otherwise estimated until it is
            index = self._index.get(block)
            if index is not None:
                first_changed = min(first_changed, index)
        scroll_before = round(self.scroll_y)
        heights_before = self._heights[:]  # a dirty block is estimated until re-rendered: compare the end result
        self._measure(first_changed)
        self._render_viewport(self._render_context())
        self._sync_virtual_size()
        if full or round(self.scroll_y) != scroll_before or len(heights_before) != len(self._heights):
            self.full_repaints += 1
            self.refresh()
        else:
            self._repaint_changes(dirty, heights_before)
        self._update_tick()
        # Only incremental frames set the pace; a load or a resize renders a screenful once.
        self._last_flush_cost = 0.0 if full else perf_counter() - started

    def _repaint_changes(self, dirty: set[Block], heights_before: list[int]) -> None:
        """Repaint only what changed: the rows of re-rendered blocks that differ, and everything below the first
        block whose height changed (a streaming reply adds rows at the end, so that is usually nothing)."""
        moved: int | None = None
        if heights_before != self._heights:
            moved = next(i for i, (a, b) in enumerate(zip(heights_before, self._heights, strict=True)) if a != b)
        for block in dirty:
            index = self._index.get(block)
            if index is None or (moved is not None and index > moved):
                continue
            rows = block.changed_rows()
            if rows is None:
                self.refresh_lines(self._starts[index], self._heights[index])
                continue
            top = self._starts[index] + self._gaps[index]
            for row in rows:
                self.refresh_lines(top + row)
        if moved is not None:
            below = self._starts[moved] + min(heights_before[moved], self._heights[moved])
            bottom = round(self.scroll_y) + self.scrollable_content_region.height
            if bottom > below:
                self.refresh_lines(below, bottom - below)

    def _laid_out(self) -> bool:
        """True when the measurements describe the current block list (not so while the log is hidden)."""
        return len(self._starts) == len(self._blocks)

    def _forget_layout(self) -> None:
        self._gaps, self._heights, self._starts = [], [], []
        self._content_height = 0
        self._width = 0

    def _measure(self, start: int = 0) -> bool:
        """Recompute gaps, heights and start lines from block `start` on (the end of the list is what changes
        while a reply streams, so a long session does not make each frame slower). True if a height changed."""
        width = self._width
        count = len(self._blocks)
        old_heights = self._heights[start:]
        del self._gaps[start:], self._heights[start:], self._starts[start:]
        previous: Block | None = None
        for index in range(start - 1, -1, -1):
            if self._heights[index] - self._gaps[index] > 0:
                previous = self._blocks[index]
                break
        line = self._starts[-1] + self._heights[-1] if start > 0 and self._starts else 0
        for index in range(start, count):
            block = self._blocks[index]
            height = block.height(width)
            gap = gap_between(previous, block) if height else 0
            self._gaps.append(gap)
            self._heights.append(gap + height)
            self._starts.append(line)
            line += gap + height
            if height:
                previous = block
        self._content_height = line
        return old_heights != self._heights[start:]

    def _sync_virtual_size(self) -> None:
        line = self._content_height
        view = self.scrollable_content_region.height
        if self.following and self._conversation.live and line > view > FOLLOW_STEP:
            # While a reply streams into a followed view, scroll in steps of a few lines: each scroll repaints
            # the whole view (~10 ms here), and a new line every frame would make that most of the cost.
            line = -(-line // FOLLOW_STEP) * FOLLOW_STEP
        virtual = Size(self._width, line)
        if virtual != self.virtual_size:
            self._set_virtual_size(virtual)

    def _set_virtual_size(self, size: Size) -> None:
        # Assigning `virtual_size` lays out the whole screen, on every new line of a streaming reply. This
        # widget's own size never depends on its content, so only its scrollbar and scroll range are updated.
        self.set_reactive(ScrollView.virtual_size, size)
        self._scroll_update(size)
        if self.following:
            self.scroll_end(animate=False, immediate=True, x_axis=False)

    def _ends(self, index: int) -> int:
        return self._starts[index] + self._heights[index]

    def _render_viewport(self, context: RenderContext) -> bool:
        """Render the estimated blocks in and around the view; keep what is on screen still when heights change.
        True if a height changed."""
        width = context.width
        view = self.scrollable_content_region.height or 1
        changed = False
        for _ in range(MAX_LAYOUT_PASSES):
            top = max(0, round(self.scroll_y))
            if self.following:
                top = max(0, self._content_height - view)
            low, high = top - view, top + 2 * view
            first = max(0, bisect_right(self._starts, low) - 1)
            shift = 0
            first_rendered: int | None = None
            for index in range(first, len(self._blocks)):
                start = self._starts[index]
                if start >= high:
                    break
                block = self._blocks[index]
                if block.is_rendered(width):
                    continue
                before = self._heights[index] - self._gaps[index]
                # Keep what the user reads still: a block above the view moves it, and so does one across its top
                # whose height was a guess; a block that changed (a streaming reply) changed at its end.
                above = start + self._gaps[index] + before <= top if block.was_rendered(width) else start < top
                block.lines(context)
                self.renders += 1
                if first_rendered is None:
                    first_rendered = index
                if above:
                    shift += block.height(width) - before
            if first_rendered is None:
                return changed
            changed |= self._measure(first_rendered)
            if shift and not self.following:
                self._sync_virtual_size()  # the scroll range must include the new heights first
                self.scroll_to(y=max(0, round(self.scroll_y) + shift), animate=False)
        return changed

    def _block_at(self, y: int) -> tuple[Block, int] | None:
        if not self._blocks or y < 0 or not self._laid_out():
            return None
        index = bisect_right(self._starts, y) - 1
        if index < 0 or y >= self._ends(index):
            return None
        line = y - self._starts[index] - self._gaps[index]
        if line < 0:
            return None
        return self._blocks[index], line

    def render_lines(self, crop: Region) -> list[Strip]:
        if self._width and self._blocks and self._width == self.scrollable_content_region.width and self._laid_out():
            if self._render_viewport(self._render_context()):
                self._sync_virtual_size()
                self.refresh()
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        self._resolved_styles()
        base = self._base
        found = self._block_at(round(self.scroll_y) + y)
        if found is None:
            return Strip.blank(width, base)
        block, line = found
        lines = block.cached()
        if lines is None or line >= len(lines):
            return Strip.blank(width, base)
        strip = lines[line]
        if line == 0 and block is self._selected and self.has_focus:
            strip = strip.apply_style(self._resolved_styles()["selected"])
        for decorate in self.line_decorators:
            strip = decorate(block, line, strip)
        if strip.cell_length != width:
            strip = strip.crop_extend(0, width, base)
        return strip

    # --- the elapsed-time tick ----------------------------------------------------------------------------

    def _running_blocks(self) -> list[ToolBlock]:
        return [block for block in self._blocks if isinstance(block, ToolBlock) and block.running]

    def _update_tick(self) -> None:
        running = any(isinstance(b, ToolBlock) and b.running and b.part.state.status == "running" for b in self._blocks)
        if running and self._tick_timer is None:
            self._tick_timer = self.set_interval(1.0, self._on_elapsed_tick)
        elif not running and self._tick_timer is not None:
            self._tick_timer.stop()
            self._tick_timer = None

    def _on_elapsed_tick(self) -> None:
        self._dirty.update(self._running_blocks())
        self._flush_changes()
