"""The fine-tuner's traps, judged from what is installed and what the host has (pure: the caller reads both).

Where fine-tuning setups (LLaMA-Factory, unsloth, axolotl) lose their users' time, found before training starts:
- transformers, peft, accelerate (and trl) outside each other's declared ranges: read from each one's installed
  METADATA Requires-Dist, including transformers' `torch` extra (what its Trainer needs), which `pip check` skips;
- bitsandbytes without a GPU it supports: its 4- and 8-bit layers and optimizers (QLoRA, load_in_4bit) need an
  NVIDIA GPU, a CUDA build of torch, and compute capability 5.0 or newer;
- flash-attn without nvcc (it compiles when no prebuilt wheel fits) or built for another torch/CUDA/C++ ABI (its
  import fails with `undefined symbol`);
- DeepSpeed without CUDA_HOME: it compiles its CUDA ops (FusedAdam, ...) at first use and stops with
  MissingCUDAException when it cannot find the toolkit."""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from llmenv.probe.installed import Requires
from llmenv.verify.model import Finding, Status, fail, ok, warn

# The libraries whose declared ranges a fine-tuning run depends on, and the ones they declare them against.
DEPENDENTS = ("transformers", "peft", "accelerate", "trl")
STACK = {*DEPENDENTS, "torch", "huggingface-hub", "tokenizers", "safetensors", "datasets", "bitsandbytes"}
# The extras a fine-tuning run uses: transformers[torch] is what its Trainer imports.
EXTRAS = ("", "torch")
BNB_MIN_CC = Version("5.0")


@dataclass(frozen=True)
class FineTuneHost:
    """What the traps need to know about the host, from the probe."""

    gpus: tuple[tuple[str, str | None], ...]  # (name, compute capability) of each NVIDIA GPU
    nvcc: str | None  # the nvcc found (PATH, CUDA_HOME, /usr/local/cuda)
    toolkit_home: str | None  # the toolkit folder nvcc belongs to
    cuda_home: str | None  # $CUDA_HOME (or $CUDA_PATH) as the user's shell has it


def finetune_findings(
    installed: Mapping[str, str],
    requires: Sequence[Requires],
    markers: Mapping[str, str],
    host: FineTuneHost,
    python: str,
    setup: str,
    flash_attn_error: str | None = None,
    profile_packages: Sequence[str] = (),
    bitsandbytes_offered: str | None = None,
) -> list[Finding]:
    """`setup`: the command that rebuilds the env with its profile's matched pins; `flash_attn_error`: the error of
    `import flash_attn` in the env (None when it imported or is not installed); `bitsandbytes_offered`: the build
    the plan chose when the profile adds bitsandbytes on CUDA only (so doctor says why it is not there)."""
    pip = f"{shlex.quote(python)} -m pip"
    findings = _ranges(installed, requires, markers, pip, setup)
    if "bitsandbytes" in installed:
        findings.append(_bitsandbytes(installed, host, pip))
    elif bitsandbytes_offered is not None:
        why = "no NVIDIA GPU here" if not host.gpus else f"the plan chose the {bitsandbytes_offered} build"
        findings.append(
            Finding(
                "env.finetune.bitsandbytes",
                "env",
                Status.SKIP,
                f"bitsandbytes is not installed: {why}",
                "the profile adds it only to the CUDA build, where its 4- and 8-bit kernels have a GPU to run on",
            )
        )
    wanted = {str(canonicalize_name(_name(r))) for r in profile_packages}
    if "flash-attn" in installed or "flash-attn" in wanted:
        findings += _flash_attn(installed, host, pip, flash_attn_error)
    if "deepspeed" in installed:
        findings.append(_deepspeed(installed, host))
    return findings


def _name(requirement: str) -> str:
    try:
        return Requirement(requirement).name
    except InvalidRequirement:
        return requirement


def _ranges(
    installed: Mapping[str, str], requires: Sequence[Requires], markers: Mapping[str, str], pip: str, setup: str
) -> list[Finding]:
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for line in requires:
        if line.dependent not in DEPENDENTS or line.dependent not in installed:
            continue
        try:
            req = Requirement(line.requirement)
        except InvalidRequirement:
            continue
        name = str(canonicalize_name(req.name))
        if name not in STACK or name not in installed or not req.specifier or (line.dependent, name) in seen:
            continue
        if req.marker is not None and not any(req.marker.evaluate({**markers, "extra": e}) for e in EXTRAS):
            continue
        have = installed[name]
        try:
            inside = req.specifier.contains(Version(have), prereleases=True)
        except InvalidVersion:
            continue
        if inside:
            continue
        seen.add((line.dependent, name))
        extra = " (its `torch` extra, what its Trainer needs)" if req.marker is not None else ""
        wanted = f"{name}{req.specifier}"
        out.append(
            fail(
                f"env.finetune.range.{line.dependent}.{name}",
                "env",
                f"{line.dependent} {line.dependent_version} does not accept the installed {name} {have}",
                f"{line.dependent} {line.dependent_version} declares `{req}`{extra} in its METADATA "
                f"(Requires-Dist); {name} {have} is installed",
                f"install the versions the profile matched with `{setup}`, or move {name} into the range: "
                f"`{pip} install {shlex.quote(wanted)}`",
            )
        )
    return out


def _torch_build(installed: Mapping[str, str]) -> str:
    """'cpu', 'cu126', 'rocm6.4' from torch's local version; '' when torch carries none (PyPI's default build)."""
    return installed.get("torch", "").partition("+")[2]


