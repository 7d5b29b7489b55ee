"""MCP servers as tools: one connection per configured server, its tools offered to the model as `SERVER_TOOL`.

The SDK (`mcp`) costs about a second to import, so nothing in this package imports it at module level except
`server.py` and `transport.py`, which `manager.py` loads from a worker thread once servers are started.
"""
