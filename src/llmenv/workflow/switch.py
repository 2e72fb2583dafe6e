"""Switching an env from one profile to another is said, and on a terminal asked, before anything changes.

Why: `setup torch` into the `.venv` of `transformers` used to print only "updating: profile torch changed"; the
person thought their environment was gone. It is not: the old generation stays in the store, and
`llmenv rollback` brings it back. The line says both."""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

from llmenv.errors import UsageError


def switched_from(stamp: dict[str, Any] | None, profile: str) -> str | None:
    """The profile the env holds now, when it is another than `profile` (None: same profile, or no env yet)."""
    old = (stamp or {}).get("profile")
    return old if isinstance(old, str) and old and old != profile else None


def rollback_command(env: str | os.PathLike[str]) -> str:
    """`llmenv rollback`, with `--env` unless the env is the default `.venv` of the working folder."""
    default = os.path.abspath(env) == os.path.abspath(".venv")
    return "llmenv rollback" if default else f"llmenv rollback --env {shlex.quote(str(env))}"


def announce_switch(
    env: str | os.PathLike[str],
    old: str,
    new: str,
    progress: Callable[[str], Any],
    confirm: Callable[[str], bool] | None,
) -> str:
    """Say the switch (and ask first when `confirm` is given: an interactive terminal without --yes). A no is a
    usage error that changed nothing. Returns the line, for the report's list of changes."""
    back = rollback_command(env)
    if confirm is not None and not confirm(f"Switch {env} from {old} to {new}? (`{back}` brings {old} back)"):
        raise UsageError(
            f"switching {env} from {old} to {new} was declined; nothing was changed",
            where="--env",
            fix=f"build {new} in its own env (llmenv setup {new} --env {Path(str(env)).name}-{new}), or answer yes",
        )
    line = f"switching {env} from {old} to {new}; `{back}` brings {old} back"
    progress(line)
    return line


__all__ = ["announce_switch", "rollback_command", "switched_from"]
