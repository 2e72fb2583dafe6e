"""Accelerator and wheel variant: all constraints together (driver's CUDA family, every GPU's compute capability,
the variants that exist for the pinned framework, the profile's CUDA floor).

uv's --torch-backend looks at the driver only, so a GTX 1080 Ti (sm_61) on a 580 driver gets a CUDA 13 build
without Pascal kernels (astral-sh/uv#14742); here the architecture lists rule such variants out.
"""

from __future__ import annotations

from dataclasses import dataclass

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from llmenv.errors import HostError
from llmenv.plan.model import Choice
from llmenv.plan.needs import pinned_version
from llmenv.probe import HostFacts
from llmenv.profiles.model import Profile
from llmenv.tables.cuda import driver_runs_cuda, version_tuple
from llmenv.tables.torch import arch_range, cuda_of, runs_on, variants_for


@dataclass(frozen=True)
class VariantDecision:
    accelerator: Choice
    variant: Choice | None
    index_url: str | None  # with {variant} filled in
    warnings: tuple[str, ...]


def resolve_auto(facts: HostFacts) -> tuple[str, str]:
    if facts.nvidia.value:
        return "cuda", f"NVIDIA driver {facts.nvidia.value.driver} found ({facts.nvidia.source})"
    if facts.rocm.value:
        return "rocm", f"ROCm GPU found ({facts.rocm.source})"
    if facts.apple.value and facts.apple.value.mps_capable:
        return "mps", "Apple Silicon with MPS"
    return "cpu", "no GPU found (NVIDIA, ROCm or Apple MPS)"


def _torch_version(profile: Profile, accelerator: str) -> str | None:
    for text in profile.packages_for(accelerator):
        requirement = Requirement(text)
        if canonicalize_name(requirement.name) == "torch":
            return pinned_version(requirement)
    return None


def choose_variant(profile: Profile, facts: HostFacts, requested: str) -> VariantDecision:
    """Pure: the accelerator to build for and, for per-variant wheels (torch), which variant."""
    explicit = requested != "auto"
    if explicit:
        accelerator, why = (
            requested,
            f"--accelerator {requested}"
            if requested != profile.accelerator
            else f"profile sets accelerator: {requested}",
        )
    else:
        accelerator, why = resolve_auto(facts)
        why = f"auto: {why}"
    warnings: list[str] = []
    rejected: list[tuple[str, str]] = []
    gpu_required = profile.checks.gpu == "required"
    if accelerator == "cuda":
        cuda = _cuda_variant(profile, facts)
        if cuda.variant is not None or cuda.ok_without_variant:
            override = profile.accelerators.get("cuda")
            url = (
                override.index_url.replace("{variant}", cuda.variant)
                if override and override.index_url and cuda.variant
                else None
            )
            return VariantDecision(
                Choice("cuda", why),
                Choice(cuda.variant, cuda.why, cuda.rejected) if cuda.variant else None,
                url,
                tuple(warnings),
            )
        message = f"no CUDA build fits this host: {cuda.why}"
        if explicit or gpu_required:
            raise HostError(
                message,
                where="--accelerator cuda" if explicit else f"profile {profile.name}: checks.gpu: required",
                fix="upgrade the NVIDIA driver (>= 525.60.13 for CUDA 12, >= 580 for CUDA 13), or use --accelerator cpu",
            )
        warnings.append(
            f"GPU NOT USED: {message}. Installing the CPU build instead; upgrade the driver to train on the GPU."
        )
        rejected = [("cuda", cuda.why), *cuda.rejected]
        accelerator, why = "cpu", "fallback: " + cuda.why
    if accelerator == "rocm":
        variants = variants_for(_torch_version(profile, "rocm") or "")
        override = profile.accelerators.get("rocm")
        if variants and variants.rocm and override and override.index_url:
            variant = variants.rocm[0]
            return VariantDecision(
                Choice("rocm", why),
                Choice(variant, f"ROCm build published for torch {_torch_version(profile, 'rocm')}"),
                override.index_url.replace("{variant}", variant),
                tuple(warnings),
            )
        return VariantDecision(Choice("rocm", why), None, None, tuple(warnings))
    if gpu_required and accelerator == "cpu":
        raise HostError(
            f"profile {profile.name} requires a GPU and none was found",
            where=f"profile {profile.name}: checks.gpu",
            fix="run on a host with a supported GPU, or set checks.gpu to auto",
        )
    override = profile.accelerators.get(accelerator)
    os_name = facts.system.value.os if facts.system.value else "Linux"
    if accelerator == "cpu" and override and override.index_url and os_name != "Darwin":
        cpu_choice = Choice("cpu", "CPU-only wheels (PyPI's Linux torch is a multi-GB CUDA build)")
        return VariantDecision(
            Choice("cpu", why, tuple(rejected)),
            cpu_choice,
            override.index_url.replace("{variant}", "cpu"),
            tuple(warnings),
        )
    return VariantDecision(Choice(accelerator, why, tuple(rejected)), None, None, tuple(warnings))


