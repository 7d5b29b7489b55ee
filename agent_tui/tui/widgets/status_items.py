"""Fitting the status line into the terminal's width: whole items are shortened, then dropped, by priority.

Each item has a priority (higher stays longer) and one or more forms, longest first. While the line is too
wide, the least important item takes its next shorter form, or goes when it has none. A word is never cut in
half (before, a narrow terminal showed "fake/m │ 6k tok").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.content import Content

SEPARATOR = Content(" │ ")
GAP = 1  # at least one blank column between the left and the right side


@dataclass
class Item:
    priority: int
    forms: list[Content]
    right: bool = False  # shown on the right side (state), else on the left (figures)
    form: int = field(default=0)

    @property
    def content(self) -> Content:
        return self.forms[self.form]


def _side(items: list[Item], right: bool) -> Content:
    return SEPARATOR.join([item.content for item in items if item.right == right])


def width_of(items: list[Item]) -> int:
    left, right = _side(items, False), _side(items, True)
    return left.cell_length + right.cell_length + (GAP if left.cell_length and right.cell_length else 0)


def fit(items: list[Item], width: int) -> tuple[Content, Content]:
    """The left and right text that fit in `width` cells."""
    shown = [Item(item.priority, item.forms, item.right) for item in items]
    while shown and width_of(shown) > width:
        least = min(shown, key=lambda item: item.priority)
        if least.form < len(least.forms) - 1:
            least.form += 1
        elif len(shown) > 1:
            shown.remove(least)
        else:
            break  # the most important item stays, even cut off by the terminal's edge
    return _side(shown, False), _side(shown, True)
