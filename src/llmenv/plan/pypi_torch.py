"""When no PyTorch index or mirror answers, PyPI's own build of the pinned release: a pure decision over probed
facts, made once by make_plan.

The PyTorch index (download.pytorch.org/whl/<variant>) is where the +cpu / +cuXXX builds live; PyPI holds one build
per platform under the plain version (torch==2.13.0): a CUDA build on Linux x86_64 (several GB with its CUDA
libraries, tables/pypi_torch.py; aarch64 too from torch 2.11), the CPU build on macOS and Windows. In a network where
only a PyPI index answers (a company's Artifactory proxy of PyPI, a campus mirror such as TUNA, `--mirror` with only
a `pypi` role), PyPI's build is the one that can be had: installing it beats stopping, as long as the plan says so,
with what it costs and how to get the smaller build. `pytorch_index: required` (profile) or `--require-pytorch-index` forbid it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import (
    InvalidWheelFilename,
    canonicalize_name,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from llmenv.errors import HostError
from llmenv.plan.model import AcceleratorDecision, Choice
from llmenv.plan.needs import pinned_version
from llmenv.probe import HostFacts
from llmenv.probe.torch_sources import TorchSources
from llmenv.profiles.model import Profile
from llmenv.redact import redact_url
from llmenv.tables.pypi_torch import (
    CPU_BUILD_BYTES,
    PYPI_LINUX_CUDA_LIBS_BYTES,
    PYPI_TORCH_WHEEL_BYTES,
    pypi_variant,
)

TORCH_FAMILY = frozenset({"torch", "torchvision", "torchaudio"})
FIX = (
    "for the smaller build, use a mirror set with a `pytorch` role (`--mirror NAME`, docs/mirrors.md) or a bundle "
    "made where download.pytorch.org answers (`llmenv bundle`, docs/offline.md)"
)


@dataclass(frozen=True)
class PypiBuild:
    """PyPI's build, as the plan installs it instead of the PyTorch index's."""

    requirements: tuple[str, ...]  # the per-variant pins without the local label: torch==2.13.0
    variant: str  # what PyPI's build carries: cu130, cpu (tables/pypi_torch.py)
    files: tuple[tuple[str, str, int | None], ...]  # (project, wheel, size as the index lists it) for this host
    wheel_bytes: int  # their download size
    sizes_from_index: bool  # False: the index did not say (PEP 503), so wheel_bytes is the table's figure
    total_bytes: int  # with the CUDA libraries PyPI's Linux build requires
    cpu_bytes: int  # the CPU build it replaces, for the comparison
    index: str
    source: str
    unreachable: str  # the PyTorch index (or mirror) that did not answer
    offline: bool = False  # nothing was asked (--offline, a bundle): the build came from a local folder

    def warning(self) -> str:
        """The one line that says what happened and what it costs."""
        about = "" if self.sizes_from_index else "about "
        size = f"{about}{_mb(self.wheel_bytes)}"
        what = "was not asked (offline)" if self.offline else "did not answer"
        head = (
            f"the PyTorch index {redact_url(self.unreachable)} {what}; installing PyPI's build of "
            f"{', '.join(self.requirements)} from {self.source} instead"
        )
        refuse = "`--require-pytorch-index` refuses this fallback"
        if self.variant == "cpu":  # macOS, Windows, older aarch64: PyPI's build is the CPU build itself
            return f"{head}: the CPU build, {size} to download, as the PyTorch index's would be; {refuse}"
        if self.total_bytes > self.wheel_bytes:
            size += f" plus about {_mb(self.total_bytes - self.wheel_bytes)} of CUDA libraries"
        return (
            f"{head}: a CUDA build ({self.variant}; it runs on a CPU too), {size} to download against about "
            f"{_mb(self.cpu_bytes)} for the CPU build; {FIX}; {refuse}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "requirements": list(self.requirements),
            "variant": self.variant,
            "pages": {project: {wheel: size} for project, wheel, size in self.files},
            "wheel_bytes": self.wheel_bytes,
            "sizes_from_index": self.sizes_from_index,
            "total_bytes": self.total_bytes,
            "cpu_bytes": self.cpu_bytes,
            "index": redact_url(self.index),
            "source": self.source,
            "unreachable": redact_url(self.unreachable),
            "offline": self.offline,
        }


def _mb(size: int) -> str:
    return f"{size / 1e9:.1f} GB" if size >= 1e9 else f"{size / 1e6:.0f} MB"


def pypi_build(
    requirements: tuple[str, ...],
    projects: list[str],
    unreachable: str,
    host: tuple[str, str, str],
    sources: TorchSources | None,
    label: str | None = None,
) -> PypiBuild | None:
    """PyPI's build of the per-variant pins, or None where it cannot stand in: nothing was probed, another
    configured source carries the labelled build (setup takes that one, as before), or the default index does not
    list the pinned release for this host (the install then fails naming the PyTorch index, as before).

    `requirements`: the profile's pins before the variant label; `host`: (os, machine, Python version); `label`:
    the build the plan wanted (cpu, cu126): a source listing it, the default index included, is used instead."""
    if sources is None:
        return None
    os_name, machine, python_version = host
    wanted = {canonicalize_name(p) for p in projects}
    pins: list[tuple[str, str, str]] = []  # (project, version, requirement as pinned)
    for text in requirements:
        requirement = Requirement(text)
        version = pinned_version(requirement)
        name: str = canonicalize_name(requirement.name)
        if name in wanted and version and "+" not in version and requirement.marker is None:
            pins.append((name, version, text))
    # PyPI's build is known (tables/pypi_torch.py) for PyTorch's own projects only; another per-variant project
    # keeps the labelled pin and its install error.
    listed = (*sources.elsewhere, *(name for page in sources.pages.values() for name in page))
    if not pins or any(n not in TORCH_FAMILY for n, _v, _t in pins) or _labelled(pins, listed, label):
        return None
    files: list[tuple[str, str, int | None]] = []
    total, exact = 0, True
    for name, version, _text in pins:
        page = sources.pages.get(name)
        match = _wheel_for(page or {}, name, version, os_name, machine, python_version)
        if page is None or match is None:
            return None
        size = page[match]
        files.append((name, match, size))
        exact = exact and size is not None
        total += size if size is not None else (PYPI_TORCH_WHEEL_BYTES if name == "torch" else 0)
    version = next((v for n, v, _t in pins if n == "torch"), pins[0][1])
    variant = pypi_variant(version, os_name, machine)
    libs = PYPI_LINUX_CUDA_LIBS_BYTES if variant != "cpu" else 0
    return PypiBuild(
        requirements=tuple(text for _n, _v, text in pins),
        variant=variant,
        files=tuple(files),
        wheel_bytes=total,
        sizes_from_index=exact,
        total_bytes=total + libs,
        cpu_bytes=CPU_BUILD_BYTES,
        index=sources.index,
        source=sources.source,
        unreachable=unreachable,
        offline=sources.offline,
    )


def with_pypi_build(
    decision: AcceleratorDecision, pypi: PypiBuild, profile: Profile, facts: HostFacts, strict: bool
) -> AcceleratorDecision:
    """The accelerator decision once PyPI's build is what gets installed: checked against the GPU and driver like
    any build. A GPU it does not serve is said as for any build (GPU NOT USED, or exit 3 when a GPU was asked
    for by name or is required): PyPI's CUDA build still runs on the CPU."""
    from dataclasses import replace

    from llmenv.plan.accelerators.cuda import judge_build

    accelerator = decision.accelerator.value
    why = f"PyPI's build of {', '.join(pypi.requirements)}, because the PyTorch index did not answer"
    if accelerator == "cpu":
        note = "" if pypi.variant == "cpu" else f" (a {pypi.variant} CUDA build; it runs on the CPU)"
        return replace(decision, variant=Choice(pypi.variant, why + note))
    fix: str | None = None
    if accelerator == "cuda" and pypi.variant != "cpu":
        serves, reason, fix = judge_build(profile, facts, pypi.variant)
        if serves:
            return replace(decision, variant=Choice(pypi.variant, f"{why}; {reason}"))
    else:
        reason = f"PyPI's build on this platform is the {pypi.variant} build, not a {accelerator} one"
    message = f"PyPI's {pypi.variant} build does not serve this GPU: {reason}"
    todo = f"{fix}; or {FIX}" if fix else FIX
    if strict:
        raise HostError(f"the PyTorch index {redact_url(pypi.unreachable)} did not answer, and {message}", fix=todo)
    warning = f"GPU NOT USED: {message}. PyPI's build is installed and runs on the CPU; to train on the GPU: {todo}."
    return AcceleratorDecision(
        Choice("cpu", f"fallback: {message}", ((accelerator, reason),)),
        Choice(pypi.variant, why),
        None,
        (*decision.warnings, warning),
        fallback=reason,
        fix=todo,
    )


