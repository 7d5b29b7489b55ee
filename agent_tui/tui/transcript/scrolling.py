"""How the transcript scrolls from the keyboard: jumps, never animations, and the end always follows again."""

from __future__ import annotations

from typing import Any

from textual.scroll_view import ScrollView


class JumpScrolling(ScrollView):
    """Keyboard scrolls jump: blocks rendered on the way are taller than estimated and move the content under an
    animated scroll, which then stops short of its target (Home needed several presses to reach the top)."""

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
