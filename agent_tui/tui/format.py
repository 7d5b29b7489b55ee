"""Short human-readable forms of times, costs and token counts for the sidebar, status line and dialogs."""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

# Replaced by tests and snapshots so relative times do not depend on when they run.
clock: Callable[[], float] = time.time


def now_ms() -> int:
    return int(clock() * 1000)


def relative_time(then_ms: int, now: int | None = None) -> str:
    seconds = max(0, ((now if now is not None else now_ms()) - then_ms) // 1000)
    if seconds < 60:
        return "now"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes}m ago"
    hours = minutes // 60
    if hours < 24:
        return f"{hours}h ago"
    days = hours // 24
    if days < 30:
        return f"{days}d ago"
    return time.strftime("%Y-%m-%d", time.localtime(then_ms / 1000))


def cost(amount: Decimal | float | None) -> str:
    if not amount:
        return "$0.00"
    value = float(amount)
    if value < 0.01:
        return "<$0.01"
    return f"${value:,.2f}"


def tokens(count: int | None) -> str:
    if not count:
        return "0"
    if count < 1000:
        return str(count)
    if count < 1_000_000:
        return f"{count / 1000:.1f}k".replace(".0k", "k")
    return f"{count / 1_000_000:.1f}M".replace(".0M", "M")


def price_per_million(value: float | None) -> str:
    if value is None:
        return "?"
    return f"${value:g}"


def display_path(path: Path | str) -> str:
    """`path` for the screen: under the home folder as `~/...`, as shells and other tools show it."""
    path = Path(path)
    try:
        home = Path.home()
    except (KeyError, RuntimeError):  # no home to abbreviate
        return str(path)
    if home == Path(home.anchor):
        return str(path)  # HOME=/ would turn every path into ~/...
    try:
        rest = path.relative_to(home)
    except ValueError:
        return str(path)
    return "~" if rest == Path() else f"~/{rest}"
