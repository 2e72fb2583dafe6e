"""The accelerator registry and `resolve`, the one place llmenv decides what to build for.

Setup's plan, doctor's host judgement and the env checks all read the `AcceleratorDecision` made here. A new
accelerator is one module implementing `base.Accelerator` and one line in ACCELERATORS (in auto's order of
preference: the first one whose hardware is found wins)."""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from llmenv.errors import HostError
from llmenv.plan.accelerators.base import Accelerator, Detected
from llmenv.plan.accelerators.cpu import Cpu, cpu_decision
from llmenv.plan.accelerators.cuda import BROKEN_FIX, Cuda
from llmenv.plan.accelerators.mps import Mps
from llmenv.plan.accelerators.rocm import Rocm
from llmenv.plan.model import AcceleratorDecision
from llmenv.probe import HostFacts
from llmenv.profiles.model import Profile

ACCELERATORS: Final[dict[str, Accelerator]] = {"cuda": Cuda(), "rocm": Rocm(), "mps": Mps(), "cpu": Cpu()}


def detected(facts: HostFacts) -> dict[str, Detected]:
    """The GPU accelerators whose hardware the probes found (working or broken), in order of preference."""
    found = {name: acc.detect(facts) for name, acc in ACCELERATORS.items() if name != "cpu"}
    return {name: d for name, d in found.items() if d is not None}


def resolve(profile: Profile, facts: HostFacts, requested: str) -> AcceleratorDecision:
    """Pure: the accelerator and build for this host. HostError (exit 3) when what was asked for cannot be had."""
    gpu_required = profile.checks.gpu == "required"
    if requested != "auto":
        accelerator = ACCELERATORS.get(requested)
        if accelerator is None:
            raise HostError(f"unknown accelerator {requested!r}", fix=f"use one of: auto, {', '.join(ACCELERATORS)}")
        why = (
            f"--accelerator {requested}"
            if requested != profile.accelerator
            else f"profile sets accelerator: {requested}"
        )
        decision = accelerator.decide(profile, facts, why, strict=True)
    else:
        decision = _auto(profile, facts, gpu_required)
    if gpu_required and decision.accelerator.value == "cpu":
        raise HostError(
            f"profile {profile.name} requires a GPU and none can be used: "
            + (decision.fallback or decision.broken or "none was found"),
            where=f"profile {profile.name}: checks.gpu",
            fix=decision.fix or "run on a host with a supported GPU, or set checks.gpu to auto",
        )
    lone = lone_gpu_cc(facts)
    return replace(decision, warnings=(*decision.warnings, lone)) if lone else decision


def lone_gpu_cc(facts: HostFacts) -> str | None:
    """LLMENV_GPU_CC without LLMENV_CUDA_DRIVER stands in for nothing (a stand-in GPU needs a driver version): a
    warning, not an error, because the plan is still right for the GPUs actually probed here."""
    cc = facts.env.get("LLMENV_GPU_CC")
    if not cc or facts.env.get("LLMENV_CUDA_DRIVER"):
        return None
    return (
        f"LLMENV_GPU_CC={cc} is ignored: it stands in for a GPU only together with LLMENV_CUDA_DRIVER, which is not "
        "set, so this plan is for the GPUs probed on this host. To plan for the stand-in GPU, set LLMENV_CUDA_DRIVER "
        "too (e.g. `export LLMENV_CUDA_DRIVER=580.65.06`); otherwise `unset LLMENV_GPU_CC`"
    )


def _auto(profile: Profile, facts: HostFacts, gpu_required: bool) -> AcceleratorDecision:
    broken = []
    for name, found in detected(facts).items():
        if found.broken is None:
            return ACCELERATORS[name].decide(profile, facts, f"auto: {found.why}", strict=gpu_required)
        broken.append(found)
    if broken:
        evidence = "; ".join(b.broken or "" for b in broken)
        warning = (
            f"GPU NOT USED: NVIDIA driver installed but not working ({evidence}). Installing the CPU build instead; "
            f"to train on the GPU: {BROKEN_FIX}."
        )
        return cpu_decision(
            profile,
            facts,
            "auto: NVIDIA driver installed but not working, so the CPU build",
            (("cuda", "the driver is installed but not working"),),
            warnings=(warning,),
            fallback="the NVIDIA driver is installed but not working",
            fix=BROKEN_FIX,
            broken=evidence,
        )
    return cpu_decision(profile, facts, "auto: no GPU found (NVIDIA, ROCm or Apple MPS)")


__all__ = ["ACCELERATORS", "Accelerator", "Detected", "detected", "lone_gpu_cc", "resolve"]
