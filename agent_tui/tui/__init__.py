"""The Textual front end. Only this package imports Textual; it drives the engine through SessionService."""
