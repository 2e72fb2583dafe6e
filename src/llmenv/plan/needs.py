"""What a profile demands of a host: Pythons, libc, CPU features, disk, accelerator. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

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


class PythonRange(SpecifierSet):
    """A SpecifierSet that prints as people write ranges: lower bound, upper bound, then the rest
    (`>=3.10,<3.14`, not packaging's sorted `<3.14,>=3.10`)."""

    def __init__(self, specifiers: str, shown: str) -> None:
        super().__init__(specifiers)
        self._shown = shown

    def __str__(self) -> str:
        return self._shown


def normalize_python(spec: SpecifierSet) -> PythonRange:
    """The same versions with redundant bounds dropped: the intersection `<3.14,<3.16,>=3.10` is `>=3.10,<3.14`.
    Only one lower (>=, >) and one upper (<, <=) bound are kept, the tightest; other clauses stay as they are."""
    lower: tuple[Version, bool, str] | None = None  # (version, strict, as written)
    upper: tuple[Version, bool, str] | None = None
    others: list[str] = []
    for item in sorted(spec, key=str):
        try:
            version = Version(item.version)
        except InvalidVersion:
            others.append(str(item))
            continue
        if item.operator in (">=", ">"):
            bound = (version, item.operator == ">", str(item))
            if lower is None or bound[:2] > lower[:2]:  # higher is tighter; at a tie ">" is
                lower = bound
        elif item.operator in ("<", "<="):
            bound = (version, item.operator == "<=", str(item))
            if upper is None or bound[:2] < upper[:2]:  # lower is tighter; at a tie "<" is
                upper = bound
        else:
            others.append(str(item))
    kept = [bound[2] for bound in (lower, upper) if bound is not None]
    text = ",".join(kept + others)
    return PythonRange(text, text)


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
        python=normalize_python(spec),
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


__all__ = ["SIZE_MB", "Needs", "PythonRange", "needs_for", "normalize_python", "pinned_version"]
