"""Not an MCP server: writes lines that are not MCP messages on stdout and never answers. For the tests."""

import os
import sys
from pathlib import Path

pid_file = os.environ.get("MCP_TEST_PID_FILE")
if pid_file:
    Path(pid_file).write_text(str(os.getpid()))
print("Server starting... this line is not JSON-RPC", flush=True)
for _line in sys.stdin:
    print("still not JSON-RPC", flush=True)
