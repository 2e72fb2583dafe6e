"""Pure rules over host facts (and, when given, a profile): each returns findings with evidence and a fix.

Rules never run anything; everything they know came from `llmenv.probe`. That is what lets the tests build any
host (a 32-bit Python, a 470 driver, a musl libc) from recorded facts. One module per area.
"""

from __future__ import annotations

from llmenv.probe import HostFacts
from llmenv.verify.host.context import (
    HostContext,
    Rule,
    context_for,
    host_os,
    install_python_fix,
)
from llmenv.verify.host.gpu import rule_cuda_toolkit, rule_gpu
from llmenv.verify.host.network import rule_indexes, rule_pip_config, rule_uv_config
from llmenv.verify.host.platform import rule_cpu, rule_disk, rule_libc, rule_library_path
from llmenv.verify.host.python import (
    rule_active_env,
    rule_bitness,
    rule_path_entries,
    rule_pip_matches_python,
    rule_python_on_path,
    rule_python_supported,
    supporting,
)
from llmenv.verify.host.shell import rule_shell
from llmenv.verify.model import Finding

HOST_RULES: tuple[Rule, ...] = (
    rule_python_on_path,
    rule_pip_matches_python,
    rule_active_env,
    rule_shell,
    rule_bitness,
    rule_python_supported,
    rule_path_entries,
    rule_libc,
    rule_library_path,
    rule_cpu,
    rule_disk,
    rule_gpu,
    rule_cuda_toolkit,
    rule_pip_config,
    rule_uv_config,
    rule_indexes,
)


def verify_host(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    findings: list[Finding] = []
    for rule in HOST_RULES:
        findings.extend(rule(facts, ctx))
    return findings


__all__ = [
    "HOST_RULES",
    "HostContext",
    "Rule",
    "context_for",
    "host_os",
    "install_python_fix",
    "supporting",
    "verify_host",
]
