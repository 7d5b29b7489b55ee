"""The agent engine. It never imports Textual (a test proves it)."""
