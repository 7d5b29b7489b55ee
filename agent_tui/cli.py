"""Command line: `agent-tui [DIR]` opens the app; `run`, `sessions` and `mcp` work without it.

Nothing heavy is imported here: litellm, mcp and Textual load only inside the command that needs them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from agent_tui import __version__

SUBCOMMANDS = ("run", "sessions", "mcp", "acp", "serve")


def _app_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agent-tui",
        description="A terminal coding agent. Opens the app in DIR (default: the current folder).",
        epilog="Other commands: agent-tui run \"PROMPT\" | agent-tui sessions list|show|export|delete|undo|redo|diff | "
        "agent-tui mcp list | agent-tui acp | agent-tui serve. Use `agent-tui COMMAND --help` for details.",
    )
    parser.add_argument("--version", action="version", version=f"agent-tui {__version__}")
    parser.add_argument("directory", nargs="?", default=".", help="project folder (default: current folder)")
    parser.add_argument("-c", "--continue", dest="continue_last", action="store_true",
                        help="reopen the most recent session")
    parser.add_argument("-s", "--session", help="open the session with this id")
    parser.add_argument("-m", "--model", help="model as provider/model, e.g. anthropic/claude-sonnet-4-5")
    return parser


def _commands_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="agent-tui")
    parser.add_argument("--version", action="version", version=f"agent-tui {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run one prompt without the interface and print the reply")
    run.add_argument("prompt", nargs="+", help="the message to send (use - to read it from standard input)")
    run.add_argument("-m", "--model", help="model as provider/model")
    run.add_argument("-a", "--agent", help="the agent to run with: build (default), plan (read-only) or one "
                     "defined in .agent-tui/agents/NAME.md; stored on the session")
    run.add_argument("-s", "--session", help="continue the session with this id")
    run.add_argument("-c", "--continue", dest="continue_last", action="store_true",
                     help="continue the most recent session")
    run.add_argument("-f", "--format", choices=("text", "json"), default="text",
                     help="text (the reply) or json (one event per line)")
    run.add_argument("-y", "--yes", action="store_true",
                     help="approve every permission request (otherwise requests that would ask are refused)")
    run.add_argument("-d", "--dir", default=".", help="project folder (default: current folder)")
    run.add_argument("--file", action="append", default=[], help="attach a file (repeatable)")

    sessions = sub.add_parser("sessions", help="list, show, export, delete, undo, redo or diff sessions")
    sessions.add_argument("-d", "--dir", default=".", help="project folder (default: current folder)")
    ssub = sessions.add_subparsers(dest="action", required=True)
    lst = ssub.add_parser("list", help="the project's sessions, newest first")
    lst.add_argument("-n", "--limit", type=int, default=50)
    lst.add_argument("--format", choices=("text", "json"), default="text")
    show = ssub.add_parser("show", help="print a session's conversation")
    show.add_argument("id")
    export = ssub.add_parser("export", help="export a session")
    export.add_argument("id")
    export.add_argument("--format", choices=("md", "json"), default="md")
    export.add_argument("-o", "--output", help="write to this file instead of standard output")
    delete = ssub.add_parser("delete", help="delete a session and its messages")
    delete.add_argument("id")
    from agent_tui.headless_undo import add_parsers

    add_parsers(ssub)

    mcp = sub.add_parser("mcp", help="MCP servers")
    mcp.add_argument("-d", "--dir", default=".", help="project folder (default: current folder)")
    msub = mcp.add_subparsers(dest="action", required=True)
    msub.add_parser("list", help="start the configured servers and show their state and tools")

    acp = sub.add_parser("acp", help="serve an editor over the Agent Client Protocol on stdin/stdout")
    acp.add_argument("-m", "--model", help="model as provider/model (the editor may change it per session)")
    acp.add_argument("-d", "--dir", default=".", help="project folder for session/list without a cwd")

    serve = sub.add_parser("serve", help="serve the app to a web browser (127.0.0.1 unless told otherwise)")
    serve.add_argument("directory", nargs="?", default=".", help="project folder (default: current folder)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("-p", "--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.add_argument("--allow-remote", action="store_true",
                       help="allow a --host other than this machine's loopback: anyone reaching it controls the agent")
    serve.add_argument("-m", "--model", help="model as provider/model")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from agent_tui.process_exit import quiet_on_broken_pipe

    return quiet_on_broken_pipe(lambda: _main(argv))


def _main(argv: Sequence[str] | None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    from agent_tui.core.logging_setup import setup_logging

    setup_logging()
    if args_list and args_list[0] in SUBCOMMANDS:
        args = _commands_parser().parse_args(args_list)
        if args.command == "run":
            from agent_tui.headless import run_command

            return run_command(args)
        if args.command == "sessions":
            from agent_tui.headless import sessions_command

            return sessions_command(args)
        if args.command == "serve":
            from agent_tui.serve.main import run_serve

            return run_serve(Path(args.directory), host=args.host, port=args.port, allow_remote=args.allow_remote,
                             model=args.model)
        if args.command == "acp":
            from agent_tui.acp.main import run_acp

            return run_acp(Path(args.dir), args.model)
        from agent_tui.cli_mcp import run_mcp_list

        return run_mcp_list(Path(args.dir))
    args = _app_parser().parse_args(args_list)
    directory = Path(args.directory)
    if not directory.is_dir():
        print(f"agent-tui: {directory} is not a folder", file=sys.stderr)
        return 2
    from agent_tui import startup_gc

    startup_gc.pause()  # the app resumes it once the first frame is on screen
    from agent_tui.tui.app import run_app

    return run_app(directory, session_id=args.session, continue_last=args.continue_last, model=args.model)


if __name__ == "__main__":
    sys.exit(main())
