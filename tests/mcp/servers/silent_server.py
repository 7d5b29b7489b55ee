"""Not an MCP server: reads stdin and never writes anything, so the handshake never ends. For the tests."""

import os
import sys
from pathlib import Path

pid_file = os.environ.get("MCP_TEST_PID_FILE")
if pid_file:
    Path(pid_file).write_text(str(os.getpid()))
for _line in sys.stdin:
    pass
