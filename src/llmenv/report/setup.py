"""Setup's progress lines, plan view (`--dry-run`) and summary; JSON schema `llmenv.setup/1`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llmenv import __version__
from llmenv.report.console import stderr_console, stdout_console
from llmenv.report.text import printable

if TYPE_CHECKING:
    from llmenv.plan.model import Plan
    from llmenv.workflow.setup import SetupReport

SETUP_SCHEMA = "llmenv.setup/1"


def setup_json(report: SetupReport) -> dict[str, Any]:
    """The document, typed (report/documents/setup.py): its JSON Schema is generated from the same model."""
    from llmenv.report.documents.parts import build
    from llmenv.report.documents.setup import SetupDocument

    fields = {
        "schema": SETUP_SCHEMA,
        "llmenv_version": __version__,
        "status": report.status,
        "exit_code": report.exit_code,
        "env": str(report.env),
        "generation": str(report.generation) if report.generation else None,
        "plan": report.plan.to_dict(),
        "changes": list(report.changes),
        "steps": [{"name": s.name, "seconds": round(s.seconds, 3), "detail": s.detail} for s in report.steps],
        "findings": [f.to_dict() for f in report.findings],
        "log": str(report.log) if report.log else None,
        "smoke": report.smoke.to_dict() if report.smoke is not None else None,
        "seconds": round(report.seconds, 3),
    }
    return build(SetupDocument, fields)


def print_plan(plan: Plan) -> None:
    console = stdout_console()
    console.print(f"Plan for profile {printable(plan.profile)} -> {printable(str(plan.env))}")
    console.print(f"  python       {plan.python.value} ({plan.python_version}): {plan.python.why}")
    console.print(f"  backend      {plan.backend.value}: {plan.backend.why}")
    console.print(f"  accelerator  {plan.accelerator.value}: {plan.accelerator.why}")
    if plan.variant:
        console.print(f"  variant      {plan.variant.value}: {plan.variant.why}")
        for value, why in plan.variant.rejected:
            console.print(f"    rejected   {value}: {why}")
    for value, why in plan.accelerator.rejected:
        console.print(f"    rejected   {value}: {why}")
    for value, why in plan.python.rejected:
        console.print(f"    python not chosen: {value}: {why}")
    indexes = plan.indexes.to_dict()
    console.print(f"  variant index {indexes['variant_index'] or 'none'}")
    console.print(
        f"  indexes      {indexes['index_url'] or 'PyPI (default)'}; extra: {', '.join(indexes['extra_index_urls']) or '-'}"
    )
    console.print(
        f"  find-links   {', '.join(indexes['find_links']) or '-'}; constraints: {', '.join(indexes['constraints']) or '-'}"
    )
    _print_mirrors(plan)
    console.print("  requirements")
    for requirement in plan.requirements:
        console.print(f"    {requirement}")
    console.print(f"  checks       imports {', '.join(plan.imports) or '-'}; gpu {plan.gpu_check}")
    for override in plan.overrides:
        console.print(f"  override     {override}")
    for warning in plan.warnings:
        console.print(f"  WARNING      {warning}")


def _print_mirrors(plan: Plan) -> None:
    """One line per role when a mirror was asked for: its source, why, and the sets passed over."""
    if plan.mirrors.requested is None:
        return
    console = stdout_console()
    console.print(f"  mirrors      {plan.mirrors.requested_by} {plan.mirrors.requested}")
    for role in plan.mirrors.roles:
        where = f"{role.source} {role.url}" if role.url else role.source
        console.print(f"    {role.role:<11} {where}: {role.why}")
        for value, why in role.rejected:
            console.print(f"      passed over {value}: {why}")


def print_usage(report: SetupReport, shell: str | None) -> None:
    """How to use the env in the user's shell (detected unless --shell names one), quoted for it; what next."""
    import os
    from pathlib import Path

    from llmenv.report.activation import detect_shell, display_path, usage_lines

    shell = shell or detect_shell(os.environ, os.name == "nt")
    env = display_path(report.env, Path.cwd())
    lines = usage_lines(env, shell, smoke_ran=report.smoke is not None or report.status == "up-to-date")
    console = stdout_console()
    for line in lines:
        console.print(line)


def print_setup(report: SetupReport) -> None:
    console = stdout_console()
    plan = report.plan
    variant = f" ({plan.variant.value})" if plan.variant and plan.variant.value != plan.accelerator.value else ""
    if report.status not in ("up-to-date", "smoke-only"):  # the plan's warnings are about building: none was done
        for warning in plan.warnings:
            stderr_console().print(f"warning: {warning}")
    if report.status in ("up-to-date", "smoke-only"):
        what = "nothing to do" if report.status == "up-to-date" else "ran only its smoke test, which it had not passed"
        console.print(
            f"{report.env} is up to date (profile {plan.profile}, Python {plan.python_version}, "
            f"{plan.accelerator.value}{variant}); {what} ({report.seconds:.2f} s)"
        )
        _kernel_line(report)
        return
    verb = {"created": "Created", "updated": "Updated", "repaired": "Repaired"}[report.status]
    failed = [f for f in report.findings if f.status.value == "fail"]
    skipped = [f for f in report.findings if f.status.value == "skip"]
    console.print(
        f"{verb} {report.env} -> {report.generation} in {report.seconds:.1f} s: profile {plan.profile}, "
        f"Python {plan.python_version}, {plan.backend.value}, {plan.accelerator.value}{variant}"
    )
    for change in report.changes:
        console.print(f"  changed: {change}")
    for line in plan.mirrors.passed_over():  # --mirror auto: what it chose per role, and what it passed over
        console.print(f"  mirror {line}")
    steps = ", ".join(f"{s.name} {s.seconds:.1f} s" for s in report.steps)
    console.print(f"  steps: {steps}")
    ok = [f for f in report.findings if f.status.value == "ok"]
    console.print(f"  checks: {len(ok)} ok, {len(failed)} failed, {len(skipped)} skipped")
    for finding in report.findings:
        if finding.id.startswith("env.import."):
            console.print(f"    {finding.title} ({finding.evidence})")
    for finding in skipped:
        console.print(f"    skipped: {finding.title}")
    _kernel_line(report)
    console.print(f"  log: {report.log}")


def _kernel_line(report: SetupReport) -> None:
    """Where setup --jupyter registered the env's kernel (the name Jupyter and VS Code list)."""
    for finding in report.findings:
        if finding.id == "setup.jupyter":
            stdout_console().print(f"  jupyter: {finding.title}; {finding.evidence}")


__all__ = ["SETUP_SCHEMA", "print_plan", "print_setup", "print_usage", "setup_json"]
