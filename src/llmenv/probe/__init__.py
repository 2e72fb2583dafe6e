"""Facts about the host, read-only and without judgement (the verify package judges).

Independent probes run concurrently, each bounded in time; one that fails or overruns becomes an unknown fact
with its reason, never a crash, so `llmenv doctor` still reports everything else.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.specifiers import SpecifierSet

from llmenv.probe.cuda_toolkit import CudaToolkit, probe_cuda_toolkit
from llmenv.probe.disk import DiskSpace, probe_disk
from llmenv.probe.facts import Probed, to_jsonable
from llmenv.probe.gpu_apple import AppleInfo, probe_apple
from llmenv.probe.gpu_nvidia import NvidiaInfo, probe_nvidia
from llmenv.probe.gpu_rocm import RocmInfo, probe_rocm
from llmenv.probe.index import PYPI, IndexStatus, check_all
from llmenv.probe.interpreters import Interpreter, InterpreterReport, probe_interpreters
from llmenv.probe.pipconfig import PipConfig, first_of, probe_pip_config
from llmenv.probe.shell import ShellFacts, probe_shell
from llmenv.probe.system import SystemInfo, probe_system
from llmenv.probe.uvconfig import UvConfig, probe_uv_config
from llmenv.redact import redact_env_value

PROBE_TIMEOUT = 8.0
# The probed facts, in report order; the published JSON Schema lists the same names.
FACT_NAMES = ("system", "interpreters", "nvidia", "rocm", "apple", "cuda_toolkit", "disk", "pip_config", "indexes")
# Facts added later, optional in the JSON Schema so reports written before them still validate and merge.
OPTIONAL_FACT_NAMES = ("uv_config", "shell")
# Environment variables that change what gets installed or which device is used; reported redacted.
RELEVANT_ENV = (
    "VIRTUAL_ENV",
    "CONDA_PREFIX",
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONDONTWRITEBYTECODE",
    "CUDA_VISIBLE_DEVICES",
    "CUDA_HOME",
    "CUDA_PATH",
    "LD_LIBRARY_PATH",
    "HSA_OVERRIDE_GFX_VERSION",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "SSL_CERT_FILE",
    "REQUESTS_CA_BUNDLE",
    "HF_HOME",
    "HF_HUB_OFFLINE",
    "HF_TOKEN",
    "TF_USE_LEGACY_KERAS",
    "LLMENV_CUDA_DRIVER",
    "LLMENV_GPU_CC",
)


@dataclass(frozen=True)
class HostFacts:
    system: Probed[SystemInfo]
    interpreters: Probed[InterpreterReport]
    nvidia: Probed[NvidiaInfo]
    rocm: Probed[RocmInfo]
    apple: Probed[AppleInfo]
    cuda_toolkit: Probed[CudaToolkit]
    disk: Probed[list[DiskSpace]]
    pip_config: Probed[PipConfig]
    indexes: Probed[list[IndexStatus]]
    env: dict[str, str]
    seconds: float
    uv_config: Probed[UvConfig] = field(default_factory=lambda: Probed(None, "not probed"))
    shell: Probed[ShellFacts] = field(default_factory=lambda: Probed(None, "not probed"))

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name).to_dict() for name in (*FACT_NAMES, *OPTIONAL_FACT_NAMES)} | {
            "env": to_jsonable(self.env),
            "seconds": round(self.seconds, 3),
        }


def _timed(source: str, fn: Callable[[], Any]) -> Callable[[], Probed[Any]]:
    def call() -> Probed[Any]:
        start = time.perf_counter()
        try:
            value = fn()
        except Exception as exc:  # a probe bug must not take the whole report down
            return Probed(None, source, f"probe failed: {type(exc).__name__}: {exc}", time.perf_counter() - start)
        if isinstance(value, Probed):
            return Probed(value.value, value.source, value.error, time.perf_counter() - start)
        return Probed(value, source, None, time.perf_counter() - start)

    return call


def index_targets(config: PipConfig | None) -> list[tuple[str, str]]:
    if config is None:
        return [(PYPI, "index-url")]
    targets = []
    if not config.flag("no-index"):
        targets.append((config.get("index-url")[0] if config.get("index-url") else PYPI, "index-url"))
        targets += [(u, "extra-index-url") for u in config.get("extra-index-url")]
    targets += [(u, "find-links") for u in config.get("find-links")]
    return targets


def probe_host(
    *,
    offline: bool = False,
    env_path: Path | None = None,
    timeout: float = PROBE_TIMEOUT,
    python: SpecifierSet | None = None,
    for_setup: bool = False,
    explicit_python: str | None = None,
) -> HostFacts:
    """`python` prunes interpreters whose path already shows they cannot fit; `for_setup` skips what only doctor
    reports (the CUDA toolkit, index reachability), since setup's installer tells about indexes itself."""
    from llmenv.probe.overrides import check_gpu_overrides

    check_gpu_overrides()
    start = time.perf_counter()
    probes: dict[str, Callable[[], Probed[Any]]] = {
        "system": _timed("platform, /etc/os-release, /proc", probe_system),
        "interpreters": _timed(
            "PATH, pyenv, uv, py launcher", lambda: probe_interpreters(wanted=python, trace_pip=not for_setup)
        )
        if not (explicit_python and os.path.isfile(explicit_python))
        else _timed("--python", lambda: given_interpreter(str(explicit_python))),
        "nvidia": _timed("nvidia", probe_nvidia),
        "rocm": _timed("rocm", probe_rocm),
        "apple": _timed("platform.mac_ver()", probe_apple),
        "cuda_toolkit": _timed("nvcc", probe_cuda_toolkit)
        if not for_setup
        else (lambda: Probed(None, "not probed by setup")),
        "disk": _timed("shutil.disk_usage", lambda: probe_disk(env_path)),
        "pip_config": _timed("pip configuration files and PIP_* variables", probe_pip_config),
        "uv_config": _timed("uv configuration files and UV_* variables", probe_uv_config),
    }
    pool = ThreadPoolExecutor(max_workers=len(probes) + 1)
    futures: dict[str, Future[Probed[Any]]] = {name: pool.submit(fn) for name, fn in probes.items()}
    results: dict[str, Probed[Any]] = {}
    deadline = time.perf_counter() + timeout
    for name, future in futures.items():
        results[name] = _result(name, future, deadline, timeout)
    # Judged against the `python` the user runs, so after the interpreters (file checks only: microseconds).
    results["shell"] = _timed("PYTHONHOME, PYTHONPATH, PIP_*, VIRTUAL_ENV, pyenv", lambda: _shell(results))()
    if offline or for_setup:
        results["indexes"] = Probed(None, "skipped: --offline" if offline else "not probed by setup")
    else:
        config = results["pip_config"].value
        cert = first_of(config, "cert")
        proxy = first_of(config, "proxy")
        origin = config.settings["proxy"].origin if config and proxy and "proxy" in config.settings else "pip config"
        targets = index_targets(config)
        future = pool.submit(
            _timed(
                "HTTP HEAD to each index",
                lambda: check_all(targets, cafile=cert, proxy=proxy, proxy_origin=origin),
            )
        )
        results["indexes"] = _result("indexes", future, time.perf_counter() + timeout, timeout)
    # Threads stuck past their deadline are abandoned, not awaited: their child processes have their own timeouts.
    pool.shutdown(wait=False, cancel_futures=True)
    env = {name: redact_env_value(name, os.environ[name]) for name in RELEVANT_ENV if name in os.environ}
    return HostFacts(**results, env=env, seconds=time.perf_counter() - start)


