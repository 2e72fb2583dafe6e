"""What an installer's failure was, read from its output (uv and pip word the same causes differently), so the
fix text fits the failure: a full disk needs space, not "check the pins"."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class InstallFailure:
    kind: str  # hash | disk-full | permission | clock | network | not-found | unknown
    fix: str


HASH_MISMATCH = re.compile(r"DO NOT MATCH THE HASHES|[Hh]ash mismatch|does not match the expected hash")
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("hash", HASH_MISMATCH),
    ("disk-full", re.compile(r"No space left on device|os error 28|Errno 28|Disk quota exceeded|os error 122")),
    (
        "permission",
        re.compile(r"Permission denied|os error 13|Errno 13|Read-only file system|os error 30|Errno 30"),
    ),
    (
        # A certificate outside its validity dates by this machine's clock: uv (rustls) and pip (OpenSSL) words.
        "clock",
        re.compile(
            r"certificate not valid yet|certificate expired|certificate has expired|certificate is not yet valid|"
            r"CERT_NOT_YET_VALID|CERT_HAS_EXPIRED"
        ),
    ),
    (
        "network",
        re.compile(
            r"dns error|failed to lookup address|Name or service not known|Temporary failure in name resolution|"
            r"Connection refused|Failed to establish a new connection|connection broken|Network is unreachable|"
            r"timed out|CERTIFICATE_VERIFY_FAILED|certificate verify failed|ssl|SSL|ProxyError|407 Proxy",
        ),
    ),
    (
        "not-found",
        re.compile(
            r"No solution found|unsatisfiable|Could not find a version|No matching distribution|"
            r"not found in the package registry|no version of",
        ),
    ),
]


def classify_install_failure(output: str, env: str, doctor: str = "llmenv doctor") -> InstallFailure:
    """The first cause whose words appear in the output, in order of how surely the words name it. `doctor` is the
    whole doctor command for this profile (`llmenv doctor --profile P`), so the fix can be pasted."""
    for kind, pattern in _PATTERNS:
        if pattern.search(output):
            return InstallFailure(kind, _fix(kind, output, env, doctor))
    return InstallFailure(
        "unknown",
        f"check the pins and that the indexes serve them (`{doctor}` checks reachability); "
        "the previous environment is unchanged",
    )


def _fix(kind: str, output: str, env: str, doctor: str = "llmenv doctor") -> str:
    unchanged = "the previous environment is unchanged"
    if kind == "hash":
        return (
            "a downloaded file's sha256 differs from the hash the requirements name: the lock was edited, or the "
            f"index serves other bytes; make the lock again with `llmenv lock`; {unchanged}"
        )
    if kind == "disk-full":
        return f"free space on the disk holding {env} (and the installer's cache), then run setup again; {unchanged}"
    if kind == "permission":
        read_only = "Read-only" in output or "os error 30" in output or "Errno 30" in output
        what = "the file system is read-only" if read_only else "permission was denied"
        return (
            f"{what}: use an --env in a folder you can write to, or fix the permissions of {env}'s folder "
            f"and the installer's cache; {unchanged}"
        )
    if kind == "clock":
        return (
            "the index's TLS certificate is not yet valid or has expired by this machine's clock: check the system "
            "clock (`date -u`; `sudo timedatectl set-ntp true`, or `w32tm /resync` on Windows), not the CA bundle; "
            f"if the clock is right, the index's certificate really expired; {unchanged}"
        )
    if kind == "network":
        cert = "certificate" in output.lower() or "ssl" in output.lower()
        hint = "the index's TLS certificate (pip's `cert` setting, SSL_CERT_FILE)" if cert else "the network path"
        return (
            f"the package index could not be reached: check {hint}, the proxy (HTTPS_PROXY) and the index URL "
            f"(`{doctor}` checks reachability), or use --offline with a local wheelhouse; {unchanged}"
        )
    return (
        "check the pins (a version the index does not serve?) and that the indexes serve them "
        f"(`{doctor}` checks reachability); {unchanged}"
    )


__all__ = ["HASH_MISMATCH", "InstallFailure", "classify_install_failure"]
