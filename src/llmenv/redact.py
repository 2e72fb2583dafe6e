"""Credential redaction for everything llmenv prints, logs or writes.

Index URLs carry `user:token@`, environment variables carry tokens; a doctor report pasted into an issue must
never leak either. Redaction works by value (patterns), not only by variable name.

Users write passwords into pip.conf and PIP_INDEX_URL without percent-encoding them, so a URL parser is the wrong
tool: `https://u:pa#ss@host` parses as host `u`, fragment `ss@host`, and `@[127...` makes it raise. Userinfo is
therefore found by scanning: everything between `scheme://` and the last `@` that can end a userinfo is masked,
whatever its characters, before any parsing happens.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "****"
_SECRET_QUERY = re.compile(r"(token|key|secret|signature|credential|password|auth)", re.IGNORECASE)
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://")
_URL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+")
# `user:pass@host` with no scheme (a proxy setting, a malformed URL's tail): user and password without spaces.
_BARE = re.compile(r"(?<![\w/:@.%*+-])([\w.%+-]+):([^\s@/][^\s@]*)@(?=[\w\[])")
_TOKENS = re.compile(
    r"\b(hf_[A-Za-z0-9]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|sk-[A-Za-z0-9_-]{20,}"
    r"|glpat-[A-Za-z0-9_-]{16,}|xox[abpr]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16})\b"
)
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}")
SECRET_ENV_NAME = re.compile(r"(?i)(token|secret|password|passwd|api_?key|access_?key|credential|auth)")


def _mask_userinfo(text: str) -> str:
    """Mask the userinfo of every `scheme://userinfo@host` in `text`, whatever characters the password has.

    A URL's reach is its line, cut short where the next URL starts. Within it, the userinfo ends at the last `@`
    whose prefix is `user:password` (any characters) or a lone token (no `/`, no space): so `git+https://host/x@v1`
    (a VCS ref) is left alone while `u:pa/ss word@host` is masked. Masking too much is preferred to too little."""
    out: list[str] = []
    pos = 0
    for match in _SCHEME.finditer(text):
        if match.start() < pos:
            continue
        start = match.end()
        following = _SCHEME.search(text, start)
        end = min(
            following.start() if following else len(text),
            text.find("\n", start) if "\n" in text[start:] else len(text),
        )
        segment = text[start:end]
        at = _userinfo_end(segment)
        if at is None:
            continue
        userinfo = segment[:at]
        masked = f"{userinfo.split(':', 1)[0]}:{MASK}" if ":" in userinfo else MASK
        out.append(text[pos:start] + masked)
        pos = start + at
    out.append(text[pos:])
    return "".join(out)


def _userinfo_end(segment: str) -> int | None:
    for at in range(len(segment) - 1, 0, -1):
        if segment[at] != "@":
            continue
        userinfo = segment[:at]
        if ":" in userinfo:
            head = userinfo.split(":", 1)[0]
            if head and not any(c in head for c in "/?# \t"):
                return at
        elif not any(c in userinfo for c in "/?# \t"):
            return at
    return None


def unencoded_userinfo(url: str) -> str | None:
    """Why `url` cannot be used as written, when its user:password holds a raw `/`, `?` or `#`: pip, uv and
    urllib then read part of the password as the host or port. None when the userinfo parses as meant.

    The reason never quotes the URL or the characters around the problem (they are the password)."""
    match = _SCHEME.match(url)
    if match is None:
        return None
    segment = url[match.end() :].split("\n", 1)[0]
    at = _userinfo_end(segment)
    if at is None:
        return None
    userinfo = segment[:at]
    bad = sorted({c for c in userinfo if c in "/?#"})
    if not bad:
        return None
    codes = ", ".join(f"{c} -> %{ord(c):02X}" for c in bad)
    return f"its password holds {' '.join(bad)} unencoded, so the host cannot be read; percent-encode it ({codes})"


def _mask_query(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not any(_SECRET_QUERY.search(k) for k, _ in pairs):
        return url
    query = urlencode([(k, MASK if _SECRET_QUERY.search(k) else v) for k, v in pairs], safe="*")
    return urlunsplit(SplitResult(parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def redact_url(url: str) -> str:
    """`https://user:pw@host/simple?token=x` -> `https://user:****@host/simple?token=****`."""
    return redact_text(url)


# Every pattern below needs one of these: text without any (most lines of output) is returned as it is, at the cost
# of one search instead of five passes (the sink redacts every line llmenv prints).
_HINT = re.compile(r"@|://|hf_|gh[pousr]_|github_pat_|sk-|glpat-|xox[abpr]-|AKIA|[Bb][Ee][Aa][Rr][Ee][Rr]")


def redact_text(text: str) -> str:
    """Mask URLs' credentials and well-known token shapes anywhere in free text (logs, tool output)."""
    if not _HINT.search(text):
        return text
    text = _mask_userinfo(text)
    text = _BARE.sub(lambda m: f"{m.group(1)}:{MASK}@" if m.group(2) != MASK else m.group(0), text)
    text = _URL.sub(lambda m: _mask_query(m.group(0)), text)
    text = _TOKENS.sub(MASK, text)
    return _BEARER.sub(lambda m: m.group(1) + MASK, text)


def has_secret(text: str) -> bool:
    """Whether printing `text` would need masking (a credential in a URL, a token): such values stay out of argv.

    A password that happens to read `****` masks to itself, so the check runs on a copy with the mask replaced."""
    probe = text.replace(MASK, "x")
    return redact_text(probe) != probe


def redact_data(value: Any) -> Any:
    """Mask every string inside a JSON-like value (a profile view, a report section) before it is printed."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: redact_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_data(v) for v in value]
    return value


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


__all__ = [
    "MASK",
    "Secret",
    "has_secret",
    "redact_data",
    "redact_env_value",
    "redact_text",
    "redact_url",
    "unencoded_userinfo",
]
