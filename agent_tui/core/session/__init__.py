"""Sessions: the public service, one turn's loop, the system prompt, compaction and titles."""
