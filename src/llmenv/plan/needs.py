"""What a profile demands of a host: Pythons, libc, CPU features, disk, accelerator. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from llmenv.profiles.model import Profile
from llmenv.tables.frameworks import support_for

# Installed size in MB of the big projects, by accelerator (torch 2.13.0+cpu measured here: 747 MB env with deps;
# a CUDA torch 2.14.1 + torchvision venv is documented at 5,557 MB for this machine image; TensorFlow figures are
# approximations from wheel sizes).
SIZE_MB: dict[tuple[str, str], int] = {
    ("torch", "cpu"): 800,
    ("torch", "cuda"): 5600,
    ("torch", "rocm"): 9000,
    ("torch", "mps"): 400,
    ("tensorflow-cpu", "cpu"): 1300,
    ("tensorflow", "cuda"): 4500,
    ("tensorflow", "cpu"): 1300,
    ("tensorflow", "mps"): 1000,
    ("tensorflow-cpu", "cuda"): 1300,
}
OTHER_PACKAGE_MB = 60


@dataclass(frozen=True)
class Needs:
    python: SpecifierSet  # profile range intersected with every pinned framework's supported Pythons
    python_reasons: tuple[str, ...]  # "torch 2.13: >=3.10,<3.16 (PyTorch RELEASE.md)"
    min_glibc: str | None
    glibc_reason: str | None
    needs_avx: bool
    avx_reason: str | None
    disk_mb: int
    frameworks: tuple[str, ...]  # "torch==2.13.0", ...
    min_cuda: str | None


def pinned_version(requirement: Requirement) -> str | None:
    for spec in requirement.specifier:
        if spec.operator in ("==", "===") and not spec.version.endswith(".*"):
            return spec.version
    return None


def needs_for(profile: Profile, accelerator: str) -> Needs:
    concrete = "cpu" if accelerator == "auto" else accelerator
    spec = SpecifierSet(profile.python)
    reasons = [f"profile '{profile.name}': {profile.python}"]
    min_glibc: str | None = None
    glibc_reason = avx_reason = None
    needs_avx = False
    disk = 0
    frameworks = []
    for text in profile.packages_for(concrete):
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        version = pinned_version(requirement)
        disk += SIZE_MB.get((name, concrete), OTHER_PACKAGE_MB)
        support = support_for(name, version) if version else None
        if support is None or version is None:
            continue
        frameworks.append(f"{name}=={version}")
        spec &= SpecifierSet(support.python)
        reasons.append(f"{name} {version}: {support.python} ({support.source})")
        if support.min_glibc and (min_glibc is None or _v(support.min_glibc) > _v(min_glibc)):
            min_glibc, glibc_reason = support.min_glibc, f"{name} {version} wheels are manylinux_{support.min_glibc}"
        if support.needs_avx:
            needs_avx, avx_reason = True, f"{name} {version} binaries use AVX instructions"
    override = profile.accelerators.get(concrete)
    return Needs(
        python=spec,
        python_reasons=tuple(reasons),
        min_glibc=min_glibc,
        glibc_reason=glibc_reason,
        needs_avx=needs_avx,
        avx_reason=avx_reason,
        disk_mb=disk,
        frameworks=tuple(frameworks),
        min_cuda=override.min_cuda if override else None,
    )


def _v(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".") if p.isdigit())


__all__ = ["SIZE_MB", "Needs", "needs_for", "pinned_version"]
