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
    # Hook for the mirror set: role -> URL (`imdb`, `huggingface`), searched for real reviews before any fallback.
    mirrors: Mapping[str, str] | None = None


def smoke(
    options: SmokeOptions, on_event: Callable[[dict[str, Any]], None], on_download: Callable[[int, int | None], None]
) -> Any:
    from llmenv.errors import UsageError
    from llmenv.execute.store import EnvStore
    from llmenv.paths import new_log
    from llmenv.profiles.load import load_profile
    from llmenv.verify.smoke.data import prepare
    from llmenv.verify.smoke.runner import run_smoke

    profile_ref = options.profile
    env = options.env
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
    data = prepare(options.data, offline=options.offline, progress=on_download, mirrors=options.mirrors, full=tutorial)
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
    return run_smoke(
        env,
        framework,
        data,
        threshold=threshold,
        budget_s=budget,
        log=new_log("smoke"),
        epochs=epochs,
        model=options.model,
        on_event=on_event,
    )


__all__ = ["SmokeOptions", "smoke"]
