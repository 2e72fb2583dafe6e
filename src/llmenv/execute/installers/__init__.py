"""Installer backends behind one Protocol, registered by name: a new backend is one module and one dict line."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from llmenv.plan.model import Plan
from llmenv.process import ProcResult


@dataclass(frozen=True)
class Command:
    argv: list[str]
    env: dict[str, str]  # additions to the (scrubbed) environment


class Installer(Protocol):
    name: str

    def create(self, plan: Plan, target: Path, log: Path) -> ProcResult:
        """Create the venv at `target` with the planned interpreter; the result says whether it worked."""
        ...

    def seed_command(self, plan: Plan, python: Path) -> Command | None:
        """A second step putting pip in the env after a hash-checked install, or None when not needed."""
        ...

    def install_command(self, plan: Plan, python: Path, requirements_file: Path | None) -> Command:
        """Install the plan's requirements (or a hashed lock file) into the venv whose interpreter is `python`."""
        ...


def run_command(
    command: Command,
    log: Path,
    timeout: float,
    on_line: Callable[[str], None] | None = None,
    waiting_for: str = "",
) -> ProcResult:
    """Run an installer step, bounded by `timeout` and by llmenv's stall timeout (LLMENV_STALL_TIMEOUT)."""
    import os

    from llmenv.process import run_logged, stall_timeout

    argv, env = child(command, os.environ)
    return run_logged(
        argv,
        log=log,
        timeout=timeout,
        env=env,
        on_line=on_line,
        stall=stall_timeout(),
        waiting_for=waiting_for,
    )


def child(command: Command, environ: Mapping[str, str]) -> tuple[list[str], dict[str, str]]:
    """The argument list and environment a step runs with. A uv step runs isolated from the user's uv
    configuration: `--no-config` (no uv.toml, no pyproject [tool.uv]) and no inherited `UV_*` variable except those
    llmenv honours on purpose (UV_HONOURED) and those the step sets itself (credentials moved out of argv, the
    managed-Python folder). pip's configuration, which both backends honour, reaches uv through `source_args`."""
    from llmenv.probe.uvconfig import isolated_env

    if not _is_uv(command.argv):
        return list(command.argv), {**environ, **command.env}
    inherited = isolated_env(environ)
    argv = list(command.argv)
    if "--no-config" not in argv:
        argv.insert(1, "--no-config")
    return argv, {**inherited, **command.env}


def _is_uv(argv: list[str]) -> bool:
    import os

    return bool(argv) and os.path.basename(argv[0]).split(".")[0] == "uv"


def sources_text(plan: Plan) -> str:
    """Where an install fetches from, credentials masked: what a silent installer is waiting for."""
    indexes = plan.indexes
    if plan.offline or indexes.no_index:
        return "local find-links folders" + (f" ({', '.join(indexes.find_links)})" if indexes.find_links else "")
    urls = [str(indexes.index_url) if indexes.index_url else "https://pypi.org/simple"]
    urls += [str(u) for u in ([indexes.variant_index] if indexes.variant_index else [])]
    urls += [str(u) for u in indexes.extra_index_urls]
    return ", ".join(dict.fromkeys(urls))


_HOST_FAILURE = re.compile(
    r"(?:Failed to fetch|error sending request for url|Could not fetch URL|Max retries exceeded)[^\n]*?"
    r"(?:`|\(|host=')?(https?://[^/`'\s)]+|[A-Za-z0-9.-]+\.[A-Za-z]{2,}(?=', port))"
)
_NETWORK = re.compile(
    r"dns error|Name or service not known|Temporary failure in name resolution|"
    r"Connection refused|timed out|NewConnectionError|client error \(Connect\)"
)


def unreachable_hosts(output: str) -> list[str]:
    """Hosts an installer could not reach, from uv's or pip's own words (pure, tested on recorded output)."""
    if not _NETWORK.search(output):
        return []
    hosts = []
    for match in _HOST_FAILURE.finditer(output):
        host = urlsplit(match.group(1)).hostname if "://" in match.group(1) else match.group(1)
        if host and host not in hosts:
            hosts.append(host)
    looking = re.search(r"^Looking in indexes: (\S+)$", output, re.MULTILINE)  # pip names no host; one index: it
    if not hosts and looking and "NewConnectionError" in output:
        hosts = [h for h in [urlsplit(looking.group(1)).hostname] if h]
    return hosts


def mirror_fix(hosts: list[str], command: str) -> str:
    shown = ", ".join(hosts)
    return (
        f"{shown} could not be reached: install from a mirror, e.g. `{command} --mirror auto` (probes the known "
        "sets and keeps what answers) or `--mirror china`; sets of your own go in mirrors.yaml (docs/mirrors.md)"
    )


__all__ = [
    "Command",
    "Installer",
    "child",
    "mirror_fix",
    "run_command",
    "sources_text",
    "unreachable_hosts",
]
