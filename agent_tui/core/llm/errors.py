"""Provider errors: one exception type with a message a user can act on, mapped from litellm's exceptions.

The mapping is by status code and class names (not `isinstance` against litellm classes) so that importing
this module never imports litellm, which takes seconds.
"""

from __future__ import annotations

import ast
import email.utils
import json
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal

from pydantic import BaseModel

from agent_tui.core.llm.sse_check import MARKER as MALFORMED_MARKER
from agent_tui.core.llm.sse_check import is_malformed

ErrorKind = Literal[
    "auth", "rate_limit", "server", "connection", "bad_request", "context_overflow", "aborted", "stalled",
    "malformed", "unknown",
]

# A stall is retried like a dropped connection (only before the first output, as every retry); a malformed
# stream is not: a provider or proxy that sends garbage sends it again.
RETRYABLE_KINDS: frozenset[str] = frozenset({"rate_limit", "server", "connection", "stalled"})

# Providers word context overflow in many ways, and litellm recognises only some of them.
_OVERFLOW_RE = re.compile(
    r"context[ _-]?(length|window)|maximum context|prompt is too long|too many (input )?tokens|"
    r"input is too long|exceeds? the (model's )?(maximum|context)|context_length_exceeded|request too large",
    re.IGNORECASE,
)
# Raised locally (no request made) when no key was given nor found in the environment.
_MISSING_KEY_RE = re.compile(
    r"missing credentials|missing \w+ api key|api_key (client option )?must be set|no (api )?key is set",
    re.IGNORECASE,
)
_CONNECTION_CLASSES = frozenset(
    {
        "APIConnectionError",
        "APITimeoutError",
        "Timeout",
        "ClientConnectionError",
        "ClientConnectorError",
        "ClientOSError",
        "ServerDisconnectedError",
        "ClientPayloadError",
        "ServerTimeoutError",
        "TransferEncodingError",
    }
)
_CONNECTION_TEXT_RE = re.compile(
    r"connection error|cannot connect to host|server disconnected|connection (refused|reset|aborted)|"
    r"payload is not completed|incomplete chunked read|peer closed connection|timed? ?out",
    re.IGNORECASE,
)
# Prefixes litellm stacks in front of the provider's own words.
_PREFIX_RE = re.compile(r"^\s*(?:litellm\.)?[A-Za-z]+(?:Error|Exception)\s*(?::|-)\s*")
_TAIL_RE = re.compile(
    r"(\.\s*Handle with `[^`]*`\.?|\s*Original exception:.*|\s*LiteLLM Retried:.*|\s*Received Model Group.*)$", re.S
)
_KEYLIKE_RE = re.compile(r"\b(sk-[A-Za-z0-9_\-]{6,}|Bearer\s+[A-Za-z0-9_\-\.]{8,})")
_MAX_DETAIL = 400


class ProviderErrorInfo(BaseModel):
    """The serialisable form of a ProviderError, for events and stored messages."""

    kind: ErrorKind
    provider: str
    status: int | None = None
    retryable: bool = False
    retry_after: float | None = None
    message: str


class ProviderError(Exception):
    """A failed model call, described for the user. Never carries the API key."""

    def __init__(
        self,
        kind: ErrorKind,
        provider: str,
        message: str,
        *,
        status: int | None = None,
        retryable: bool | None = None,
        retry_after: float | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message)
        self.kind: ErrorKind = kind
        self.provider = provider
        self.message = message
        self.status = status
        self.retryable = kind in RETRYABLE_KINDS if retryable is None else retryable
        self.retry_after = retry_after
        self.detail = detail if detail is not None else message  # the provider's own words, scrubbed

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"ProviderError(kind={self.kind!r}, provider={self.provider!r}, status={self.status!r})"

    def info(self) -> ProviderErrorInfo:
        return ProviderErrorInfo(
            kind=self.kind,
            provider=self.provider,
            status=self.status,
            retryable=self.retryable,
            retry_after=self.retry_after,
            message=self.message,
        )

    @classmethod
    def aborted(cls, provider: str) -> ProviderError:
        return cls("aborted", provider, "Aborted by the user", retryable=False)

    @classmethod
    def stalled(cls, provider: str, seconds: float) -> ProviderError:
        return cls(
            "stalled",
            provider,
            f"Provider '{provider}' stopped sending: no data for {seconds:g} s. What arrived is kept; send the "
            "message again to retry, or raise provider_timeout.idle in agent-tui.json for a slow model.",
            detail=f"no data for {seconds:g} s",
        )


