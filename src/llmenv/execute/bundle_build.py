"""Writing a bundle: wheels named by the hashed locks, llmenv's own wheel, uv, a Python build, the smoke data.

Wheels are fetched with pip (`pip download`), which honours the user's pip configuration and PIP_* variables as
they are; uv has no download command. Index URLs travel in the environment, never in process arguments. The
archive is written beside its target and renamed into place, so a failed or interrupted run leaves no half bundle.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path

from llmenv.digest import sha256_of
from llmenv.errors import InstallError
from llmenv.paths import open_fresh
from llmenv.plan.bundle import MANIFEST, SUMS, Manifest, sums_text
from llmenv.process import run_logged

Say = Callable[[str], None]


def pip_download(args: list[str], dest: Path, log: Path, env: dict[str, str] | None = None) -> None:
    argv = [sys.executable, "-m", "pip", "download", "--progress-bar", "off", "-d", str(dest), *args]
    proc = run_logged(argv, log=log, timeout=3600, env={**os.environ, **(env or {})})
    if not proc.ok:
        tail = "\n".join(f"  {line}" for line in proc.stdout.splitlines()[-8:])
        raise InstallError(f"downloading wheels for the bundle failed:\n{tail}\nFull log: {log}")


def target_args(minor: str, platforms: list[str]) -> list[str]:
    args = ["--only-binary=:all:", "--python-version", minor]
    for tag in platforms:
        args += ["--platform", tag]
    return args


def lock_wheels(lock: Path, dest: Path, minor: str, platforms: list[str], log: Path) -> None:
    """Every wheel the lock names, hash-checked by pip against the lock (it carries --hash lines); the sources
    are in the environment (workflow/bundle.py `download_env`)."""
    pip_download(["--no-deps", "--require-hashes", "-r", str(lock), *target_args(minor, platforms)], dest, log)


def self_wheel(dest: Path, minor: str, platforms: list[str], log: Path) -> list[str]:
    """llmenv's wheel (built from its source when installed from one) and its dependencies' wheels."""
    from importlib.metadata import distribution

    from llmenv.tools import uv_binary

    notes: list[str] = []
    direct = distribution("llmenv").read_text("direct_url.json")
    url = json.loads(direct).get("url", "") if direct else ""
    source = Path(url.removeprefix("file://")) if url.startswith("file://") else None
    dest.mkdir(parents=True, exist_ok=True)
    if source is not None and (source / "pyproject.toml").is_file():
        from llmenv.execute.installers import Command, run_command

        build = Command([uv_binary(), "build", "--wheel", "--out-dir", str(dest), str(source)], {})
        proc = run_command(build, log, timeout=600)  # isolated from the user's uv configuration
        if not proc.ok:
            raise InstallError(f"building llmenv's wheel failed; see {log}")
    else:
        pip_download(["--no-deps", "llmenv==" + distribution("llmenv").version], dest, log)
    wheel = next(iter(sorted(dest.glob("llmenv-*.whl"))), None)
    if wheel is None:
        raise InstallError(f"no llmenv wheel was produced; see {log}")
    pip_download([str(wheel), *target_args(minor, platforms)], dest, log)
    for extra in dest.iterdir():
        if extra.suffix != ".whl":  # `uv build` leaves a .gitignore in its output folder
            extra.unlink()
    return notes


def add_file(source: Path, stage: Path, folder: str, name: str | None = None) -> str:
    """Copy one file into the staging folder; returns its member name (`folder/name`)."""
    import re

    (stage / folder).mkdir(parents=True, exist_ok=True)
    # Member names are canonical (plan.bundle.safe_member): a file named "my data (1).tar.gz" is carried as
    # "my_data__1_.tar.gz", or the bundle would be refused where it is opened.
    member = f"{folder}/{re.sub(r'[^A-Za-z0-9._+-]', '_', name or source.name).lstrip('.') or 'file'}"
    shutil.copyfile(source, stage / member)
    return member


def uv_copy(dest: Path) -> str:
    from llmenv.tools import uv_binary

    dest.mkdir(parents=True, exist_ok=True)
    binary = Path(uv_binary())
    target = dest / binary.name
    shutil.copy2(binary, target)
    return binary.name


def copy_managed_python(minor: str, dest: Path, log: Path) -> str | None:
    """A uv-managed CPython X.Y, packed in python-build-standalone's install_only layout (`python/...`)."""
    from llmenv.tools import uv_binary

    proc = run_logged([uv_binary(), "python", "dir"], log=log, timeout=60)
    root = Path(proc.stdout.strip().splitlines()[-1]) if proc.ok and proc.stdout.strip() else None
    if root is None or not root.is_dir():
        return None
    found = sorted(p for p in root.glob(f"cpython-{minor}.*") if (p / "bin").is_dir() and not p.is_symlink())
    if not found:
        return None
    dest.mkdir(parents=True, exist_ok=True)
    name = f"{found[-1].name}-install_only.tar.gz"
    with tarfile.open(dest / name, "w:gz") as archive:
        archive.add(found[-1], arcname="python")
    return name


def write_archive(stage: Path, manifest: Manifest, output: Path, say: Say) -> int:
    """Hash every staged file into the manifest, then tar manifest + members; returns the archive's size."""
    files = sorted(p for p in stage.rglob("*") if p.is_file())
    for number, path in enumerate(files, start=1):
        name = path.relative_to(stage).as_posix()
        manifest.members[name] = {"sha256": sha256_of(path), "size": path.stat().st_size}
        say(f"hashed {number}/{len(files)}: {name}")
    (stage / MANIFEST).write_text(json.dumps(manifest.to_dict(), indent=2), encoding="utf-8")
    (stage / SUMS).write_text(sums_text(manifest), encoding="utf-8")
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.tmp")
    try:
        with open_fresh(tmp) as raw, tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
            archive.add(stage / MANIFEST, arcname=MANIFEST)
            archive.add(stage / SUMS, arcname=SUMS)
            for path in files:
                archive.add(path, arcname=path.relative_to(stage).as_posix(), recursive=False)
        os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)
    return output.stat().st_size


__all__ = ["add_file", "copy_managed_python", "lock_wheels", "self_wheel", "uv_copy", "write_archive"]
