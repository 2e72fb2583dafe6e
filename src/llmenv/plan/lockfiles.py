"""Names and places of hashed lock files: one per (profile, accelerator or wheel variant, Python minor, platform).

Built-in profiles live inside the installed package, so their locks go to ./llmenv-locks/; a user's or project's
profile gets its locks beside it, where they are versioned with it."""

from __future__ import annotations

from pathlib import Path

from llmenv.plan.model import Plan
from llmenv.profiles.model import Profile

LOCK_DIR = "llmenv-locks"


def lock_name(plan: Plan, platform_tag: str) -> str:
    build = plan.variant.value if plan.variant else plan.accelerator.value
    minor = "".join(plan.python_version.split(".")[:2])
    return f"{plan.profile}.{build}.py{minor}.{platform_tag}.lock.txt"


def lock_dirs(profile: Profile, cwd: Path) -> list[Path]:
    beside = [Path(profile.source).parent] if profile.origin != "builtin" else []
    return [*beside, cwd / LOCK_DIR]


def uv_platform(os_name: str, machine: str) -> str:
    """`uv pip compile --python-platform` target for this host."""
    arch = {"amd64": "x86_64", "arm64": "aarch64"}.get(machine.lower(), machine.lower())
    if os_name == "Darwin":
        return f"{'aarch64' if arch == 'aarch64' else 'x86_64'}-apple-darwin"
    if os_name == "Windows":
        return f"{arch}-pc-windows-msvc"
    return f"{arch}-manylinux_2_28"


__all__ = ["LOCK_DIR", "lock_dirs", "lock_name", "uv_platform"]
