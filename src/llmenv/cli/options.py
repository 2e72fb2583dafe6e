"""Options shared by several commands."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer

JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON (versioned schema).")]
OfflineOption = Annotated[bool, typer.Option("--offline", help="Do not touch the network (skip index checks).")]
EnvOption = Annotated[
    Path | None, typer.Option("--env", help="Path of an environment to check (imports, pins, GPU).", show_default=False)
]
AcceleratorOption = Annotated[
    str | None,
    typer.Option("--accelerator", help="auto, cpu, cuda, rocm or mps (default: the profile's)", show_default=False),
]


def _check_junit(value: Path | None) -> Path | None:
    from llmenv.cli.outputs import check_output_file

    return check_output_file(value, "--junit")


JunitOption = Annotated[
    Path | None,
    typer.Option(
        "--junit",
        help="Also write a JUnit XML report (one testcase per check) to this file.",
        show_default=False,
        callback=_check_junit,
    ),
]

RequirePytorchIndexOption = Annotated[
    bool,
    typer.Option(
        "--require-pytorch-index",
        help="Never install PyPI's torch build when no PyTorch index or mirror answers (on Linux x86_64 it is a "
        "CUDA build of several GB); stop and name the PyTorch index instead. Profile key: pytorch_index: required.",
    ),
]
MirrorOption = Annotated[
    str | None,
    typer.Option(
        "--mirror",
        help="Mirror set for PyPI, PyTorch wheels, the model hub and Python builds: a name (china, tuna, aliyun, "
        "... or one from <config dir>/mirrors.yaml), auto (probe all, keep what answers) or upstream. "
        "Default: LLMENV_MIRROR, else the profile's `mirror:`.",
        show_default=False,
    ),
]


def check_env_arguments(args: list[str]) -> None:
    """An empty --env would become Path("") == "." (the working folder): refused before any command reads it,
    for every command that takes --env (its value is converted before a Typer callback could tell "" from ".")."""
    from llmenv.door.environ import path_text

    for index, arg in enumerate(args):
        # The door for argv: bytes that are not UTF-8 (a Latin-1 file name) would fail much later, writing a
        # stamp or a log, as an internal error; they are refused here, naming the option they belong to.
        option = arg.split("=", 1)[0] if arg.startswith("-") else (args[index - 1] if index else "argument")
        path_text(arg, option if option.startswith("-") else f"argument {index + 1}")
        if arg == "--":
            return
        empty = arg == "--env=" or (arg == "--env" and index + 1 < len(args) and args[index + 1] == "")
        if empty:
            from llmenv.errors import UsageError

            raise UsageError(
                "--env is empty",
                where="--env",
                fix="give the environment's path, such as --env .venv (or leave --env out for the default)",
            )


def check_lock_timeout(value: float) -> float:
    """A negative timeout makes filelock wait forever and nan never compares: both are refused up front."""
    if not math.isfinite(value) or value < 0:
        from llmenv.errors import UsageError

        raise UsageError(
            f"--lock-timeout {value} is not a usable number of seconds",
            where="--lock-timeout",
            fix="give 0 or more seconds, e.g. --lock-timeout 600 (0: fail at once when another run holds the lock)",
        )
    return value


__all__ = [
    "AcceleratorOption",
    "EnvOption",
    "JsonOption",
    "JunitOption",
    "MirrorOption",
    "OfflineOption",
    "RequirePytorchIndexOption",
    "check_env_arguments",
    "check_lock_timeout",
]
