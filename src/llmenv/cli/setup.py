"""`llmenv setup` and `llmenv rollback`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from llmenv.cli.options import (
    AcceleratorOption,
    JsonOption,
    JunitOption,
    MirrorOption,
    OfflineOption,
    RequirePytorchIndexOption,
    check_lock_timeout,
)
from llmenv.workflow.interrupt import drop_store_left_empty, interrupted, state_before

BACKENDS = ("auto", "uv", "pip")
SMOKE_PHASE = "running the IMDB smoke test"  # the phase name workflow/setup.py gives the smoke test


def setup(
    profile: Annotated[
        str | None, typer.Argument(help="Profile name or YAML path (default: transformers).", show_default=False)
    ] = None,
    env: Annotated[
        Path | None,
        typer.Option("--env", help="Environment path (default: the profile's `env`, .venv).", show_default=False),
    ] = None,
    python: Annotated[
        str | None,
        typer.Option("--python", help="Interpreter path or version (3.12) to build with.", show_default=False),
    ] = None,
    accelerator: AcceleratorOption = None,
    backend: Annotated[str, typer.Option("--backend", help="auto (uv when available), uv or pip.")] = "auto",
    offline: OfflineOption = False,
    mirror: MirrorOption = None,
    require_pytorch_index: RequirePytorchIndexOption = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Install a managed CPython without asking when none fits.")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan and change nothing.")] = False,
    skip_smoke: Annotated[bool, typer.Option("--skip-smoke", help="Do not run the IMDB smoke test.")] = False,
    smoke: Annotated[
        bool,
        typer.Option("--smoke", help="Run the smoke test again, even if this environment passed it before."),
    ] = False,
    jupyter: Annotated[
        bool,
        typer.Option(
            "--jupyter", help="Install ipykernel and register a Jupyter kernel named after the env (JUPYTER_DATA_DIR)."
        ),
    ] = False,
    data: Annotated[
        Path | None,
        typer.Option("--data", help="IMDB data for the smoke test (see `llmenv smoke --help`).", show_default=False),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even when the environment is up to date.")] = False,
    lock_timeout: Annotated[
        float, typer.Option("--lock-timeout", help="Seconds to wait for another setup of the same env.")
    ] = 600.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress lines.")] = False,
    shell: Annotated[
        str | None,
        typer.Option(
            "--shell",
            help="Print how to activate the env in bash, zsh, fish, powershell or cmd (default: detected).",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
    junit: JunitOption = None,
    bundle: Annotated[
        Path | None,
        typer.Option(
            "--bundle",
            help="Set up with no network from a bundle made by `llmenv bundle` (profile from the bundle unless one "
            "is given); every member is checked against its manifest first.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Create or update a verified environment for a profile: plan, create the venv, install, check, swap in.

    Idempotent (a re-run with nothing changed does nothing) and atomic (the env path keeps pointing at the
    previous working environment until the new one has passed its checks)."""
    from llmenv.cli.doctor import check_accelerator
    from llmenv.errors import UsageError
    from llmenv.process import stall_timeout
    from llmenv.report.activation import SHELLS
    from llmenv.report.live import LiveDisplay
    from llmenv.report.setup import print_plan, print_setup, print_usage, setup_json
    from llmenv.report.smoke import print_smoke
    from llmenv.suggest import did_you_mean
    from llmenv.workflow.common import SetupOptions
    from llmenv.workflow.setup import setup as run_setup

    check_accelerator(accelerator)
    check_lock_timeout(lock_timeout)
    stall_timeout()  # a bad LLMENV_STALL_TIMEOUT is a usage error now, not after the venv is built
    if backend not in BACKENDS:
        raise UsageError(f"unknown backend '{backend}'", where="--backend", fix=did_you_mean(backend, BACKENDS))
    if smoke and skip_smoke:
        raise UsageError("--smoke and --skip-smoke contradict each other", where="--smoke", fix="give one of them")
    if shell is not None and shell not in SHELLS:
        raise UsageError(f"unknown shell '{shell}'", where="--shell", fix=did_you_mean(shell, SHELLS))
    options = SetupOptions(
        profile=profile,
        env=env,
        python=python,
        accelerator=accelerator,
        backend=backend,
        offline=offline,
        dry_run=dry_run,
        force=force,
        lock_timeout=lock_timeout,
        skip_smoke=skip_smoke,
        smoke=smoke,
        data=data,
        mirror=mirror,
        require_pytorch_index=require_pytorch_index,
        jupyter=jupyter,
        confirm=_confirm if not yes and not as_json and sys.stdin.isatty() and sys.stdout.isatty() else None,
    )
    if bundle is not None:
        from llmenv.workflow.bundle import setup_from_bundle

        say = (lambda line: None) if quiet or as_json else (lambda line: typer.echo(f"-> {line}", err=True))
        options, _ = setup_from_bundle(bundle, options, say)
    display = LiveDisplay(quiet=quiet or as_json)
    before = state_before(options)
    try:
        report = run_setup(options, display, (display.event, display.download))
    except KeyboardInterrupt:
        display.close(interrupted=True)
        drop_store_left_empty(before)
        raise interrupted(before, display.last_phase == SMOKE_PHASE) from None
    except BaseException:
        display.close(failed=True)
        raise
    display.close(failed=report.smoke is not None and not report.smoke.passed)
    if report.status != "planned":
        from llmenv.report.ci import CiReport, publish

        findings = [*report.findings, *([report.smoke.finding()] if report.smoke is not None else [])]
        title = f"llmenv setup {report.plan.profile} -> {report.env}: {report.status}"
        publish(CiReport("setup", title, findings, report.exit_code, report.seconds), junit, as_json)
    if as_json:
        typer.echo(json.dumps(setup_json(report), indent=2))
    elif report.status == "planned":
        print_plan(report.plan)
    else:
        print_setup(report)
        if report.smoke is not None:
            print_smoke(report.smoke)
        if report.exit_code == 0:
            print_usage(report, shell)
    raise typer.Exit(report.exit_code)


def _confirm(question: str) -> bool:
    return bool(typer.confirm(question, default=True))


def rollback(
    env: Annotated[Path, typer.Option("--env", help="Environment path.")] = Path(".venv"),
    to: Annotated[
        int | None,
        typer.Option(
            "--to",
            help="Generation number to switch to (default: the one before the current, by number).",
            show_default=False,
        ),
    ] = None,
    lock_timeout: Annotated[
        float, typer.Option("--lock-timeout", help="Seconds to wait for a setup of the same env to finish.")
    ] = 60.0,
) -> None:
    """Point the environment back at the generation before the current one (by number), or at --to N.

    Rollback never goes "back" to a newer generation by itself: after gen-4 -> gen-1, a second rollback has
    nothing older and says so, naming the kept generations and the `--to` command that returns to gen-4."""
    from llmenv.report.console import print_notice
    from llmenv.workflow.rollback import rollback as run_rollback

    check_lock_timeout(lock_timeout)

    def waiting() -> None:
        print_notice(f"waiting up to {lock_timeout:g} s: another llmenv run holds the lock of {env}")

    target = run_rollback(env, to, lock_timeout, waiting)
    typer.echo(f"{env} -> {target}")


__all__ = ["rollback", "setup"]
