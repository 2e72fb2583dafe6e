"""Build HostFacts for rule tests: a plain 64-bit Linux host with one good Python, changed per test."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from llmenv.probe import HostFacts
from llmenv.probe.disk import DiskSpace
from llmenv.probe.facts import Probed
from llmenv.probe.gpu_nvidia import NvidiaGpu, NvidiaInfo
from llmenv.probe.interpreters import Command, Interpreter, InterpreterReport
from llmenv.probe.pipconfig import PipConfig
from llmenv.probe.system import SystemInfo
from llmenv.tables.cuda import max_cuda_for_driver

PY = "/usr/bin/python3.11"


def system(**changes: Any) -> SystemInfo:
    base = SystemInfo(
        os="Linux",
        os_release="6.1.0",
        distro="Debian GNU/Linux 12 (bookworm)",
        distro_id="debian",
        machine="x86_64",
        os_bits=64,
        python_bits=64,
        libc="glibc",
        libc_version="2.36",
        cpu_flags=("avx", "avx2", "fma"),
        cpu_count=8,
        memory_total_mb=32000,
        memory_available_mb=30000,
        wsl=False,
    )
    return replace(base, **changes)


def interpreter(version: str = "3.11.7", exe: str = PY, bits: int = 64, venv: bool = False) -> Interpreter:
    return Interpreter(exe, (exe,), ("PATH",), version, "CPython", bits, "x86_64", "/usr", venv)


def interpreters(*items: Interpreter, commands: dict[str, Command] | None = None, **changes: Any) -> InterpreterReport:
    items = items or (interpreter(),)
    default = {
        "python": Command(
            "python", "/usr/bin/python", items[0].executable, items[0].version, "run", prefix=items[0].prefix
        ),
        "python3": Command(
            "python3", "/usr/bin/python3", items[0].executable, items[0].version, "run", prefix=items[0].prefix
        ),
        "pip": Command("pip", "/usr/bin/pip", items[0].executable, items[0].version, "shebang", prefix=items[0].prefix),
        "pip3": Command("pip3", None),
    }
    base = InterpreterReport(
        interpreters=items,
        broken=(),
        commands={**default, **(commands or {})},
        path_entries=("/usr/bin", "/bin"),
        missing_path_entries=(),
        duplicate_path_entries=(),
        empty_path_entry=False,
        pyenv_shims=None,
        active_venv=None,
        active_conda=None,
    )
    return replace(base, **changes)


def nvidia(driver: str, *gpus: tuple[str, str]) -> Probed[NvidiaInfo]:
    info = NvidiaInfo(
        driver,
        max_cuda_for_driver(driver),
        "table",
        tuple(NvidiaGpu(i, name, 16000, cc) for i, (name, cc) in enumerate(gpus)),
        None,
    )
    return Probed(info, "recorded")


def host(**changes: Any) -> HostFacts:
    base = HostFacts(
        system=Probed(system(), "test"),
        interpreters=Probed(interpreters(), "test"),
        nvidia=Probed(None, "no nvidia-smi"),
        rocm=Probed(None, "no rocminfo"),
        apple=Probed(None, "not a Mac"),
        cuda_toolkit=Probed(None, "no nvcc"),
        disk=Probed([DiskSpace("env", "/work/.venv", "/work", 100_000, 200_000)], "test"),
        pip_config=Probed(PipConfig((), {}), "test"),
        indexes=Probed([], "test"),
        env={},
        seconds=0.1,
    )
    wrapped = {
        k: (v if isinstance(v, Probed) or k in ("env", "seconds") else Probed(v, "test")) for k, v in changes.items()
    }
    return replace(base, **wrapped)
