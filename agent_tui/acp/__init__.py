"""`agent-tui acp`: the engine as an Agent Client Protocol agent, driven by an editor over stdio.

A front end like the TUI and `agent-tui run`: it imports `agent_tui.core` and the `acp` SDK, never another front
end. `main` owns the process (stdout is the protocol), `agent` answers the client's requests, `forwarder` turns
bus events into session updates, `permissions` asks the client, `client_access` reads, writes and runs commands
through the editor when it offers to, `updates` and `replay` are the pure mappings from our records.
"""
