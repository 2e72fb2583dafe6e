"""rollback = check the store -> lock -> switch the link to the generation before (or --to N); what Ctrl-C in a
setup says and leaves. Store logic, not CLI: the commands in cli/ only parse and print."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from pathlib import Path

from llmenv.errors import UsageError
from llmenv.execute.store import EnvStore


def rollback(env: Path, to: int | None, lock_timeout: float, on_wait: Callable[[], None]) -> Path:
    """The generation the env now points at. UsageError naming the kept generations when there is none to go to."""
    store = EnvStore.at(env)
    store.check_path()
    store.check_ownership()
    if not store.home.is_dir():
        # Checked before locking: the lock would create `<env>.llmenv/` for a path that was only a typo.
        raise UsageError(
            f"{env} is not an environment llmenv made (there is no {store.home.name} beside it)",
            where=str(env),
            fix=rollback_fix(store, env),
        )
    with store.locked(lock_timeout, on_wait=on_wait):
        target = store.previous() if to is None else store.committed(to)
        if target is None:
            raise _no_target(store, env, to)
        store.switch_to(target)
    return target


def rollback_fix(store: object, env: Path) -> str:
    """Nothing older to go back to: the fix is building the env (again), with the command in full."""
    from llmenv.verify.env.fixes import stamp_profile_ref

    stamp = store.stamp() if hasattr(store, "stamp") else None
    if not stamp:
        return f"there is no environment at {env} yet; build one: llmenv setup --env {shlex.quote(str(env))}"
    profile = stamp_profile_ref(stamp) or ""
    return (
        f"only one generation exists; to rebuild it from scratch: llmenv setup {shlex.quote(profile)} "
        f"--env {shlex.quote(str(env))} --force"
    )


def _no_target(store: EnvStore, env: Path, to: int | None) -> Exception:
    """Which generations exist, and the command that reaches one of them (or rebuilds when there is no other)."""
    current = store.current()
    kept = store.committed_generations()
    names = ", ".join(g.name[4:] + (" (current)" if g == current else "") for g in kept) or "none"
    others = [g for g in kept if g != current]
    fix = (
        f"llmenv rollback --env {shlex.quote(str(env))} --to {others[-1].name[4:]}"
        if others
        else rollback_fix(store, env)
    )
    if to is not None:
        what = f"{env} has no generation {to} to switch to (generations kept: {names})"
    elif others:
        what = (
            f"{env} is at its oldest kept generation, so there is no previous one to roll back to; rollback goes to "
            f"the generation before the current one by number (generations kept: {names})"
        )
    else:
        what = f"{env} has no previous generation to roll back to (one is kept after each successful update)"
    return UsageError(what, where=str(env), fix=fix)


__all__ = ["rollback", "rollback_fix"]
