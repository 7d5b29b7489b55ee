"""The streaming Markdown renderer alone: CPU per frame as a reply grows, and for the terminal benchmark's burst.

Run: /work/venv/bin/python benchmarks/markdown_tail.py [--width 116] [--chars 100000]

Feeds `StreamingMarkdown` the terminal benchmark's Markdown (`terminal_server.reply_words`), one word a chunk, and
prints (CPU time, `time.process_time`):
- ms per frame when a frame is drawn after every chunk, averaged over the 200 frames up to 1k, 10k and 100k
  characters of reply (the cost must not grow with the length);
- the 3,000-chunk burst: CPU for a frame after every chunk, and for a frame every 20 chunks (about what the widget
  draws at full speed), each plus the end-of-reply render;
- how many Markdown renders each took (finished blocks are rendered once, the unfinished tail once a frame).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from rich.console import Console
from terminal_server import reply_words

from agent_tui.tui.transcript.markdown_stream import StreamingMarkdown
from agent_tui.tui.transcript.render import RenderContext, Styles, markdown_strips

MARKS = (1_000, 10_000, 100_000)
WINDOW = 200


def context(width: int) -> RenderContext:
    console = Console(width=width, force_terminal=True, color_system="truecolor")
    return RenderContext(console, width, Styles())


def per_frame(width: int, chars: int) -> dict[int, float]:
    """ms per frame (one frame per chunk) over the WINDOW frames before each mark."""
    ctx = context(width)
    words = reply_words(chars, "x")  # more words than needed: the reply is cut at `chars`
    stream = StreamingMarkdown()
    text = ""
    costs: list[tuple[int, float]] = []
    for word in words:
        text += word
        started = time.process_time()
        stream.lines(text, ctx)
        costs.append((len(text), time.process_time() - started))
        if len(text) >= chars:
            break
    result: dict[int, float] = {}
    for mark in MARKS:
        window = [cost for length, cost in costs if length <= mark][-WINDOW:]
        if window and costs[-1][0] >= mark:
            result[mark] = 1000 * sum(window) / len(window)
    return result


def burst(width: int, every: int) -> tuple[float, int, int]:
    """CPU seconds for the 3,000-chunk reply with a frame every `every` chunks and the end drawn; renders; lines."""
    ctx = context(width)
    stream = StreamingMarkdown()
    text = ""
    started = time.process_time()
    for index, word in enumerate(reply_words(3000, "x")):
        text += word
        if index % every == 0:
            stream.lines(text, ctx)
    lines = stream.finished_lines(text, ctx)
    if lines is None:
        lines = markdown_strips(ctx, text)
    return time.process_time() - started, stream.renders, len(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=116, help="columns of the reply (116 in a 120-column pane)")
    parser.add_argument("--chars", type=int, default=100_000, help="how long the per-frame reply grows")
    args = parser.parse_args()
    burst(args.width, 1)  # warm up: imports, lexers, caches
    for mark, ms in per_frame(args.width, args.chars).items():
        print(f"frame after every chunk, reply at {mark:>7,} chars: {ms:.3f} ms CPU per frame")
    for every in (1, 20):
        cpu, renders, lines = burst(args.width, every)
        print(f"3,000-chunk burst, a frame every {every:>2} chunks: {cpu * 1000:7.1f} ms CPU "
              f"({renders} Markdown renders, {lines} lines)")


if __name__ == "__main__":
    main()
