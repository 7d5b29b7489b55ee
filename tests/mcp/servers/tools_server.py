"""An MCP server for the tests, built with the SDK's server class.

Usage: python tools_server.py stdio | http PORT | sse PORT

Environment: MCP_TEST_PID_FILE (write our pid there at start-up), MCP_TEST_STDERR (a line printed to stderr
at start-up, to check where the server's stderr goes).
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.utilities.types import Image
from mcp.types import EmbeddedResource, TextResourceContents, ToolAnnotations

# A 1x1 transparent PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)

# A copy of the original stdout, taken before the SDK claims it (for `babble`).
PROTOCOL_FD = os.dup(1)

server = MCPServer("tools")


@server.tool(description="Echo the text back.")
def echo(text: str) -> str:
    return f"echo: {text}"


@server.tool(description="Add two integers.", annotations=ToolAnnotations(read_only_hint=True))
def add(a: int, b: int) -> int:
    return a + b


@server.tool(description="Always fails with the given message.")
def fail(message: str) -> str:
    raise ToolError(message)


@server.tool(description="Return a tiny PNG image and a caption.", structured_output=False)
def picture() -> list[object]:
    return ["a red dot", Image(data=PNG, format="png")]


@server.tool(description="Return an embedded text resource.")
def document() -> EmbeddedResource:
    return EmbeddedResource(
        type="resource",
        resource=TextResourceContents(uri="file:///notes.txt", mime_type="text/plain", text="the notes"),
    )


@server.tool(description="Exit the server process in the middle of the call.")
def crash() -> str:
    sys.stderr.write("crashing on purpose\n")
    sys.stderr.flush()
    os._exit(3)


@server.tool(description="Write a line that is not an MCP message on stdout, then answer.")
def babble() -> str:
    # The SDK diverts `sys.stdout` to stderr to protect the protocol; write to the pipe itself, as a stray
    # print from a native library would.
    os.write(PROTOCOL_FD, b"oops, a debug print\n")
    return "said something"


@server.tool(description="Never answer.")
async def hang() -> str:
    await asyncio.sleep(3600)
    return "unreachable"


@server.tool(description="Return the value of an HTTP request header (empty over stdio).")
def header(name: str, ctx: Context) -> str:
    return (ctx.headers or {}).get(name.lower(), "")


@server.tool(description="Pretend to delete a file.", annotations=ToolAnnotations(read_only_hint=False,
                                                                                 destructive_hint=True))
def delete_file(path: str) -> str:
    return f"deleted {path}"


@server.tool(name="a.tool with spaces", description="A tool whose name needs sanitising.")
def odd_name() -> str:
    return "odd"


def main() -> None:
    pid_file = os.environ.get("MCP_TEST_PID_FILE")
    if pid_file:
        Path(pid_file).write_text(str(os.getpid()))
    message = os.environ.get("MCP_TEST_STDERR")
    if message:
        print(message, file=sys.stderr, flush=True)
    mode = sys.argv[1] if len(sys.argv) > 1 else "stdio"
    if mode == "stdio":
        server.run()
    elif mode == "http":
        server.run("streamable-http", host="127.0.0.1", port=int(sys.argv[2]))
    elif mode == "sse":
        server.run("sse", host="127.0.0.1", port=int(sys.argv[2]))
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main()
