"""Checks of an existing environment, run by its own interpreter: imports, versions against the pins, dependency
consistency, and whether each framework sees and can use the GPU.

`llmenv doctor --env` and the verification step of `llmenv setup` both call `verify_env`: one implementation.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from llmenv.probe import HostFacts
from llmenv.process import ProcResult, run, spawn_detached
from llmenv.profiles.model import Profile
from llmenv.verify.host import resolve_accelerator
from llmenv.verify.model import Finding, Status, fail, ok, warn

IMPORT_TIMEOUT = 180.0
GPU_TIMEOUT = 180.0
# Checked when no profile names the imports: the frameworks llmenv knows, if installed.
KNOWN_MODULES = {
    "torch": "torch",
    "tensorflow": "tensorflow",
    "tensorflow-cpu": "tensorflow",
    "transformers": "transformers",
    "keras": "keras",
    "numpy": "numpy",
    "jax": "jax",
}


@dataclass(frozen=True)
class ImportResult:
    module: str
    ok: bool
    version: str | None
    seconds: float
    error: str | None


def env_python(env: Path) -> Path:
    windows = env / "Scripts" / "python.exe"
    return windows if windows.exists() else env / "bin" / "python"


def payload(name: str) -> str:
    return str(resources.files("llmenv.verify.payloads").joinpath(name))


def _json(result: ProcResult) -> dict[str, Any] | None:
    lines = result.stdout.strip().splitlines()
    if not lines:
        return None
    try:
        value = json.loads(lines[-1])
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def inspect(python: Path) -> tuple[dict[str, Any] | None, ProcResult]:
    result = run([str(python), "-I", payload("inspect_env.py")], timeout=60.0)
    return (_json(result) if result.ok else None), result


def check_import(
    python: Path, module: str, timeout: float = IMPORT_TIMEOUT, write_bytecode: bool = True
) -> ImportResult:
    """`-I` writes bytecode even where PYTHONDONTWRITEBYTECODE is set; `-B` on top keeps the check from paying
    for compiling (0.8 s for torch), for when that is left to `warm_bytecode`."""
    flags = ["-I"] if write_bytecode else ["-I", "-B"]
    result = run([str(python), *flags, payload("import_check.py"), module], timeout=timeout)
    data = _json(result)
    if data is None:
        return ImportResult(module, False, None, result.seconds, result.describe_failure())
    return ImportResult(module, bool(data["ok"]), data.get("version"), float(data["seconds"]), data.get("error"))


def uv_binary() -> str | None:
    try:
        from uv import find_uv_bin
    except ImportError:
        return None
    try:
        return str(find_uv_bin())
    except FileNotFoundError:
        return None


def warm_bytecode(python: Path, modules: list[str]) -> None:
    """Import `modules` in a detached, low-priority process that writes their bytecode, so the env's next import is
    fast without the command that built it waiting for the compile."""
    if modules:
        spawn_detached([str(python), "-I", payload("warm_imports.py"), *modules], low_priority=True)


def verify_env(
    env: Path,
    profile: Profile | None,
    facts: HostFacts | None,
    accelerator: str = "auto",
    write_bytecode: bool = True,
) -> list[Finding]:
    python = env_python(env)
    if not python.exists():
        return [
            fail(
                "env.python",
                "env",
                f"no environment at {env}",
                f"{python} does not exist",
                f"create it with `llmenv setup --env {env}`",
            )
        ]
    named = list(profile.checks.imports) if profile and profile.checks.imports else []
    with ThreadPoolExecutor(max_workers=4) as pool:
        # The imports the profile names start at once: they are the long pole (seconds for torch), and everything
        # else, inspecting the env included, runs beside them.
        started = [pool.submit(check_import, python, m, IMPORT_TIMEOUT, write_bytecode) for m in named]
        deps_future = pool.submit(check_dependencies, python)
        info, result = inspect(python)
        if info is None:
            return [
                fail(
                    "env.python",
                    "env",
                    "the environment's Python does not run",
                    f"{python}: {result.describe_failure()}",
                    f"rebuild it with `llmenv setup --env {env} --force` (its base interpreter may have been removed)",
                )
            ]
        findings = [ok("env.python", "env", f"Python {info['version']} ({info['bits']}-bit)", f"{info['executable']}")]
        if profile and not SpecifierSet(profile.python).contains(info["version"]):
            findings.append(
                fail(
                    "env.python-range",
                    "env",
                    f"Python {info['version']} is outside the profile's {profile.python}",
                    f"{python}",
                    f"rebuild with `llmenv setup {profile.name} --env {env} --force`",
                )
            )
        installed: dict[str, str] = {str(canonicalize_name(k)): str(v) for k, v in info["distributions"].items()}
        if not started:  # no list in the profile: the modules of the known frameworks that are installed
            started = [
                pool.submit(check_import, python, m, IMPORT_TIMEOUT, write_bytecode)
                for m in _default_modules(installed)
            ]
        imports = [future.result() for future in started]
        findings += [_import_finding(r) for r in imports]
        if profile:
            concrete = (
                resolve_accelerator(accelerator, facts) if facts else ("cpu" if accelerator == "auto" else accelerator)
            )
            findings += check_versions(
                profile.packages_for(concrete), installed, info["markers"], profile.checks.versions
            )
        findings.append(deps_future.result())
    imported = {r.module: r for r in imports if r.ok}
    gpu_wanted = profile.checks.gpu if profile else "auto"
    host_has_gpu = facts is None or resolve_accelerator("auto", facts) != "cpu"
    for module, check in (("torch", torch_gpu_finding), ("tensorflow", tf_gpu_finding)):
        if module not in imported or gpu_wanted == "off":
            continue
        if host_has_gpu or gpu_wanted == "required":
            findings.append(check(python, facts, gpu_wanted))
        else:
            # No GPU here: importing the framework a second time would only prove what the import check proved.
            version = imported[module].version
            findings.append(
                Finding(
                    f"env.gpu.{module}",
                    "gpu",
                    Status.SKIP,
                    f"no GPU on this host: {module} runs on the CPU",
                    f"{module} {version}",
                )
            )
    return findings


def _default_modules(installed: dict[str, str]) -> list[str]:
    return list(dict.fromkeys(m for dist, m in KNOWN_MODULES.items() if dist in installed))


def _import_finding(r: ImportResult) -> Finding:
    fid = f"env.import.{r.module}"
    if r.ok:
        version = f" {r.version}" if r.version else ""
        return ok(fid, "env", f"import {r.module}{version}", f"{r.seconds:.2f} s")
    return fail(fid, "env", f"import {r.module} fails", r.error or "", _import_fix(r.error or ""))


def _import_fix(error: str) -> str:
    if "compiled using NumPy 1.x" in error or "_ARRAY_API not found" in error:
        return "NumPy 2 broke an extension built for NumPy 1: pin numpy<2 or upgrade the framework"
    if "Keras 3" in error:
        return "install tf-keras and set TF_USE_LEGACY_KERAS=1, or pin transformers<5"
    if "No module named" in error:
        return "the package is missing: re-run `llmenv setup` for this env"
    if "libcudnn" in error or "libcuda" in error or "cannot open shared object" in error:
        return "a CUDA library is missing or shadowed: check LD_LIBRARY_PATH and the driver (`nvidia-smi`)"
    return "re-run `llmenv setup --force` for this env; if it persists, report it with this error"


def check_versions(
    requirements: tuple[str, ...], installed: dict[str, str], markers: dict[str, str], extra: dict[str, str]
) -> list[Finding]:
    problems = []
    checked = 0
    for text in requirements:
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate(markers):
            continue
        name = canonicalize_name(requirement.name)
        checked += 1
        have = installed.get(name)
        if have is None:
            problems.append(f"{name} is not installed (wants {requirement.specifier})")
        elif not requirement.specifier.contains(have, prereleases=True):
            problems.append(f"{name} {have} (wants {requirement.specifier})")
    for dist, spec in extra.items():
        checked += 1
        have = installed.get(canonicalize_name(dist))
        if have is None or not SpecifierSet(spec).contains(have, prereleases=True):
            problems.append(f"{dist} {have or 'missing'} (wants {spec})")
    if problems:
        return [
            fail(
                "env.versions",
                "env",
                f"{len(problems)} installed versions differ from the profile",
                "; ".join(problems),
                "re-run `llmenv setup` to bring the env back to its pins",
            )
        ]
    return [ok("env.versions", "env", f"{checked} pinned packages match", "installed versions satisfy every pin")]


def check_dependencies(python: Path) -> Finding:
    uv = uv_binary()
    if uv:
        result = run([uv, "pip", "check", "--python", str(python)], timeout=60.0, env=os.environ | {"NO_COLOR": "1"})
        tool = "uv pip check"
    else:
        result = run([str(python), "-m", "pip", "check"], timeout=120.0)
        tool = "pip check"
    text = (result.stdout + result.stderr).strip()
    if result.ok:
        return ok(
            "env.dependencies", "env", "no dependency conflicts", f"{tool}: {text.splitlines()[-1] if text else 'ok'}"
        )
    if result.error or result.timed_out:
        return warn(
            "env.dependencies",
            "env",
            "dependency check did not run",
            result.describe_failure(),
            "run `uv pip check` by hand",
        )
    conflicts = [line.strip() for line in text.splitlines() if "requires" in line or "has requirement" in line]
    return fail(
        "env.dependencies",
        "env",
        "installed packages conflict",
        "; ".join(conflicts[:8]) or text[-500:],
        "re-run `llmenv setup`; if the profile itself pins incompatible versions, adjust the pins",
    )


def torch_gpu_finding(python: Path, facts: HostFacts | None, wanted: str) -> Finding:
    result = run([str(python), "-I", payload("gpu_torch.py")], timeout=GPU_TIMEOUT)
    data = _json(result) if result.ok else None
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
    if host_gpu is not None:
        if not data["cuda_build"]:
            return fail(
                "env.gpu.torch",
                "gpu",
                "CPU build of PyTorch on a host with an NVIDIA GPU",
                f"{build}; host has driver {host_gpu.driver} (CUDA up to {host_gpu.max_cuda})",
                "re-run `llmenv setup --accelerator cuda --force` to install the CUDA build",
            )
        return fail(
            "env.gpu.torch",
            "gpu",
            "torch.cuda.is_available() is False",
            f"{build}; host driver {host_gpu.driver} supports CUDA up to {host_gpu.max_cuda}",
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


def tf_gpu_finding(python: Path, facts: HostFacts | None, wanted: str) -> Finding:
    result = run([str(python), "-I", payload("gpu_tf.py")], timeout=GPU_TIMEOUT)
    data = _json(result) if result.ok else None
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


__all__ = [
    "ImportResult",
    "check_dependencies",
    "check_import",
    "check_versions",
    "env_python",
    "inspect",
    "verify_env",
    "warm_bytecode",
]
