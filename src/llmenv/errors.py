"""Error types and the one table of exit codes.

Each error class owns its exit code, so a script or CI job can tell "your profile is wrong" (2) from "this host
cannot do it" (3) from "the installer failed" (4) without parsing text. The CLI boundary turns any of them into one
paragraph on stderr; nothing else in llmenv prints errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


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


class InstallError(LlmenvError):
    """Creating the environment or installing into it failed."""

    exit_code = ExitCode.INSTALL_FAILED


class UnsafeStoreError(LlmenvError):
    """An environment store, generation, link, lock, stamp or log that another user owns or can write.

    Running anything from it could run that user's code with the invoking user's rights (root's, on a shared
    machine), so llmenv refuses instead of trusting it."""

    exit_code = ExitCode.UNSAFE_STORE


__all__ = [
    "ExitCode",
    "HostError",
    "InstallError",
    "LlmenvError",
    "ProfileError",
    "ProfileIssue",
    "UnsafeStoreError",
    "UsageError",
]
