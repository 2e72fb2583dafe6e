"""Error types and the one table of exit codes.

Each error class owns its exit code, so a script or CI job can tell "your profile is wrong" (2) from "this host
cannot do it" (3) from "the installer failed" (4) without parsing text. The CLI boundary turns any of them into one
paragraph on stderr; nothing else in llmenv prints errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any


class ExitCode(IntEnum):
    """Process exit codes; README.md documents this same table."""

    OK = 0
    CHECKS_FAILED = 1
    USAGE = 2
    HOST_UNSUITABLE = 3
    INSTALL_FAILED = 4
    UNSAFE_STORE = 5
    INTERNAL = 70
    INTERRUPTED = 130


class LlmenvError(Exception):
    """An expected failure: says what went wrong, where, and how to fix it."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, what: str, *, where: str | None = None, fix: str | None = None) -> None:
        super().__init__(what)
        self.what = what
        self.where = where
        self.fix = fix

    def __str__(self) -> str:
        return self.render()

    def render(self) -> str:
        """The paragraph the CLI prints: location first, as compilers do, so editors can jump to it."""
        text = f"{self.where}: {self.what}" if self.where else self.what
        if self.fix:
            text = f"{text}\nFix: {self.fix}"
        return text


class UsageError(LlmenvError):
    """A command-line value that cannot work (an unknown profile name, a conflicting option)."""

    exit_code = ExitCode.USAGE


@dataclass(frozen=True)
class ProfileIssue:
    """One problem in one profile file, located to the line so the message can say file:line."""

    file: str
    line: int | None
    key: str
    message: str
    fix: str | None = None

    def render(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        key = f" at '{self.key}'" if self.key else ""
        text = f"{where}:{key} {self.message}"
        return f"{text}; {self.fix}" if self.fix else text


class ProfileError(LlmenvError):
    """A profile that cannot be loaded; carries every problem found, not just the first."""

    exit_code = ExitCode.USAGE

    def __init__(self, issues: list[ProfileIssue]) -> None:
        self.issues = tuple(issues)
        first = issues[0]
        what = (
            f"profile {first.file} is invalid"
            if len(issues) == 1
            else f"profile {first.file} has {len(issues)} problems"
        )
        super().__init__(what, fix="correct the profile and check it with `llmenv profiles validate FILE`")

    def render(self) -> str:
        lines = [f"{self.what}:"] + [f"  - {issue.render()}" for issue in self.issues]
        lines.append(f"Fix: {self.fix}")
        return "\n".join(lines)


class HostError(LlmenvError):
    """The host cannot satisfy the request (no suitable Python, unsupported platform)."""

    exit_code = ExitCode.HOST_UNSUITABLE


class BundleError(LlmenvError):
    """A bundle that is damaged, altered or not a bundle: refused before anything is installed (exit 2)."""

    exit_code = ExitCode.USAGE


class InstallError(LlmenvError):
    """Creating the environment or installing into it failed."""

    exit_code = ExitCode.INSTALL_FAILED


class Interrupted(LlmenvError):
    """Ctrl-C: not a failure of anything, so the CLI prints the message (what state the env is in) without "error:"."""

    exit_code = ExitCode.INTERRUPTED


class ChecksFailed(LlmenvError):
    """The new generation installed but failed its checks: it is not swapped in."""

    exit_code = ExitCode.CHECKS_FAILED


class LockTimeout(LlmenvError):
    """Another llmenv run held the env's lock for longer than --lock-timeout."""

    exit_code = ExitCode.USAGE


class DataError(UsageError):
    """Bad or unreadable smoke-test data given by the user: exit 2 with the path."""


class DownloadError(LlmenvError):
    """A dataset download that failed or did not verify: the host cannot reach or check the data."""

    exit_code = ExitCode.HOST_UNSUITABLE


class InputError(UsageError):
    """Input from outside (a file, a stream, an environment value) that is not what it must be: not a regular file,
    too large, not UTF-8, not valid JSON/YAML, nested too deep, or of the wrong type. Exit 2, located as precisely
    as the input allows (file:line and key). Built by `llmenv.door`, the one place input comes in."""

    def __init__(
        self,
        what: str,
        *,
        file: str,
        line: int | None = None,
        key: str = "",
        fix: str | None = None,
    ) -> None:
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"at '{key}': {what}" if key else what, where=where, fix=fix)
        self.file, self.line, self.key, self.message = file, line, key, what


class NotRegularFile(OSError):
    """A path that is a FIFO, socket, device or folder: reading it could block forever or never end. An OSError
    (not an LlmenvError) so readers catch it with the other file-system refusals and say where it was."""


class ForeignOutput(OSError):
    """An output name where another user put a link or a file first (a shared folder like /tmp): writing through it
    would let them choose what root overwrites, or edit what llmenv wrote. An OSError so the output paths refuse it
    with the other file-system refusals (a usage error naming the option)."""


