"""`llmenv export --format slurm`: the batch script that sets up and checks the same env on every node of a Slurm
job (export/slurm.py renders it). The choices a node cannot make for itself are made here, once: which profile
file, which bundle, which folders (absolute, so the job reads the same files from whatever folder it is submitted
from), which mirror the plan chose; the accelerator stays the profile's (or the one named) because the login node
that exports rarely has the compute nodes' GPUs, and each node's setup decides its own build."""

from __future__ import annotations

import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmenv.errors import UsageError


@dataclass(frozen=True)
class SlurmOptions:
    nodes: int = 1
    bundle: Path | None = None
    env: Path | None = None
    reports: Path | None = None
    partition: str | None = None
    time: str | None = None
    account: str | None = None
    smoke: bool = False


def _absolute(path: Path | None) -> str | None:
    return None if path is None else os.path.abspath(path)


def export_slurm(
    profile_ref: str, accelerator: str | None, python: str | None, options: SlurmOptions, mirror: str | None = None
) -> str:
    """The script's text. The mirror set the plan chose (`--mirror`, LLMENV_MIRROR or the profile's) is written in,
    so every node installs from the same place whatever its submit environment."""
    from llmenv.export.slurm import SlurmJob, render, sbatch_problem
    from llmenv.workflow.artifacts import export_plan

    for option, value in (("--partition", options.partition), ("--time", options.time),
                          ("--account", options.account)):  # fmt: skip
        problem = value is not None and sbatch_problem(option, value)
        if problem:
            raise UsageError(
                f"{option} {value!r} cannot go on an #SBATCH line: {problem}", where=option, fix=f"pass {option} as "
                "Slurm spells it (sinfo and sacctmgr list the names), or leave it out and give it to sbatch"
            )  # fmt: skip
    # From a bundle the nodes install offline: no mirror to ask, none to write.
    profile, _, plan = export_plan(profile_ref, accelerator, python, mirror if options.bundle is None else None)
    mirror = plan.mirrors.requested if options.bundle is None else None
    if mirror and "@" in mirror.partition("://")[2].split("/", 1)[0]:
        raise UsageError(
            "the mirror URL holds credentials, which a batch script would keep in a file others may read",
            where="--mirror",
            fix="define the mirror as a named set in mirrors.yaml (credentials from your netrc or keyring), or "
            "export without --mirror and submit with LLMENV_MIRROR set",
        )
    if options.bundle is not None:
        _check_bundle(options.bundle, profile.name)
        node_profile = None  # the bundle carries its profile and lock
    elif profile.origin == "builtin":
        node_profile = profile_ref
    else:
        node_profile = os.path.abspath(profile.source)  # must lie on a filesystem the nodes see, as the bundle does
    job = SlurmJob(
        profile_name=profile.name,
        profile_ref=node_profile,
        python=sys.executable,
        accelerator=accelerator or profile.accelerator,
        nodes=options.nodes,
        bundle=_absolute(options.bundle),
        env=_absolute(options.env),
        reports=_absolute(options.reports),
        partition=options.partition,
        time=options.time,
        account=options.account,
        mirror=mirror,
        smoke=options.smoke,
    )
    command = shlex.join(["llmenv", "export", profile_ref, "--format", "slurm", "--nodes", str(options.nodes)])
    return render(job, command)


def _check_bundle(bundle: Path, profile: str) -> None:
    """A bundle that is already here must hold the profile asked for; one that is not yet here (made later, or on a
    filesystem only the cluster mounts) is the job's to check, on every node."""
    from llmenv.door import files

    if not os.path.exists(bundle):
        return
    # The door: a regular file (a FIFO or device as --bundle is refused, not waited on), manifest bounded in depth.
    with files.open_regular(bundle, files.BUNDLE) as raw:
        held = _held_profile(raw, str(bundle))
    if isinstance(held, str) and held != profile:
        raise UsageError(
            f"the bundle holds profile {held}, not {profile}",
            where=str(bundle),
            fix=f"llmenv export {held} --format slurm --bundle {bundle}, or make a bundle for {profile}",
        )


def _held_profile(raw: Any, source: str) -> object:
    """The profile a bundle's manifest names, or None when it cannot be read (the job checks it on every node)."""
    import tarfile

    from llmenv.door.jsondoc import answer
    from llmenv.plan.bundle import MANIFEST

    try:
        with tarfile.open(fileobj=raw, mode="r:*") as archive:
            head = archive.next()
            handle = archive.extractfile(head) if head is not None and head.name == MANIFEST else None
            document = answer(handle.read(1 << 20).decode("utf-8", "replace"), source) if handle else None
    except (OSError, tarfile.TarError, EOFError):
        return None
    return document.get("profile") if isinstance(document, dict) else None


__all__ = ["SlurmOptions", "export_slurm"]
