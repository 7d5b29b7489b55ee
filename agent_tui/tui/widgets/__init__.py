"""Widgets of the main screen other than the message log: sidebar, prompt, status line."""
