"""`llmenv smoke`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from llmenv.cli.options import JsonOption, JunitOption, MirrorOption, OfflineOption

FRAMEWORKS = ("torch", "keras", "transformers", "finetune")


def smoke(
    env: Annotated[
        Path | None,
        typer.Option("--env", help="Environment to test (default: the profile's env, .venv).", show_default=False),
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile",
            "-p",
            help="Profile giving the framework and threshold (default: the env's own).",
            show_default=False,
        ),
    ] = None,
    framework: Annotated[
        str | None,
        typer.Option(
            "--framework",
            help="torch, keras, transformers or finetune (pre-training, then LoRA; default: the profile's).",
            show_default=False,
        ),
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data", help="aclImdb folder or .tar.gz, a CSV (text,label) or Keras imdb.npz.", show_default=False
        ),
    ] = None,
    epochs: Annotated[
        int | None, typer.Option("--epochs", min=1, help="Training epochs (default: the model's).", show_default=False)
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            help="transformers: a local path or hub id to fine-tune instead of the small BERT; keras: `tutorial` "
            "runs the tutorial's own model and protocol (10 epochs, full IMDB when found) beside its 0.7947.",
            show_default=False,
        ),
    ] = None,
    tensorboard: Annotated[
        Path | None,
        typer.Option(
            "--tensorboard",
            help="Write loss and accuracy per epoch here as TensorBoard event files (view: tensorboard --logdir).",
            show_default=False,
        ),
    ] = None,
    offline: OfflineOption = False,
    mirror: MirrorOption = None,
    as_json: JsonOption = False,
    junit: JunitOption = None,
) -> None:
    """Train and evaluate the IMDB sentiment model inside an environment; exit 1 below the profile's accuracy bar."""
    from llmenv.errors import UsageError
    from llmenv.report.live import LiveDisplay
    from llmenv.report.smoke import print_smoke, smoke_json
    from llmenv.suggest import did_you_mean
    from llmenv.workflow.smoke import SmokeOptions
    from llmenv.workflow.smoke import smoke as run_smoke

    if framework is not None and framework not in FRAMEWORKS:
        raise UsageError(
            f"unknown framework '{framework}'", where="--framework", fix=did_you_mean(framework, FRAMEWORKS)
        )
    display = LiveDisplay(quiet=as_json)
    where = env if env is not None else "the env of the profile (or .venv)"
    display(f"running the IMDB smoke test in {where}")
    try:
        result = run_smoke(
            SmokeOptions(
                env=env,
                profile=profile,
                framework=framework,
                data=data,
                epochs=epochs,
                model=model,
                offline=offline,
                mirror=mirror,
                tensorboard=tensorboard,
            ),
            display.event,
            display.download,
        )
    except KeyboardInterrupt:
        display.close(interrupted=True)
        from llmenv.errors import Interrupted

        raise Interrupted(f"interrupted; {env} is unchanged (the smoke test writes nothing into it)") from None
    except BaseException:
        display.close(failed=True)
        raise
    display.close(failed=not result.passed)
    from llmenv.report.ci import CiReport, publish

    seconds = float((result.result or {}).get("wall_s", 0.0))
    exit_code = 0 if result.passed else 1
    publish(
        CiReport("smoke", f"llmenv smoke ({result.framework})", [result.finding()], exit_code, seconds), junit, as_json
    )
    if as_json:
        typer.echo(json.dumps(smoke_json(result), indent=2))
    else:
        print_smoke(result)
    raise typer.Exit(0 if result.passed else 1)


__all__ = ["smoke"]
