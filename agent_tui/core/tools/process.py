"""Ending a whole process tree: commands run as the leader of their own process group (`start_new_session=True`),
so one signal to the group reaches every child and grandchild that did not leave it.
"""

from __future__ import annotations

import asyncio
import os
import signal


def group_alive(pgid: int) -> bool:
    """True while any process of the group exists and is not a zombie."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # Zombies still count for killpg; look for a live member (Linux /proc; elsewhere assume alive).
    proc = "/proc"
    if not os.path.isdir(proc):
        return True
    for entry in os.listdir(proc):
        if not entry.isdigit():
            continue
        try:
            with open(f"{proc}/{entry}/stat", "rb") as f:
                stat = f.read().decode("ascii", "replace")
        except OSError:
            continue
        # Fields after the ")" of the command name: state, ppid, pgrp, ...
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 2 and fields[2] == str(pgid) and fields[0] not in ("Z", "X"):
            return True
    return False


async def kill_group(pgid: int, *, grace: float = 2.0) -> bool:
    """SIGTERM the group, wait up to `grace` seconds, then SIGKILL what is left. Returns True if SIGKILL was needed."""
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    loop = asyncio.get_running_loop()
    deadline = loop.time() + grace
    while loop.time() < deadline:
        await asyncio.sleep(0.05)
        if not await asyncio.to_thread(group_alive, pgid):
            return False
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        return False
    return True
