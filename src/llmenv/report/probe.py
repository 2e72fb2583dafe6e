"""`llmenv probe` for people: one line per fact, with where it came from."""

from __future__ import annotations

from typing import TYPE_CHECKING

from llmenv.report.console import human_size, one_line, stdout_console, table_width, write_lines

if TYPE_CHECKING:
    from llmenv.probe import HostFacts


def _lines(facts: HostFacts) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    s = facts.system.value
    if s:
        rows.append(("os", f"{s.distro or s.os} ({s.os} {s.os_release})", facts.system.source))
        rows.append(
            ("cpu", f"{s.machine}, {s.cpu_count} cores, flags: {' '.join(s.cpu_flags or ()) or '-'}", "/proc/cpuinfo")
        )
        rows.append(("bits", f"OS {s.os_bits}-bit, llmenv's Python {s.python_bits}-bit", "platform, struct"))
        rows.append(("libc", f"{s.libc or '-'} {s.libc_version or ''}".strip(), "platform.libc_ver()"))
        if s.memory_total_mb:
            rows.append(
                (
                    "memory",
                    f"{s.memory_total_mb:,} MiB total, {s.memory_available_mb or 0:,} MiB available",
                    "/proc/meminfo",
                )
            )
    report = facts.interpreters.value
    if report:
        for name, command in report.commands.items():
            target = command.interpreter or (
                f"Python {command.python_version}" if command.python_version else command.error or "-"
            )
            rows.append((name, f"{command.path or 'not on PATH'} -> {target}", command.via or "PATH"))
        for i in report.interpreters:
            tag = " venv" if i.is_venv else ""
            rows.append(
                ("python", f"{i.implementation} {i.version} {i.bits}-bit{tag} {i.executable}", ", ".join(i.found_by))
            )
        for path, why in report.broken:
            rows.append(("python", f"BROKEN {path}: {why}", "PATH"))
    nvidia = facts.nvidia
    rows.append(("nvidia", _nvidia(facts), nvidia.source))
    rows.append(("rocm", _rocm(facts), facts.rocm.source))
    apple = facts.apple.value
    rows.append(
        (
            "apple",
            f"MPS {'yes' if apple.mps_capable else 'no'} ({apple.reason})" if apple else "not a Mac",
            facts.apple.source,
        )
    )
    toolkit = facts.cuda_toolkit.value
    rows.append(
        ("cuda toolkit", f"{toolkit.version} ({toolkit.nvcc})" if toolkit else "none", facts.cuda_toolkit.source)
    )
    for space in facts.disk.value or []:
        rows.append(
            (
                f"disk {space.label}",
                f"{human_size(space.free_mb)} free of {human_size(space.total_mb)} at {space.measured_at}",
                "shutil.disk_usage",
            )
        )
    config = facts.pip_config.value
    if config:
        for setting in config.settings.values():
            rows.append((f"pip {setting.key}", str(setting.value), setting.origin))
    for status in facts.indexes.value or []:
        verdict = "reachable" if status.reachable else f"UNREACHABLE ({status.kind}: {status.detail})"
        rows.append((f"index {status.role}", f"{status.url} {verdict}", f"{status.seconds:.2f} s"))
    if facts.indexes.value is None:
        rows.append(("indexes", "not checked", facts.indexes.source))
    for name, value in facts.env.items():
        rows.append((f"env {name}", value, "environment"))
    return rows


def _nvidia(facts: HostFacts) -> str:
    info = facts.nvidia.value
    if info is None:
        return f"unknown: {facts.nvidia.error}" if facts.nvidia.error else "none"
    gpus = ", ".join(f"{g.name} (cc {g.compute_capability or '?'})" for g in info.gpus) or "no GPU details"
    return f"driver {info.driver}, CUDA {info.max_cuda or '?'} ({info.max_cuda_source}); {gpus}"


def _rocm(facts: HostFacts) -> str:
    info = facts.rocm.value
    if info is None:
        return f"unknown: {facts.rocm.error}" if facts.rocm.error else "none"
    return f"ROCm {info.version or '?'}; " + (", ".join(f"{g.name} ({g.gfx})" for g in info.gpus) or "no GPUs")


def print_probe(facts: HostFacts) -> None:
    rows = _lines(facts)
    if table_width(100) is None:
        write_lines(f"{name}: {one_line(value)} (source: {one_line(source)})" for name, value, source in rows)
        write_lines([f"probed in {facts.seconds:.2f} s"])
        return
    from rich.table import Table

    from llmenv.report.text import printable

    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("FACT", no_wrap=True)
    table.add_column("VALUE", overflow="fold", ratio=3)
    table.add_column("SOURCE", overflow="fold", ratio=1)
    for row in rows:
        table.add_row(*(printable(cell, keep_newlines=True) for cell in row))  # facts quote the user's environment
    console = stdout_console()
    console.print(table)
    console.print(f"probed in {facts.seconds:.2f} s")


__all__ = ["print_probe"]
