"""Export the key screens of agent-tui as SVG files into this folder.

    python screenshots/make_screenshots.py            # all scenes
    python screenshots/make_screenshots.py first_run  # some of them

The scenes are the ones the snapshot tests use (`tests/tui/scenes.py`): fixed clock, folders and records, no
model or network needed. Each scene is saved at 120×40 (`NAME.svg`) and at 80×24 (`NAME-80x24.svg`). Run from the
repository root.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests.tui.scenes import SCENES, SIZE  # noqa: E402

SMALL = (80, 24)


async def export(name: str, size: tuple[int, int] = SIZE) -> Path:
    scene = SCENES[name]()
    app = scene.app
    suffix = "" if size == SIZE else f"-{size[0]}x{size[1]}"
    async with app.run_test(size=size) as pilot:
        await scene.settle(pilot)
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        path = app.save_screenshot(f"{name}{suffix}.svg", path=str(HERE))
    return Path(path)


def main(argv: list[str]) -> int:
    names = argv or list(SCENES)
    unknown = [n for n in names if n not in SCENES]
    if unknown:
        print(f"unknown scene(s): {', '.join(unknown)}; known: {', '.join(SCENES)}", file=sys.stderr)
        return 2
    for name in names:
        for size in (SIZE, SMALL):
            print(asyncio.run(export(name, size)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
