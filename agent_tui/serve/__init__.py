"""`agent-tui serve`: the TUI in a browser, through textual-serve (one app process per browser tab).

A front end like the others: it starts `agent-tui` itself for each connection and imports neither the TUI nor
any other front end.
"""