class FileSystemError(HostError):
    """The file system refused a read or write: a full disk, a read-only mount, missing permission, a name too
    long. It is the host's state, not a bug in llmenv, so it gets exit 3 and a fix for that cause."""


def short_path(path: object, limit: int = 120) -> str:
    """A path shortened in the middle for messages: a 4 KB path must not fill the terminal."""
    text = str(path)
    if len(text) <= limit:
        return text
    keep = (limit - 3) // 2
    return f"{text[:keep]}...{text[-keep:]}"


_ERRNO_REASONS = {
    "ENOSPC": ("the disk is full (no space left on the device)", "free space on that disk, or use a path on another"),
    "EDQUOT": ("the disk quota is exhausted", "free space within your quota, or use a path on another disk"),
    "EROFS": ("the file system is read-only", "use a path on a writable file system, or remount it read-write"),
    "EACCES": ("permission denied", "use a folder you can write to, or ask its owner for write permission"),
    "EPERM": ("the operation is not permitted", "use a folder you own"),
    "ENAMETOOLONG": ("the name is too long for the file system", "use a shorter path (each name under 255 bytes)"),
    "EISDIR": ("it is a folder, not a file", "give a file path, not a folder"),
    "ENOTDIR": ("a part of the path is a file, not a folder", "give a path whose parents are all folders"),
    "ENOENT": ("a folder on the way does not exist", "create the folder first, or give an existing path"),
    "EEXIST": ("something already exists there", "move it away or choose another path"),
    "ELOOP": ("the path has too many symbolic links (a loop?)", "resolve the links or choose another path"),
}


def os_error_reason(exc: OSError) -> tuple[str, str]:
    """(what the error means, how to fix it) for an OSError, by errno, so every message fits its cause."""
    import errno

    if isinstance(exc, ForeignOutput):
        return exc.strerror or "", "choose a name in a folder only you can write, or remove it as its owner"
    name = errno.errorcode.get(exc.errno or 0, "")
    if name in _ERRNO_REASONS:
        return _ERRNO_REASONS[name]
    return (exc.strerror or type(exc).__name__, "check the path and the disk it is on")


def file_system_error(exc: OSError, doing: str = "", where: str | None = None) -> FileSystemError:
    """Turn an OSError from the file system into one located paragraph with a fix for that cause."""
    reason, fix = os_error_reason(exc)
    path = short_path(exc.filename) if exc.filename else None
    action = f"{doing} " if doing else ""
    what = f"cannot {action}{path}: {reason}" if path else f"cannot {action.strip() or 'continue'}: {reason}"
    return FileSystemError(what, where=where, fix=fix)


def output_error(exc: OSError, path: object, option: str) -> LlmenvError:
    """An output file given on the command line that cannot be written: a usage error naming the option; a full
    disk or exhausted quota is the host's state (exit 3, as everywhere else), not a wrong option."""
    import errno

    reason, fix = os_error_reason(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return FileSystemError(f"cannot write {short_path(path)}: {reason}", where=option, fix=fix)
    return UsageError(f"cannot write {short_path(path)}: {reason}", where=option, fix=f"{fix} (for {option})")


def error_document(exc: LlmenvError) -> dict[str, object]:
    """The JSON that `--json` prints on stdout when a command fails, so scripts never get an empty stdout."""
    error: dict[str, object] = {"type": type(exc).__name__, "message": exc.what, "where": exc.where, "fix": exc.fix}
    if isinstance(exc, ProfileError):
        error["issues"] = [
            {"file": i.file, "line": i.line, "key": i.key, "message": i.message, "fix": i.fix} for i in exc.issues
        ]
    return {"schema": "llmenv.error/1", "status": "error", "exit_code": int(exc.exit_code), "error": error}


class UntrustedPath(ValueError):
    """`llmenv.trust.open_trusted`'s refusal: `found` (a `llmenv.trust.Untrusted`) names the component that failed
    the ownership rule. Callers turn it into `UnsafeStoreError`."""

    def __init__(self, found: Any) -> None:
        super().__init__(found.sentence("the path"))
        self.found = found


class UnsafeStoreError(LlmenvError):
    """An environment store, generation, link, lock, stamp, log, cache, unpacked bundle or program on PATH that
    another user owns or can write (the ownership rule of `llmenv.trust`).

    Running anything from it could run that user's code with the invoking user's rights (root's, on a shared
    machine), so llmenv refuses instead of trusting it."""

    exit_code = ExitCode.UNSAFE_STORE


__all__ = [
    "BundleError",
    "ExitCode",
    "FileSystemError",
    "ForeignOutput",
    "HostError",
    "InputError",
    "InstallError",
    "Interrupted",
    "LlmenvError",
    "ProfileError",
    "ProfileIssue",
    "UnsafeStoreError",
    "UntrustedPath",
    "UsageError",
    "error_document",
    "file_system_error",
    "os_error_reason",
    "output_error",
    "short_path",
]
