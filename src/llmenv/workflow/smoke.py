"""smoke = which env and profile -> find/prepare the data -> run the payload in the env -> judge accuracy"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmenv.workflow.common import DEFAULT_PROFILE


@dataclass(frozen=True)
class SmokeOptions:
    env: Path | None = None
    profile: str | None = None
    framework: str | None = None
    data: Path | None = None
    epochs: int | None = None
    model: str | None = None
    offline: bool = False


def smoke(
    options: SmokeOptions, on_event: Callable[[dict[str, Any]], None], on_download: Callable[[int, int | None], None]
) -> Any:
    from llmenv.errors import UsageError
    from llmenv.execute.store import EnvStore, check_private, check_store_is_private
    from llmenv.paths import new_log
    from llmenv.profiles.load import load_profile
    from llmenv.verify.smoke.data import prepare
    from llmenv.verify.smoke.runner import run_smoke

    profile_ref = options.profile
    env = options.env
    if env is not None:
        # An env llmenv built lives in a store; one another user owns or can write is refused before its stamp is
        # read or its Python runs (execute/store.py).
        check_store_is_private(EnvStore.at(env))
    if profile_ref is None and env is not None:
        stamp = EnvStore.at(env).stamp()
        if stamp:
            profile_ref = str(stamp.get("profile_source") or stamp.get("profile"))
    profile = load_profile(profile_ref or DEFAULT_PROFILE)
    env = Path(os.path.abspath(env or profile.env))
    framework = options.framework or (profile.smoke.framework if profile.smoke else None)
    if framework is None:
        raise UsageError(
            f"profile {profile.name} has no smoke block",
            where="--framework",
            fix="pass --framework torch, keras or transformers",
        )
    _require_env(env, profile_ref or DEFAULT_PROFILE, options.env is not None)
    threshold = profile.smoke.min_accuracy if profile.smoke else 0.75
    budget = float(profile.smoke.time_budget_s) if profile.smoke else 600.0
    epochs = options.epochs or (profile.smoke.epochs if profile.smoke else None)
    data = prepare(options.data, offline=options.offline, progress=on_download)
    log = new_log("smoke")
    check_private(log.parent, "the log folder", group_may_write=True)
    return run_smoke(
        env,
        framework,
        data,
        threshold=threshold,
        budget_s=budget,
        log=log,
        epochs=epochs,
        model=options.model,
        on_event=on_event,
    )


def _require_env(env: Path, profile: str, given: bool) -> None:
    """No interpreter at the env path: a usage error naming the path, not a crashed run (exit 2)."""
    import shlex

    from llmenv.errors import UsageError
    from llmenv.verify.env import env_python

    python = env_python(env)
    if python.exists():
        return
    what = "no environment" if not env.exists() and not env.is_symlink() else "no Python environment"
    source = "--env" if given else "the profile's default env"
    raise UsageError(
        f"{what} at {env} (looked for {python}; from {source})",
        where=str(env),
        fix=(
            f"create it with `llmenv setup {shlex.quote(profile)} --env {shlex.quote(str(env))}`, "
            "or point --env at an existing environment"
        ),
    )


__all__ = ["SmokeOptions", "smoke"]
