"""smoke = which env and profile -> find/prepare the data -> run the payload in the env -> judge accuracy"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
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
    mirror: str | None = None  # its huggingface role becomes HF_ENDPOINT
    tensorboard: Path | None = None  # where the payload writes TensorBoard event files
    # Hook for the mirror set: role -> URL (`imdb`, `huggingface`), searched for real reviews before any fallback.
    mirrors: Mapping[str, str] | None = None


def smoke(
    options: SmokeOptions, on_event: Callable[[dict[str, Any]], None], on_download: Callable[[int, int | None], None]
) -> Any:
    from llmenv.errors import UsageError
    from llmenv.execute.store import EnvStore, check_store_is_private
    from llmenv.paths import new_log
    from llmenv.profiles.load import load_profile
    from llmenv.trust.private import check_log_folder
    from llmenv.verify.smoke.data import prepare
    from llmenv.verify.smoke.runner import run_smoke

    profile_ref = options.profile
    env = options.env
    if env is not None:
        # An env llmenv built lives in a store; one another user owns or can write is refused before its stamp is
        # read or its Python runs (execute/store.py).
        check_store_is_private(EnvStore.at(env))
        from llmenv.trust import require_private_env

        require_private_env(env)  # its Python runs next: nothing in it another user could have changed
    if profile_ref is None and env is not None:
        from llmenv.workflow.doctor import stamp_profile

        profile_ref = stamp_profile(env)  # as doctor --env reads it: the env's own copy once the file is gone
    profile = load_profile(profile_ref or DEFAULT_PROFILE)
    env = Path(os.path.abspath(env or profile.env))
    framework = options.framework or (profile.smoke.framework if profile.smoke else None)
    if framework is None:
        raise UsageError(
            f"profile {profile.name} has no smoke block",
            where="--framework",
            fix="pass --framework torch, keras, transformers or finetune",
        )
    threshold = profile.smoke.min_accuracy if profile.smoke else 0.75
    budget = float(profile.smoke.time_budget_s) if profile.smoke else 600.0
    epochs = options.epochs or (profile.smoke.epochs if profile.smoke else None)
    tutorial = options.model == "tutorial"
    if tutorial and framework != "keras":
        raise UsageError(
            "--model tutorial is the Keras tutorial's own model",
            where="--model",
            fix=f"run `llmenv smoke --env {env} --framework keras --model tutorial` in an env with TensorFlow "
            "(profile tf)",
        )
    if tutorial:
        epochs = options.epochs or 10  # the tutorial's protocol, not the profile's quick check
    if options.data is not None:
        from llmenv.verify.smoke.data import check_data_path

        check_data_path(options.data)
    _require_env(env, profile_ref or DEFAULT_PROFILE, options.env is not None)
    recorded = EnvStore.at(env).typed_stamp() if env.is_symlink() else None
    remembered = recorded.mirror.name if recorded is not None and recorded.mirror is not None else None
    extra_env, imdb_url = _hub_env(options, profile, remembered)
    roles = dict(options.mirrors or {})
    if imdb_url:
        roles.setdefault("imdb", imdb_url)
    if extra_env.get("HF_ENDPOINT"):
        roles.setdefault("huggingface", extra_env["HF_ENDPOINT"])
    given = options.data
    if given is None:  # the --data a setup of this env was given, remembered in its generation
        from llmenv.workflow.smoke_memory import data_to_use, recall

        given, _ = data_to_use(None, recall(EnvStore.at(env).current()))
    data = prepare(given, offline=options.offline, progress=on_download, mirrors=roles, full=tutorial)
    on_event(
        {
            "event": "data",
            "source": data.source,
            "synthetic": data.synthetic,
            "train": data.train_size,
            "test": data.test_size,
            "notes": list(data.notes),
        }
    )
    from llmenv.verify.smoke.budget import calibrate, fit_budget

    fitted = fit_budget(budget, calibrate())  # a busy or slow machine gets more time, never a lower bar
    if fitted.note:
        on_event({"event": "budget", "text": fitted.note, "seconds": fitted.seconds, "factor": fitted.factor})
    budget = fitted.seconds
    log = new_log("smoke")
    check_log_folder(log.parent)
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
        extra_env=extra_env,
        rerun=_rerun(options, env, profile_ref or DEFAULT_PROFILE, profile),
        tensorboard=Path(os.path.abspath(options.tensorboard)) if options.tensorboard is not None else None,
    )


def _rerun(options: SmokeOptions, env: Path, profile_ref: str, profile: Any) -> Any:
    """The user's command, whole, for a fix to give back (a time-out's: the same run with fewer epochs)."""
    from llmenv.verify.smoke.runner import Rerun

    argv = ["llmenv", "smoke", "--env", str(options.env or env), "--profile", profile_ref]
    for flag, value in (("--framework", options.framework), ("--model", options.model), ("--mirror", options.mirror)):
        if value:
            argv += [flag, value]
    if options.data is not None:
        argv += ["--data", str(options.data)]
    if options.offline:
        argv.append("--offline")
    return Rerun(tuple(argv), profile.name, None if profile.origin == "builtin" else profile.source)


def _command(options: SmokeOptions) -> str:
    import shlex

    parts = ["llmenv", "smoke", "--model", str(options.model)]
    for flag, value in (("--env", options.env), ("--profile", options.profile), ("--framework", options.framework)):
        if value is not None:
            parts += [flag, str(value)]
    if options.data is not None:
        parts += ["--data", str(options.data)]
    return shlex.join(parts)


def _hub_env(options: SmokeOptions, profile: Any, remembered: str | None = None) -> tuple[dict[str, str], str | None]:
    """HF_ENDPOINT and the IMDB URL from the mirror set (--mirror, LLMENV_MIRROR, the set the env's stamp recorded,
    the profile's); with --model a hub id, check the hub answers first."""
    from llmenv.mirrors.resolve import requested, resolve_sources
    from llmenv.workflow.hub import cached, check_hub, endpoint, is_hub_id

    needs_hub = bool(options.model and is_hub_id(options.model))
    roles = (("huggingface",) if needs_hub else ()) + (("imdb",) if options.data is None else ())
    request = requested(options.mirror, profile, remembered if remembered and "://" not in remembered else None)
    mirrors = resolve_sources(request, profile, None, roles, probe=request.name == "auto", offline=options.offline).plan
    url, source = endpoint(mirrors)
    env = {"HF_ENDPOINT": url} if source != "default" else {}
    if source.startswith("mirror set") and "HF_HUB_DISABLE_XET" not in os.environ:
        env["HF_HUB_DISABLE_XET"] = "1"  # the Xet transfer path can bypass HF_ENDPOINT (unslothai/unsloth#1353)
    model = options.model
    if model and is_hub_id(model) and not options.offline:
        if cached(model):
            env["HF_HUB_OFFLINE"] = "1"
        else:
            check_hub(model, url, source, _command(options))
    return env, mirrors.url("imdb")


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
