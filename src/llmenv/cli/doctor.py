"""`llmenv doctor` and `llmenv probe`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from llmenv.cli.options import (
    AcceleratorOption,
    EnvOption,
    JsonOption,
    JunitOption,
    MirrorOption,
    OfflineOption,
    RequirePytorchIndexOption,
)


def check_accelerator(value: str | None) -> None:
    from llmenv.errors import UsageError
    from llmenv.profiles.model import ACCELERATORS

    if value is not None and value not in ACCELERATORS:
        from llmenv.suggest import did_you_mean

        raise UsageError(f"unknown accelerator '{value}'", where="--accelerator", fix=did_you_mean(value, ACCELERATORS))


INTERRUPTED = "interrupted; nothing was changed"


@contextmanager
def ends_at_once_on_ctrl_c(as_json: bool) -> Iterator[None]:
    """doctor and probe change nothing, so Ctrl-C ends them at once: one line, exit 130, no traceback.

    A KeyboardInterrupt would first wait for the probe threads (a stalled index holds one for its whole timeout),
    then Typer turns it into a silent exit 130, and interpreter shutdown may print "Exception ignored in
    <module 'threading'>". So the handler writes the line itself and leaves with os._exit: nothing is half-written,
    since neither command writes anything but its report, which is printed only after probing ends."""
    import os
    import signal
    import sys
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread (an embedding caller's worker)
        return

    def stop(signum: int, frame: object) -> None:
        from llmenv.errors import ExitCode, Interrupted, error_document

        try:
            if as_json:
                sys.stdout.write(json.dumps(error_document(Interrupted(INTERRUPTED)), indent=2) + "\n")
            sys.stdout.flush()
        except (OSError, RuntimeError, ValueError):
            pass  # a closed pipe, or the main thread was mid-write: the line on stderr still goes out
        os.write(2, f"{INTERRUPTED}\n".encode())
        os._exit(int(ExitCode.INTERRUPTED))

    previous = signal.signal(signal.SIGINT, stop)
    try:
        yield
    finally:
        # Probe threads stuck past their deadline are abandoned, yet interpreter exit still joins them: while any
        # runs, Ctrl-C must keep ending the process at once (else "Exception ignored in <module 'threading'>").
        if not any(t.name.startswith("ThreadPoolExecutor") and t.is_alive() for t in threading.enumerate()):
            signal.signal(signal.SIGINT, previous)


def doctor(
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile",
            "-p",
            help="Profile to check against (default: with --env, the one the env was built from; else transformers).",
            show_default=False,
        ),
    ] = None,
    env: EnvOption = None,
    accelerator: AcceleratorOption = None,
    offline: OfflineOption = False,
    mirror: MirrorOption = None,
    require_pytorch_index: RequirePytorchIndexOption = False,
    as_json: JsonOption = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Also list passing disk checks.")] = False,
    junit: JunitOption = None,
    no_gpu: Annotated[
        bool, typer.Option("--no-gpu", help="No GPU here by design (a container build): report GPU checks as skipped.")
    ] = False,
) -> None:
    """Diagnose the host (and with --env an environment): each finding has an id, ok/warn/fail, evidence and a fix.

    Exit code 1 when any finding fails, 0 otherwise."""
    from llmenv.report.doctor import doctor_json, print_doctor
    from llmenv.workflow.doctor import doctor as run_doctor

    check_accelerator(accelerator)
    with ends_at_once_on_ctrl_c(as_json):
        report = run_doctor(
            profile,
            env,
            accelerator=accelerator,
            offline=offline,
            no_gpu=no_gpu,
            mirror=mirror,
            require_pytorch_index=require_pytorch_index,
        )
    from llmenv.report.ci import CiReport, publish

    title = f"llmenv doctor (profile {report.profile.name if report.profile else '-'})"
    publish(CiReport("doctor", title, report.findings, report.exit_code, report.seconds), junit, as_json)
    if as_json:
        typer.echo(json.dumps(doctor_json(report), indent=2))
    else:
        print_doctor(report, verbose=verbose)
    raise typer.Exit(report.exit_code)


def probe(as_json: JsonOption = False, offline: OfflineOption = False) -> None:
    """Print host facts only (OS, CPU, Pythons, GPUs, CUDA, disk, pip configuration, index reachability)."""
    from llmenv import __version__
    from llmenv.probe import probe_host
    from llmenv.report.doctor import PROBE_SCHEMA
    from llmenv.report.probe import print_probe

    with ends_at_once_on_ctrl_c(as_json):
        facts = probe_host(offline=offline)
    if as_json:
        from llmenv.report.documents.parts import build
        from llmenv.report.documents.probe import ProbeDocument

        fields = {"schema": PROBE_SCHEMA, "llmenv_version": __version__, "facts": facts.to_dict()}
        typer.echo(json.dumps(build(ProbeDocument, fields), indent=2))
    else:
        print_probe(facts)


__all__ = ["check_accelerator", "doctor", "probe"]