def to_provider_error(
    exc: BaseException,
    *,
    provider: str,
    key_env: str | None = None,
    secrets: Iterable[str | None] = (),
) -> ProviderError:
    """Describe any exception from a litellm call (or from its HTTP stream) as a ProviderError.

    `secrets` (the API key) are scrubbed from the message, as is anything shaped like a key.
    """
    if isinstance(exc, ProviderError):
        return exc
    # litellm wraps failures after the first chunk; the wrapped exception says what really happened.
    inner = getattr(exc, "original_exception", None)
    if type(exc).__name__ == "MidStreamFallbackError" and isinstance(inner, BaseException):
        return to_provider_error(inner, provider=provider, key_env=key_env, secrets=secrets)
    status = _status(exc)
    names = {cls.__name__ for cls in type(exc).__mro__}
    detail = _scrub(_detail(exc), secrets)
    if _MISSING_KEY_RE.search(detail) and getattr(exc, "litellm_response_headers", None) is None:
        key = key_env or "its API key"
        return ProviderError("auth", provider, f"No API key for provider '{provider}': set {key}", detail=detail)
    kind: ErrorKind = "malformed" if is_malformed(exc) else _kind(exc, status, names, detail)
    if kind == "malformed" and MALFORMED_MARKER in detail:
        detail = detail[detail.index(MALFORMED_MARKER) :]  # without the wrappers' "Error receiving chunk…"
    retry_after = _retry_after(exc) if kind in RETRYABLE_KINDS else None
    return ProviderError(
        kind,
        provider,
        _message(kind, provider, status, detail, key_env),
        status=status,
        retry_after=retry_after,
        detail=detail,
    )


def is_temperature_rejection(err: ProviderError) -> bool:
    """A 400 that complains about the temperature parameter (some reasoning models refuse it)."""
    return err.kind == "bad_request" and "temperature" in err.message.lower()


def _kind(exc: BaseException, status: int | None, names: set[str], detail: str) -> ErrorKind:
    if "ContextWindowExceededError" in names:
        return "context_overflow"
    if status in (401, 403) or names & {"AuthenticationError", "PermissionDeniedError"}:
        return "auth"
    if status == 429 or "RateLimitError" in names:
        return "rate_limit"
    if _is_connection(exc, names, detail):
        return "connection"
    if status == 400 or status == 413 or names & {"BadRequestError", "UnprocessableEntityError"}:
        return "context_overflow" if _OVERFLOW_RE.search(detail) else "bad_request"
    if status is not None and status >= 500:
        return "server"
    if status is not None and 400 <= status < 500:
        return "bad_request"
    if names & {"InternalServerError", "ServiceUnavailableError", "BadGatewayError"}:
        return "server"
    return "unknown"


def _is_connection(exc: BaseException, names: set[str], detail: str) -> bool:
    # litellm reports refused connections and dropped streams as a 500 "InternalServerError"; the cause chain
    # or the wording tells them apart from a real server error.
    if names & _CONNECTION_CLASSES:
        return True
    import httpx  # here, not at the top: litellm has loaded it by the time an error is classified

    for link in _chain(exc):
        if isinstance(link, httpx.TransportError | ConnectionError | TimeoutError):
            return True
        if {cls.__name__ for cls in type(link).__mro__} & _CONNECTION_CLASSES:
            return True
    has_http_status = getattr(exc, "litellm_response_headers", None) is not None
    return not has_http_status and bool(_CONNECTION_TEXT_RE.search(detail))


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        yield link
        link = link.__cause__ or link.__context__