def _bitsandbytes(installed: Mapping[str, str], host: FineTuneHost, pip: str) -> Finding:
    version, build = installed["bitsandbytes"], _torch_build(installed)
    remove = f"`{pip} uninstall -y bitsandbytes`"
    title = f"bitsandbytes {version} without a GPU it supports"
    if not host.gpus:
        evidence = (
            "no NVIDIA GPU on this host (NVML, nvidia-smi); bitsandbytes' 4- and 8-bit layers and optimizers "
            "(QLoRA, load_in_4bit, 8-bit Adam) run on CUDA"
        )
        fix = (
            f"fine-tune in full precision here (LoRA through peft needs no bitsandbytes) and remove it with {remove}; "
            "the finetune profile adds it only when the plan picks a CUDA build"
        )
        return warn("env.finetune.bitsandbytes", "env", title, evidence, fix)
    if build == "cpu" or build.startswith("rocm"):
        evidence = f"torch {installed['torch']} is not a CUDA build, so bitsandbytes cannot reach {host.gpus[0][0]}"
        return warn(
            "env.finetune.bitsandbytes",
            "env",
            title,
            evidence,
            "rebuild with the CUDA build: `llmenv setup finetune --accelerator cuda --force`",
        )
    old = [f"{n} ({cc})" for n, cc in host.gpus if cc and _version(cc) < BNB_MIN_CC]
    if len(old) == len(host.gpus):
        evidence = f"{', '.join(old)}: compute capability below {BNB_MIN_CC}, which bitsandbytes' kernels need"
        return warn("env.finetune.bitsandbytes", "env", title, evidence, f"use a newer GPU, or remove it: {remove}")
    gpu = host.gpus[0][0]
    return ok(
        "env.finetune.bitsandbytes", "env", f"bitsandbytes {version} can use {gpu}", f"torch {installed['torch']}"
    )


def _version(text: str) -> Version:
    try:
        return Version(text)
    except InvalidVersion:
        return Version("0")


def _flash_attn(installed: Mapping[str, str], host: FineTuneHost, pip: str, error: str | None) -> list[Finding]:
    torch = installed.get("torch", "?")
    rebuild = (
        f"`MAX_JOBS=4 {pip} install --force-reinstall --no-build-isolation --no-cache-dir flash-attn` (compiles "
        f"against this torch; needs nvcc), or install the release wheel whose name matches torch "
        f"{'.'.join(torch.split('+')[0].split('.')[:2])}, its CUDA and its C++ ABI (cxx11abiTRUE/FALSE)"
    )
    if "flash-attn" not in installed:
        if host.nvcc:
            return []
        return [
            warn(
                "env.finetune.flash-attn",
                "env",
                "flash-attn is wanted but this host has no nvcc",
                "no nvcc on PATH, in CUDA_HOME or /usr/local/cuda; flash-attn compiles its kernels with nvcc "
                "whenever no prebuilt wheel matches torch, CUDA and the C++ ABI",
                "install the CUDA toolkit that matches torch's CUDA (nvcc) and set CUDA_HOME, or install a prebuilt "
                "flash-attn wheel that matches this torch",
            )
        ]
    version = installed["flash-attn"]
    if error is None:
        return [ok("env.finetune.flash-attn", "env", f"flash-attn {version} imports", f"torch {torch}")]
    last = error.strip().splitlines()[-1] if error.strip() else error
    if "undefined symbol" in error:
        title = f"flash-attn {version} was built for another torch, CUDA or C++ ABI"
        evidence = f"`import flash_attn` fails with torch {torch}: {last}"
        return [fail("env.finetune.flash-attn", "env", title, evidence, f"rebuild it: {rebuild}")]
    evidence = f"`import flash_attn` fails: {last}"
    return [fail("env.finetune.flash-attn", "env", f"flash-attn {version} does not import", evidence, rebuild)]


def _deepspeed(installed: Mapping[str, str], host: FineTuneHost) -> Finding:
    version = installed["deepspeed"]
    if host.cuda_home:
        return ok(
            "env.finetune.deepspeed", "env", f"DeepSpeed {version} finds CUDA_HOME", f"CUDA_HOME={host.cuda_home}"
        )
    title = f"DeepSpeed {version} without CUDA_HOME"
    evidence = (
        "CUDA_HOME is not set; DeepSpeed compiles its CUDA ops (FusedAdam, ...) at first use and stops with "
        "MissingCUDAException when it cannot find the toolkit"
    )
    if host.toolkit_home:
        fix = f"`export CUDA_HOME={shlex.quote(host.toolkit_home)}` (the toolkit of {host.nvcc}) before training"
        return Finding("env.finetune.deepspeed", "env", Status.WARN, title, f"{evidence}; nvcc is {host.nvcc}", fix)
    fix = (
        "install the CUDA toolkit that matches torch's CUDA and `export CUDA_HOME=/usr/local/cuda-X.Y`; without a "
        "GPU, DeepSpeed has nothing to accelerate (use accelerate's CPU path)"
    )
    return warn("env.finetune.deepspeed", "env", title, f"{evidence}; no nvcc found either", fix)


def host_from(facts: object, environ: Mapping[str, str]) -> FineTuneHost:
    """The traps' view of the probed host (HostFacts); nothing known when the probe did not run."""
    nvidia = getattr(getattr(facts, "nvidia", None), "value", None)
    toolkit = getattr(getattr(facts, "cuda_toolkit", None), "value", None)
    gpus = tuple((g.name, g.compute_capability) for g in getattr(nvidia, "gpus", ()))
    return FineTuneHost(
        gpus,
        getattr(toolkit, "nvcc", None),
        getattr(toolkit, "cuda_home", None),
        environ.get("CUDA_HOME") or environ.get("CUDA_PATH") or None,
    )


__all__ = ["FineTuneHost", "finetune_findings", "host_from"]
