"""Logging to a rotating file in the data directory, never to the terminal (the TUI draws on it).

Records pass through `RedactSecrets` on the way to the file, so an API key that ends up in a message, an argument
or a traceback is written as `[REDACTED]`.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

from agent_tui.core import paths
from agent_tui.core.private_files import open_private
from agent_tui.core.secrets import MIN_SECRET_LEN, REDACTED, SECRET_ENV_SUFFIXES

LOG_FILE = "agent-tui.log"
MAX_BYTES = 5 * 1024 * 1024
BACKUP_COUNT = 3
FORMAT = "%(asctime)s %(levelname)-7s %(process)d %(name)s: %(message)s"

# (cheap substring gates, pattern, replacement): a pattern runs only when the lower-cased text holds one of its
# gates, which keeps large records cheap. Group 1, when present, is context kept in front of the secret.
_SECRET_PATTERNS: list[tuple[tuple[str, ...], re.Pattern[str], str]] = [
    # Provider key shapes: OpenAI/Anthropic/DeepSeek/OpenRouter `sk-…`, Groq `gsk_…`, xAI `xai-…`, Google `AIza…`.
    (("sk-", "gsk_", "xai-"), re.compile(r"\b(?:sk-|gsk_|xai-)[A-Za-z0-9_\-]{8,}"), REDACTED),
    (("aiza",), re.compile(r"\bAIza[0-9A-Za-z_\-]{20,}"), REDACTED),
    (("bearer",), re.compile(r"(\bBearer\s+)[A-Za-z0-9._~+/=\-]{8,}", re.IGNORECASE), rf"\1{REDACTED}"),
    # `api_key=…`, `"x-api-key": "…"`, `token: …` in reprs, URLs and headers.
    (
        ("key", "token", "secret"),
        re.compile(
            r"((?:api[_-]?key|access[_-]?token|auth[_-]?token|token|secret)[\"']?\s{0,3}[:=]\s{0,3}[\"']?)"
            r"(?=[^\s\"',;&}]*[A-Za-z])[^\s\"',;&}]{8,}",  # with a letter: `token: 12345678` is a count
            re.IGNORECASE,
        ),
        rf"\1{REDACTED}",
    ),
]

_OUR_HANDLER = "_agent_tui_file_handler"
_TERMINAL_STREAMS = {id(s) for s in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__) if s is not None}


def _secret_env_values() -> list[str]:
    values = {
        value
        for name, value in os.environ.items()
        if name.upper().endswith(SECRET_ENV_SUFFIXES) and len(value) >= MIN_SECRET_LEN
    }
    return sorted(values, key=len, reverse=True)  # longest first, so a key containing another is fully hidden


def redact(text: str) -> str:
    """Replace anything that looks like a credential in `text`."""
    for value in _secret_env_values():
        text = text.replace(value, REDACTED)
    lowered = text.lower()
    for gates, pattern, replacement in _SECRET_PATTERNS:
        if any(gate in lowered for gate in gates):
            text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    """Rewrites a record's message and traceback with credentials removed. Never drops a record."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: let the handler report it as logging does
            return True
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def _is_terminal_handler(handler: logging.Handler) -> bool:
    if isinstance(handler, logging.FileHandler) or not isinstance(handler, logging.StreamHandler):
        return False
    stream = handler.stream
    return id(stream) in _TERMINAL_STREAMS or stream in (sys.stdout, sys.stderr)


def detach_terminal_handlers() -> int:
    """Remove handlers writing to stdout/stderr from every logger, so their records reach the log file instead.

    Libraries such as litellm attach their own stderr handler when imported: call this after importing them.
    Returns how many handlers were removed.
    """
    removed = 0
    loggers: list[logging.Logger] = [logging.getLogger()]
    loggers += [lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger)]
    for logger in loggers:
        for handler in list(logger.handlers):
            if _is_terminal_handler(handler):
                logger.removeHandler(handler)
                removed += 1
                if logger is not logging.getLogger():
                    logger.propagate = True
    return removed


def _parse_level(level: str) -> int:
    levels = logging.getLevelNamesMapping()
    name = level.strip().upper()
    if name not in levels or name == "NOTSET":
        raise ValueError(f"Unknown log level {level!r}: use DEBUG, INFO, WARNING or ERROR.")
    return levels[name]


class PrivateLogHandler(RotatingFileHandler):
    """The log file, created 0600, that never interrupts the app nor prints to the terminal.

    A record that cannot be written (disk full, file removed, folder made read-only) is dropped: logging's
    default reports it with a traceback on stderr, which is the screen the TUI draws on.
    """

    dropped = 0

    def _open(self):  # type: ignore[no-untyped-def]
        return open_private(Path(self.baseFilename), self.mode, encoding=self.encoding, errors=self.errors)

    def handleError(self, record: logging.LogRecord) -> None:
        type(self).dropped += 1


def setup_logging(level: str = "INFO") -> Path | None:
    """Send all logging (and Python warnings) to `<data dir>/log/agent-tui.log`. Safe to call again.

    Returns the log file's path, or None when it cannot be opened (a read-only or full data folder): the app
    then runs without a log rather than not at all. Nothing is written to stdout or stderr.
    """
    numeric = _parse_level(level)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _OUR_HANDLER, False):
            root.removeHandler(handler)
            handler.close()
    detach_terminal_handlers()

    handler: logging.Handler
    try:
        log_path: Path | None = paths.ensure(paths.log_dir()) / LOG_FILE
        handler = PrivateLogHandler(log_path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8",
                                    errors="replace")
    except OSError:
        log_path, handler = None, logging.NullHandler()
    setattr(handler, _OUR_HANDLER, True)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactSecrets())
    root.addHandler(handler)
    root.setLevel(numeric)
    # `warnings.warn` prints to stderr by default; route it to the file like everything else.
    logging.captureWarnings(True)
    return log_path
