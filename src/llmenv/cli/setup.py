"""`llmenv setup` and `llmenv rollback`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from llmenv.cli.options import AcceleratorOption, JsonOption, JunitOption, OfflineOption, check_lock_timeout

BACKENDS = ("auto", "uv", "pip")


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
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan and change nothing.")] = False,
    skip_smoke: Annotated[bool, typer.Option("--skip-smoke", help="Do not run the IMDB smoke test.")] = False,
    data: Annotated[
        Path | None,
        typer.Option("--data", help="IMDB data for the smoke test (see `llmenv smoke --help`).", show_default=False),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even when the environment is up to date.")] = False,
    lock_timeout: Annotated[
        float, typer.Option("--lock-timeout", help="Seconds to wait for another setup of the same env.")
    ] = 600.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress lines.")] = False,
    as_json: JsonOption = False,
    junit: JunitOption = None,
) -> None:
    """Create or update a verified environment for a profile: plan, create the venv, install, check, swap in.

    Idempotent (a re-run with nothing changed does nothing) and atomic (the env path keeps pointing at the
    previous working environment until the new one has passed its checks)."""
    from llmenv.cli.doctor import check_accelerator
    from llmenv.errors import UsageError
    from llmenv.process import stall_timeout
    from llmenv.report.setup import Progress, print_plan, print_setup, setup_json
    from llmenv.report.smoke import SmokeProgress, print_smoke
    from llmenv.workflow import SetupOptions
    from llmenv.workflow import setup as run_setup

    check_accelerator(accelerator)
    check_lock_timeout(lock_timeout)
    stall_timeout()  # a bad LLMENV_STALL_TIMEOUT is a usage error now, not after the venv is built
    if backend not in BACKENDS:
        raise UsageError(f"unknown backend '{backend}'", where="--backend", fix="use auto, uv or pip")
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
        data=data,
    )
    progress = Progress(quiet=quiet or as_json)
    smoke_progress = SmokeProgress(quiet=quiet or as_json)
    try:
        report = run_setup(options, progress, (smoke_progress.event, smoke_progress.download))
    except BaseException:
        progress.close(failed=True)
        raise
    progress.close()
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
    raise typer.Exit(report.exit_code)


def rollback(
    env: Annotated[Path, typer.Option("--env", help="Environment path.")] = Path(".venv"),
    lock_timeout: Annotated[
        float, typer.Option("--lock-timeout", help="Seconds to wait for a setup of the same env to finish.")
    ] = 60.0,
) -> None:
    """Point the environment back at its previous generation (kept by every successful setup)."""
    from llmenv.errors import UsageError
    from llmenv.execute.store import EnvStore
    from llmenv.report.console import print_notice

    check_lock_timeout(lock_timeout)
    store = EnvStore.at(env)
    store.check_ownership()

    def waiting() -> None:
        print_notice(f"waiting up to {lock_timeout:g} s: another llmenv run holds the lock of {env}")

    with store.locked(lock_timeout, on_wait=waiting):
        previous = store.previous()
        if previous is None:
            raise UsageError(f"{env} has no previous generation to roll back to", where=str(env))
        store.switch_to(previous)
    typer.echo(f"{env} -> {previous}")


__all__ = ["rollback", "setup"]
