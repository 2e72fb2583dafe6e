"""Credential redaction for everything llmenv prints, logs or writes.

Index URLs carry `user:token@`, environment variables carry tokens; a doctor report pasted into an issue must
never leak either. Redaction works by value (patterns), not only by variable name.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "****"
_SECRET_QUERY = re.compile(r"(token|key|secret|signature|credential|password|auth)", re.IGNORECASE)
_URL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+")
_TOKENS = re.compile(
    r"\b(hf_[A-Za-z0-9]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|sk-[A-Za-z0-9_-]{20,}"
    r"|glpat-[A-Za-z0-9_-]{16,}|xox[abpr]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16})\b"
)
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}")
SECRET_ENV_NAME = re.compile(r"(?i)(token|secret|password|passwd|api_?key|access_?key|credential|auth)")


def redact_url(url: str) -> str:
    """`https://user:pw@host/simple?token=x` -> `https://user:****@host/simple?token=****`."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        # A lone userinfo is usually a token (https://TOKEN@host), so it is masked whole.
        netloc = f"{user}:{MASK}@{host}" if ":" in userinfo else f"{MASK}@{host}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(_SECRET_QUERY.search(k) for k, _ in pairs):
            query = urlencode([(k, MASK if _SECRET_QUERY.search(k) else v) for k, v in pairs], safe="*")
    return urlunsplit(SplitResult(parts.scheme, netloc, parts.path, query, parts.fragment))


def redact_text(text: str) -> str:
    """Mask URLs' credentials and well-known token shapes anywhere in free text (logs, tool output)."""
    text = _URL.sub(lambda m: redact_url(m.group(0)), text)
    text = _TOKENS.sub(MASK, text)
    return _BEARER.sub(lambda m: m.group(1) + MASK, text)


def redact_env_value(name: str, value: str) -> str:
    return MASK if SECRET_ENV_NAME.search(name) and value else redact_text(value)


class Secret:
    """A value that may hold credentials: usable through `reveal()`, printed only redacted.

    Keeping the raw value typed (pdm's HiddenText idea) means a report, log or JSON dump that forgets to redact
    still prints the masked form."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __str__(self) -> str:
        return redact_text(self._value)

    def __repr__(self) -> str:
        return f"Secret({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


__all__ = ["MASK", "Secret", "redact_env_value", "redact_text", "redact_url"]