def _shell(results: dict[str, Probed[Any]]) -> Probed[ShellFacts]:
    report = results["interpreters"].value
    version = None
    if isinstance(report, InterpreterReport):
        command = report.commands.get("python")
        command = command if command and command.python_version else report.commands.get("python3")
        version = ".".join((command.python_version or "").split(".")[:2]) or None if command else None
    return probe_shell(python_version=version)


def probe_for_rerun(python: str, version: str, prefix: str) -> HostFacts:
    """Only what can change a setup that already succeeded: GPUs, pip configuration, the chosen interpreter.

    Listing every interpreter costs ~0.5 s; a re-run with nothing changed must cost much less, so the interpreter
    recorded in the stamp stands in for the list (it is checked to still exist)."""
    from llmenv.probe.interpreters import Interpreter
    from llmenv.probe.overrides import check_gpu_overrides

    check_gpu_overrides()
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=5) as pool:
        futures = {
            "system": pool.submit(_timed("platform, /etc/os-release, /proc", probe_system)),
            "nvidia": pool.submit(_timed("nvidia", probe_nvidia)),
            "rocm": pool.submit(_timed("rocm", probe_rocm)),
            "apple": pool.submit(_timed("platform.mac_ver()", probe_apple)),
            "pip_config": pool.submit(_timed("pip configuration files and PIP_* variables", probe_pip_config)),
        }
        results = {name: future.result() for name, future in futures.items()}
    interpreters: list[Interpreter] = []
    if Path(python).exists():
        interpreters.append(Interpreter(python, (python,), ("stamp",), version, "CPython", 64, "", prefix, False))
    report = lone_interpreters(tuple(interpreters))
    skipped: Probed[Any] = Probed(None, "not probed on a re-run")
    return HostFacts(
        interpreters=Probed(report, "setup stamp"),
        cuda_toolkit=skipped,
        disk=skipped,
        indexes=skipped,
        env={},
        seconds=time.perf_counter() - start,
        **results,
    )


def lone_interpreters(interpreters: tuple[Interpreter, ...]) -> InterpreterReport:
    """A report of just these interpreters, without PATH facts: what a re-run or `--python /path` plans from."""
    from llmenv.probe.interpreters import Command

    return InterpreterReport(
        interpreters=interpreters,
        broken=(),
        commands={n: Command(n, None) for n in ("python", "python3", "pip", "pip3")},
        path_entries=(),
        missing_path_entries=(),
        duplicate_path_entries=(),
        empty_path_entry=False,
        pyenv_shims=None,
        active_venv=None,
        active_conda=None,
    )


def given_interpreter(path: str) -> Probed[InterpreterReport]:
    """Setup with `--python /path`: only that interpreter is asked, so a hanging or broken `python3` elsewhere on
    PATH (a stale shim, a dead network mount) cannot fail or slow a setup that never uses it."""
    from llmenv.probe.interpreters import Interpreter, query

    info, error = query(path)
    if info is None:
        return Probed(None, "--python", f"{path} did not answer: {error}")
    report = lone_interpreters((Interpreter.from_answer(info, found_at=(path,), found_by=("--python",)),))
    return Probed(report, "--python")


def _result(name: str, future: Future[Probed[Any]], deadline: float, timeout: float) -> Probed[Any]:
    try:
        return future.result(timeout=max(0.0, deadline - time.perf_counter()))
    except TimeoutError:
        return Probed(None, name, f"did not finish within {timeout:.0f} s")


__all__ = ["FACT_NAMES", "OPTIONAL_FACT_NAMES", "HostFacts", "index_targets", "probe_for_rerun", "probe_host"]
