"""Logging goes to a rotating file in the data directory, never to the terminal, with credentials redacted."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from logging.handlers import RotatingFileHandler
from pathlib import Path

import pytest

from agent_tui.core.logging_setup import REDACTED, RedactSecrets, redact, setup_logging

FAKE_KEY = "sk-ant-api03-FAKEfakeFAKEfake0123456789"


@pytest.mark.parametrize(
    "text",
    [
        f"calling with key {FAKE_KEY}",
        "openai key sk-proj-Abc123_def456-ghi789",
        "headers={'Authorization': 'Bearer eyJhbGciOi.JIUzI1NiJ9.abcdefgh'}",
        "{'api_key': 'abcdefgh12345678'}",
        'x-api-key: "zyxwvuts98765432"',
        "https://example.invalid/v1?token=tok_abcdefgh12345&x=1",
        "groq gsk_ABCDEFGHIJKLMNOP1234 and xai-ABCDEFGHIJKLMNOP and AIzaSyA-1234567890abcdefghijklmn",
    ],
)
def test_redact_hides_key_shapes(text: str) -> None:
    out = redact(text)
    assert REDACTED in out
    for secret in ("FAKEfake", "Abc123", "eyJhbG", "abcdefgh1234", "zyxwvuts", "tok_abc", "ABCDEFGHIJ", "AIzaSy"):
        assert secret not in out, out


def test_redact_hides_values_of_secret_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MYPROVIDER_API_KEY", "plainvalue-without-a-known-shape")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_ABCDEFGH12345678")
    monkeypatch.setenv("SOME_FLAG_TOKEN", "1")  # too short to be a secret; redacting it would wreck the log
    out = redact("a=plainvalue-without-a-known-shape b=ghp_ABCDEFGH12345678 c=1 d=10")
    assert out == f"a={REDACTED} b={REDACTED} c=1 d=10"


def test_redact_leaves_ordinary_text_alone() -> None:
    for text in (
        "tokens: 12345678 in, 200 out",
        "input_token: 123456789",
        "max_tokens=4096",
        "task-management and risk-assessment",
        "read file /home/user/project/sk.py",
    ):
        assert redact(text) == text


def test_filter_redacts_arguments_and_tracebacks() -> None:
    logger = logging.getLogger("test.redaction")
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    handler = Collect()
    handler.addFilter(RedactSecrets())
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("request failed for %s with %r", FAKE_KEY, {"api_key": FAKE_KEY})
        try:
            raise RuntimeError(f"401 Unauthorized: invalid x-api-key {FAKE_KEY}")
        except RuntimeError:
            logger.exception("provider said no")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    joined = "\n".join(records)
    assert FAKE_KEY not in joined
    assert "request failed for [REDACTED]" in joined
    assert "Traceback" in joined and "RuntimeError: 401 Unauthorized: invalid x-api-key [REDACTED]" in joined


def test_setup_logging_writes_to_the_rotating_file_in_the_data_dir(
    agent_tui_home: Path, restore_root_logger: logging.Logger
) -> None:
    path = setup_logging("debug")
    assert path == agent_tui_home / "data" / "log" / "agent-tui.log"
    assert restore_root_logger.level == logging.DEBUG
    ours = [h for h in restore_root_logger.handlers if isinstance(h, RotatingFileHandler)]
    assert len(ours) == 1
    assert (ours[0].maxBytes, ours[0].backupCount) == (5 * 1024 * 1024, 3)

    logging.getLogger("agent_tui.somewhere").debug("hello %s from the engine, key %s", "world", FAKE_KEY)
    ours[0].flush()
    text = path.read_text(encoding="utf-8")
    assert "hello world from the engine" in text and "agent_tui.somewhere" in text
    assert FAKE_KEY not in text and REDACTED in text


def test_setup_logging_twice_keeps_one_handler(restore_root_logger: logging.Logger) -> None:
    path = setup_logging()
    setup_logging("WARNING")
    ours = [h for h in restore_root_logger.handlers if isinstance(h, RotatingFileHandler)]
    assert len(ours) == 1
    assert restore_root_logger.level == logging.WARNING
    logging.getLogger("agent_tui.x").warning("only once")
    ours[0].flush()
    assert path.read_text(encoding="utf-8").count("only once") == 1


def test_unknown_level_is_refused_with_a_clear_message(restore_root_logger: logging.Logger) -> None:
    with pytest.raises(ValueError, match="Unknown log level 'loud'"):
        setup_logging("loud")


def test_log_file_rotates_and_keeps_three_backups(agent_tui_home: Path, restore_root_logger: logging.Logger) -> None:
    path = setup_logging()
    chunk = "x" * (1024 * 1024)
    logger = logging.getLogger("agent_tui.big")
    for _ in range(26):  # 26 MB through a 5 MB file with 3 backups
        logger.info(chunk)
    names = sorted(p.name for p in path.parent.iterdir())
    assert names == ["agent-tui.log", "agent-tui.log.1", "agent-tui.log.2", "agent-tui.log.3"]
    assert all(p.stat().st_size <= 6 * 1024 * 1024 for p in path.parent.iterdir())


SCRIPT = textwrap.dedent(
    """
    import logging, os, sys, warnings
    logging.basicConfig()  # a stderr handler someone else installed first
    noisy = logging.getLogger("LiteLLM")  # like litellm: its own stderr handler, not propagating
    noisy.addHandler(logging.StreamHandler(sys.stderr))
    noisy.propagate = False
    from agent_tui.core.logging_setup import setup_logging
    path = setup_logging("INFO")
    log = logging.getLogger("agent_tui.test")
    log.info("info line")
    log.warning("warning line with key %s", os.environ["ANTHROPIC_API_KEY"])
    log.error("error line")
    noisy.error("library error line")
    try:
        1 / 0
    except ZeroDivisionError:
        log.exception("exception line")
    warnings.warn("a python warning")
    logging.getLogger().critical("critical line")
    print(path, end="")
    """
)


def test_nothing_reaches_the_terminal(agent_tui_home: Path, subprocess_env: dict[str, str]) -> None:
    env = subprocess_env | {"ANTHROPIC_API_KEY": FAKE_KEY}
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=180)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    path = Path(done.stdout)
    assert path == agent_tui_home / "data" / "log" / "agent-tui.log"
    text = path.read_text(encoding="utf-8")
    for line in ("info line", "warning line", "error line", "library error line", "exception line",
                 "ZeroDivisionError", "a python warning", "critical line"):
        assert line in text
    assert FAKE_KEY not in text and f"warning line with key {REDACTED}" in text

