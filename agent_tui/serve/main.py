"""`agent-tui serve [DIR] [--host H] [--port P] [--allow-remote]`.

Each browser tab gets its own `agent-tui DIR` process (textual-serve starts it through a shell, with this
process's environment and folder). Bound to 127.0.0.1 unless `--host` names another address and
`--allow-remote` says that is meant: whoever reaches the port then controls the agent, so it is said out loud.
"""

from __future__ import annotations

import logging
import shlex
import sys
from pathlib import Path
from typing import Any

from agent_tui.serve.guard import guard, is_loopback

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000

REMOTE_WARNING = (
    "agent-tui: WARNING: serving on {host}:{port}, which is not this machine's loopback address. Anyone who can "
    "reach this port controls the agent: it reads, changes and runs anything your user account can, with your "
    "API keys. There is no password. Use it only on a network you trust, or reach it through an SSH tunnel "
    "(`ssh -L {port}:127.0.0.1:{port} HOST`) instead."
)


def app_command(directory: Path, model: str | None) -> str:
    command = [sys.executable, "-m", "agent_tui.cli", str(directory.resolve())]
    if model:
        command += ["--model", model]
    return shlex.join(command)


def make_server(directory: Path, *, host: str, port: int, model: str | None) -> Any:
    from textual_serve.server import Server

    class GuardedServer(Server):
        async def _make_app(self):  # type: ignore[no-untyped-def]
            app = await super()._make_app()
            app.middlewares.append(guard(is_loopback(host), self._use_public_url))
            return app

        def _use_public_url(self, url: str) -> None:
            self.public_url = url

    title = f"agent-tui — {directory.resolve().name}"
    return GuardedServer(app_command(directory, model), host=host, port=port, title=title)


def run_serve(directory: Path, *, host: str, port: int, allow_remote: bool, model: str | None) -> int:
    if not directory.is_dir():
        print(f"agent-tui: {directory} is not a folder", file=sys.stderr)
        return 2
    if not 0 < port < 65536:
        print(f"agent-tui: --port {port} is not a port number (1-65535)", file=sys.stderr)
        return 2
    if not is_loopback(host):
        if not allow_remote:
            print(f"agent-tui: --host {host} would let other machines control the agent; add --allow-remote if "
                  "that is what you want (read its warning first)", file=sys.stderr)
            return 2
        print(REMOTE_WARNING.format(host=host, port=port), file=sys.stderr)
    server = make_server(directory, host=host, port=port, model=model)
    shown = f"[{host}]" if ":" in host else host
    print(f"agent-tui: open http://{shown}:{port} in a browser (Ctrl+C stops)", file=sys.stderr, flush=True)
    log.info("serve: %s on %s:%d", server.command, host, port)
    try:
        server.serve()
    except OSError as exc:  # the port is taken, or the address is not ours
        print(f"agent-tui: cannot serve on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0