def _status(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        return status
    response = getattr(exc, "response", None)
    code = getattr(response, "status_code", None)
    return code if isinstance(code, int) else None


def _detail(exc: BaseException) -> str:
    """The provider's own words, without litellm's prefixes and class-name noise."""
    text = getattr(exc, "message", None)
    if not isinstance(text, str) or not text:
        text = str(exc) or type(exc).__name__
    text = _TAIL_RE.sub("", text)
    for _ in range(6):
        stripped = _PREFIX_RE.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    text = _body_message(text.strip()) or text.strip()
    if len(text) > _MAX_DETAIL:
        text = text[: _MAX_DETAIL - 1] + "…"
    return text or type(exc).__name__


def _body_message(text: str) -> str | None:
    """Pull `error.message` out of a JSON error body, which litellm sometimes quotes as a bytes literal."""
    raw: Any = text
    if text.startswith(("b'", 'b"')):
        try:
            raw = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return None
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    if not isinstance(raw, str) or not raw.lstrip().startswith("{"):
        return None
    try:
        body = json.loads(raw)
    except ValueError:
        return None
    err = body.get("error") if isinstance(body, dict) else None
    if isinstance(err, dict) and isinstance(err.get("message"), str):
        return err["message"]
    if isinstance(err, str):
        return err
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return body["message"]
    return None


def _scrub(text: str, secrets: Iterable[str | None]) -> str:
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return _KEYLIKE_RE.sub("***", text)


def _headers(exc: BaseException) -> Mapping[str, str] | None:
    headers = getattr(exc, "litellm_response_headers", None)
    if headers is None:
        response = getattr(exc, "response", None)
        headers = getattr(response, "headers", None)
    return headers if isinstance(headers, Mapping) else None


def _retry_after(exc: BaseException) -> float | None:
    explicit = getattr(exc, "retry_after", None)
    if isinstance(explicit, int | float) and explicit >= 0:
        return float(explicit)
    headers = _headers(exc)
    if not headers:
        return None
    lower = {str(k).lower(): str(v) for k, v in headers.items()}
    if "retry-after-ms" in lower:
        try:
            return max(0.0, float(lower["retry-after-ms"]) / 1000)
        except ValueError:
            pass
    value = lower.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:  # the HTTP-date form
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _message(kind: ErrorKind, provider: str, status: int | None, detail: str, key_env: str | None) -> str:
    code = f" (HTTP {status})" if status else ""
    detail = detail.rstrip(". ") or "no details"
    key = key_env or "its API key"
    if kind == "auth":
        if status == 403:
            return f"Permission denied by provider '{provider}': check that {key} may use this model ({detail})"
        return f"Authentication failed for provider '{provider}': check {key} ({detail})"
    if kind == "rate_limit":
        return f"Rate limited by provider '{provider}'{code}: {detail}"
    if kind == "server":
        return f"Provider '{provider}' had a server error{code}: {detail}"
    if kind == "connection":
        return f"Could not reach provider '{provider}': {detail}. Check the network and the API base URL."
    if kind == "context_overflow":
        return (
            f"The conversation is too long for the model's context window (provider '{provider}'): {detail}. "
            "Compact the session or start a new one."
        )
    if kind == "bad_request":
        return f"Provider '{provider}' rejected the request{code}: {detail}"
    if kind == "malformed":
        return (
            f"Provider '{provider}' sent a malformed stream (data that is not valid JSON): {detail}. This is the "
            "provider's or a proxy's fault, not the network's."
        )
    return f"Provider '{provider}' failed{code}: {detail}"
