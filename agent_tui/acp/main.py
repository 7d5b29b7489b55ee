"""`agent-tui acp`: serve one client over stdin/stdout until it closes the stream or the process is told to stop.

stdout is claimed for the protocol before anything else is imported or run; logging goes to the log file only.
SIGTERM, SIGINT and the end of stdin all stop the same way: running turns are aborted and record where they
stopped, then the process exits 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from pathlib import Path

from agent_tui.acp.channel import claim_stdout

log = logging.getLogger(__name__)


def run_acp(directory: Path, model: str | None) -> int:
    protocol_fd = claim_stdout()
    log.info("acp: serving on stdio (pid %d)", os.getpid())
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(protocol_fd, directory, model))
    log.info("acp: stopped")
    return 0


async def _serve(protocol_fd: int, directory: Path, model: str | None) -> None:
    from acp.agent.connection import AgentSideConnection

    from agent_tui.acp.agent import AcpAgent
    from agent_tui.acp.channel import JsonLinesChannel, open_streams

    reader, writer = await open_streams(protocol_fd)
    agent = AcpAgent(directory=directory, model=model)
    conn = AgentSideConnection(agent, JsonLinesChannel(reader, writer), listening=False)
    loop = asyncio.get_running_loop()
    listening = asyncio.ensure_future(conn.listen())
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, listening.cancel)
    try:
        await listening
    except asyncio.CancelledError:
        log.info("acp: stopping on a signal")
    except Exception:
        log.exception("acp: the connection failed")
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        await agent.shutdown()
        await conn.close()