def _labelled(pins: list[tuple[str, str, str]], archives: tuple[str, ...], label: str | None) -> bool:
    """A source offers the labelled build (2.13.0+cpu) of a pinned release: the existing fallback uses it. With no
    `label` known, any labelled build of the release counts."""
    for archive in archives:
        parsed = _parse(archive)
        if parsed is None:
            continue
        project, version, _tags = parsed
        wanted = version.local is not None and (label is None or version.local == label)
        if wanted and any(project == n and version.public == v for n, v, _t in pins):
            return True
    return False


def _parse(name: str) -> tuple[str, Version, frozenset[Any]] | None:
    if not name.endswith(".whl"):
        return None
    try:
        project, version, _build, tags = parse_wheel_filename(name)
    except (InvalidWheelFilename, InvalidVersion):
        return None
    return str(project), version, tags


def _wheel_for(
    page: Mapping[str, int | None], project: str, version: str, os_name: str, machine: str, python_version: str
) -> str | None:
    """The unlabelled wheel of `project==version` this host's Python can install, from the index's file names."""
    minor = "".join(python_version.split(".")[:2])
    for name in sorted(page):
        parsed = _parse(name)
        if parsed is None or parsed[0] != project or parsed[1] != Version(version) or parsed[1].local:
            continue
        if any(_fits(tag.interpreter, tag.platform, minor, os_name, machine) for tag in parsed[2]):
            return name
    return None


def _fits(interpreter: str, platform: str, minor: str, os_name: str, machine: str) -> bool:
    if interpreter not in (f"cp{minor}", "py3", f"py{minor}"):
        return False
    if platform == "any":
        return True
    arch = {"amd64": "x86_64", "arm64": "aarch64", "x64": "x86_64"}.get(machine.lower(), machine.lower())
    if os_name == "Linux":
        return platform.startswith(("manylinux", "linux", "musllinux")) and platform.endswith(arch)
    if os_name == "Darwin":
        return platform.startswith("macosx") and (
            platform.endswith(("universal2", "arm64" if arch == "aarch64" else "x86_64"))
        )
    if os_name == "Windows":
        return platform == ("win_arm64" if arch == "aarch64" else "win_amd64")
    return False


__all__ = ["FIX", "PypiBuild", "TorchSources", "pypi_build", "with_pypi_build"]