@dataclass(frozen=True)
class _Cuda:
    variant: str | None
    why: str
    rejected: tuple[tuple[str, str], ...]
    ok_without_variant: bool = False


def _cuda_variant(profile: Profile, facts: HostFacts) -> _Cuda:
    nvidia = facts.nvidia.value
    os_name = facts.system.value.os if facts.system.value else "Linux"
    override = profile.accelerators.get("cuda")
    floor = override.min_cuda if override else None
    if nvidia is None:
        return _Cuda(None, "no NVIDIA driver found", ())
    torch_version = _torch_version(profile, "cuda")
    per_variant = bool(override and override.index_url and "{variant}" in override.index_url and torch_version)
    if not per_variant:
        # Not a per-variant stack (TensorFlow's [and-cuda] brings its own CUDA 12 wheels): check the floor only.
        if floor and not driver_runs_cuda(nvidia.driver, floor, os_name):
            return _Cuda(
                None,
                f"driver {nvidia.driver} supports CUDA up to {nvidia.max_cuda}; {profile.name} needs CUDA >= {floor}",
                (),
            )
        return _Cuda(None, f"driver {nvidia.driver} runs CUDA {floor or 'builds'}", (), ok_without_variant=True)
    assert torch_version is not None
    variants = variants_for(torch_version)
    if variants is None:
        return _Cuda(None, f"llmenv has no variant table for torch {torch_version}", ())
    rejected: list[tuple[str, str]] = [(v, "experimental build for this release") for v in variants.experimental]
    capabilities = [g.compute_capability for g in nvidia.gpus if g.compute_capability]
    for variant in variants.cuda:
        cuda = cuda_of(variant)
        if floor and version_tuple(cuda) < version_tuple(floor):
            rejected.append((variant, f"CUDA {cuda} is below the profile's min_cuda {floor}"))
            continue
        if not driver_runs_cuda(nvidia.driver, cuda, os_name):
            rejected.append((variant, f"driver {nvidia.driver} supports CUDA up to {nvidia.max_cuda}, not {cuda}"))
            continue
        unsupported = [c for c in capabilities if not runs_on(cuda, c)]
        if unsupported:
            sms = ", ".join(f"sm_{c.replace('.', '')}" for c in unsupported)
            rejected.append((variant, f"no kernels for {sms} (CUDA {cuda} builds carry {arch_range(cuda)})"))
            continue
        gpus = ", ".join(
            f"{g.name} sm_{g.compute_capability.replace('.', '')}" for g in nvidia.gpus if g.compute_capability
        )
        arch_note = f"; kernels for {gpus}" if gpus else "; GPU architecture unknown (driver-only probe), not checked"
        why = f"newest torch {torch_version} CUDA build the driver {nvidia.driver} (CUDA <= {nvidia.max_cuda}) runs{arch_note}"
        return _Cuda(variant, why, tuple(rejected))
    reasons = "; ".join(f"{v}: {w}" for v, w in rejected if not w.startswith("experimental"))
    return _Cuda(None, f"every torch {torch_version} CUDA build was ruled out ({reasons})", tuple(rejected))


__all__ = ["VariantDecision", "choose_variant", "resolve_auto"]
