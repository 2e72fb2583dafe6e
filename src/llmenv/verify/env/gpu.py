"""Whether each framework in the env sees the GPU and can run a kernel on it, judged against the host's facts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from llmenv.plan.model import AcceleratorDecision
from llmenv.probe import HostFacts
from llmenv.process import run
from llmenv.verify.env.plumbing import GPU_TIMEOUT, payload, read_json
from llmenv.verify.model import Finding, Status, fail, ok, warn


def torch_gpu_finding(
    python: Path,
    facts: HostFacts | None,
    wanted: str,
    decision: AcceleratorDecision | None = None,
    rebuild: str = "llmenv setup --force",
) -> Finding:
    """Judged against the plan's decision: a CPU build is a failure only where the plan chose a GPU build."""
    result = run([str(python), "-I", payload("gpu_torch.py")], timeout=GPU_TIMEOUT)
    data = read_json(result) if result.ok else None
    if data is None:
        return fail(
            "env.gpu.torch",
            "gpu",
            "PyTorch device check crashed",
            result.describe_failure(),
            "run the check by hand: python -c 'import torch; print(torch.cuda.is_available())'",
        )
    host_gpu = facts.nvidia.value if facts else None
    build = (
        f"torch {data['version']} (CUDA build {data['cuda_build']})"
        if data["cuda_build"]
        else f"torch {data['version']} (CPU build)"
    )
    if data["cuda_available"] and data["op_ok"]:
        devices = ", ".join(f"{d['name']} sm_{d['capability'].replace('.', '')}" for d in data["devices"])
        return ok("env.gpu.torch", "gpu", "PyTorch runs on the GPU", f"{build}; {devices}; matmul + conv2d ran on cuda")
    if data["cuda_available"]:
        return fail(
            "env.gpu.torch",
            "gpu",
            "PyTorch sees the GPU but a kernel failed",
            f"{build}; {data['op_error']}; arch list {data['arch_list']}",
            _arch_fix(data),
        )
    if data["mps_available"]:
        status = Status.OK if data["op_ok"] else Status.FAIL
        return Finding(
            "env.gpu.torch",
            "gpu",
            status,
            "PyTorch on Apple MPS",
            f"{build}; op {'ran' if data['op_ok'] else data['op_error']}",
            None if data["op_ok"] else "update macOS and torch",
        )
    planned_cuda = decision is not None and decision.accelerator.value == "cuda"
    if host_gpu is not None and (planned_cuda or decision is None):
        if not data["cuda_build"]:
            wanted_build = f"the {decision.variant.value} build" if decision and decision.variant else "a CUDA build"
            return fail(
                "env.gpu.torch",
                "gpu",
                "CPU build of PyTorch where the plan chose a CUDA build",
                f"{build}; host has driver {host_gpu.driver} (CUDA {host_gpu.max_cuda}); the plan: {wanted_build}",
                f"rebuild the env: `{rebuild}`",
            )
        return fail(
            "env.gpu.torch",
            "gpu",
            "torch.cuda.is_available() is False",
            f"{build}; host driver {host_gpu.driver} (CUDA {host_gpu.max_cuda})",
            "the driver may be too old for this CUDA build, or CUDA_VISIBLE_DEVICES hides the GPU; check `nvidia-smi`",
        )
    if wanted == "required":
        return fail(
            "env.gpu.torch",
            "gpu",
            "the profile requires a GPU and PyTorch sees none",
            build,
            "run on a host with a supported GPU",
        )
    return Finding("env.gpu.torch", "gpu", Status.SKIP, "no GPU on this host: PyTorch runs on the CPU", build)


def _arch_fix(data: dict[str, Any]) -> str:
    caps = {d["capability"].replace(".", "") for d in data["devices"]}
    archs = {a.split("_")[-1] for a in data["arch_list"]}
    if caps and not caps & archs:
        return "this torch build has no kernels for your GPU's architecture: pick another CUDA variant (llmenv setup chooses by compute capability)"
    return "check the driver with `nvidia-smi` and reinstall the env"


def tf_gpu_finding(
    python: Path,
    facts: HostFacts | None,
    wanted: str,
    decision: AcceleratorDecision | None = None,
    rebuild: str = "llmenv setup --force",
) -> Finding:
    result = run([str(python), "-I", payload("gpu_tf.py")], timeout=GPU_TIMEOUT)
    data = read_json(result) if result.ok else None
    if data is None:
        return fail(
            "env.gpu.tensorflow",
            "gpu",
            "TensorFlow device check crashed",
            result.describe_failure(),
            "run python -c 'import tensorflow as tf; print(tf.config.list_physical_devices())'",
        )
    build = f"tensorflow {data['version']}" + (
        f" (CUDA {data['cuda_version']}, cuDNN {data['cudnn_version']})" if data["cuda_build"] else " (no CUDA)"
    )
    if data["gpus"] and data["op_ok"]:
        return ok("env.gpu.tensorflow", "gpu", "TensorFlow runs on the GPU", f"{build}; {', '.join(data['gpus'])}")
    if data["gpus"]:
        return fail(
            "env.gpu.tensorflow",
            "gpu",
            "TensorFlow sees the GPU but an op failed",
            f"{build}; {data['op_error']}",
            "check cuDNN libraries (LD_LIBRARY_PATH shadowing) and the driver",
        )
    host_gpu = facts.nvidia.value if facts else None
    if host_gpu is not None:
        return warn(
            "env.gpu.tensorflow",
            "gpu",
            "TensorFlow does not see the NVIDIA GPU",
            build,
            "expected with tensorflow-cpu (the `full` profile); use the `tf` profile with --accelerator cuda for GPU TensorFlow",
        )
    if wanted == "required":
        return fail(
            "env.gpu.tensorflow",
            "gpu",
            "the profile requires a GPU and TensorFlow sees none",
            build,
            "run on a host with a supported GPU",
        )
    return Finding("env.gpu.tensorflow", "gpu", Status.SKIP, "no GPU on this host: TensorFlow runs on the CPU", build)


__all__ = ["tf_gpu_finding", "torch_gpu_finding"]
