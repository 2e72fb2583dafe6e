"""Pure rules over host facts (and, when given, a profile): each returns findings with evidence and a fix.

Rules never run anything; everything they know came from `llmenv.probe`. That is what lets the tests build any
host (a 32-bit Python, a 470 driver, a musl libc) from recorded facts.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from llmenv.plan.needs import Needs, needs_for
from llmenv.probe import HostFacts
from llmenv.probe.interpreters import Command, Interpreter
from llmenv.profiles.model import Profile
from llmenv.tables.cuda import driver_runs_cuda, version_tuple
from llmenv.verify.model import Finding, fail, ok, warn

SUPPORTED_MACHINES = {"x86_64", "amd64", "aarch64", "arm64"}


@dataclass(frozen=True)
class HostContext:
    needs: Needs | None = None  # None: no profile given, only profile-free rules apply
    accelerator: str = "auto"  # what the profile or --accelerator asks for
    profile_name: str | None = None
    min_cuda: str | None = None  # the profile's CUDA floor, used when the accelerator is cuda or auto


Rule = Callable[[HostFacts, HostContext], list[Finding]]


def _os(facts: HostFacts) -> str:
    return facts.system.value.os if facts.system.value else "Linux"


def install_python_fix(os_name: str, version: str) -> str:
    """How to get a Python on this OS; uv ships with llmenv, so it is always an option."""
    by_os = {
        "Windows": f"`py install {version}` (Python install manager) or `winget install Python.Python.{version}`",
        "Darwin": f"`brew install python@{version}`",
        "Linux": f"`pyenv install {version}` or your distribution's python{version} package",
    }
    return f"`uv python install {version}` (uv comes with llmenv), or {by_os.get(os_name, by_os['Linux'])}"


def rule_python_on_path(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    report = facts.interpreters.value
    if report is None:
        return [
            warn(
                "python.discovery",
                "python",
                "Python discovery failed",
                facts.interpreters.error or "",
                "run `llmenv probe` for details",
            )
        ]
    found = [c for c in (report.commands["python"], report.commands["python3"]) if c.path]
    if not found:
        return [
            fail(
                "python.on-path",
                "python",
                "no `python` or `python3` on PATH",
                f"PATH has {len(report.path_entries)} entries, none with a python",
                install_python_fix(_os(facts), "3.12") + ", then open a new shell",
            )
        ]
    working = [c for c in found if c.interpreter]
    if not working:
        first = found[0]
        return [
            fail(
                "python.on-path",
                "python",
                f"`{first.name}` on PATH does not run",
                f"{first.path}: {first.error}",
                "remove the broken entry from PATH or reinstall that Python",
            )
        ]
    lines = [f"{c.name} -> {c.path} runs {c.interpreter} ({c.python_version})" for c in working]
    return [ok("python.on-path", "python", "Python on PATH", "; ".join(lines))]


def _same_python(pip: Command, python: Command) -> bool | None:
    if not pip.path or not python.interpreter:
        return None
    if pip.prefix and python.prefix:
        # The prefix, not the binary, decides where packages land: two venvs share one binary.
        return os.path.realpath(pip.prefix) == os.path.realpath(python.prefix)
    if pip.interpreter:
        return os.path.realpath(pip.interpreter) == os.path.realpath(python.interpreter)
    if pip.site_packages and pip.python_version and python.python_version:
        same_minor = python.python_version.startswith(pip.python_version)
        prefix = str(Path(python.interpreter).resolve().parent.parent)
        return same_minor and os.path.realpath(pip.site_packages).startswith(os.path.realpath(prefix))
    return None


def rule_pip_matches_python(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    report = facts.interpreters.value
    if report is None:
        return []
    out = []
    python = report.commands["python"] if report.commands["python"].interpreter else report.commands["python3"]
    for name in ("pip", "pip3"):
        pip = report.commands[name]
        same = _same_python(pip, python)
        target = pip.interpreter or f"Python {pip.python_version} ({pip.site_packages})"
        if pip.path is None:
            out.append(
                ok(
                    f"python.{name}-matches",
                    "python",
                    f"`{name}` not on PATH",
                    "use `python -m pip`, which always matches",
                )
            )
        elif same is False:
            out.append(
                warn(
                    f"python.{name}-matches",
                    "python",
                    f"`{name}` installs into a different Python than `{python.name}`",
                    f"{pip.path} -> {target}; `{python.name}` -> {python.interpreter}",
                    f"run pip as `{python.name} -m pip ...` (llmenv always does), or put the matching bin folder "
                    "first on PATH",
                )
            )
        elif same is None:
            out.append(
                warn(
                    f"python.{name}-matches",
                    "python",
                    f"cannot tell which Python `{name}` uses",
                    f"{pip.path}: {pip.error or 'no shebang'}",
                    f"use `{python.name} -m pip`",
                )
            )
        else:
            out.append(
                ok(
                    f"python.{name}-matches",
                    "python",
                    f"`{name}` matches `{python.name}`",
                    f"{pip.path} -> {target} ({pip.via})",
                )
            )
    return out


def rule_path_entries(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    report = facts.interpreters.value
    if report is None:
        return []
    out = []
    if report.missing_path_entries:
        out.append(
            warn(
                "path.missing-dirs",
                "path",
                f"{len(report.missing_path_entries)} PATH entries do not exist",
                ", ".join(report.missing_path_entries),
                "remove them from PATH in your shell profile (stale entries hide typos and slow lookups)",
            )
        )
    else:
        out.append(ok("path.missing-dirs", "path", "every PATH entry exists", f"{len(report.path_entries)} entries"))
    if report.duplicate_path_entries:
        out.append(
            warn(
                "path.duplicates",
                "path",
                "PATH lists folders more than once",
                ", ".join(report.duplicate_path_entries),
                "remove the repeats from your shell profile (usually a line that prepends to PATH on every "
                "shell start)",
            )
        )
    else:
        out.append(ok("path.duplicates", "path", "no duplicate PATH entries", f"{len(report.path_entries)} entries"))
    if report.empty_path_entry:
        out.append(
            warn(
                "path.empty-entry",
                "path",
                "PATH has an empty entry (the current folder)",
                "an empty entry (`::` or a trailing `:`) makes every folder you cd into searchable",
                "remove the empty entry from PATH",
            )
        )
    if report.store_stubs:
        out.append(
            warn(
                "path.windows-store-stub",
                "path",
                "Windows Store Python alias stubs on PATH",
                ", ".join(report.store_stubs),
                "turn off the python.exe/python3.exe App Execution Aliases (Settings > Apps > Advanced app "
                "settings) or install Python from python.org",
            )
        )
    return out


def rule_active_env(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    report = facts.interpreters.value
    if report is None:
        return []
    active = [f"venv {report.active_venv}"] if report.active_venv else []
    active += [f"conda {report.active_conda}"] if report.active_conda else []
    if report.active_venv and report.active_conda:
        return [
            warn(
                "env.active",
                "python",
                "a venv and a conda env are both active",
                "; ".join(active),
                "deactivate one (`deactivate` / `conda deactivate`) so `python` and `pip` agree",
            )
        ]
    evidence = "; ".join(active) if active else "none (llmenv does not need one: it creates its own)"
    return [ok("env.active", "python", "active environment", evidence)]


def rule_bitness(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    system = facts.system.value
    report = facts.interpreters.value
    if system is None:
        return []
    out = []
    if system.machine.lower() not in SUPPORTED_MACHINES or system.os_bits != 64:
        out.append(
            fail(
                "platform.arch",
                "platform",
                f"{system.machine} ({system.os_bits}-bit) has no PyTorch or TensorFlow wheels",
                f"{system.os} {system.machine}, {system.os_bits}-bit OS",
                "use a 64-bit OS on x86_64 or arm64/aarch64 (or a container on such a host)",
            )
        )
    else:
        out.append(ok("platform.arch", "platform", "64-bit OS on a supported CPU", f"{system.os} {system.machine}"))
    if report is None:
        return out
    python = report.commands["python"] if report.commands["python"].interpreter else report.commands["python3"]
    thirty_two = [i for i in report.interpreters if i.bits == 32]
    default_32 = [
        i
        for i in thirty_two
        if python.interpreter and os.path.realpath(i.executable) == os.path.realpath(python.interpreter)
    ]
    if default_32:
        out.append(
            fail(
                "python.bitness",
                "python",
                f"`{python.name}` is a 32-bit Python",
                f"{default_32[0].executable} ({default_32[0].version}, 32-bit) on a {system.os_bits}-bit OS; "
                "no framework publishes 32-bit wheels ('not a supported wheel on this platform')",
                install_python_fix(system.os, "3.12") + " (the 64-bit build)",
            )
        )
    elif thirty_two:
        out.append(
            warn(
                "python.bitness",
                "python",
                "32-bit Pythons are installed",
                ", ".join(f"{i.executable} ({i.version})" for i in thirty_two),
                "llmenv skips them; uninstall them to avoid picking one by accident",
            )
        )
    else:
        out.append(
            ok("python.bitness", "python", "every Python found is 64-bit", f"{len(report.interpreters)} interpreters")
        )
    if report.broken:
        out.append(
            warn(
                "python.broken",
                "python",
                f"{len(report.broken)} Python executables do not run",
                "; ".join(f"{p}: {why}" for p, why in report.broken),
                "remove or repair them; they can shadow working ones on PATH",
            )
        )
    return out


def supporting(interpreters: tuple[Interpreter, ...], needs: Needs) -> list[Interpreter]:
    return [
        i
        for i in interpreters
        if i.bits == 64 and i.implementation == "CPython" and not i.is_venv and needs.python.contains(i.version)
    ]


def rule_python_supported(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    report = facts.interpreters.value
    if ctx.needs is None or report is None:
        return []
    needs = ctx.needs
    usable = supporting(report.interpreters, needs)
    found = ", ".join(f"{i.version}" for i in report.interpreters if not i.is_venv) or "none"
    reasons = "; ".join(needs.python_reasons)
    if not usable:
        wanted = _suggest_minor(needs)
        return [
            fail(
                "python.supported",
                "python",
                f"no installed Python satisfies {needs.python}",
                f"found {found}; required by {reasons}",
                install_python_fix(_os(facts), wanted),
            )
        ]
    best = max(usable, key=lambda i: version_tuple(i.version))
    out = [
        ok(
            "python.supported",
            "python",
            f"Python {best.version} satisfies {needs.python}",
            f"{best.executable}; {len(usable)} suitable of {found}; from {reasons}",
        )
    ]
    python = report.commands["python"]
    if python.python_version and not needs.python.contains(python.python_version):
        out.append(
            warn(
                "python.default-supported",
                "python",
                f"`python` is {python.python_version}, outside {needs.python}",
                f"{python.path} -> {python.interpreter}",
                f"nothing to do for llmenv (setup picks {best.executable}); to use that Python by hand, call it by "
                "its full path",
            )
        )
    return out


def _suggest_minor(needs: Needs) -> str:
    for minor in (12, 11, 13, 10):
        if needs.python.contains(f"3.{minor}.0"):
            return f"3.{minor}"
    return "3.12"


def rule_libc(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    system = facts.system.value
    if system is None or system.os != "Linux":
        return []
    if system.libc == "musl":
        status = fail if ctx.needs and ctx.needs.frameworks else warn
        return [
            status(
                "platform.libc",
                "platform",
                "musl libc (Alpine): PyTorch and TensorFlow publish no musllinux wheels",
                f"{system.distro or 'Linux'} with musl",
                "use a glibc-based distribution or image (Debian, Ubuntu, RHEL-like)",
            )
        ]
    if system.libc_version is None:
        return [
            warn(
                "platform.libc",
                "platform",
                "libc version unknown",
                "platform.libc_ver() gave nothing",
                "install glibc >= 2.28",
            )
        ]
    need = ctx.needs.min_glibc if ctx.needs else None
    if need and version_tuple(system.libc_version) < version_tuple(need):
        return [
            fail(
                "platform.libc",
                "platform",
                f"glibc {system.libc_version} is older than {need}",
                (ctx.needs.glibc_reason if ctx.needs else None) or "",
                "upgrade the OS (e.g. Ubuntu 20.04+, Debian 10+, RHEL 8+) or run in a newer container image",
            )
        ]
    detail = f" (>= {need} needed: {ctx.needs.glibc_reason})" if need and ctx.needs else ""
    return [ok("platform.libc", "platform", f"glibc {system.libc_version}", f"{system.distro or 'Linux'}{detail}")]


def rule_cpu(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    system = facts.system.value
    if system is None or system.machine.lower() not in ("x86_64", "amd64"):
        return []
    if system.cpu_flags is None:
        return [ok("cpu.avx", "platform", "CPU flags not readable on this OS", f"{system.os}: skipped")]
    if "avx" in system.cpu_flags:
        return [ok("cpu.avx", "platform", "CPU has AVX", " ".join(system.cpu_flags))]
    needs_avx = bool(ctx.needs and ctx.needs.needs_avx)
    status = fail if needs_avx else warn
    return [
        status(
            "cpu.avx",
            "platform",
            "CPU lacks AVX: TensorFlow wheels crash with 'Illegal instruction'",
            (ctx.needs.avx_reason if ctx.needs and ctx.needs.avx_reason else "flags: " + " ".join(system.cpu_flags)),
            "use a CPU with AVX (Sandy Bridge or newer), or a profile without TensorFlow",
        )
    ]


def rule_disk(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    spaces = facts.disk.value
    if not spaces:
        return []
    need = ctx.needs.disk_mb if ctx.needs else 2000
    out = []
    for space in spaces:
        wanted = need if space.label in ("env", "uv-cache", "pip-cache") else min(need, 2000)
        evidence = f"{space.free_mb:,} MB free at {space.measured_at} (for {space.path}); about {wanted:,} MB needed"
        fix = f"free space on that filesystem, or point {_disk_knob(space.label)} at a larger one"
        if space.free_mb < wanted:
            out.append(fail(f"disk.{space.label}", "disk", f"not enough disk for {space.label}", evidence, fix))
        elif space.free_mb < 2 * wanted:
            out.append(warn(f"disk.{space.label}", "disk", f"disk nearly full for {space.label}", evidence, fix))
        else:
            out.append(ok(f"disk.{space.label}", "disk", f"disk space for {space.label}", evidence))
    return out


def _disk_knob(label: str) -> str:
    return {"env": "--env", "uv-cache": "UV_CACHE_DIR", "pip-cache": "PIP_CACHE_DIR", "tmp": "TMPDIR"}[label]


def rule_gpu(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    nvidia, rocm, apple = facts.nvidia, facts.rocm, facts.apple
    out = []
    if nvidia.value:
        info = nvidia.value
        gpus = (
            "; ".join(
                f"#{g.index} {g.name}"
                + (f" (sm_{g.compute_capability.replace('.', '')})" if g.compute_capability else "")
                + (f", {g.memory_mb:,} MiB" if g.memory_mb else "")
                for g in info.gpus
            )
            or "no GPU details (driver only)"
        )
        out.append(
            ok(
                "gpu.nvidia",
                "gpu",
                f"NVIDIA driver {info.driver}, CUDA up to {info.max_cuda or '?'}",
                f"{gpus}; source {nvidia.source}"
                + (
                    f"; CUDA_VISIBLE_DEVICES={info.cuda_visible_devices}"
                    if info.cuda_visible_devices is not None
                    else ""
                ),
            )
        )
        if info.cuda_visible_devices is not None and info.cuda_visible_devices.strip() in ("", "-1"):
            out.append(
                warn(
                    "gpu.visible-devices",
                    "gpu",
                    "CUDA_VISIBLE_DEVICES hides every GPU",
                    f"CUDA_VISIBLE_DEVICES={info.cuda_visible_devices!r}",
                    "unset CUDA_VISIBLE_DEVICES or list the GPU indexes to use",
                )
            )
    elif nvidia.error:
        out.append(
            warn(
                "gpu.nvidia",
                "gpu",
                "NVIDIA probe failed",
                f"{nvidia.source}: {nvidia.error}",
                "check that `nvidia-smi` runs; reinstall the driver if it hangs or fails",
            )
        )
    else:
        out.append(ok("gpu.nvidia", "gpu", "no NVIDIA GPU", nvidia.source))
    if rocm.value:
        r = rocm.value
        out.append(
            ok(
                "gpu.rocm",
                "gpu",
                f"ROCm {r.version or '?'}",
                "; ".join(f"{g.name} ({g.gfx})" for g in r.gpus) or "no GPU agents",
            )
        )
        if r.kfd_writable is False:
            out.append(
                warn(
                    "gpu.rocm-kfd",
                    "gpu",
                    "/dev/kfd is not writable",
                    "ROCm needs read/write access to /dev/kfd",
                    "add your user to the `render` and `video` groups, then log in again",
                )
            )
    if apple.value:
        a = apple.value
        evidence = f"macOS {a.macos} on {a.machine}: {a.reason}"
        if a.mps_capable:
            out.append(ok("gpu.apple", "gpu", "Apple MPS available", evidence))
        else:
            out.append(
                warn("gpu.apple", "gpu", "no MPS", evidence, "use an Apple Silicon Mac on macOS 14+ for GPU training")
            )
    out += _gpu_vs_profile(facts, ctx)
    return out


def _gpu_vs_profile(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    if ctx.needs is None:
        return []
    nvidia = facts.nvidia.value
    has_gpu = bool(nvidia) or bool(facts.rocm.value) or bool(facts.apple.value and facts.apple.value.mps_capable)
    want = ctx.accelerator
    name = ctx.profile_name or "the profile"
    if want == "cuda" and nvidia is None:
        return [
            fail(
                "gpu.profile-match",
                "gpu",
                f"{name} asks for CUDA but no NVIDIA GPU was found",
                facts.nvidia.error or facts.nvidia.source,
                "install the NVIDIA driver (check with `nvidia-smi`), or run with --accelerator cpu",
            )
        ]
    if want == "cpu" and has_gpu:
        return [
            warn(
                "gpu.profile-match",
                "gpu",
                f"{name} builds for the CPU although this host has a GPU",
                "accelerator: cpu",
                "use --accelerator auto (or cuda/rocm/mps) to train on the GPU",
            )
        ]
    if nvidia and want in ("cuda", "auto") and ctx.min_cuda:
        if not driver_runs_cuda(nvidia.driver, ctx.min_cuda, _os(facts)):
            status = fail if want == "cuda" else warn
            consequence = "" if want == "cuda" else "; setup will fall back to the CPU build"
            return [
                status(
                    "gpu.driver-cuda",
                    "gpu",
                    f"driver {nvidia.driver} is too old for CUDA {ctx.min_cuda}",
                    f"driver supports CUDA up to {nvidia.max_cuda}; {name} needs >= {ctx.min_cuda}{consequence}",
                    "upgrade the NVIDIA driver (>= 525.60.13 for CUDA 12, >= 580 for CUDA 13)",
                )
            ]
        return [
            ok(
                "gpu.driver-cuda",
                "gpu",
                f"driver {nvidia.driver} runs CUDA {ctx.min_cuda}+ builds",
                f"max CUDA {nvidia.max_cuda}",
            )
        ]
    if want == "auto":
        target = "CUDA" if nvidia else ("ROCm" if facts.rocm.value else ("MPS" if has_gpu else "CPU"))
        return [ok("gpu.profile-match", "gpu", f"accelerator auto resolves to {target}", f"{name}")]
    return [ok("gpu.profile-match", "gpu", f"accelerator {want} fits this host", f"{name}")]


def rule_cuda_toolkit(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    toolkit = facts.cuda_toolkit.value
    if toolkit is None:
        return [
            ok(
                "cuda.toolkit",
                "gpu",
                "no CUDA toolkit (not needed: wheels bundle the CUDA runtime)",
                facts.cuda_toolkit.source,
            )
        ]
    nvidia = facts.nvidia.value
    evidence = f"nvcc {toolkit.version} at {toolkit.nvcc}" + (
        f", CUDA_HOME={toolkit.cuda_home}" if toolkit.cuda_home else ""
    )
    if nvidia and nvidia.max_cuda and version_tuple(toolkit.version) > version_tuple(nvidia.max_cuda):
        return [
            warn(
                "cuda.toolkit",
                "gpu",
                f"CUDA toolkit {toolkit.version} is newer than the driver's CUDA {nvidia.max_cuda}",
                evidence,
                "extensions compiled with this nvcc will not load; upgrade the driver or use an older toolkit",
            )
        ]
    note = "" if nvidia else " (no NVIDIA driver here: fine for building, nothing will run on a GPU)"
    return [ok("cuda.toolkit", "gpu", f"CUDA toolkit {toolkit.version}{note}", evidence)]


INDEX_FIXES = {
    "dns": "check the host name and your DNS; behind a proxy set HTTPS_PROXY",
    "refused": "nothing listens there: check the URL and port, or whether the mirror is running",
    "timeout": "a firewall or proxy may block it: set HTTPS_PROXY, or configure a reachable mirror as index-url",
    "certificate": "a proxy is intercepting TLS: point SSL_CERT_FILE / pip's `cert` at your company CA bundle "
    "(never use trusted-host to switch verification off)",
    "proxy-auth": "put credentials in the proxy URL (HTTPS_PROXY=http://user:pass@proxy:port)",
    "auth": "put the index credentials in the URL, a netrc file or keyring",
    "missing": "create the folder or remove it from pip's find-links / index settings",
    "http": "the index is failing: retry later or use a mirror",
    "error": "check the URL",
}


def rule_indexes(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    statuses = facts.indexes.value
    if statuses is None:
        return [
            ok(
                "network.index",
                "network",
                "index reachability not checked",
                facts.indexes.error or facts.indexes.source,
            )
        ]
    out = []
    for status in statuses:
        fid = f"network.index.{status.role}"
        if status.reachable:
            out.append(
                ok(
                    fid,
                    "network",
                    f"{status.role} reachable",
                    f"{status.url}: {status.detail} in {status.seconds:.2f} s",
                )
            )
        else:
            out.append(
                fail(
                    fid,
                    "network",
                    f"{status.role} unreachable ({status.kind})",
                    f"{status.url}: {status.detail}",
                    INDEX_FIXES[status.kind],
                )
            )
    return out


def rule_pip_config(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    config = facts.pip_config.value
    if config is None:
        return []
    used = [f"{path}" for kind, path, exists in config.files if exists]
    settings = "; ".join(f"{s.key}={s.value} ({s.origin})" for s in config.settings.values())
    out = [
        ok(
            "pip.config",
            "pip",
            "pip configuration (llmenv hands the same settings to uv)",
            (settings or "no settings") + (f"; files: {', '.join(used)}" if used else "; no config files"),
        )
    ]
    trusted = config.get("trusted-host")
    if trusted:
        out.append(
            warn(
                "pip.trusted-host",
                "pip",
                "TLS verification is off for some hosts",
                f"trusted-host={' '.join(trusted)} ({config.settings['trusted-host'].origin})",
                "remove trusted-host and configure the CA bundle with `cert` / SSL_CERT_FILE instead",
            )
        )
    for key in ("cert", "constraint"):
        for value in config.get(key):
            if not Path(value).exists():
                out.append(
                    fail(
                        f"pip.{key}-missing",
                        "pip",
                        f"pip's {key} file does not exist",
                        f"{key}={value} ({config.settings[key].origin})",
                        f"create it or remove the {key} setting; every pip install fails until then",
                    )
                )
    return out


HOST_RULES: tuple[Rule, ...] = (
    rule_python_on_path,
    rule_pip_matches_python,
    rule_active_env,
    rule_bitness,
    rule_python_supported,
    rule_path_entries,
    rule_libc,
    rule_cpu,
    rule_disk,
    rule_gpu,
    rule_cuda_toolkit,
    rule_pip_config,
    rule_indexes,
)


def context_for(profile: Profile, facts: HostFacts, accelerator: str) -> HostContext:
    """Needs are computed for what `auto` becomes on this host, so a GPU host is judged against the GPU build."""
    resolved = resolve_accelerator(accelerator, facts)
    cuda = profile.accelerators.get("cuda")
    return HostContext(needs_for(profile, resolved), accelerator, profile.name, cuda.min_cuda if cuda else None)


def resolve_accelerator(accelerator: str, facts: HostFacts) -> str:
    if accelerator != "auto":
        return accelerator
    if facts.nvidia.value:
        return "cuda"
    if facts.rocm.value:
        return "rocm"
    if facts.apple.value and facts.apple.value.mps_capable:
        return "mps"
    return "cpu"


def verify_host(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    findings: list[Finding] = []
    for rule in HOST_RULES:
        findings.extend(rule(facts, ctx))
    return findings


__all__ = [
    "HOST_RULES",
    "HostContext",
    "context_for",
    "install_python_fix",
    "resolve_accelerator",
    "supporting",
    "verify_host",
]
