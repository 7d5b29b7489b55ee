"""`/cost`: what the session cost, by model and by kind of token, and where each figure came from."""

from __future__ import annotations

from decimal import Decimal

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from agent_tui.core.session.costs import CostLine, CostReport
from agent_tui.tui import format as fmt
from agent_tui.tui.dialogs.base import Dialog, dialog_css

KIND_LABELS = {"input": "input", "output": "output", "reasoning": "reasoning", "cache_read": "cache read",
               "cache_write": "cache write"}
SOURCE_LABELS = {"config": "config prices", "provider": "billed by the provider", "price map": "litellm price map",
                 "unpriced": "no price known"}


def dollars(amount: Decimal) -> str:
    """Exact enough to add up by eye: four decimals below a dollar, cents above."""
    if not amount:
        return "$0"
    return f"${amount:,.2f}" if amount >= 1 else f"${amount:.4f}"


def _kind_rows(line: CostLine) -> list[Content]:
    rows = [Content.styled(f"  {'kind':<16}{'tokens':>12}{'cost':>14}", "$text-muted")]
    for kind, label in KIND_LABELS.items():
        count = getattr(line.tokens, kind)
        amount = line.by_kind.get(kind, Decimal(0))
        if count or amount:
            rows.append(Content(f"  {label:<16}{fmt.tokens(count):>12}{dollars(amount):>14}"))
    if line.unsplit:
        rows.append(Content(f"  {'not split':<16}{'':>12}{dollars(line.unsplit):>14}")
                    + Content.styled("  one figure: the provider's bill, or a summary", "$text-muted"))
    return rows


def report_text(report: CostReport) -> Content:
    if not report.models:
        return Content("Nothing spent yet in this session.")
    subagents = report.sessions - 1
    extra = f" (sub-agents included: {subagents})" if subagents else ""
    lines = [Content.assemble(("Total ", "bold"), (dollars(report.total.cost), "bold $accent"), extra), Content("")]
    lines.append(Content.styled("By model", "bold"))
    width = max(len(name) for name in report.models) + 2
    for name, line in sorted(report.models.items(), key=lambda item: -item[1].cost):
        sources = ", ".join(SOURCE_LABELS.get(s, s) for s in line.sources) or "no price known"
        lines.append(Content(f"  {name:<{width}}{fmt.tokens(line.tokens.total):>8} tokens{dollars(line.cost):>12}  ")
                     + Content.styled(sources, "$text-muted"))
    lines += [Content(""), Content.styled("By kind of token", "bold"), *_kind_rows(report.total)]
    return Content("\n").join(lines)


class CostDialog(Dialog[None]):
    CSS_PATH = dialog_css("dialog_cost.tcss")

    def __init__(self, report: CostReport) -> None:
        super().__init__()
        self.report = report

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Static("Cost of this session", classes="dialog-title")
            with VerticalScroll(id="cost-body"):
                yield Static(report_text(self.report))
            yield Static("Config prices win, then the provider's bill, then litellm's price map · esc close",
                         classes="dialog-hint")
