"""Things made from a plan rather than an environment: hashed locks, exports, CI cache keys."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from llmenv import __version__
from llmenv.probe import probe_host
from llmenv.workflow.common import SetupOptions, plan_for, with_lock


def cache_key(profile_ref: str, accelerator: str | None, python: str | None) -> tuple[str, dict[str, Any]]:
    """Hash of everything that makes setup build a different env: the same inputs as the stamp's key, plus the
    platform, so a CI cache never restores an env built for another OS, libc or CPU."""
    import hashlib

    from packaging.specifiers import SpecifierSet

    from llmenv.profiles.load import load_profile

    profile = load_profile(profile_ref)
    facts = probe_host(offline=True, python=SpecifierSet(profile.python), for_setup=True)
    options = SetupOptions(profile=profile_ref, python=python, accelerator=accelerator)
    plan = with_lock(plan_for(profile, facts, options, Path(profile.env), reachable={}), profile, facts)
    system = facts.system.value
    platform = (
        f"{system.os}-{system.machine}-{system.libc or 'nolibc'}{system.libc_version or ''}".lower()
        if system
        else "unknown"
    )
    minor = "".join(plan.python_version.split(".")[:2])
    build = plan.variant.value if plan.variant else plan.accelerator.value
    parts = {
        "profile": plan.profile,
        "profile_hash": plan.profile_hash,
        "accelerator": plan.accelerator.value,
        "variant": plan.variant.value if plan.variant else None,
        "python": plan.python_version,
        "platform": platform,
        "requirements": list(plan.requirements),
        "lock_sha256": plan.lock_sha256,
        "llmenv_version": __version__,
    }
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]
    return f"llmenv-{plan.profile}-{build}-py{minor}-{platform}-{digest}", parts


def export_plan(
    profile_ref: str, accelerator: str | None, python: str | None, mirror: str | None = None, resolves: bool = False
) -> tuple[Any, Any, Any]:
    """(profile, host facts, plan) for an export: the host probed offline, since an export installs nothing here.
    With a mirror set (--mirror or LLMENV_MIRROR, as setup takes it) its sources are probed as setup probes them,
    so `auto` chooses what answers; without one nothing is asked of the network, unless the export `resolves`
    against the indexes here (`--format requirements`): then its sources are probed as `llmenv lock` probes them,
    so both pin the same build (PyPI's torch where only PyPI answers)."""
    from packaging.specifiers import SpecifierSet

    from llmenv.mirrors.resolve import requested
    from llmenv.profiles.load import load_profile

    profile = load_profile(profile_ref)
    facts = probe_host(offline=True, python=SpecifierSet(profile.python), for_setup=True)
    options = SetupOptions(profile=profile_ref, python=python, accelerator=accelerator, mirror=mirror)
    asked = requested(mirror, profile).name is not None
    plan = plan_for(profile, facts, options, Path(profile.env), reachable=None if asked or resolves else {})
    return profile, facts, plan


def export(
    profile_ref: str,
    format: str,
    accelerator: str | None,
    python: str | None,
    output: Path | None = None,
    llmenv_spec: str | None = None,
    mirror: str | None = None,
    force: bool = False,
) -> tuple[str, list[Path]]:
    """The exported text, and the files written beside it so that every path it names exists (llmenv's wheel, the
    user's profile files, its whole extends chain, when they lie outside the build context). The text itself is written by the caller."""
    from llmenv.errors import UsageError

    if output is not None:  # before any work, and before anything beside it is written
        check_output(output, force)
    profile, facts, plan = export_plan(profile_ref, accelerator, python, mirror, resolves=format == "requirements")
    if format == "requirements":
        return _requirements(plan, facts), []
    if output is None and (llmenv_spec is None or profile.origin != "builtin" or format == "devcontainer"):
        raise UsageError(
            f"a {format} export names files beside it (llmenv's wheel, since llmenv is not on PyPI, and the profile), "
            "so it needs a folder to write them to",
            where="--output",
            fix=f"llmenv export {profile_ref} --format {format} -o {_default_output(format)}"
            " (or name where llmenv comes from with --llmenv-spec SPEC)",
        )
    from llmenv.execute.export_files import write_context, write_text
    from llmenv.export.context import check_chain, place
    from llmenv.profiles.load import read_profile_file

    cwd = Path.cwd()
    target = output if output is not None else cwd / _default_output(format)
    files = [] if profile.origin == "builtin" else [Path(f) for f in profile.files or (profile.source,)]
    check_chain([(f, read_profile_file(f).model.extends) for f in files])
    placement = place(format, target, files, llmenv_spec, cwd)
    profile_path = placement.profile_path
    source = llmenv_spec or placement.wheel_path or ""
    written: list[Path] = []
    if format == "github-actions":
        from llmenv.export.workflow import render as render_workflow

        text = render_workflow(plan, profile_ref, profile_path or profile_ref, source)
    else:
        from llmenv.export.dockerfile import render

        nvidia = facts.nvidia.value
        cc = next((g.compute_capability for g in nvidia.gpus if g.compute_capability), None) if nvidia else None
        lock = image_lock(plan, profile, facts) if output is not None else None
        if lock is None and output is not None and image_locks(plan, profile, facts):
            # The Dockerfile's advice runs `llmenv lock`, which plans with the sources it probes (PyPI's build of
            # torch where only PyPI answers): a lock of this profile for the image's Python and platform but of
            # another build than the offline plan's is found by planning as `llmenv lock` planned it.
            profile, facts, plan = export_plan(profile_ref, accelerator, python, mirror, resolves=True)
            lock = image_lock(plan, profile, facts)
        if lock is not None:
            written.append(write_text(placement.context / "llmenv-locks" / lock[0], lock[1], force))
        member = f"llmenv-locks/{lock[0]}" if lock is not None else None
        driver = nvidia.driver if nvidia else None
        text = render(plan, profile_ref, placement.profile_files, source, driver, cc, member)
        if format == "devcontainer":
            from llmenv.export.devcontainer import render as render_devcontainer

            if output is not None:
                written.append(write_text(placement.context / "Dockerfile", text, force))
            text = render_devcontainer(plan)
    if output is not None:
        written += write_context(placement)
    return text, written


def image_lock(plan: Any, profile: Any, facts: Any) -> tuple[str, str] | None:
    """(file name, text) of the hashed lock `llmenv lock` wrote for the image's Python and platform from this
    profile's content; None when there is none (the Dockerfile then says how to make it)."""
    from llmenv.door.files import LOCK, read_text_if_present
    from llmenv.plan.lockfiles import lock_dirs

    name = _image_lock_name(plan, facts)
    for folder in lock_dirs(profile, Path.cwd()):
        # The door, as setup reads its lock: another user's lock is refused (exit 5), not carried into the image.
        text = read_text_if_present(folder / name, LOCK)
        if text is not None and f"# profile content hash {plan.profile_hash}" in text:
            return name, text
    return None


def image_locks(plan: Any, profile: Any, facts: Any) -> list[Path]:
    """Locks of this profile for the image's Python and platform, whatever build they hold (a build may itself
    hold dots, rocm7.2, so the name is matched from both ends)."""
    import glob

    from llmenv.plan.lockfiles import lock_dirs

    name, build = _image_lock_name(plan, facts), plan.variant.value if plan.variant else plan.accelerator.value
    head, tail = f"{plan.profile}.", name.removeprefix(f"{plan.profile}.{build}")
    return [
        path
        for folder in lock_dirs(profile, Path.cwd())
        for path in sorted(folder.glob(f"{glob.escape(head)}*{glob.escape(tail)}"))
        if path.is_file()
    ]


def _image_lock_name(plan: Any, facts: Any) -> str:
    import dataclasses

    from llmenv.export.images import image_python
    from llmenv.plan.lockfiles import lock_name, uv_platform

    system = facts.system.value
    machine = system.machine if system else "x86_64"
    in_image = dataclasses.replace(plan, python_version=image_python(plan))
    return lock_name(in_image, uv_platform("Linux", machine))


def check_output(output: Path, force: bool) -> None:
    """`export -o FILE`: a file there that llmenv did not write is refused (exit 2) unless --force."""
    from llmenv.execute.export_files import check_replaceable

    check_replaceable(output, None, force)


def _default_output(format: str) -> str:
    return {"dockerfile": "Dockerfile", "devcontainer": ".devcontainer/devcontainer.json"}.get(
        format, ".github/workflows/llmenv.yml"
    )


def _requirements(plan: Any, facts: Any) -> str:
    import tempfile

    from llmenv.execute.lock import write_lock
    from llmenv.paths import new_log
    from llmenv.plan.lockfiles import uv_platform

    system = facts.system.value
    platform = uv_platform(system.os, system.machine) if system else "x86_64-manylinux_2_28"
    with tempfile.TemporaryDirectory() as folder:
        path = write_lock(plan, Path(folder) / "requirements.txt", platform, new_log("export"))
        return path.read_text(encoding="utf-8")


def lock(
    profile_ref: str,
    accelerators: list[str],
    python: str | None,
    output_dir: Path | None,
    mirror: str | None = None,
    require_pytorch_index: bool = False,
) -> list[Path]:
    """The lock holds names, versions and hashes only (no index URLs), so it installs from any mirror."""
    from llmenv.execute.lock import write_lock
    from llmenv.paths import new_log
    from llmenv.plan.lockfiles import lock_dirs, lock_name, uv_platform
    from llmenv.profiles.load import load_profile

    profile = load_profile(profile_ref)
    facts = probe_host(offline=False)
    system = facts.system.value
    platform = uv_platform(system.os, system.machine) if system else "x86_64-manylinux_2_28"
    written = []
    log = new_log("lock")
    for accelerator in accelerators or [profile.accelerator]:
        options = SetupOptions(
            profile=profile_ref,
            python=python,
            accelerator=accelerator,
            mirror=mirror,
            require_pytorch_index=require_pytorch_index,
        )
        plan = plan_for(profile, facts, options, Path(profile.env))
        folder = output_dir or lock_dirs(profile, Path.cwd())[0]
        written.append(write_lock(plan, folder / lock_name(plan, platform), platform, log))
    return written


__all__ = ["cache_key", "check_output", "export", "export_plan", "lock"]
