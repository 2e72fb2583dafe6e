"""What Ctrl-C during `llmenv setup` says and leaves: the state before the run (the env as named, its generation,
whether its store existed), a store the run created and left empty removed, and the one-line message. The one
place that handles a setup's interrupt (cli/setup.py only catches it)."""

from __future__ import annotations

import shlex
from pathlib import Path


def state_before(options: object) -> tuple[str, Path | None, bool] | None:
    """(the env as the user named it, its current generation, whether its store existed) before setup starts, for
    what Ctrl-C says and leaves."""
    from llmenv.execute.store import EnvStore
    from llmenv.workflow.common import DEFAULT_PROFILE

    env: Path | None = getattr(options, "env", None)
    try:
        if env is None:
            from llmenv.profiles.load import load_profile

            env = Path(load_profile(getattr(options, "profile", None) or DEFAULT_PROFILE).env)
        store = EnvStore.at(env)
        return str(env), store.current(), store.home.exists() or store.home.is_symlink()
    except Exception:
        return None  # a bad profile or path: setup itself reports it


def drop_store_left_empty(before: tuple[str, Path | None, bool] | None) -> None:
    """Ctrl-C in a first setup: the `<env>.llmenv` store this run created holds no generation; it goes too."""
    from llmenv.execute.store import EnvStore

    if before is not None and not before[2]:
        EnvStore.at(before[0]).remove_if_left_empty()


def interrupted(before: tuple[str, Path | None, bool] | None, in_smoke: bool) -> Exception:
    from llmenv.errors import Interrupted
    from llmenv.execute.store import EnvStore

    if before is None:
        return Interrupted("interrupted; nothing was changed")
    env, generation, _ = before
    now = EnvStore.at(env).current()
    if in_smoke and now is not None and now != generation:
        return Interrupted(
            f"interrupted during the smoke test; {env} is now generation {now.name.removeprefix('gen-')} (installed "
            "and its imports checked; the smoke test did not finish)",
            fix=f"llmenv smoke --env {shlex.quote(env)}",
        )
    if now is None:
        return Interrupted(f"interrupted; {env} is unchanged (no environment there yet)")
    return Interrupted(f"interrupted; {env} is unchanged (still generation {now.name.removeprefix('gen-')})")


__all__ = ["drop_store_left_empty", "interrupted", "state_before"]
